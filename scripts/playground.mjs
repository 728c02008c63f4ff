// `npm start` (also `npm run playground`): builds the playground (packages/playground-ui, Vite)
// and serves the build with Vite's preview server, which sends the
// cross-origin isolation headers the page needs (COOP same-origin, COEP
// require-corp; see packages/playground-ui/vite.config.ts). Prints the URL.
// PORT=NNNN picks the port (4173 by default, the next free one if taken).
// A fresh clone needs only `npm ci` first: Vite builds from the TypeScript
// sources of the workspace packages, nothing else is prebuilt.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'playground-ui');
const configFile = path.join(root, 'vite.config.ts');

await build({ root, configFile, logLevel: 'warn' });
const server = await preview({ root, configFile, preview: { port: Number(process.env.PORT ?? 4173), host: process.env.HOST ?? 'localhost' } });
const url = server.resolvedUrls?.local[0] ?? '(no local URL)';
console.log(`tabgres playground: ${url}`);
console.log('The databases bar lists, creates, exports and imports databases (?db=NAME opens one); window.tabgres in the devtools console has query / exec / connect.');
