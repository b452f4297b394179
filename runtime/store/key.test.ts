import { describe, expect, it } from 'vitest';
import { StoreKeyError } from './errors.js';
import { assertKey } from './key.js';

describe('assertKey', () => {
  it.each([
    'a',
    'a/b/c.npy',
    'seed-42/batch_0001.safetensors',
    '...',
    'a..b/.hidden',
    'émoji/🙂.png',
    'x'.repeat(1024),
  ])('accepts %j and returns it', (key) => {
    expect(assertKey(key)).toBe(key);
  });

  it.each([
    ['', 'empty'],
    ['/etc/passwd', 'absolute (leading /)'],
    ['a//b', 'empty segment'],
    ['a/b/', 'empty segment'],
    ['..', "'..' segment"],
    ['a/../../b', "'..' segment"],
    ['a/./b', "'.' segment"],
    ['a\\..\\b', 'contains a backslash'],
    ['a\nb', 'contains a control character'],
    ['a/.goe-meta-x.json', "segment starts with reserved '.goe-'"],
    ['é'.repeat(513), 'longer than 1024 bytes'],
  ])('rejects %j: %s', (key, reason) => {
    const error = (() => {
      try {
        assertKey(key);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StoreKeyError);
    expect(error).toMatchObject({ key, reason });
    expect((error as Error).message).toContain(JSON.stringify(key));
  });

  it('rejects a non-string with the type it got', () => {
    expect(() => assertKey(42 as unknown as string)).toThrow(/expected a string, got number/);
  });
});
