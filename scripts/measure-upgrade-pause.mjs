#!/usr/bin/env node
// Measures the pause of a hot upgrade under load (npm run measure:pause).
//
// Starts hotkv with two logic bundles of different versions, loads 100,000 keys, keeps 100 connections
// busy (each a closed loop of GET/SET/INCR whose every reply is checked), performs 100 upgrades that
// alternate between the two bundles, and prints:
//   - the pause: the time the swap itself held the event loop (pause_us of each HOTUPGRADE LOAD reply),
//   - the round trip of the HOTUPGRADE LOAD command (locate, load, verify, swap),
//   - the latency clients observed for commands in flight during an upgrade, and otherwise.
// Exits 1 if any client saw an error reply, a wrong reply or a disconnect; 2 if it ran out of time.
//
//   node --import tsx scripts/measure-upgrade-pause.mjs [--keys N] [--clients N] [--upgrades N]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The test helpers (TypeScript, loaded through tsx's CommonJS hook so their __dirname is right).
const require = createRequire(import.meta.url);
const { encodeCommand, RawClient } = require('../test/helpers/resp.ts');
const { startHotkv } = require('../test/helpers/servers.ts');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argValue = (name, def) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const KEYS = argValue('--keys', 100000);
const CLIENTS = argValue('--clients', 100);
const UPGRADES = argValue('--upgrades', 100);
const DEADLINE_MS = 180000;
const MSET_BATCH = 1000;

const started = Date.now();
const deadline = setTimeout(() => {
  console.error(`measure-upgrade-pause: gave up after ${DEADLINE_MS / 1000} s`);
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();

// ---------------------------------------------------------------- two bundles in a scratch logic-dir
const logicDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-pause-'));
const versions = ['measure-a', 'measure-b'];
for (const v of versions) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--logic-only', '--version', v, '--outdir', logicDir], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(1);
}
const files = versions.map((v) => `logic-${v}.cjs`);

const server = await startHotkv({ logicDir, logicFile: files[0] });
const ctl = await RawClient.connect(server.port);
let exitCode = 0;
try {
  // ---------------------------------------------------------------- data
  const keyName = (i) => `key:${String(i).padStart(6, '0')}`;
  const valueOf = (i) => `value-${i}-${'x'.repeat(i % 32)}`;
  for (let i = 0; i < KEYS; i += MSET_BATCH) {
    const args = ['MSET'];
    for (let j = i; j < Math.min(KEYS, i + MSET_BATCH); j++) args.push(keyName(j), valueOf(j));
    const r = await ctl.command(...args);
    if (r !== '+OK\r\n') throw new Error(`MSET failed: ${r}`);
  }
  const dbsize = await ctl.command('DBSIZE');
  if (dbsize !== `:${KEYS}\r\n`) throw new Error(`DBSIZE ${dbsize}`);

  // ---------------------------------------------------------------- load
  const problems = [];
  const windows = []; // [start, end] of each upgrade, performance.now() ms
  const during = [];
  const outside = [];
  let commands = 0;
  let stop = false;
  const overlapsUpgrade = (s, e) => {
    for (let k = windows.length - 1; k >= 0 && k >= windows.length - 4; k--) {
      const [ws, we] = windows[k];
      if (s <= (we ?? Infinity) && e >= ws) return true;
    }
    return false;
  };

  async function client(id) {
    const c = await RawClient.connect(server.port);
    c.socket.on('close', () => { if (!stop) problems.push(`client ${id}: disconnected`); });
    let n = 0;
    let seed = id * 7919 + 1;
    while (!stop) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      let bytes;
      let want;
      switch (n % 3) {
        case 0: {
          const k = seed % KEYS;
          const v = valueOf(k);
          bytes = encodeCommand(['GET', keyName(k)]);
          want = `$${v.length}\r\n${v}\r\n`;
          break;
        }
        case 1:
          bytes = encodeCommand(['SET', `c${id}:k${n % 100}`, `v${n}`]);
          want = '+OK\r\n';
          break;
        default:
          bytes = encodeCommand(['INCR', `c${id}:ctr`]);
          want = `:${Math.floor(n / 3) + 1}\r\n`;
      }
      n++;
      const s = performance.now();
      c.write(bytes);
      let got;
      try {
        got = await c.reply(30000);
      } catch (e) {
        problems.push(`client ${id}: ${e.message}`);
        return;
      }
      const e = performance.now();
      commands++;
      if (got !== want) problems.push(`client ${id}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      (overlapsUpgrade(s, e) ? during : outside).push(e - s);
    }
    c.close();
  }
  const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
  // let every client get going before the first upgrade
  await new Promise((resolve) => setTimeout(resolve, 500));

  // ---------------------------------------------------------------- upgrades
  const pauses = [];
  const roundTrips = [];
  for (let i = 0; i < UPGRADES && problems.length === 0; i++) {
    const file = files[(i + 1) % 2];
    const w = [performance.now(), null];
    windows.push(w);
    const reply = await ctl.command('HOTUPGRADE', 'LOAD', file);
    w[1] = performance.now();
    const m = /pause_us\r\n:(\d+)\r\n/.exec(reply);
    if (!m || !reply.includes(versions[(i + 1) % 2])) {
      problems.push(`upgrade ${i} to ${file}: ${JSON.stringify(reply)}`);
      break;
    }
    pauses.push(Number(m[1]));
    roundTrips.push(w[1] - w[0]);
    // some load between upgrades
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  stop = true;
  await Promise.all(clients);

  // ---------------------------------------------------------------- report
  const sorted = (a) => [...a].sort((x, y) => x - y);
  const pct = (a, p) => (a.length ? sorted(a)[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)] : NaN);
  const max = (a) => (a.length ? a.reduce((m, x) => (x > m ? x : m), -Infinity) : NaN);
  const ms = (x) => `${x.toFixed(2)} ms`;
  console.log(`hotkv upgrade pause: ${KEYS} keys, ${CLIENTS} busy connections, ${pauses.length} upgrades (node ${process.version}, ${os.cpus().length} cpus)`);
  console.log(`  swap pause (pause_us)        median ${pct(pauses, 50)} us   p99 ${pct(pauses, 99)} us   max ${max(pauses)} us`);
  console.log(`  HOTUPGRADE LOAD round trip   median ${ms(pct(roundTrips, 50))}   p99 ${ms(pct(roundTrips, 99))}   max ${ms(max(roundTrips))}`);
  console.log(`  client latency during upgrades  p50 ${ms(pct(during, 50))}   p99 ${ms(pct(during, 99))}   max ${ms(max(during))}   (${during.length} commands)`);
  console.log(`  client latency otherwise        p50 ${ms(pct(outside, 50))}   p99 ${ms(pct(outside, 99))}   max ${ms(max(outside))}   (${outside.length} commands)`);
  console.log(`  ${commands} commands checked, ${problems.length} errors or disconnects, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (problems.length > 0 || pauses.length !== UPGRADES) {
    for (const p of problems.slice(0, 20)) console.error(`  ${p}`);
    exitCode = 1;
  }
} catch (e) {
  console.error(`measure-upgrade-pause: ${e.stack ?? e}`);
  exitCode = 1;
} finally {
  ctl.close();
  await server.stop();
  fs.rmSync(logicDir, { recursive: true, force: true });
  fs.rmSync(server.dir, { recursive: true, force: true });
}
process.exit(exitCode);
