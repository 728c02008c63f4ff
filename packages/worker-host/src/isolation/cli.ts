/*
 * cli.ts — run isolation specs by hand (`npm run isolation -- ...`):
 *
 *   npm run isolation -- --engine=tabgres deadlock-simple      print the output
 *   npm run isolation -- --engine=pg --diff lost-update        compare with expected/
 *   npm run isolation -- --engine=pg --write                   regenerate every expected/*.out from PostgreSQL
 *   npm run isolation -- --max-step-wait=5 ...                 cancel a step after 5 s (60 s by default)
 *
 * A spec is named by its file name in specs/ (with or without .spec) or by
 * a path. With no spec, every spec in specs/ runs. --write only takes the
 * pg engine: expected outputs come from PostgreSQL, never from tabgres.
 * Exit status 1 when a --diff differs or a run fails.
 *
 * Exports: nothing (a script).
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { PgDriver, PgServer, findPgBinaries } from './driver_pg.ts';
import { runSpec } from './runner.ts';
import { parseSpec } from './spec.ts';
import { expectedPath, listSpecs, sessionsNeeded, specPath } from './specs.ts';
import type { IsolationDriver } from './driver.ts';

function lineDiff(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const out: string[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) out.push(`line ${i + 1}:\n  - ${a[i] ?? '<end>'}\n  + ${b[i] ?? '<end>'}`);
    if (out.length >= 10) break;
  }
  return out.join('\n');
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const engine = args.find((a) => a.startsWith('--engine='))?.slice('--engine='.length) ?? 'tabgres';
  const diff = args.includes('--diff');
  const write = args.includes('--write');
  const waitArg = args.find((a) => a.startsWith('--max-step-wait='));
  const maxStepWaitMs = waitArg === undefined ? undefined : Number(waitArg.slice('--max-step-wait='.length)) * 1000;
  const names = args.filter((a) => !a.startsWith('--'));
  if (engine !== 'pg' && engine !== 'tabgres') throw new Error('--engine must be pg or tabgres');
  if (write && engine !== 'pg') throw new Error('--write takes --engine=pg: expected outputs come from PostgreSQL');
  const files = names.length === 0 ? listSpecs().map(specPath) : names.map((n) => (existsSync(n) ? n : specPath(n.replace(/\.spec$/, ''))));
  const specs = files.map((f) => ({ name: basename(f, '.spec'), spec: parseSpec(readFileSync(f, 'utf8')) }));

  let driver: IsolationDriver;
  let server: PgServer | null = null;
  if (engine === 'pg') {
    const bins = findPgBinaries();
    if ('skip' in bins) throw new Error(bins.skip);
    server = await PgServer.start(bins.bindir);
    driver = new PgDriver(server);
  } else {
    // Imported here so the pg engine runs even while the engine's source does not load.
    const { TabgresDriver } = await import('./driver_tabgres.ts');
    const d = await TabgresDriver.start({ backends: Math.max(...specs.map((s) => sessionsNeeded(s.spec))) });
    process.stderr.write(`tabgres: blocked-step detection: ${d.blockMode}\n`);
    driver = d;
  }
  let status = 0;
  try {
    for (const { name, spec } of specs) {
      const stream = !write && !diff;
      const output = await runSpec(driver, spec, { maxStepWaitMs, onOutput: stream ? (t) => process.stdout.write(t) : undefined,
        onStderr: (t) => process.stderr.write(t),
      });
      if (write) {
        writeFileSync(expectedPath(name), output);
        process.stdout.write(`wrote ${expectedPath(name)}\n`);
      } else if (diff) {
        const want = existsSync(expectedPath(name)) ? readFileSync(expectedPath(name), 'utf8') : '';
        if (want === output) process.stdout.write(`ok      ${name}\n`);
        else {
          status = 1;
          process.stdout.write(`differs ${name}\n${lineDiff(want, output)}\n`);
        }
      }
    }
  } finally {
    // process.exit ends the workers anyway: do not wait on a backend stuck where no interrupt reaches it.
    await Promise.race([driver.close(), new Promise((r) => setTimeout(r, 10_000).unref())]);
    server?.stop();
  }
  return status;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
