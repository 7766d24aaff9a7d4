#!/usr/bin/env node
// Regenerates src/logic/commands/meta.json: the command metadata (arity, flags, key specs, ACL
// categories, docs) that COMMAND INFO / COMMAND DOCS report, read from Debian's redis-server 7.0 so
// that hotkv reports exactly what Redis reports. This is data, not code; run it when moving to a
// newer Redis reference:  node scripts/gen-command-meta.mjs
//
// The reply trees are stored in a small tagged JSON form that keeps RESP3 types:
//   "text" = bulk string, {"s":"OK"} = simple string, 12 = integer, [..] = array,
//   {"m":[k,v,...]} = map, {"set":[..]} = set, null = null.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sock = path.join(os.tmpdir(), `hotkv-meta-${process.pid}.sock`);
const srv = spawn('redis-server', ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });

function parse(buf, pos) {
  const t = String.fromCharCode(buf[pos]);
  const nl = buf.indexOf('\r\n', pos);
  if (nl < 0) return null;
  const line = buf.toString('latin1', pos + 1, nl);
  let p = nl + 2;
  const agg = (n, wrap) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      const r = parse(buf, p);
      if (!r) return null;
      out.push(r[0]);
      p = r[1];
    }
    return [wrap(out), p];
  };
  switch (t) {
    case '+': return [{ s: line }, p];
    case '-': return [{ e: line }, p];
    case ':': return [Number(line), p];
    case '_': return [null, p];
    case '$': {
      const n = Number(line);
      if (n < 0) return [null, p];
      if (buf.length < p + n + 2) return null;
      return [buf.toString('latin1', p, p + n), p + n + 2];
    }
    case '*': return Number(line) < 0 ? [null, p] : agg(Number(line), (a) => a);
    case '~': return agg(Number(line), (a) => ({ set: a }));
    case '%': return agg(Number(line) * 2, (a) => ({ m: a }));
    default: throw new Error('unexpected RESP type ' + t);
  }
}

async function connect() {
  for (let i = 0; i < 100; i++) {
    try {
      return await new Promise((res, rej) => {
        const s = net.createConnection(sock, () => res(s));
        s.once('error', rej);
      });
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('redis-server did not start (is the redis-server package installed?)');
}

function command(s, args) {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const r = parse(buf, 0);
      if (r) { s.off('data', onData); resolve(r[0]); }
    };
    s.on('data', onData);
    s.write(`*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
  });
}

const s = await connect();
await command(s, ['HELLO', '3']);
const info = await command(s, ['COMMAND', 'INFO']);
const docs = await command(s, ['COMMAND', 'DOCS']);
s.end();
srv.kill('SIGTERM');

const docMap = new Map();
for (let i = 0; i < docs.m.length; i += 2) docMap.set(docs.m[i], docs.m[i + 1]);
const out = {};
for (const entry of info) {
  const name = entry[0];
  out[name] = { info: entry, docs: docMap.get(name) ?? { m: [] } };
}
const file = path.join(root, 'src/logic/commands/meta.json');
fs.writeFileSync(file, JSON.stringify(out));
console.log(`wrote ${Object.keys(out).length} commands to ${path.relative(root, file)}`);
