import { crc32cInit, crc32cUpdate } from '../../port/crc32c.ts';
const b = new Uint8Array(2048).fill(3);
const N = 1e7;
for (const len of [8, 24, 40, 64, 128, 1024]) {
  const n = len >= 1024 ? N / 20 : N;
  for (let i = 0; i < 2e5; i++) crc32cUpdate(crc32cInit(), b, 24, 24 + len);
  const t0 = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < n; i++) x ^= crc32cUpdate(crc32cInit(), b, 24, 24 + len);
  console.log(len, (Number(process.hrtime.bigint() - t0) / n).toFixed(1), 'ns', x & 1);
}
