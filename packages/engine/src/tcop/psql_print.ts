/*
 * psql_print.ts — query results as psql prints them (psql's print.c,
 * aligned format, border 1), shared by the CLI and the differential corpus.
 *
 * Exports: printAligned(fields, rows, opts) -> string (no trailing newline),
 *          isRightAligned(typeOid), formatErrorForPsql(err, sql).
 *
 *    id | name          header: names centered in the column width
 *   ----+-------        separator: width + 2 dashes per column, joined by '+'
 *     1 | alice         numbers right-aligned, everything else left-aligned
 *     2 | bob  +        a value with a newline continues on the next line,
 *       | smith         marked by '+' where the column ends
 *   (2 rows)
 *
 * Widths count code points, except that East Asian wide characters count two
 * columns, as psql's pg_wcswidth does for UTF-8.
 */

/** psql right-aligns these types (print.c column_type_alignment). */
const RIGHT_ALIGNED = new Set([20, 21, 23, 26, 700, 701, 1700, 790, 28, 29]);

export function isRightAligned(typeOid: number): boolean {
  return RIGHT_ALIGNED.has(typeOid);
}

function charWidth(cp: number): number {
  if (cp < 0x1100) return 1;
  if (
    (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) || (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe6f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd)
  ) return 2;
  return 1;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0) as number);
  return w;
}

export interface PrintField {
  name: string;
  typeOid: number;
}

export interface PrintOptions {
  /** What NULL prints as (psql's \pset null; '' by default). */
  nullDisplay?: string;
  /** Print the "(N rows)" footer (default true). */
  footer?: boolean;
}

/** One result set in psql's aligned format. Values are text (the type's output) or null. */
export function printAligned(fields: readonly PrintField[], rows: readonly (readonly (string | null)[])[], opts: PrintOptions = {}): string {
  const nullText = opts.nullDisplay ?? '';
  const ncols = fields.length;
  const cells: string[][][] = rows.map((r) => r.map((v) => (v === null ? nullText : v).split('\n')));
  const headerLines = fields.map((f) => f.name.split('\n'));
  const widths = fields.map((_, i) => {
    let w = 0;
    for (const l of headerLines[i]) w = Math.max(w, displayWidth(l));
    for (const row of cells) for (const l of row[i]) w = Math.max(w, displayWidth(l));
    return w;
  });
  const right = fields.map((f) => isRightAligned(f.typeOid));
  const out: string[] = [];

  // Header: each line of each name centered; psql pads the last column too.
  const headerHeight = Math.max(1, ...headerLines.map((l) => l.length));
  for (let line = 0; line < headerHeight; line++) {
    let s = '';
    for (let i = 0; i < ncols; i++) {
      const text = headerLines[i][line] ?? '';
      const pad = widths[i] - displayWidth(text);
      const left = Math.floor(pad / 2);
      s += (i === 0 ? ' ' : '') + ' '.repeat(left) + text + ' '.repeat(pad - left);
      const more = line + 1 < headerLines[i].length;
      s += i < ncols - 1 ? (more ? '+|' : ' |') + ' ' : more ? '+' : ' ';
    }
    out.push(s);
  }
  out.push(widths.map((w) => '-'.repeat(w + 2)).join('+'));

  for (const row of cells) {
    const height = Math.max(1, ...row.map((c) => c.length));
    for (let line = 0; line < height; line++) {
      let s = '';
      for (let i = 0; i < ncols; i++) {
        const text = row[i][line] ?? '';
        const pad = widths[i] - displayWidth(text);
        const more = line + 1 < row[i].length;
        const last = i === ncols - 1;
        s += i === 0 ? ' ' : '';
        if (right[i]) s += ' '.repeat(pad) + text;
        else s += text + (last && !more ? '' : ' '.repeat(pad));
        if (!last) s += (more ? '+' : ' ') + '| ';
        else if (more) s += '+';
      }
      out.push(s);
    }
  }
  if (opts.footer !== false) out.push(rows.length === 1 ? '(1 row)' : `(${rows.length} rows)`);
  return out.join('\n');
}

export interface PsqlErrorLike {
  message: string;
  severity?: string;
  detail?: string;
  hint?: string;
  position?: number;
}

/**
 * An error as psql shows it: `ERROR:  message`, then for a position the
 * statement's line with `LINE n: ` and a caret under the character, then
 * DETAIL / HINT lines.
 */
export function formatErrorForPsql(err: PsqlErrorLike, sql: string): string {
  const out = [`${err.severity ?? 'ERROR'}:  ${err.message}`];
  if (err.position !== undefined && err.position > 0) {
    const chars = [...sql];
    const pos = Math.min(err.position - 1, chars.length);
    let lineStart = 0;
    let lineNo = 1;
    for (let i = 0; i < pos; i++) {
      if (chars[i] === '\n') {
        lineNo++;
        lineStart = i + 1;
      }
    }
    let lineEnd = chars.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = chars.length;
    let lineText = chars.slice(lineStart, lineEnd).join('');
    let caretCol = displayWidth(chars.slice(lineStart, pos).join(''));
    const prefix = `LINE ${lineNo}: `;
    // psql trims long lines to about 60 columns around the caret, marking cuts with "...".
    const MAX = 60;
    if (displayWidth(lineText) > MAX && caretCol > MAX - 10) {
      const cut = caretCol - (MAX - 10);
      const chs = [...lineText];
      lineText = '...' + chs.slice(cut).join('');
      caretCol = caretCol - cut + 3;
    }
    if (displayWidth(lineText) > MAX + 3) lineText = [...lineText].slice(0, MAX).join('') + '...';
    out.push(prefix + lineText.replace(/\t/g, ' '));
    out.push(' '.repeat(displayWidth(prefix) + caretCol) + '^');
  }
  if (err.detail !== undefined && err.detail !== '') out.push(`DETAIL:  ${err.detail}`);
  if (err.hint !== undefined && err.hint !== '') out.push(`HINT:  ${err.hint}`);
  return out.join('\n');
}
