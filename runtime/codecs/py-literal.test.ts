import { describe, expect, it } from 'vitest';
import { PyLiteralError, parsePyLiteral } from './py-literal.js';

describe('parsePyLiteral', () => {
  it('parses the literals NumPy headers use', () => {
    expect(parsePyLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }")).toEqual({
      descr: '<f4',
      fortran_order: false,
      shape: [2, 3],
    });
    expect(parsePyLiteral('(3,)')).toEqual([3]);
    expect(parsePyLiteral('()')).toEqual([]);
    expect(parsePyLiteral("[('a', '<f4'), ('b', '|u1', (2,))]")).toEqual([
      ['a', '<f4'],
      ['b', '|u1', [2]],
    ]);
    expect(parsePyLiteral('  {"x": None, "y": True, "z": -12L}  \n')).toEqual({ x: null, y: true, z: -12 });
    expect(parsePyLiteral(String.raw`'it\'s'`)).toBe("it's");
  });

  it('keeps a "__proto__" key as data', () => {
    const value = parsePyLiteral("{'__proto__': 1}") as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
  });

  it.each([
    ['an expression', '1 + 2'],
    ['a name', 'numpy.float32'],
    ['a float', '2.5'],
    ['a huge integer', '123456789012345678901234567890'],
    ['a duplicate key', "{'a': 1, 'a': 2}"],
    ['a non-string key', '{1: 2}'],
    ['an unterminated string', "'abc"],
    ['an unclosed tuple', '(1, 2'],
    ['a missing comma', '(1 2)'],
    ['nothing', ''],
  ])('rejects %s', (_name, text) => {
    expect(() => parsePyLiteral(text)).toThrow(PyLiteralError);
  });
});
