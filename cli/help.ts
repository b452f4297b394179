import type { Help } from 'commander';

/** Width every `--help` is laid out for, whatever the terminal: 80 columns read well and paste cleanly. */
export const HELP_WIDTH = 80;

/**
 * Joins the line breaks the sources put in only to keep their code lines short: a break before a line
 * that starts with a non-space, after a line not ending in ':'. Breaks before indented lines (lists),
 * blank lines and breaks after a colon are kept.
 */
export function reflow(text: string): string {
  return text.replace(/([^:\n])\n(?=\S)/g, '$1 ');
}

/**
 * Greedy word wrap at `width` that only breaks at spaces (a word longer than the width keeps its own
 * line); a wrapped indented line continues 2 columns deeper, so list items stay apart.
 */
export function wrapText(text: string, width: number): string {
  const out: string[] = [];
  for (const line of reflow(text).split('\n')) {
    const indent = /^ */.exec(line)![0];
    const words = line.trim().split(/ +/).filter(Boolean);
    if (words.length === 0) {
      out.push('');
      continue;
    }
    const hang = indent ? `${indent}  ` : '';
    let current = indent + words[0];
    for (const word of words.slice(1)) {
      if (current.length + 1 + word.length <= width) current += ` ${word}`;
      else {
        out.push(current);
        current = hang + word;
      }
    }
    out.push(current);
  }
  return out.join('\n');
}

/**
 * commander's help settings for every goe command (subcommands inherit them): 80 columns, and wrapping
 * that reflows hand-broken source strings instead of commander's, which keeps every source line break
 * and so broke sentences mid-way (`goe train-generator --help`).
 */
export const HELP_CONFIG: Partial<Help> = {
  helpWidth: HELP_WIDTH,
  preformatted: () => false,
  boxWrap: (str: string, width: number) => wrapText(str, width),
};
