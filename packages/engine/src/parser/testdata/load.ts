/*
 * load.ts — reads the SQL corpora in this folder for the parser's tests.
 *
 * Format: one statement per line; a line starting with whitespace continues
 * the previous statement (for literals that span lines); lines starting with
 * "--" and blank lines are ignored.
 */

import { readFileSync } from 'node:fs';

export function loadStatements(file: 'corpus.sql' | 'syntax_errors.sql'): string[] {
  const text = readFileSync(new URL(file, import.meta.url), 'utf8');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('--')) continue;
    if (/^\s/.test(line) && out.length > 0) out[out.length - 1] += '\n' + line;
    else out.push(line);
  }
  return out;
}
