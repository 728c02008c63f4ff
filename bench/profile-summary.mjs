// profile-summary.mjs — the top functions of a V8 .cpuprofile by self time,
// with their share of the profile (for `node bench/run.mjs --profile`).
//
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [top=30] [under=NAME]
//   under=NAME keeps only the samples taken inside a function named NAME
//   (anywhere up the stack), to look at one phase of the run.

import fs from 'node:fs';

const file = process.argv[2];
const top = Number(process.argv[3] ?? 30);
const under = process.argv[4];
if (file === undefined) {
  console.error('usage: node bench/profile-summary.mjs <file.cpuprofile> [top] [under]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));

// With `under`, keep the nodes that have a frame named `under` on their stack.
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
const inside = (id) => {
  for (let at = id; at !== undefined; at = parent.get(at)) if (nodeById.get(at).callFrame.functionName === under) return true;
  return false;
};
const keep = new Set(profile.nodes.filter((node) => under === undefined || inside(node.id)).map((node) => node.id));

// Self time per node: the sampling interval before each sample belongs to the sampled node.
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const byFunction = new Map();
let total = 0;
for (const node of profile.nodes) {
  if (!keep.has(node.id)) continue;
  const us = selfUs.get(node.id) ?? 0;
  total += us;
  const cf = node.callFrame;
  const where = cf.url === '' ? '' : `${cf.url.split('/').pop()}:${cf.lineNumber + 1}`;
  const key = `${cf.functionName || '(anonymous)'} ${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
}
const rows = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
console.log(`total ${(total / 1000).toFixed(0)} ms sampled${under === undefined ? '' : ` inside ${under}`}`);
for (const [key, us] of rows) {
  console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
}
