// Several named connections to hotkv and to redis-server at once, for behaviour that crosses
// connections (pub/sub messages, WATCH, keyspace notifications): the same bytes go to both servers
// on the connection of the same name, and what each connection receives is compared byte for byte.
//
// A connection's pending output is collected deterministically with a marker: `drain` sends
// PING <marker> and reads until the marker comes back. Everything another command caused on that
// connection (a message published by another client, say) was written before the PING was even
// sent, so it arrives first, on both servers alike.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, afterEach, before, beforeEach } from 'node:test';
import * as os from 'node:os';
import * as path from 'node:path';
import { show, startPair, type Pair } from './diff';
import { decodeReply, RawClient } from './resp';
import { startHotkv, type RunningServer } from './servers';
import { buildLogic, load, waitUntil } from './upgrade';

interface Both {
  h: RawClient;
  r: RawClient;
}

export class Duo {
  private readonly conns = new Map<string, Both>();
  private marks = 0;

  constructor(private readonly p: Pair) {}

  /** The named connection pair, opened on first use. */
  async conn(name: string): Promise<Both> {
    let b = this.conns.get(name);
    if (b === undefined) {
      const [h, r] = await Promise.all([RawClient.connect(this.p.hotkv.port), RawClient.connect(this.p.redis.port)]);
      b = { h, r };
      this.conns.set(name, b);
    }
    return b;
  }

  /** Send one command on both and compare its reply (one RESP value). Returns hotkv's. */
  async cmd(name: string, ...args: string[]): Promise<string> {
    await this.send(name, ...args);
    return this.read(name, 1, args.join(' '));
  }

  /** Send one command that answers with n replies ((P|S)SUBSCRIBE ...) and compare them. Returns hotkv's. */
  async cmdN(name: string, n: number, ...args: string[]): Promise<string> {
    await this.send(name, ...args);
    return this.read(name, n, args.join(' '));
  }

  /** Send a command on both without reading. */
  async send(name: string, ...args: string[]): Promise<void> {
    const b = await this.conn(name);
    const bytes = encode(args);
    b.h.write(bytes);
    b.r.write(bytes);
  }

  async sendRaw(name: string, bytes: string): Promise<void> {
    const b = await this.conn(name);
    b.h.write(bytes);
    b.r.write(bytes);
  }

  /** Read n replies on both and compare them one by one. Returns hotkv's, concatenated. */
  async read(name: string, n = 1, what = ''): Promise<string> {
    const b = await this.conn(name);
    let all = '';
    for (let i = 0; i < n; i++) {
      const [h, r] = await Promise.all([b.h.reply(), b.r.reply()]);
      assert.equal(show(h), show(r), `${name}: reply ${i} ${what ? `to ${show(what)} ` : ''}differs (hotkv vs redis)`);
      all += h;
    }
    return all;
  }

  /** Read n replies on both without comparing them (the caller compares them structurally). */
  async readBoth(name: string, n: number): Promise<{ h: string[]; r: string[] }> {
    const b = await this.conn(name);
    const h: string[] = [];
    const r: string[] = [];
    for (let i = 0; i < n; i++) {
      const [x, y] = await Promise.all([b.h.reply(), b.r.reply()]);
      h.push(x);
      r.push(y);
    }
    return { h, r };
  }

  /** Everything pending on the connection (up to a PING marker), compared. Returns hotkv's. */
  async drain(name: string): Promise<string> {
    const mark = `duo-sync-${++this.marks}`;
    await this.send(name, 'PING', mark);
    const b = await this.conn(name);
    const [h, r] = await Promise.all([untilMark(b.h, mark), untilMark(b.r, mark)]);
    assert.equal(show(h), show(r), `${name}: pending output differs (hotkv vs redis)`);
    return h;
  }

  /** HELLO on both (the replies carry different client ids, so they are only checked for shape). */
  async hello(name: string, proto: string): Promise<void> {
    await this.send(name, 'HELLO', proto);
    const { h, r } = await this.readBoth(name, 1);
    assert.equal(h[0][0], r[0][0], `HELLO ${proto}: ${show(h[0])} vs ${show(r[0])}`);
  }

  /** Run [connection, ...args] steps with cmd(), each compared. */
  async script(steps: string[][]): Promise<void> {
    for (const [name, ...args] of steps) await this.cmd(name, ...args);
  }

  close(): void {
    for (const b of this.conns.values()) {
      b.h.close();
      b.r.close();
    }
    this.conns.clear();
  }
}

/**
 * For a describe block: one hotkv/redis-server pair for all its tests and a fresh Duo for each test
 * (closed after it, then `cleanup` runs and both servers are flushed). `fresh()` replaces the Duo
 * within a test.
 */
export function withPair(redisArgs: string[] = [], cleanup?: (p: Pair) => Promise<void>): { p: Pair; d: Duo; fresh(): Duo } {
  const t = {
    p: null as unknown as Pair,
    d: null as unknown as Duo,
    fresh(): Duo {
      t.d?.close();
      t.d = new Duo(t.p);
      return t.d;
    },
  };
  before(async () => {
    t.p = await startPair({}, redisArgs);
  });
  after(async () => {
    await t.p?.stop();
  });
  beforeEach(() => {
    t.fresh();
  });
  afterEach(async () => {
    t.d.close();
    if (cleanup) await cleanup(t.p);
    await t.p.reset();
  });
  return t;
}

function encode(args: string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
  return s;
}

async function untilMark(c: RawClient, mark: string): Promise<string> {
  let out = '';
  for (;;) {
    const r = await c.reply();
    if (r.endsWith(`$${mark.length}\r\n${mark}\r\n`)) return out;
    out += r;
  }
}

// --- hot upgrade helpers for the transaction / pub-sub / notification tests -----------------------

/** Build logic bundles of the given versions into a fresh temp dir; returns the dir and the file names. */
export async function buildBundles(versions: string[]): Promise<{ dir: string; files: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-bundles-'));
  await Promise.all(versions.map((v) => buildLogic(v, dir)));
  return { dir, files: versions.map((v) => `logic-${v}.cjs`) };
}

/**
 * For a describe block: logic bundles of the given versions built into a temp dir, and one hotkv
 * started on the first. `connect()` opens raw connections that are closed after the block.
 */
export function withBundles(versions: string[], hotkvArgs: string[] = []): { s: RunningServer; files: string[]; connect(): Promise<RawClient> } {
  let dir = '';
  const conns: RawClient[] = [];
  const t = {
    s: null as unknown as RunningServer,
    files: versions.map((v) => `logic-${v}.cjs`),
    async connect(): Promise<RawClient> {
      const c = await RawClient.connect(t.s.port);
      conns.push(c);
      return c;
    },
  };
  before(async () => {
    ({ dir } = await buildBundles(versions));
    t.s = await startHotkv({ logicDir: dir, logicFile: t.files[0], args: hotkvArgs });
  });
  after(async () => {
    for (const c of conns) c.close();
    await t.s?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return t;
}

/** HOTUPGRADE LOAD <file> on `c`; resolves with the version swapped in, throws on a refused upgrade. */
export async function hotUpgrade(c: RawClient, file: string): Promise<string> {
  return String((await load(c, file)).to);
}

/** Poll one server until `args` answers `want` (for time-based behaviour: expiry). */
export async function pollUntil(c: RawClient, args: string[], want: string): Promise<void> {
  let last = '';
  await waitUntil(`${args.join(' ')} to answer ${show(want)} (last ${show(last)})`, async () => (last = await c.command(...args)) === want, 5000, 5);
}

/** INFO clients blocked_clients of one server. */
export async function blockedClients(c: RawClient): Promise<number> {
  const text = decodeReply(await c.command('INFO', 'clients')) as string;
  return Number(/blocked_clients:(\d+)/.exec(text)![1]);
}

/** Wait until both servers report n blocked clients (commands sent on other connections have arrived). */
export async function waitBlocked(p: Pair, n: number): Promise<void> {
  let last: number[] = [];
  await waitUntil(`${n} blocked clients (last ${last})`, async () => {
    last = await Promise.all([blockedClients(p.h), blockedClients(p.r)]);
    return last[0] === n && last[1] === n;
  }, 5000, 5);
}

/** Send a blocking command on each named connection in turn, each one blocked before the next. */
export async function blockAll(t: { p: Pair; d: Duo }, steps: string[][]): Promise<void> {
  const before = await blockedClients(t.p.h);
  for (let i = 0; i < steps.length; i++) {
    const [name, ...args] = steps[i];
    await t.d.send(name, ...args);
    await waitBlocked(t.p, before + i + 1);
  }
}
