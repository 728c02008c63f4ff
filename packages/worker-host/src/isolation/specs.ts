/*
 * specs.ts — where the isolation specs and their expected outputs live
 * (specs/NAME.spec, expected/NAME.out beside this file), shared by the
 * tests and the CLI.
 *
 * Exports: listSpecs, specPath, expectedPath, sessionsNeeded.
 */

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestSpec } from './spec.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** The names of the specs in specs/, sorted. */
export function listSpecs(): string[] {
  return readdirSync(here('./specs/'))
    .filter((f) => f.endsWith('.spec'))
    .map((f) => f.slice(0, -'.spec'.length))
    .sort();
}

export const specPath = (name: string): string => here(`./specs/${name}.spec`);
export const expectedPath = (name: string): string => here(`./expected/${name}.out`);

/** Connections a spec needs: one per session and the control connection. */
export function sessionsNeeded(spec: TestSpec): number {
  return spec.sessions.length + 1;
}
