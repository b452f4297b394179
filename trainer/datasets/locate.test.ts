import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DatasetSpec, datasets, locateDataset, PHOTO_FILE, requireDataset } from './locate.js';

const spec = (dirs: string[], rest: Partial<DatasetSpec> = {}): DatasetSpec => ({
  name: 'test-set',
  title: 'Test set',
  role: 'test',
  dirs: () => dirs,
  install: 'run make-test-set',
  ...rest,
});

describe('locateDataset', () => {
  afterEach(() => {
    delete process.env.GOE_NATURAL_DIR;
  });

  it('takes the first folder holding every file', () => {
    const a = mkdtempSync(join(tmpdir(), 'goe-loc-'));
    const b = mkdtempSync(join(tmpdir(), 'goe-loc-'));
    writeFileSync(join(a, 'one'), '');
    writeFileSync(join(b, 'one'), '');
    writeFileSync(join(b, 'two'), '');
    expect(locateDataset(spec([a, b], { files: ['one', 'two'] })).dir).toBe(b);
  });

  it('takes a folder with at least one matching entry', () => {
    const none = mkdtempSync(join(tmpdir(), 'goe-loc-'));
    writeFileSync(join(none, 'x.webp'), '');
    const some = mkdtempSync(join(tmpdir(), 'goe-loc-'));
    writeFileSync(join(some, 'x.JPG'), '');
    const at = locateDataset(spec([join(none, 'missing'), none, some], { match: PHOTO_FILE }));
    expect(at.dir).toBe(some);
    expect(at.tried.slice(0, 3)).toEqual([join(none, 'missing'), none, some]);
  });

  it('tries GOE_NATURAL_DIR before the installed photographs', () => {
    const mine = mkdtempSync(join(tmpdir(), 'goe-loc-'));
    writeFileSync(join(mine, 'cat.png'), '');
    process.env.GOE_NATURAL_DIR = mine;
    const natural = datasets.find((d) => d.name === 'natural-photos')!;
    expect(locateDataset(natural).dir).toBe(mine);
    expect(natural.install).toMatch(/mate-backgrounds/);
  });
});

describe('requireDataset', () => {
  it('says where it looked and how to install', () => {
    const empty = mkdtempSync(join(tmpdir(), 'goe-loc-'));
    expect(() => requireDataset(spec([empty], { files: ['f'] }))).toThrow(
      new RegExp(`^Test set not found \\(tried ${empty}, .*test-set\\): run make-test-set$`),
    );
  });

  it('rejects a name outside the catalog', () => {
    expect(() => requireDataset('cifar')).toThrow(/no dataset named cifar/);
  });
});
