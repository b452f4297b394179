import { describe, expect, it } from 'vitest';
import { findPython, runPythonJson } from './python.js';

describe('findPython', () => {
  it('finds an interpreter with numpy (python3-numpy must be installed)', () => {
    const python = findPython(['numpy']);
    expect(runPythonJson(['numpy'], 'import json, sys, numpy; print(json.dumps(sys.executable))')).toBeTypeOf(
      'string',
    );
    expect(python).toBeTruthy();
  });

  it('throws naming the apt package when no interpreter has the module', () => {
    expect(() => findPython(['goe_no_such_module'])).toThrowError(
      /apt-get install -y python3-goe_no_such_module/,
    );
    expect(() => findPython(['goe_no_such_module', 'sklearn'])).toThrowError(/python3-sklearn/);
  });

  it('refuses things that are not module names', () => {
    expect(() => findPython(['os; import shutil'])).toThrowError(/not a module name/);
  });
});
