/*
 * cli.ts — `tabgres [DATADIR]`: a psql-like terminal for one tabgres
 * database (DESIGN.md section 6).
 *
 *   tabgres                 an in-memory database (gone at exit)
 *   tabgres ./data          a data directory on disk (created if empty)
 *   tabgres -c 'SQL' ...    run SQL and exit (may repeat; exit status 1 on error)
 *   tabgres -f file.sql     run a script, then exit
 *
 * Output is psql's: aligned tables (tcop/psql_print.ts), command tags,
 * `ERROR:  message` with `LINE n:` and a caret, NOTICE/WARNING lines.
 * Meta-commands: \q, \timing [on|off], \d, \d NAME, \dt, \di, \dv, \ds, \?.
 *
 * Statements end at a semicolon outside quotes and comments, as in psql;
 * the prompt shows the state: `tabgres=#` ready, `tabgres-#` continuing,
 * `tabgres'#` inside a string, `tabgres=*#` in a transaction block,
 * `tabgres=!#` in a failed block.
 */

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { NodeDirectory } from '@tabgres/opfs-storage';
import { Database, PgError, describeCommand, formatErrorForPsql, printAligned, rowToText, type StatementResult } from '@tabgres/engine';
import { StatementSplitter } from './splitter.ts';

interface Options {
  dataDir: string | null;
  commands: { kind: 'c' | 'f'; value: string }[];
}

const USAGE = `tabgres is a psql-like terminal for a tabgres database.

Usage:
  tabgres [OPTION]... [DATADIR]

Options:
  -c, --command=COMMAND    run only single command (SQL or internal) and exit
  -f, --file=FILENAME      execute commands from file, then exit
  -?, --help               show this help, then exit

Without DATADIR the database lives in memory and is gone at exit.`;

function parseArgs(argv: string[]): Options {
  const o: Options = { dataDir: null, commands: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-c' || a === '--command') o.commands.push({ kind: 'c', value: argv[++i] ?? '' });
    else if (a.startsWith('--command=')) o.commands.push({ kind: 'c', value: a.slice(10) });
    else if (a === '-f' || a === '--file') o.commands.push({ kind: 'f', value: argv[++i] ?? '' });
    else if (a.startsWith('--file=')) o.commands.push({ kind: 'f', value: a.slice(7) });
    else if (a === '-?' || a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else if (a.startsWith('-')) {
      process.stderr.write(`tabgres: invalid option -- '${a}'\nTry "tabgres --help" for more information.\n`);
      process.exit(1);
    } else o.dataDir = a;
  }
  return o;
}

export class Session {
  timing = false;
  /** Where errors are reported from (-f: "tabgres:FILE:LINE: "). */
  location = '';
  errors = 0;

  constructor(readonly db: Database, private readonly out: (s: string) => void, private readonly err: (s: string) => void) {}

  /** Runs one statement's text (which may hold several statements) and prints what psql would. */
  runSql(sql: string): void {
    const t0 = performance.now();
    const outcome = this.db.backend.execSimpleQuery(sql);
    for (const r of outcome.results) this.printResult(r);
    for (const n of outcome.errorNotices) this.err(`${this.location}${n.severity}:  ${n.message}\n`);
    if (outcome.error !== null) {
      this.errors++;
      this.err(this.location + formatErrorForPsql(outcome.error, sql) + '\n');
    }
    if (this.timing) this.out(`Time: ${(performance.now() - t0).toFixed(3)} ms\n`);
  }

  printResult(r: StatementResult): void {
    for (const n of r.notices) this.err(`${this.location}${n.severity}:  ${n.message}\n`);
    if (r.fields !== null) {
      const rows = r.rows.map((row: unknown[]) => rowToText(r.fields ?? [], row));
      this.out(printAligned(r.fields, rows) + '\n\n');
      if (!r.command.startsWith('SELECT') && r.command !== 'SHOW' && r.command !== 'EXPLAIN') this.out(r.command + '\n');
      return;
    }
    if (r.command !== '') this.out(r.command + '\n');
  }

  /** A backslash command; returns false for \q. */
  meta(line: string): boolean {
    const m = /^\\(\S+)\s*(.*)$/.exec(line.trim());
    if (m === null) return true;
    const [, cmd, arg] = m;
    switch (cmd) {
      case 'q':
        return false;
      case 'timing': {
        const a = arg.trim().toLowerCase();
        this.timing = a === 'on' ? true : a === 'off' ? false : !this.timing;
        this.out(`Timing is ${this.timing ? 'on' : 'off'}.\n`);
        return true;
      }
      case '?':
        this.out([
          'General',
          '  \\q                     quit tabgres',
          '  \\timing [on|off]       toggle timing of commands',
          'Informational',
          '  \\d[tivs] [NAME]        list tables, indexes, views, sequences; describe NAME',
          '',
        ].join('\n'));
        return true;
      default:
        if (cmd.startsWith('d')) {
          try {
            this.out(describeCommand(this.db.backend, cmd, arg.trim()));
          } catch (e) {
            this.errors++;
            this.err(this.location + (e instanceof PgError ? formatErrorForPsql({ message: e.message, detail: e.detail, hint: e.hint }, '') : `error: ${String(e)}`) + '\n');
          }
          return true;
        }
        this.err(`invalid command \\${cmd}\nTry \\? for help.\n`);
        return true;
    }
  }

  /** Feeds script text through the splitter: statements run as they complete; returns false after \q. */
  runScript(text: string, fileName: string | null): boolean {
    const splitter = new StatementSplitter();
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (fileName !== null) this.location = `tabgres:${fileName}:${i + 1}: `;
      const { statements, meta } = splitter.feed(lines[i]);
      for (const s of statements) this.runSql(s);
      if (meta !== null && !this.meta(meta)) return false;
    }
    const rest = splitter.flush();
    if (rest !== null) this.runSql(rest);
    this.location = '';
    return true;
  }
}

function prompt(db: Database, splitter: StatementSplitter): string {
  const status = db.backend.transactionStatus;
  const tx = status === 'T' ? '*' : status === 'E' ? '!' : '';
  const cont = splitter.pending ? (splitter.inQuote ?? '-') : '=';
  return `tabgres${cont}${tx}# `;
}

async function repl(session: Session): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true });
  const splitter = new StatementSplitter();
  // psql prompts only when reading from a terminal.
  const interactive = process.stdin.isTTY === true;
  const ask = (): void => {
    if (!interactive) return;
    rl.setPrompt(prompt(session.db, splitter));
    rl.prompt();
  };
  if (interactive) process.stdout.write('tabgres (PostgreSQL 18.6 compatible)\nType "\\?" for help.\n\n');
  ask();
  for await (const line of rl) {
    const { statements, meta } = splitter.feed(line);
    for (const s of statements) session.runSql(s);
    if (meta !== null && !session.meta(meta)) break;
    ask();
  }
  const rest = splitter.flush();
  if (rest !== null) session.runSql(rest);
  rl.close();
}

export async function main(argv: string[]): Promise<number> {
  const opts = parseArgs(argv);
  let db: Database;
  try {
    db = await Database.open(opts.dataDir !== null ? { dir: new NodeDirectory(opts.dataDir) } : {});
  } catch (e) {
    process.stderr.write(`tabgres: error: could not open the database: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const session = new Session(db, (s) => process.stdout.write(s), (s) => process.stderr.write(s));
  let status = 0;
  try {
    if (opts.commands.length > 0) {
      for (const c of opts.commands) {
        if (c.kind === 'c') {
          if (c.value.trim().startsWith('\\')) session.meta(c.value);
          else session.runSql(c.value);
          if (session.errors > 0) status = 1;
        } else {
          let text: string;
          try {
            text = readFileSync(c.value, 'utf8');
          } catch (e) {
            process.stderr.write(`tabgres: error: ${c.value}: ${e instanceof Error ? e.message : String(e)}\n`);
            status = 1;
            break;
          }
          if (!session.runScript(text, c.value)) break;
        }
      }
    } else {
      await repl(session);
    }
  } finally {
    await db.close();
  }
  return status;
}
