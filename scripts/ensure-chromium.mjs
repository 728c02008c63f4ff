// Makes sure Debian's Chromium is installed for the end-to-end tests
// (packages/playground-ui/test/e2e.test.ts drive /usr/bin/chromium through
// playwright-core; a test tool's own browser download does not work here).
// On a fresh machine (CI runs as root with apt reachable) it runs
// `apt-get update && apt-get install -y chromium`; when the browser is
// there already it does nothing. Run by `npm test` before the tests.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';

if (existsSync(CHROMIUM)) process.exit(0);

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = asRoot ? [] : ['sudo', '-n'];
console.log(`ensure-chromium: ${CHROMIUM} is missing; installing Debian's chromium with apt-get`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['apt-get', 'update'], ['apt-get', 'install', '-y', 'chromium']]) {
  const cmd = [...sudo, ...args];
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`ensure-chromium: "${cmd.join(' ')}" failed (${r.error?.message ?? `exit ${r.status}`}); the Chromium e2e tests will fail`);
    // The tests report the missing browser themselves, so the run goes on and counts them.
    process.exit(0);
  }
}
if (!existsSync(CHROMIUM)) {
  console.error(`ensure-chromium: apt-get finished but ${CHROMIUM} is still missing`);
}
