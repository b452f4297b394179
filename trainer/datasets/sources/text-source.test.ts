import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetErrorOf, scratchFolder } from './fixtures.js';
import { loadTextSource } from './text-source.js';

const tmp = scratchFolder('goe-text-source-');
beforeAll(tmp.setup);
afterAll(tmp.teardown);
const fresh = tmp.fresh;

describe('loadTextSource', () => {
  it('a folder per class of .txt files, hidden files and __MACOSX ignored, names kept', () => {
    const root = fresh();
    for (const [cls, texts] of [
      ['sports news', ['the match ended', 'a late goal']],
      ['économie', ['markets fell']],
    ] as const) {
      mkdirSync(join(root, cls));
      texts.forEach((t, i) => {
        writeFileSync(join(root, cls, `${i}.txt`), t);
      });
    }
    writeFileSync(join(root, 'économie', '._0.txt'), Uint8Array.of(0, 5, 0x16, 7));
    mkdirSync(join(root, '__MACOSX'));
    writeFileSync(join(root, '__MACOSX', 'x.txt'), 'no');
    const s = loadTextSource(root);
    expect(s.format).toBe('text-folder');
    expect(s.classNames).toEqual(['sports news', 'économie']);
    expect(s.docs.map((d) => [d.text, d.label])).toEqual([
      ['the match ended', 0],
      ['a late goal', 0],
      ['markets fell', 1],
    ]);
  });

  it('JSONL {text, label}, with the line of a bad record named', () => {
    const dir = fresh();
    const file = join(dir, 'data.jsonl');
    writeFileSync(file, '{"text":"hello there","label":"greeting"}\n\n{"text":"buy now","label":"spam"}\n');
    const s = loadTextSource(file);
    expect(s.classNames).toEqual(['greeting', 'spam']);
    expect(s.docs[1]).toEqual({ text: 'buy now', label: 1, source: `${file} line 3` });
    writeFileSync(file, '{"text":"hello","label":"a"}\n{"text":"no label"}\n');
    const e = datasetErrorOf(() => loadTextSource(file));
    expect(e.code).toBe('bad_value');
    expect(e.message).toBe(`${file} line 2 has no "label"`);
    writeFileSync(file, '{"label":"a"}\n');
    expect(datasetErrorOf(() => loadTextSource(file)).message).toBe(`${file} line 1 has no "text"`);
  });

  it('CSV text,label with quoted commas and newlines', () => {
    const dir = fresh();
    const file = join(dir, 'data.csv');
    writeFileSync(file, 'label,text\nham,"hi, how are you"\nspam,"WIN\nNOW"\n');
    const s = loadTextSource(file);
    expect(s.docs.map((d) => d.text)).toEqual(['hi, how are you', 'WIN\nNOW']);
    expect(s.classNames).toEqual(['ham', 'spam']);
    writeFileSync(file, 'body,category\nx,y\n');
    expect(datasetErrorOf(() => loadTextSource(file)).code).toBe('bad_header');
  });

  it('refuses non-UTF-8, one class only and an empty class folder, naming the file or folder', () => {
    const dir = fresh();
    const latin1 = join(dir, 'latin1.csv');
    writeFileSync(latin1, Buffer.from('text,label\ncaf\xe9,a\nthe,b\n', 'latin1'));
    const e = datasetErrorOf(() => loadTextSource(latin1));
    expect(e.code).toBe('bad_encoding');
    expect(e.message).toContain(latin1);
    const one = join(dir, 'one.jsonl');
    writeFileSync(one, '{"text":"a","label":"x"}\n{"text":"b","label":"x"}\n');
    expect(datasetErrorOf(() => loadTextSource(one)).code).toBe('too_few_classes');
    const root = fresh();
    mkdirSync(join(root, 'a'));
    mkdirSync(join(root, 'b'));
    writeFileSync(join(root, 'a', '1.txt'), 'text');
    const empty = datasetErrorOf(() => loadTextSource(root));
    expect(empty.code).toBe('empty');
    expect(empty.message).toContain(join(root, 'b'));
  });
});
