import net from 'node:net';
import { PGlite } from '@electric-sql/pglite';
const db = await PGlite.create();
const server = net.createServer((sock) => {
  let buf = Buffer.alloc(0);
  let started = false;
  let queue = Promise.resolve();
  sock.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    queue = queue.then(async () => {
      for (;;) {
        if (!started) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (buf.length < len) return;
          const code = buf.readInt32BE(4);
          const msg = buf.subarray(0, len); buf = buf.subarray(len);
          if (code === 80877103) { sock.write('N'); continue; }
          started = true;
          const out = await db.execProtocolRaw(new Uint8Array(msg));
          sock.write(out);
          continue;
        }
        if (buf.length < 5) return;
        const len = buf.readInt32BE(1);
        if (buf.length < len + 1) return;
        const msg = buf.subarray(0, len + 1); buf = buf.subarray(len + 1);
        if (msg[0] === 0x58) { sock.end(); return; }
        const out = await db.execProtocolRaw(new Uint8Array(msg));
        sock.write(out);
      }
    });
  });
});
server.listen(54329, '127.0.0.1', () => console.log('listening'));
