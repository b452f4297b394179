import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { HELP_WIDTH, reflow, wrapText } from './help.js';
import { buildProgram } from './main.js';

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

const program = await buildProgram();
const commands = allCommands(program);
const path = (c: Command): string => (c.parent ? `${path(c.parent)} ${c.name()}` : c.name());
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

describe('wrapText', () => {
  it('joins code-line breaks, keeps list items and breaks after a colon, and wraps greedily at spaces', () => {
    expect(reflow('one\ntwo:\nthree\n  - item\n\nnext')).toBe('one two:\nthree\n  - item\n\nnext');
    expect(wrapText('aaa bbb ccc ddd', 7)).toBe('aaa bbb\nccc ddd');
    expect(wrapText('  - aaa bbb ccc', 10)).toBe('  - aaa\n    bbb\n    ccc');
    expect(wrapText('averyveryverylongword x', 5)).toBe('averyveryverylongword\nx');
  });
});

describe('every --help at 80 columns', () => {
  it('covers every command', () => {
    expect(commands.map(path)).toEqual(
      expect.arrayContaining(['goe', 'goe metrics', 'goe eval', 'goe train-generator', 'goe serve']),
    );
  });

  it.each(commands.map((c) => [path(c), c] as const))('%s', (_, cmd) => {
    const help = cmd.helpInformation();
    const lines = help.split('\n');
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(HELP_WIDTH);
    // Words are never split: each description reads the same with the layout's whitespace squashed.
    const texts = [cmd.description(), ...cmd.options.map((o) => o.description)].filter(Boolean);
    for (const text of texts) expect(squash(help)).toContain(squash(text));
    // No sentence breaks early: a line ends only where its next word would not have fit. In the
    // description: lines of one indentation, unless the next starts a "term:" or "-" item or follows a
    // colon. In the tables: every continuation line (indented past the 2 columns of an item).
    const indent = (s: string) => /^ */.exec(s)![0].length;
    const tableAt = lines.findIndex((l) => /^(Arguments|Options|Commands):$/.test(l));
    for (let i = 0; i + 1 < lines.length; i++) {
      const [a, b] = [lines[i], lines[i + 1]];
      if (!a.trim() || !b.trim()) continue;
      if (tableAt >= 0 && i > tableAt) {
        if (indent(b) <= 2) continue;
      } else if (indent(a) !== indent(b) || a.trimEnd().endsWith(':') || /^\s*(-|\w[\w -]*:\s)/.test(b)) {
        continue;
      }
      const next = b.trim().split(' ')[0];
      expect(a.length + 1 + next.length, `"${a}" could hold "${next}"`).toBeGreaterThan(HELP_WIDTH);
    }
  });
});
