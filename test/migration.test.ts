// Lazy state-schema migration with real bundles built from the real source (scripts/build.mjs
// --state-schema 4: string values stored as Buffer records). Under load, at 1,000,000 keys: the swap's
// pause does not grow with the key count (compared with 1,000 keys), the background sweep converts every
// value while INFO upgrade shows migration_in_progress:1 and a falling migration_remaining, every value
// reads back identical during and after it (OBJECT ENCODING included), a same-schema bundle that knows
// the migration continues it, one that does not is refused with a clear error and nothing changes,
// rolling back to a logic that cannot read schema 4 is refused, and one that declares it reads schema 4
// is accepted (the sweep then starts over when schema 4 returns).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { decodeReply as decode, encodeCommand, RawClient } from './helpers/resp';
import { ROOT, startHotkv, type RunningServer } from './helpers/servers';
import { asMap, countEvents, hotupgrade, info, IOREDIS_EVENTS, ioredisLoad, load, loadRefused, rawLoad, run, startLoad, waitUntil, zeroCounts, type Load } from './helpers/upgrade';

/** Keys of the big run; HOTKV_MIGRATION_KEYS overrides it (e.g. for a quicker local run). */
const BIG = Number(process.env.HOTKV_MIGRATION_KEYS ?? 1_000_000);
const SMALL = 1000;

/** production schema (3), and one that declares it reads schema 4 */
const S2 = '0.0.3-s2';
const S2R3 = '0.0.3-s2r3';
/** the fixture schema 4 (Buffer strings), twice, and once without the lazy migration */
const S3 = '0.0.3-s3';
const S3B = '0.0.3-s3b';
const S3NOLAZY = '0.0.3-s3nolazy';
/** the schema before streams and the script cache (1), and one that declares it reads schema 3 (production's) */
const S1 = '0.0.3-s1';
const S1R2 = '0.0.3-s1r2';
const file = (v: string) => `logic-${v}.cjs`;

let work: string;
let logicDir: string;

const build = (version: string, ...flags: string[]) =>
  run(path.join(ROOT, 'scripts', 'build.mjs'), ['--logic-only', '--version', version, '--outdir', logicDir, ...flags]);

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-migration-'));
  logicDir = path.join(work, 'logic');
  // Two at a time: the machine has two cores.
  await Promise.all([build(S2), build(S2R3, '--reads-schemas', '3,4')]);
  await Promise.all([build(S3, '--state-schema', '4'), build(S3B, '--state-schema', '4')]);
  await Promise.all([build(S3NOLAZY, '--state-schema', '4', '--no-lazy-migrations'), build(S1, '--state-schema', '1')]);
  await build(S1R2, '--state-schema', '1', '--reads-schemas', '1,3');
});
after(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------------------ the data

const key = (i: number) => `k:${i}`;
/** Keys APPENDed to after the load (Redis keeps them raw-encoded: a schema-3 { type: 'string', raw } record). */
const appended = (i: number) => i % 1000 === 3;
/** Keys INCRBYFLOATed after the load (embstr although int-like text: a record with enc 'embstr'). */
const floated = (i: number) => i % 1000 === 5;

/** What MSET stores under key i: ints, binary bytes, long (raw) and short (embstr) texts. */
function loaded(i: number): string {
  if (floated(i)) return String(i);
  switch (i % 4) {
    case 0: return String(i * 7);
    case 1: return `b\x00${i}\xff\r\n`;
    case 2: return 'L'.repeat(45) + i;
    default: return `v:${i}`;
  }
}

/** The value key i must read back. */
function expected(i: number): string {
  if (appended(i)) return loaded(i) + '!';
  if (floated(i)) return `${i}.5`;
  return loaded(i);
}

const bulk = (s: string) => `$${s.length}\r\n${s}\r\n`;

/** Fill keys 0..n-1 with pipelined MSETs of 1,000 keys, then APPEND / INCRBYFLOAT the special ones. */
async function fill(c: RawClient, n: number): Promise<void> {
  const BATCH = 1000;
  const INFLIGHT = 16;
  let pending = 0;
  for (let from = 0; from < n; from += BATCH) {
    const args = ['MSET'];
    for (let i = from; i < Math.min(n, from + BATCH); i++) args.push(key(i), loaded(i));
    c.write(encodeCommand(args));
    if (++pending === INFLIGHT) {
      for (; pending > 0; pending--) assert.equal(await c.reply(), '+OK\r\n');
    }
  }
  for (; pending > 0; pending--) assert.equal(await c.reply(), '+OK\r\n');
  let out = '';
  let replies: string[] = [];
  for (let i = 0; i < n; i++) {
    if (appended(i)) {
      out += encodeCommand(['APPEND', key(i), '!']).toString('latin1');
      replies.push(`:${expected(i).length}\r\n`);
    } else if (floated(i)) {
      out += encodeCommand(['INCRBYFLOAT', key(i), '0.5']).toString('latin1');
      replies.push(bulk(expected(i)));
    }
    if (replies.length === 500 || i === n - 1) {
      c.write(out);
      for (const want of replies) assert.equal(await c.reply(), want);
      out = '';
      replies = [];
    }
  }
}

/** OBJECT ENCODING of a sample of keys of every kind. */
async function encodings(c: RawClient, n: number): Promise<string[]> {
  const out: string[] = [];
  for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 1003, 1005, 2003, n - 1, n - 2, n - 3, n - 4]) {
    if (i < n) out.push(`${key(i)}=${decode(await c.command('OBJECT', 'ENCODING', key(i))) as string}`);
  }
  return out;
}

/**
 * SCAN the whole keyspace and MGET what it returns: every key 0..n-1 exactly once with its value; other
 * keys (the load generators') only counted. Returns the number of big keys seen.
 */
async function checkAll(c: RawClient, n: number): Promise<number> {
  const seen = new Uint8Array(n);
  let count = 0;
  let cursor = '0';
  do {
    const [next, keys] = decode(await c.command('SCAN', cursor, 'MATCH', 'k:*', 'COUNT', '20000')) as [string, string[]];
    cursor = next;
    const mine = keys.filter((k) => /^k:\d+$/.test(k));
    if (mine.length === 0) continue;
    const vals = decode(await c.command('MGET', ...mine)) as string[];
    for (let j = 0; j < mine.length; j++) {
      const i = Number(mine[j].slice(2));
      assert.ok(i < n, `unexpected key ${mine[j]}`);
      if (vals[j] !== expected(i)) assert.fail(`${mine[j]} reads ${JSON.stringify(vals[j])}, want ${JSON.stringify(expected(i))}`);
      if (seen[i] === 0) count++;
      seen[i] = 1;
    }
  } while (cursor !== '0');
  return count;
}

/**
 * Pipelines of 100 commands on random big keys, every reply checked: GETs (which convert on first touch)
 * and, one in ten, a SET of the same value (written in the new representation; only on keys whose
 * encoding a SET keeps, so the OBJECT ENCODING comparison still holds).
 */
function bigReaderWriter(c: RawClient, n: number, seed: number): Load {
  let x = seed;
  return startLoad(async (l) => {
    const sent: [string, string][] = [];
    let out = '';
    for (let j = 0; j < 100; j++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const i = x % n;
      const write = j % 10 === 0 && !appended(i) && !floated(i);
      out += encodeCommand(write ? ['SET', key(i), expected(i)] : ['GET', key(i)]).toString('latin1');
      sent.push([`${write ? 'SET' : 'GET'} ${key(i)}`, write ? '+OK\r\n' : bulk(expected(i))]);
    }
    c.write(out);
    for (const [what, want] of sent) {
      const got = await c.reply();
      if (got !== want) l.errors.push(`${what}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}`);
    }
  });
}

interface Sample { inProgress: string; remaining: number; }

async function migrationInfo(c: RawClient): Promise<Sample & Record<string, string>> {
  const i = await info(c, 'upgrade');
  return Object.assign(i, { inProgress: i.migration_in_progress, remaining: Number(i.migration_remaining) });
}

const rollback = async (c: RawClient) => asMap(await hotupgrade(c, 'ROLLBACK'));

const refusedWhileMigrating = /^ERR hot upgrade failed: state migration 3->4 in progress \((\d+) keys left\); retry when INFO upgrade shows migration_in_progress:0$/;
const cannotRead = (v: string) => `logic ${v} uses state schema 3 and does not declare that it reads the current state schema 4 (readsSchemas [3])`;

// ------------------------------------------------------------------------------------------ tests

/** The swap pause of the 1,000-key run, the baseline of the 1,000,000-key one. */
let smallPauseUs = 0;

describe(`lazy migration 3 -> 4 at ${SMALL} keys; rollback to a logic that reads schema 4`, () => {
  let s: RunningServer;
  let c: RawClient;

  before(async () => {
    s = await startHotkv({ logicDir, logicFile: file(S2R3), args: ['--hotupgrade-probation-ms', '60000'] });
    c = await RawClient.connect(s.port);
    await fill(c, SMALL);
  });
  after(async () => {
    c.close();
    await s.stop();
  });

  it('the swap only records the migration; the sweep finishes it and every value reads back identical', async () => {
    const before = await encodings(c, SMALL);
    // A schema-4 logic without the migration cannot take a schema-3 State: refused before the swap.
    assert.equal(await loadRefused(c, file(S3NOLAZY)), `ERR hot upgrade failed: logic ${S3NOLAZY} cannot migrate state schema 3 to 4`);
    assert.deepEqual([(await info(c, 'upgrade')).logic_version, (await info(c, 'upgrade')).state_schema], [S2R3, '3']);
    const r = await load(c, file(S3));
    smallPauseUs = Number(r.pause_us);
    await waitUntil('the sweep to finish', async () => (await migrationInfo(c)).inProgress === '0');
    const i = await migrationInfo(c);
    assert.deepEqual([i.state_schema, i.last_migration, i.migration_remaining], ['4', '3->4', '0']);
    assert.equal(await checkAll(c, SMALL), SMALL);
    assert.deepEqual(await encodings(c, SMALL), before);
    assert.match(s.output(), new RegExp(`State migration 3->4 done in \\d+ ms: ${SMALL} keys swept`));
  });

  it('ROLLBACK to a logic that declares it reads schema 4 is accepted; schema 4 then sweeps again', async () => {
    const before = await encodings(c, SMALL);
    const rb = await rollback(c);
    assert.deepEqual([rb.from, rb.to], [S3, S2R3]);
    let i = await migrationInfo(c);
    assert.equal(i.state_schema, '4');
    // It writes schema-3 values into the schema-4 State, so it leaves a full sweep for the next schema-4 logic.
    assert.deepEqual([i.inProgress, i.migration, i.remaining], ['1', '3->4', SMALL]);
    assert.equal(await checkAll(c, SMALL), SMALL);
    assert.deepEqual(await encodings(c, SMALL), before);
    assert.equal(await c.command('SET', key(0), loaded(0)), '+OK\r\n');
    assert.equal(await c.command('APPEND', key(3), ''), `:${expected(3).length}\r\n`);
    // A logic that does not declare it reads schema 4 is refused, and nothing changes.
    assert.equal(await loadRefused(c, file(S2)), `ERR hot upgrade failed: ${cannotRead(S2)}`);
    assert.equal((await info(c, 'upgrade')).logic_version, S2R3);
    await load(c, file(S3));
    await waitUntil('the second sweep to finish', async () => (await migrationInfo(c)).inProgress === '0');
    i = await migrationInfo(c);
    assert.deepEqual([i.state_schema, i.last_migration, i.migration_remaining], ['4', '3->4', '0']);
    assert.equal(await checkAll(c, SMALL), SMALL);
    assert.deepEqual(await encodings(c, SMALL), before);
    assert.equal(s.output().match(new RegExp(`State migration 3->4 done in \\d+ ms: ${SMALL} keys swept`, 'g'))?.length, 2);
  });
});

describe('schema 1 -> 3 (streams and the script cache, then functions): additive steps', () => {
  let s: RunningServer;
  let c: RawClient;

  before(async () => {
    s = await startHotkv({ logicDir, logicFile: file(S1), args: ['--hotupgrade-probation-ms', '60000'] });
    c = await RawClient.connect(s.port);
    await fill(c, SMALL);
  });
  after(async () => {
    c.close();
    await s.stop();
  });

  it('a schema-3 logic takes a schema-1 State as it is; going back to schema 1 is refused', async () => {
    const before = await encodings(c, SMALL);
    assert.equal((await info(c, 'upgrade')).state_schema, '1');
    await load(c, file(S2));
    let i = await migrationInfo(c);
    // Nothing to convert: no migration record, no sweep.
    assert.deepEqual([i.state_schema, i.inProgress, i.migration_remaining], ['3', '0', '0']);
    assert.match(await c.command('XADD', 'stream:k', '1-1', 'f', 'v'), /^\$3\r\n1-1\r\n$/);
    // A schema-1 logic could neither save nor serve the stream: refused from memory and from disk alike.
    const refusal = `logic ${S1} uses state schema 1 and does not declare that it reads the current state schema 3 (readsSchemas [1])`;
    assert.equal(await c.command('HOTUPGRADE', 'ROLLBACK'), `-ERR hot upgrade failed: cannot roll back across a state-schema change: ${refusal}\r\n`);
    assert.equal(await loadRefused(c, file(S1)), `ERR hot upgrade failed: ${refusal}`);
    // One that declares it reads schema 3 may take over. It leaves a re-sweep record (it cannot know that
    // 1 -> 3 converts nothing); the next schema-3 logic drops it instead of sweeping.
    await load(c, file(S1R2));
    i = await migrationInfo(c);
    assert.deepEqual([i.logic_version, i.state_schema, i.inProgress, i.migration], [S1R2, '3', '1', '1->3']);
    await load(c, file(S2));
    i = await migrationInfo(c);
    assert.deepEqual([i.logic_version, i.state_schema, i.inProgress], [S2, '3', '0']);
    assert.equal(await checkAll(c, SMALL), SMALL);
    assert.deepEqual(await encodings(c, SMALL), before);
    assert.equal(await c.command('XLEN', 'stream:k'), ':1\r\n');
  });
});

describe(`lazy migration 3 -> 4 at ${BIG} keys under load`, () => {
  let s: RunningServer;
  let c: RawClient;
  let io: Redis;
  let ioEvents: Record<string, number>;
  let conns: RawClient[];
  let loads: Load[] = [];

  before(async () => {
    s = await startHotkv({ logicDir, logicFile: file(S2), args: ['--hotupgrade-probation-ms', '60000'] });
    c = await RawClient.connect(s.port);
    const t0 = Date.now();
    await fill(c, BIG);
    console.log(`# loaded ${BIG} keys in ${Date.now() - t0} ms`);
  });
  after(async () => {
    for (const l of loads) l.stop = true;
    await Promise.all(loads.map((l) => l.done));
    io?.disconnect();
    for (const x of conns ?? []) x.close();
    c.close();
    await s.stop();
  });

  it('the swap pause does not grow with the keys; the sweep converts them all while every reply stays right', async () => {
    assert.ok(smallPauseUs > 0, 'the small run measured its pause');
    const before = await encodings(c, BIG);
    io = new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    ioEvents = countEvents(io, IOREDIS_EVENTS);
    await io.ping();
    conns = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(s.port)));
    loads = [ioredisLoad(io, 'io'), rawLoad(conns[0], 'p0'), rawLoad(conns[1], 'p1'), bigReaderWriter(conns[2], BIG, 1), bigReaderWriter(conns[3], BIG, 2)];
    await waitUntil('every load to run', () => loads.every((l) => l.rounds > 2));

    const r = await load(c, file(S3));
    const pauseUs = Number(r.pause_us);
    let i = await migrationInfo(c);
    assert.equal(i.inProgress, '1', 'the sweep of 1,000,000 keys takes more than one INFO round trip');
    assert.equal(i.last_upgrade_pause_us, String(pauseUs));
    console.log(`# swap pause: ${smallPauseUs} us at ${SMALL} keys, ${pauseUs} us at ${BIG} keys`);
    // Generous (a GC may land in the swap), yet converting 1,000,000 values in the swap takes far longer.
    assert.ok(pauseUs < Math.max(20 * smallPauseUs, 50_000), `pause ${pauseUs} us at ${BIG} keys vs ${smallPauseUs} us at ${SMALL}`);

    // Rolling back to a logic that cannot read schema 4 is refused.
    assert.equal(await c.command('HOTUPGRADE', 'ROLLBACK'), `-ERR hot upgrade failed: cannot roll back across a state-schema change: ${cannotRead(S2)}\r\n`);

    // A same-schema bundle that knows the migration takes over and continues the sweep.
    const samples: Sample[] = [i];
    const cont = await load(c, file(S3B));
    assert.equal(cont.to, S3B);
    i = await migrationInfo(c);
    assert.equal(i.inProgress, '1', 'the sweep is still running after the second upgrade');
    samples.push(i);

    // One that does not know it is refused before the swap, and nothing changes.
    const refused = await loadRefused(c, file(S3NOLAZY));
    const m = refusedWhileMigrating.exec(refused);
    assert.ok(m, refused);
    assert.ok(Number(m[1]) > 0 && Number(m[1]) <= BIG, refused);
    // and so is loading a logic that cannot read schema 4
    assert.equal(await loadRefused(c, file(S2)), `ERR hot upgrade failed: ${cannotRead(S2)}`);
    i = await migrationInfo(c);
    assert.deepEqual([i.logic_version, i.state_schema], [S3B, '4']);
    samples.push(i);

    // INFO: in progress, the remaining count falling, then 0 and not in progress.
    await waitUntil('the sweep to finish', async () => {
      const x = await migrationInfo(c);
      samples.push(x);
      return x.inProgress === '0';
    }, 60000, 20);
    const during = samples.filter((x) => x.inProgress === '1');
    assert.ok(during.length >= 3, `${during.length} samples during the sweep`);
    for (let j = 1; j < during.length; j++) {
      assert.ok(during[j].remaining <= during[j - 1].remaining, `remaining went up: ${during.map((x) => x.remaining).join(' ')}`);
    }
    assert.ok(during[0].remaining > during[during.length - 1].remaining);
    const done = samples[samples.length - 1] as Sample & Record<string, string>;
    assert.deepEqual([done.migration_remaining, done.last_migration], ['0', '3->4']);
    console.log(`# sweep of ${BIG} keys: ${done.last_migration_ms} ms (INFO last_migration_ms), ${during.length} INFO samples during it`);

    for (const l of loads) l.stop = true;
    await Promise.all(loads.map((l) => l.done));
    for (const l of loads) assert.deepEqual(l.errors, []);
    assert.deepEqual(ioEvents, zeroCounts(IOREDIS_EVENTS));
    assert.ok(loads.every((l) => l.rounds > 5));

    assert.equal(await checkAll(c, BIG), BIG);
    assert.deepEqual(await encodings(c, BIG), before);
    assert.match(s.output(), new RegExp(`State migration 3->4 done in \\d+ ms: \\d+ keys swept`));
  });

  it('once the sweep is over, the bundle without the migration may take over', async () => {
    const r = await load(c, file(S3NOLAZY));
    assert.equal(r.to, S3NOLAZY);
    assert.equal(decode(await c.command('GET', key(1))), expected(1));
    assert.equal(decode(await c.command('GET', key(1003))), expected(1003));
  });
});
