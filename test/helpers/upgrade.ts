// Shared by the hot-upgrade tests: HOTUPGRADE/INFO reply helpers, building and patching bundles, and
// load generators whose every reply is checked.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Redis } from 'ioredis';
import type { createClient } from 'redis';
import { decodeReply as decode, encodeCommand, type RawClient, type ReplyValue as Value } from './resp';
import { ROOT } from './servers';

export const BIN = path.join(ROOT, 'bin', 'hotkv-server');
/** The two bundle versions the upgrade tests build and swap between. */
export const VA = '0.0.1-a';
export const VB = '0.0.1-b';
export const FA = `logic-${VA}.cjs`;
export const FB = `logic-${VB}.cjs`;

export const cmd = (...args: string[]) => encodeCommand(args).toString('latin1');

// ------------------------------------------------------------------------------------ replies

export function asMap(v: Value): Record<string, Value> {
  assert.ok(Array.isArray(v), `expected a map, got ${JSON.stringify(v)}`);
  const out: Record<string, Value> = {};
  for (let i = 0; i < v.length; i += 2) out[String(v[i])] = v[i + 1];
  return out;
}

export async function hotupgrade(c: RawClient, ...args: string[]): Promise<Value> {
  const v = decode(await c.command('HOTUPGRADE', ...args));
  if (v !== null && typeof v === 'object' && 'error' in v) throw new Error(`HOTUPGRADE ${args.join(' ')}: ${v.error}`);
  return v;
}
export const load = async (c: RawClient, file: string) => asMap(await hotupgrade(c, 'LOAD', file));
export const status = async (c: RawClient) => asMap(await hotupgrade(c, 'STATUS'));

/** An upgrade that must be refused: returns the error text. */
export async function loadRefused(c: RawClient, file: string): Promise<string> {
  const r = await c.command('HOTUPGRADE', 'LOAD', file);
  assert.ok(r.startsWith('-'), `HOTUPGRADE LOAD ${file} should fail, got ${JSON.stringify(r.slice(0, 200))}`);
  return r.slice(1, -2);
}

/** INFO <section> as field -> value. */
export async function info(c: RawClient, section: string): Promise<Record<string, string>> {
  const text = decode(await c.command('INFO', section));
  assert.equal(typeof text, 'string', `INFO ${section}`);
  const out: Record<string, string> = {};
  for (const line of (text as string).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

export async function waitUntil(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10000, everyMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

// ------------------------------------------------------------------------------------ bundles

export function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [file, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} ${args.join(' ')} exited ${code}: ${out}`))));
  });
}

export const buildLogic = (version: string, outdir: string) =>
  run(path.join(ROOT, 'scripts', 'build.mjs'), ['--logic-only', '--version', version, '--outdir', outdir]);

/** A copy of bundle `from` with code appended after its `module.exports = ...` (no sidecar, no code cache). */
export function patched(dir: string, from: string, name: string, tail: string): string {
  fs.writeFileSync(path.join(dir, name), fs.readFileSync(path.join(dir, from), 'utf8') + '\n' + tail + '\n');
  return name;
}

// ------------------------------------------------------------------------------------ clients

/** Counts the events that would betray a dropped connection. */
export function countEvents(emitter: { on(ev: string, fn: () => void): unknown }, names: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of names) {
    counts[n] = 0;
    emitter.on(n, () => { counts[n]++; });
  }
  return counts;
}
export const IOREDIS_EVENTS = ['close', 'end', 'reconnecting', 'error'];
export const NODE_REDIS_EVENTS = ['end', 'reconnecting', 'error'];
export const zeroCounts = (names: string[]) => Object.fromEntries(names.map((n) => [n, 0]));

export interface Load {
  rounds: number;
  errors: string[];
  stop: boolean;
  done: Promise<void>;
}

export function startLoad(body: (l: Load) => Promise<void>): Load {
  const l: Load = { rounds: 0, errors: [], stop: false, done: Promise.resolve() };
  l.done = (async () => {
    while (!l.stop && l.errors.length === 0) {
      await body(l);
      l.rounds++;
    }
  })().catch((e) => { l.errors.push(String((e as Error)?.stack ?? e)); });
  return l;
}

/** ioredis pipelines of SET/GET/INCR on its own keys; every reply checked. */
export function ioredisLoad(r: Redis, prefix: string): Load {
  let n = 0;
  return startLoad(async (l) => {
    const p = r.pipeline();
    const base = n;
    for (let j = 0; j < 20; j++, n++) {
      p.set(`${prefix}:k${n % 50}`, `v${n}`);
      p.get(`${prefix}:k${n % 50}`);
      p.incr(`${prefix}:ctr`);
    }
    const res = (await p.exec()) ?? [];
    for (let j = 0; j < 20; j++) {
      const m = base + j;
      const got = [res[3 * j]?.[1], res[3 * j + 1]?.[1], res[3 * j + 2]?.[1]];
      const want = ['OK', `v${m}`, m + 1];
      if (JSON.stringify(got) !== JSON.stringify(want)) l.errors.push(`ioredis #${m}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
    }
  });
}

export type NodeRedis = ReturnType<typeof createClient>;

/** node-redis: commands issued in one tick (auto-pipelined); every reply checked. */
export function nodeRedisLoad(c: NodeRedis, prefix: string): Load {
  let n = 0;
  return startLoad(async (l) => {
    const base = n;
    const pending: Promise<unknown>[] = [];
    for (let j = 0; j < 20; j++, n++) {
      pending.push(c.set(`${prefix}:k${n % 50}`, `v${n}`), c.get(`${prefix}:k${n % 50}`), c.incr(`${prefix}:ctr`));
    }
    const res = await Promise.all(pending);
    for (let j = 0; j < 20; j++) {
      const m = base + j;
      const got = res.slice(3 * j, 3 * j + 3);
      const want = ['OK', `v${m}`, m + 1];
      if (JSON.stringify(got) !== JSON.stringify(want)) l.errors.push(`node-redis #${m}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
    }
  });
}

/** A raw connection sending pipelines of INCR/SET/GET; every reply checked byte for byte. */
export function rawLoad(c: RawClient, id: string, perRound = 25): Load & { incrs: () => number } {
  let n = 0;
  const l = startLoad(async (ld) => {
    const base = n;
    let bytes = '';
    for (let j = 0; j < perRound; j++, n++) bytes += cmd('INCR', `ctr:${id}`) + cmd('SET', `k:${id}:${n % 64}`, `v${n}`) + cmd('GET', `k:${id}:${n % 64}`);
    c.write(bytes);
    for (let j = 0; j < perRound; j++) {
      const m = base + j;
      const v = `v${m}`;
      const got = [await c.reply(), await c.reply(), await c.reply()];
      const want = [`:${m + 1}\r\n`, '+OK\r\n', `$${v.length}\r\n${v}\r\n`];
      if (got.join('') !== want.join('')) ld.errors.push(`raw ${id} #${m}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
    }
  });
  return Object.assign(l, { incrs: () => n });
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
