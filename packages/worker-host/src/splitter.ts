/*
 * splitter.ts — where a statement typed into the terminal ends (psql's
 * psqlscan.l, reduced): at a semicolon outside quotes, dollar quotes,
 * comments and parentheses. Lines are fed one at a time; complete
 * statements come out, the rest waits for more input.
 *
 * Exports: StatementSplitter.
 */

export class StatementSplitter {
  private buf = '';
  /** Lexer state carried across lines. */
  private quote: "'" | '"' | null = null;
  private escapeString = false;
  private dollarTag: string | null = null;
  private blockDepth = 0;
  private parenDepth = 0;

  /** Whether a statement is partly typed. */
  get pending(): boolean {
    return this.buf.replace(/--[^\n]*/g, '').trim() !== '';
  }

  /** The quote character the input is inside of (for the prompt), or null. */
  get inQuote(): string | null {
    return this.quote ?? (this.dollarTag !== null ? '$' : this.blockDepth > 0 ? '*' : this.parenDepth > 0 ? '(' : null);
  }

  /** One line of input: the statements it completes, and a backslash command if the line is one. */
  feed(line: string): { statements: string[]; meta: string | null } {
    if (!this.pending && this.quote === null && this.dollarTag === null && line.trim().startsWith('\\')) {
      return { statements: [], meta: line.trim() };
    }
    const statements: string[] = [];
    const text = line + '\n';
    let start = 0;
    let i = 0;
    while (i < text.length) {
      const c = text[i];
      if (this.quote !== null) {
        if (this.escapeString && c === '\\') { i += 2; continue; }
        if (c === this.quote) {
          if (text[i + 1] === this.quote) { i += 2; continue; }
          this.quote = null;
        }
        i++;
        continue;
      }
      if (this.dollarTag !== null) {
        if (text.startsWith(this.dollarTag, i)) {
          i += this.dollarTag.length;
          this.dollarTag = null;
          continue;
        }
        i++;
        continue;
      }
      if (this.blockDepth > 0) {
        if (c === '*' && text[i + 1] === '/') { this.blockDepth--; i += 2; continue; }
        if (c === '/' && text[i + 1] === '*') { this.blockDepth++; i += 2; continue; }
        i++;
        continue;
      }
      if (c === '-' && text[i + 1] === '-') {
        // A comment runs to the end of the line; keep it in the statement text.
        i = text.indexOf('\n', i);
        continue;
      }
      if (c === '/' && text[i + 1] === '*') { this.blockDepth = 1; i += 2; continue; }
      if (c === "'" || c === '"') {
        this.quote = c;
        this.escapeString = c === "'" && i > 0 && (text[i - 1] === 'E' || text[i - 1] === 'e') && !/[A-Za-z0-9_]/.test(text[i - 2] ?? '');
        i++;
        continue;
      }
      if (c === '$') {
        const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
        if (m !== null && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
          this.dollarTag = m[0];
          i += m[0].length;
          continue;
        }
      }
      if (c === '(') this.parenDepth++;
      else if (c === ')' && this.parenDepth > 0) this.parenDepth--;
      else if (c === ';' && this.parenDepth === 0) {
        const stmt = (this.buf + text.slice(start, i + 1)).trim();
        this.buf = '';
        start = i + 1;
        if (stmt !== ';') statements.push(stmt);
      }
      i++;
    }
    this.buf += text.slice(start);
    if (!this.pending && this.quote === null && this.dollarTag === null && this.blockDepth === 0) this.buf = '';
    return { statements, meta: null };
  }

  /** End of input: whatever is left, if anything. */
  flush(): string | null {
    const rest = this.buf.trim();
    this.buf = '';
    this.quote = null;
    this.dollarTag = null;
    this.blockDepth = 0;
    this.parenDepth = 0;
    return rest === '' || /^(--[^\n]*\n?\s*)*$/.test(rest) ? null : rest;
  }
}
