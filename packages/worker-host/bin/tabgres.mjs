#!/usr/bin/env node
// The `tabgres` command: runs the TypeScript CLI through tsx (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/tabgres.ts');
