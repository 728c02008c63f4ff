/*
 * tabgres.ts — the `tabgres` command's entry point (`npm run cli`,
 * `bin/tabgres.mjs`): runs the CLI (cli.ts) with the process arguments and
 * exits with its status.
 */

import { main } from './cli.ts';

process.exitCode = await main(process.argv.slice(2));
