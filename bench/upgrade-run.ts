// The upgrade soak behind `npm run bench:upgrade` and test/upgrade-bench.test.ts: hotkv under pipelined
// load from several connections (every reply checked, every command's latency recorded) while it performs
// many hot upgrades that alternate between two bundles, with the server's memory sampled after the
// memoryAt-th upgrade, halfway and after the last (clients quiet, MEMORY PURGE, which under --expose-gc runs
// full GCs that compact the heap and return its free pages before replying).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { encodeCommand, RawClient, replyLength } from '../test/helpers/resp';
import { ROOT, startHotkv, type RunningServer } from '../test/helpers/servers';

export interface UpgradeBenchOptions {
  upgrades: number;
  /** load connections */
  clients: number;
  /** commands each connection keeps in flight (one write per batch) */
  pipeline: number;
  /** preloaded keys the load reads */
  keys: number;
  /** load before the baseline, not counted (the server's JIT warms up) */
  warmupMs: number;
  /** load without upgrades before the first one (the "before" latencies) */
  baselineMs: number;
  /** pause between two upgrades */
  gapMs: number;
  /** sample memory after this upgrade (and after the last) */
  memoryAt: number;
  /** hotupgrade-probation-ms for the server */
  probationMs: number;
  log?: (line: string) => void;
}

export const DEFAULTS: UpgradeBenchOptions = {
  upgrades: 1000, clients: 8, pipeline: 32, keys: 10000, warmupMs: 1000, baselineMs: 3000, gapMs: 10, memoryAt: 10, probationMs: 10000,
};

export interface MemorySample {
  afterUpgrade: number;
  usedMemory: number;
  rss: number;
  bundlesLoaded: number;
  bundlesCollected: number;
  /** INFO upgrade logic_code_cache of the bundle active then: MEMORY PURGE must not cost later upgrades their code cache */
  codeCache: string;
}

/**
 * Float32 samples in chunks of a million: growing never copies. (Doubling one array did: with 30-40 million
 * samples the copy to a 64-million array stalled this process for about a second, which the run then
 * recorded as a command's latency and a HOTUPGRADE LOAD's round trip.)
 */
export class Samples {
  private static readonly CHUNK = 1 << 20;
  private chunks: { t: Float32Array; v: Float32Array; flag: Uint8Array }[] = [];
  n = 0;
  push(t: number, v: number, flag: number): void {
    const i = this.n & (Samples.CHUNK - 1);
    if (i === 0) this.chunks.push({ t: new Float32Array(Samples.CHUNK), v: new Float32Array(Samples.CHUNK), flag: new Uint8Array(Samples.CHUNK) });
    const c = this.chunks[this.chunks.length - 1];
    c.t[i] = t;
    c.v[i] = v;
    c.flag[i] = flag;
    this.n++;
  }
  /** every sample in order: send time, latency, flag */
  forEach(fn: (t: number, v: number, flag: number) => void): void {
    for (let k = 0; k < this.chunks.length; k++) {
      const c = this.chunks[k];
      const len = Math.min(Samples.CHUNK, this.n - k * Samples.CHUNK);
      for (let i = 0; i < len; i++) fn(c.t[i], c.v[i], c.flag[i]);
    }
  }
  /** latencies whose flag matches */
  select(pred: (flag: number) => boolean): Float64Array {
    const out = new Float64Array(this.n);
    let k = 0;
    this.forEach((_t, v, flag) => {
      if (pred(flag)) out[k++] = v;
    });
    return out.subarray(0, k).sort();
  }
}

/** sample flags (none: warm-up) */
export const BEFORE = 1;
export const DURING = 2;
/** the command was in flight while a HOTUPGRADE LOAD was */
export const IN_UPGRADE = 4;

export interface UpgradeBenchResult {
  options: UpgradeBenchOptions;
  pausesUs: number[];
  roundTripsMs: number[];
  /** start/end of each HOTUPGRADE LOAD, ms since the load started */
  upgradeWindows: [number, number][];
  /** start and end of the baseline and upgrade phases, ms since the load started */
  phases: { baseline: [number, number]; upgrades: [number, number] };
  samples: Samples;
  commands: number;
  errors: number;
  errorTexts: string[];
  reconnects: number;
  memory: MemorySample[];
  durationMs: number;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const keyName = (i: number) => `key:${String(i).padStart(6, '0')}`;
const valueOf = (i: number) => `value-${i}-${'x'.repeat(i % 32)}`;

/** Build two bundles of different versions into a fresh logic-dir, their V8 code caches made under the
 *  server's --expose-gc (V8 rejects a cache made with other flags). */
export function buildBundles(versions: [string, string]): { logicDir: string; files: [string, string] } {
  const logicDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-bench-upgrade-'));
  for (const v of versions) {
    const r = spawnSync(process.execPath, ['--expose-gc', path.join(ROOT, 'scripts', 'build.mjs'), '--logic-only', '--version', v, '--outdir', logicDir],
      { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building logic ${v} failed: ${r.stdout}${r.stderr}`);
  }
  return { logicDir, files: [`logic-${versions[0]}.cjs`, `logic-${versions[1]}.cjs`] };
}

interface Pending {
  want: string;
  sentAt: number;
  /** upgrade epoch at send: odd while a HOTUPGRADE LOAD is in flight */
  epoch: number;
}

/** Shared between the load connections and the upgrade driver. */
interface Shared {
  t0: number;
  phase: number;
  epoch: number;
  stop: boolean;
  quiet: boolean;
  samples: Samples;
  errors: number;
  errorTexts: string[];
  reconnects: number;
  commands: number;
  keys: number;
  pipeline: number;
  port: number;
  /** resolves waiters when every connection has nothing in flight */
  idleWaiters: (() => void)[];
  conns: LoadConn[];
}

function error(sh: Shared, text: string): void {
  sh.errors++;
  if (sh.errorTexts.length < 20) sh.errorTexts.push(text);
}

/** One load connection: a closed loop of pipelined batches (SET/GET of its own keys, INCR, GET of a preloaded key). */
class LoadConn {
  private socket!: net.Socket;
  private buf: Buffer | null = null;
  private queue: Pending[] = [];
  private head = 0;
  private n = 0;
  private ctr = 0;
  private seed: number;
  constructor(private readonly sh: Shared, private readonly id: number) {
    this.seed = id * 7919 + 1;
  }

  get idle(): boolean {
    return this.head === this.queue.length;
  }

  async connect(): Promise<void> {
    const socket = net.createConnection({ port: this.sh.port, host: '127.0.0.1', noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.socket = socket;
    socket.on('error', () => { /* close follows */ });
    socket.on('close', () => this.onClose());
    socket.on('data', (d: Buffer) => this.onData(d));
    // where this connection's counter stands (0 at first; after a reconnect whatever the server kept)
    const probe = await RawClient.connect(this.sh.port);
    const r = await probe.command('GET', `c${this.id}:ctr`);
    probe.close();
    const m = /^\$\d+\r\n(\d+)\r\n$/.exec(r);
    this.ctr = m ? Number(m[1]) : 0;
  }

  private onClose(): void {
    if (this.sh.stop) return;
    this.sh.reconnects++;
    const lost = this.queue.length - this.head;
    if (lost > 0) error(this.sh, `client ${this.id}: connection closed with ${lost} commands unanswered`);
    this.queue = [];
    this.head = 0;
    this.buf = null;
    this.connect().then(() => this.send(), (e: Error) => error(this.sh, `client ${this.id}: reconnect failed: ${e.message}`));
  }

  /** Send the next batch unless stopping or quiet. */
  send(): void {
    const sh = this.sh;
    if (sh.stop || sh.quiet || this.socket.destroyed) {
      this.checkIdle();
      return;
    }
    const parts: Buffer[] = [];
    const now = performance.now();
    this.queue = [];
    this.head = 0;
    for (let j = 0; j < sh.pipeline; j++) {
      let want: string;
      switch (j % 4) {
        case 0: {
          const v = `v${this.n}`;
          parts.push(encodeCommand(['SET', `c${this.id}:k${this.n % 100}`, v]));
          want = '+OK\r\n';
          break;
        }
        case 1: {
          const v = `v${this.n}`;
          parts.push(encodeCommand(['GET', `c${this.id}:k${this.n % 100}`]));
          want = `$${v.length}\r\n${v}\r\n`;
          this.n++;
          break;
        }
        case 2:
          parts.push(encodeCommand(['INCR', `c${this.id}:ctr`]));
          want = `:${++this.ctr}\r\n`;
          break;
        default: {
          this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
          const k = this.seed % sh.keys;
          const v = valueOf(k);
          parts.push(encodeCommand(['GET', keyName(k)]));
          want = `$${v.length}\r\n${v}\r\n`;
        }
      }
      this.queue.push({ want, sentAt: now, epoch: sh.epoch });
    }
    this.socket.write(Buffer.concat(parts));
  }

  private onData(d: Buffer): void {
    const sh = this.sh;
    let buf = this.buf === null ? d : Buffer.concat([this.buf, d]);
    let pos = 0;
    const now = performance.now();
    for (;;) {
      const len = replyLength(buf, pos);
      if (len < 0) break;
      const got = buf.latin1Slice(pos, pos + len);
      pos += len;
      const p = this.queue[this.head++];
      if (p === undefined) {
        error(sh, `client ${this.id}: unexpected reply ${JSON.stringify(got)}`);
        continue;
      }
      sh.commands++;
      if (got !== p.want) error(sh, `client ${this.id}: got ${JSON.stringify(got.slice(0, 100))}, want ${JSON.stringify(p.want)}`);
      const overlapped = (p.epoch & 1) === 1 || p.epoch !== sh.epoch;
      sh.samples.push(p.sentAt - sh.t0, now - p.sentAt, sh.phase | (overlapped ? IN_UPGRADE : 0));
    }
    buf = pos === buf.length ? Buffer.alloc(0) : buf.subarray(pos);
    this.buf = buf.length === 0 ? null : buf;
    if (this.idle) this.send();
  }

  private checkIdle(): void {
    if (!this.sh.conns.every((c) => c.idle)) return;
    const w = this.sh.idleWaiters;
    this.sh.idleWaiters = [];
    for (const f of w) f();
  }

  close(): void {
    this.socket.destroy();
  }
}

/** INFO <section> fields of a raw reply. */
async function infoFields(c: RawClient, section: string): Promise<Map<string, string>> {
  const r = await c.command('INFO', section);
  const out = new Map<string, string>();
  for (const line of r.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runUpgradeBench(opts: UpgradeBenchOptions): Promise<UpgradeBenchResult> {
  const log = opts.log ?? (() => {});
  const started = Date.now();
  const { logicDir, files } = buildBundles(['bench-a', 'bench-b']);
  let server: RunningServer | null = null;
  let ctl: RawClient | null = null;
  const sh: Shared = {
    t0: 0, phase: 0, epoch: 0, stop: false, quiet: false, samples: new Samples(), errors: 0, errorTexts: [],
    reconnects: 0, commands: 0, keys: opts.keys, pipeline: opts.pipeline, port: 0, idleWaiters: [], conns: [],
  };
  try {
    server = await startHotkv({ logicDir, logicFile: files[0], nodeFlags: ['--expose-gc'], args: ['--hotupgrade-probation-ms', String(opts.probationMs)] });
    sh.port = server.port;
    const c = await RawClient.connect(server.port);
    ctl = c;
    for (let i = 0; i < opts.keys; i += 1000) {
      const args = ['MSET'];
      for (let j = i; j < Math.min(opts.keys, i + 1000); j++) args.push(keyName(j), valueOf(j));
      const r = await c.command(...args);
      if (r !== '+OK\r\n') throw new Error(`MSET: ${r}`);
    }
    log(`hotkv pid ${server.proc.pid} on port ${server.port}, ${opts.keys} keys loaded`);

    sh.conns = Array.from({ length: opts.clients }, (_, i) => new LoadConn(sh, i));
    await Promise.all(sh.conns.map((lc) => lc.connect()));
    sh.t0 = performance.now();
    for (const lc of sh.conns) lc.send();

    /** Let every connection finish what it has in flight and hold the next batch. */
    const quiesce = async () => {
      sh.quiet = true;
      if (!sh.conns.every((lc) => lc.idle)) await new Promise<void>((resolve) => sh.idleWaiters.push(resolve));
    };
    const resume = () => {
      sh.quiet = false;
      for (const lc of sh.conns) if (lc.idle) lc.send();
    };
    const memory: MemorySample[] = [];
    const sampleMemory = async (afterUpgrade: number) => {
      await quiesce();
      for (let i = 0; i < 3; i++) {
        const r = await c.command('MEMORY', 'PURGE');
        if (r !== '+OK\r\n') throw new Error(`MEMORY PURGE: ${r}`);
      }
      const m = await infoFields(c, 'memory');
      const u = await infoFields(c, 'upgrade');
      memory.push({
        afterUpgrade, usedMemory: Number(m.get('used_memory')), rss: Number(m.get('used_memory_rss')),
        bundlesLoaded: Number(u.get('logic_bundles_loaded')), bundlesCollected: Number(u.get('logic_bundles_collected')),
        codeCache: u.get('logic_code_cache') ?? '',
      });
      resume();
    };

    await sleep(opts.warmupMs);
    sh.phase = BEFORE;
    const baselineStart = performance.now() - sh.t0;
    await sleep(opts.baselineMs);
    const baseline: [number, number] = [baselineStart, performance.now() - sh.t0];
    sh.phase = DURING;
    const pausesUs: number[] = [];
    const roundTripsMs: number[] = [];
    const upgradeWindows: [number, number][] = [];
    for (let i = 1; i <= opts.upgrades; i++) {
      const file = files[i % 2];
      sh.epoch++;
      const s = performance.now();
      const reply = await c.command('HOTUPGRADE', 'LOAD', file);
      const e = performance.now();
      sh.epoch++;
      const m = /pause_us\r\n:(\d+)\r\n/.exec(reply);
      if (m) {
        pausesUs.push(Number(m[1]));
        roundTripsMs.push(e - s);
        upgradeWindows.push([s - sh.t0, e - sh.t0]);
      } else {
        error(sh, `upgrade ${i} to ${file}: ${JSON.stringify(reply.slice(0, 200))}`);
      }
      // after memoryAt, halfway (to tell a bounded rise from steady growth) and after the last
      if (i === opts.memoryAt || i === opts.upgrades || (i === Math.ceil(opts.upgrades / 2) && i > opts.memoryAt)) await sampleMemory(i);
      if (i % 100 === 0) log(`${i} upgrades, ${sh.commands} commands, ${sh.errors} errors, ${sh.reconnects} reconnects`);
      if (opts.gapMs > 0) await sleep(opts.gapMs);
    }
    const upgradesPhase: [number, number] = [baseline[1], performance.now() - sh.t0];
    await quiesce();
    sh.stop = true;
    for (const lc of sh.conns) lc.close();
    return {
      options: opts, pausesUs, roundTripsMs, upgradeWindows, phases: { baseline, upgrades: upgradesPhase }, samples: sh.samples,
      commands: sh.commands, errors: sh.errors, errorTexts: sh.errorTexts, reconnects: sh.reconnects, memory,
      durationMs: Date.now() - started,
    };
  } finally {
    sh.stop = true;
    for (const lc of sh.conns) lc.close();
    ctl?.close();
    if (server) {
      await server.stop();
      fs.rmSync(server.dir, { recursive: true, force: true });
    }
    fs.rmSync(logicDir, { recursive: true, force: true });
  }
}
