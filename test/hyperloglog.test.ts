// HyperLogLog against redis-server 7.0: PFADD/PFCOUNT over seeded random sets of 0..100k elements (the same
// estimates and, through GET, the same bytes, sparse and dense), PFMERGE and multi-key PFCOUNT over sparse,
// dense and missing keys, HLL bytes redis-server wrote SET into hotkv (and back), the sparse -> dense
// promotion at hll-sparse-max-bytes and at a register above 32, PFDEBUG, PFSELFTEST, every error (WRONGTYPE
// for other types and non-HLL strings, INVALIDOBJ for corrupted sparse HLLs), estimates of crafted registers
// (up to Redis's LLONG_MIN for estimates past 2^63), RESP3, dirty / hits / misses, TTLs, OBJECT ENCODING after
// Redis's silent unsharing, WATCH, keyspace events, and persistence: the AOF gets the commands Redis
// propagates (PFCOUNT when it rewrites the cache, PFDEBUG when it converts) and reloads the same bytes, and
// dumps load both ways with the same bytes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { RawClient } from './helpers/resp';
import { scratch } from './helpers/scratch';
import { startHotkv, startRedis } from './helpers/servers';
import { bulkText, hello, prng, sameCounters, sameEvents, seededMix, withEventsPair } from './helpers/unordered';

const SEED = Number(process.env.HOTKV_TEST_SEED ?? 20261126);
const HEADER_SPARSE = 'HYLL\x01\x00\x00\x00' + '\x00'.repeat(7) + '\x80';
const HEADER_DENSE = 'HYLL\x00\x00\x00\x00' + '\x00'.repeat(7) + '\x80';
/** An element (3130853818 as 8 little-endian bytes) whose hash has 32 zeroes above its register index (found by
 *  brute force): a register value of 33, which the sparse encoding cannot hold. */
const BIG_RUN = '\xba\x09\x9d\xba\x00\x00\x00\x00';

/** A random element: digits, binary bytes, a small space of repeated names, or printable text. */
function element(rnd: () => number): string {
  const kind = Math.floor(rnd() * 4);
  if (kind === 0) return String(Math.floor(rnd() * 1e9));
  if (kind === 2) return 'e:' + Math.floor(rnd() * 50000);
  let s = '';
  const len = Math.floor(rnd() * (kind === 1 ? 24 : 40));
  for (let i = 0; i < len; i++) s += String.fromCharCode(kind === 1 ? Math.floor(rnd() * 256) : 32 + Math.floor(rnd() * 95));
  return s;
}

/** PFADD `n` random elements to `key` on both servers in chunks, comparing every reply; returns the last chunk. */
async function addRandom(p: Pair, key: string, n: number, rnd: () => number, chunk = 500): Promise<string[]> {
  let els: string[] = [];
  for (let done = 0; done < n;) {
    const k = Math.min(chunk, n - done, 1 + Math.floor(rnd() * chunk));
    els = [];
    for (let i = 0; i < k; i++) els.push(element(rnd));
    await p.same('PFADD', key, ...els);
    done += k;
  }
  return els;
}

/** Dense HLL bytes with the given registers (stale cache). */
function denseBytes(regs: (i: number) => number): string {
  const b = Buffer.alloc(12288 + 1);
  for (let i = 0; i < 16384; i++) {
    const v = regs(i);
    const bit = i * 6;
    b[bit >> 3] |= (v << (bit & 7)) & 255;
    b[(bit >> 3) + 1] |= v >> (8 - (bit & 7));
  }
  return HEADER_DENSE + b.toString('latin1', 0, 12288);
}

/** Everything a key shows of its HLL: the estimate, the bytes, both encodings, the length. */
async function sameHll(p: Pair, key: string): Promise<void> {
  await p.script([['PFCOUNT', key], ['GET', key], ['PFDEBUG', 'ENCODING', key], ['OBJECT', 'ENCODING', key], ['STRLEN', key]]);
}

describe('HyperLogLog commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });
  afterEach(async () => {
    await hello(p, '2');
    await p.same('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
    await p.reset();
  });

  it('the element hash and register update: a known HLL, byte for byte', async () => {
    await p.script([
      ['PFADD', 'k', 'a', 'b', 'c'], ['GET', 'k'], ['PFDEBUG', 'DECODE', 'k'], ['PFCOUNT', 'k'], ['GET', 'k'],
      ['PFADD', 'k'], ['PFADD', 'k', 'a'], ['PFADD', 'k', ''], ['PFADD', 'k', '\x00\xff\r\n'], ['PFADD', 'k', 'x'.repeat(1000)],
      ['PFDEBUG', 'DECODE', 'k'], ['GET', 'k'], ['PFADD', 'empty'], ['GET', 'empty'], ['PFCOUNT', 'empty'], ['GET', 'empty'],
      ['OBJECT', 'ENCODING', 'empty'],
    ]);
  });

  it('PFADD / PFCOUNT on seeded random sets of 0 to 100,000 elements: the same estimates and bytes, sparse and dense', async () => {
    const rnd = prng(SEED);
    const sizes = [0, 1, 2, 3, 5, 8, 13, 40, 100, 200, 300, 500, 700, 1000, 1300, 1500, 1800, 2000, 2500, 3000, 5000, 10000, 20000, 50000, 100000];
    for (let i = 0; i < 6; i++) sizes.push(Math.floor(rnd() * 4000));
    await seededMix('random sets', SEED, sizes.length, async (i) => {
      const key = `set:${i}:${sizes[i]}`;
      if (sizes[i] === 0) await p.same('PFADD', key);
      const last = await addRandom(p, key, sizes[i], rnd);
      await sameHll(p, key);
      // elements already there change nothing (a dense HLL is then not copied at all); a new one among them does
      await p.same('PFADD', key, ...last);
      await p.same('PFADD', key, ...last, element(rnd), element(rnd), ...last.slice(0, 3));
      // the estimate is cached now: same bytes, no recount
      await p.same('GET', key);
      await p.same('PFCOUNT', key);
    });
  });

  it('a register above 32 promotes a sparse HLL to dense', async () => {
    await p.script([
      ['PFADD', 'k', 'a', 'b'], ['PFDEBUG', 'ENCODING', 'k'], ['PFADD', 'k', BIG_RUN], ['PFDEBUG', 'ENCODING', 'k'], ['GET', 'k'],
      ['PFCOUNT', 'k'], ['PFADD', 'k2', BIG_RUN], ['PFDEBUG', 'ENCODING', 'k2'], ['PFDEBUG', 'GETREG', 'k2'], ['PFMERGE', 'k3', 'k2', 'k'],
      ['GET', 'k3'], ['PFCOUNT', 'k3', 'k2', 'k'],
    ]);
  });

  it('hll-sparse-max-bytes decides the promotion, step by step (CONFIG SET / GET)', async () => {
    const rnd = prng(SEED + 1);
    await p.same('CONFIG', 'GET', 'hll-sparse-max-bytes');
    for (const max of ['0', '20', '200', '1000', '20000']) {
      await p.same('CONFIG', 'SET', 'hll-sparse-max-bytes', max);
      await p.same('CONFIG', 'GET', 'hll-sparse-max-bytes');
      const key = `max:${max}`;
      for (let i = 0; i < (max === '20000' ? 60 : 150); i++) {
        const els: string[] = [];
        for (let j = 0; j < (max === '20000' ? 200 : 1 + Math.floor(rnd() * 6)); j++) els.push(element(rnd));
        await p.same('PFADD', key, ...els);
        await p.same('STRLEN', key);
      }
      await sameHll(p, key);
    }
    // one element per PFADD around small limits: the promotion happens exactly when the sparse form would pass the limit
    for (let max = 18; max <= 40; max++) {
      await p.same('CONFIG', 'SET', 'hll-sparse-max-bytes', String(max));
      const key = `exact:${max}`;
      for (let i = 0; i < 14; i++) {
        await p.same('PFADD', key, element(rnd));
        await p.same('GET', key);
      }
    }
    await p.same('CONFIG', 'SET', 'hll-sparse-max-bytes', '-1');
    await p.same('CONFIG', 'SET', 'hll-sparse-max-bytes', '3kb');
    await p.same('CONFIG', 'GET', 'hll-sparse-max-bytes');
  });

  it('sparse opcode editing on hand-made HLLs: VAL splits and the merge window of five opcodes', async () => {
    // where an element lands (register index) and its value, from an empty HLL: "Z:i v:c,1 Z:rest" (or "v:c,1 Z:..")
    const probe = async (e: string): Promise<[number, number]> => {
      await p.same('DEL', 'probe');
      await p.same('PFADD', 'probe', e);
      const m = /^(?:Z:(\d+) )?v:(\d+),1/.exec(bulkText(await p.same('PFDEBUG', 'DECODE', 'probe')));
      assert.ok(m);
      return [Number(m[1] ?? 0), Number(m[2])];
    };
    const zeros = (n: number): string => {
      let out = '';
      for (; n > 0; n -= Math.min(n, 16384)) {
        const l = Math.min(n, 16384) - 1;
        out += String.fromCharCode(0x40 | (l >> 8), l & 0xff);
      }
      return out;
    };
    const val = (v: number, len: number): string => String.fromCharCode(0x80 | ((v - 1) << 2) | (len - 1));
    let done = 0;
    for (let i = 0; done < 12 && i < 400; i++) {
      const e = `w${i}`;
      const [idx, count] = await probe(e);
      if (count < 2 || idx < 8 || idx > 16370) continue;
      done++;
      // prev VAL(1,2), the VAL(1,3) around idx split in three, then VAL(1,2) VAL(1,1) that the scan may merge in its 5th step
      const around = [
        zeros(idx - 3) + val(1, 2) + val(1, 3) + val(1, 2) + val(1, 1) + zeros(16384 - idx - 5),
        zeros(idx - 1) + val(1, 3) + val(1, 2) + val(1, 2) + zeros(16384 - idx - 6),
        zeros(idx - 8) + val(1, 4) + val(1, 4) + val(1, 4) + zeros(16384 - idx - 4),
        zeros(idx - 2) + val(1, 1) + '\x00' + val(count - 1, 1) + '\x02' + val(1, 2) + zeros(16384 - idx - 6),
        zeros(idx) + '\x00' + zeros(16384 - idx - 1),
        zeros(idx - 1) + '\x05' + zeros(16384 - idx - 5),
      ];
      for (const body of around) {
        await p.same('SET', 'hand', HEADER_SPARSE + body);
        await p.script([['PFDEBUG', 'DECODE', 'hand'], ['PFADD', 'hand', e], ['PFDEBUG', 'DECODE', 'hand'], ['GET', 'hand'], ['PFCOUNT', 'hand']]);
      }
    }
    assert.equal(done, 12);
  });

  it('PFMERGE and multi-key PFCOUNT over sparse, dense and missing keys: the same bytes', async () => {
    const rnd = prng(SEED + 2);
    const sizes: Record<string, number> = { s1: 30, s2: 300, s3: 1500, d1: 5000, d2: 40000 };
    for (const [k, n] of Object.entries(sizes)) await addRandom(p, k, n, rnd);
    const steps: string[][] = [
      ['PFCOUNT', 's1', 's2'], ['PFCOUNT', 's1', 'none', 's3'], ['PFCOUNT', 'd1', 'd2'], ['PFCOUNT', 's1', 's2', 's3', 'd1', 'd2'],
      ['PFCOUNT', 'none', 'none2'], ['PFMERGE', 'm1', 's1', 's2'], ['PFMERGE', 'm2', 's1', 's2', 's3'], ['PFMERGE', 'm3', 's1', 'd1'],
      ['PFMERGE', 'm4', 'd2', 'd1', 'none'], ['PFMERGE', 'm5'], ['PFMERGE', 'm6', 'none'], ['PFMERGE', 's1', 's2'],
      ['PFMERGE', 's2', 'd1'], ['PFMERGE', 'd1', 's3'], ['PFMERGE', 'd1', 'd1'], ['PFMERGE', 's3', 's3'],
      ['PFMERGE', 'm7', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6'],
    ];
    await p.script(steps);
    for (const k of ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 's1', 's2', 's3', 'd1', 'd2']) await sameHll(p, k);
    // a merge whose sparse result outgrows hll-sparse-max-bytes goes dense while it is written
    await p.same('CONFIG', 'SET', 'hll-sparse-max-bytes', '400');
    await p.script([['PFMERGE', 'm8', 's3'], ['PFMERGE', 'm9', 'm8', 's1']]);
    await sameHll(p, 'm8');
    await sameHll(p, 'm9');
    // a destination with a TTL keeps it; another type is refused
    await p.script([
      ['EXPIRE', 'm1', '1000'], ['PFMERGE', 'm1', 'd2'], ['TTL', 'm1'], ['PFADD', 'm1', 'zz'], ['TTL', 'm1'], ['PFCOUNT', 'm1'], ['TTL', 'm1'],
      ['LPUSH', 'list', 'a'], ['PFMERGE', 'list', 's1'], ['PFMERGE', 'm1', 'list'], ['PFCOUNT', 's1', 'list'], ['SET', 'str', 'abc'],
      ['PFMERGE', 'str', 's1'], ['PFMERGE', 'm1', 'str'], ['PFCOUNT', 'str', 's1'], ['GET', 'm1'],
    ]);
  });

  it('HLL bytes written by redis-server work in hotkv, and the other way round', async () => {
    const rnd = prng(SEED + 3);
    for (const [i, n] of [0, 1, 20, 600, 3000, 30000].entries()) {
      const key = `src:${i}`;
      const els: string[] = [];
      for (let j = 0; j < n; j++) els.push(element(rnd));
      // one server builds it, the other gets its bytes by SET; both then go on with the same commands
      const from = i % 2 === 0 ? p.r : p.h;
      const to = i % 2 === 0 ? p.h : p.r;
      await from.command('PFADD', key);
      for (let j = 0; j < els.length; j += 1000) await from.command('PFADD', key, ...els.slice(j, j + 1000));
      if (i % 3 === 0) await from.command('PFCOUNT', key);
      const bytes = bulkText(await from.command('GET', key));
      assert.equal(await to.command('SET', key, bytes), '+OK\r\n');
      await sameHll(p, key);
      const more: string[] = [];
      for (let j = 0; j < 200; j++) more.push(element(rnd));
      await p.same('PFADD', key, ...more);
      await sameHll(p, key);
      await p.same('PFMERGE', 'all', key);
    }
    await sameHll(p, 'all');
  });

  it('PFDEBUG GETREG / DECODE / ENCODING / TODENSE and their errors', async () => {
    await p.script([
      ['PFADD', 'k', 'a', 'b', 'c', 'd', 'e'], ['PFDEBUG', 'DECODE', 'k'], ['PFDEBUG', 'ENCODING', 'k'], ['pfdebug', 'encoding', 'k'],
      ['PFDEBUG', 'GETREG', 'k'], ['PFDEBUG', 'ENCODING', 'k'], ['GET', 'k'], ['PFDEBUG', 'DECODE', 'k'], ['PFDEBUG', 'TODENSE', 'k'],
      ['PFADD', 'k2', 'x'], ['PFDEBUG', 'TODENSE', 'k2'], ['PFDEBUG', 'TODENSE', 'k2'], ['GET', 'k2'], ['PFCOUNT', 'k2'],
      ['PFDEBUG', 'FOO', 'k'], ['PFDEBUG', 'FOO\r\nBAR', 'k'], ['PFDEBUG', 'GETREG\x00x', 'k'], ['PFDEBUG', 'FOO', 'nokey'],
      ['PFDEBUG', 'GETREG'], ['PFDEBUG', 'GETREG', 'k', 'x'], ['PFDEBUG'], ['SET', 'str', 'x'], ['PFDEBUG', 'GETREG', 'str'],
      ['SADD', 'set', 'x'], ['PFDEBUG', 'ENCODING', 'set'], ['PFADD', 'e'], ['PFDEBUG', 'DECODE', 'e'], ['PFDEBUG', 'GETREG', 'e'],
    ]);
  });

  it('errors: WRONGTYPE for other types and strings that are no HLL, INVALIDOBJ for corrupted sparse HLLs, arity', async () => {
    const corrupted = {
      twoFull: HEADER_SPARSE + '\x7f\xff\x7f\xff', extraVal: HEADER_SPARSE + '\x7f\xff\x80', short: HEADER_SPARSE + '\x7f\xfe',
      none: HEADER_SPARSE, halfXzero: HEADER_SPARSE + '\x7f', overVal: HEADER_SPARSE + '\x7f\xfe\x83', zeros: HEADER_SPARSE + '\x3f'.repeat(300),
    };
    for (const [name, bytes] of Object.entries(corrupted)) {
      for (const cmd of [['PFCOUNT', 'c'], ['PFCOUNT', 'c', 'nokey'], ['PFMERGE', 'd', 'c'], ['PFDEBUG', 'TODENSE', 'c'], ['PFDEBUG', 'GETREG', 'c'],
        ['PFDEBUG', 'DECODE', 'c'], ['PFADD', 'c', 'a', 'b', 'c', 'd'], ['PFADD', 'c', 'x']]) {
        await p.same('SET', 'c', bytes);
        await p.same(...cmd).catch((e: Error) => { throw new Error(`${name}: ${e.message}`); });
        await p.same('GET', 'c');
        await p.same('OBJECT', 'ENCODING', 'c');
        await p.same('EXISTS', 'd');
        await p.same('DEL', 'd');
      }
    }
    const notHll = ['', 'HYLL', 'HYLL\x01', 'hyll' + HEADER_SPARSE.slice(4) + '\x7f\xff', 'HYLL\x02' + HEADER_SPARSE.slice(5) + '\x7f\xff',
      HEADER_DENSE + '\x00'.repeat(100), HEADER_DENSE + '\x00'.repeat(12289), '12345678901234567890', 'x'.repeat(100)];
    for (const bytes of notHll) {
      await p.same('SET', 's', bytes);
      await p.script([['PFADD', 's', 'a'], ['PFCOUNT', 's'], ['PFCOUNT', 'nokey', 's'], ['PFMERGE', 's'], ['PFMERGE', 'd', 's'],
        ['PFDEBUG', 'ENCODING', 's'], ['GET', 's'], ['EXISTS', 'd']]);
    }
    await p.script([
      ['LPUSH', 'l', 'a'], ['HSET', 'h', 'f', 'v'], ['ZADD', 'z', '1', 'a'], ['XADD', 'x', '1-1', 'f', 'v'], ['SADD', 'set', 'a'],
      ['PFADD', 'l', 'a'], ['PFADD', 'h'], ['PFCOUNT', 'z'], ['PFCOUNT', 'x', 'set'], ['PFMERGE', 'set', 'l'], ['PFMERGE', 'new', 'h'],
      ['EXISTS', 'new'], ['PFADD'], ['PFCOUNT'], ['PFMERGE'], ['PFSELFTEST', 'x'],
      // an HLL whose header is valid and whose sparse body is not, inside a multi-key PFCOUNT after a good key
      ['PFADD', 'good', 'a'], ['SET', 'bad', HEADER_SPARSE + '\x7f\xfe'], ['PFCOUNT', 'good', 'bad'], ['PFCOUNT', 'good', 'l'],
    ]);
    // a cached cardinality is trusted as it is (valid bit clear), whatever the registers
    await p.script([
      ['SET', 'c', 'HYLL\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\x7f\x7f\xff'], ['PFCOUNT', 'c'],
      ['SET', 'c', 'HYLL\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\x1f\x00\x7f\xff'], ['PFCOUNT', 'c'],
      ['SET', 'c', 'HYLL\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x7f\xfe'], ['PFCOUNT', 'c'], ['PFCOUNT', 'c', 'c'],
    ]);
  });

  it('estimates of crafted dense registers, up to the ones past 2^63 that Redis prints as LLONG_MIN', async () => {
    const rnd = prng(SEED + 4);
    const cases: [string, (i: number) => number][] = [
      ['zero', () => 0], ['one', () => 1], ['mixed', () => Math.floor(rnd() * 64)], ['low', () => Math.floor(rnd() * 4)],
      ['q', () => (rnd() < 0.5 ? 0 : 51)], ['r48', () => 48], ['r49', () => 49], ['r50', () => 50], ['r51', () => 51], ['r63', () => 63],
      ['half', (i) => (i % 2 === 0 ? 0 : 20)],
    ];
    for (const [name, regs] of cases) {
      await p.same('SET', name, denseBytes(regs));
      await p.script([['PFCOUNT', name], ['GETRANGE', name, '0', '15'], ['PFCOUNT', name], ['PFCOUNT', name, 'nokey'], ['PFADD', name, 'a', 'b']]);
      await p.same('PFMERGE', 'all', name);
    }
    await sameHll(p, 'all');
  });

  it('RESP3 replies', async () => {
    await hello(p, '3');
    await p.script([
      ['PFADD', 'k', 'a', 'b'], ['PFADD', 'k', 'a'], ['PFCOUNT', 'k'], ['PFCOUNT', 'k', 'none'], ['PFMERGE', 'd', 'k'], ['PFDEBUG', 'DECODE', 'd'],
      ['PFDEBUG', 'ENCODING', 'd'], ['PFDEBUG', 'GETREG', 'd'], ['PFDEBUG', 'TODENSE', 'd'], ['PFDEBUG', 'FOO', 'd'], ['PFDEBUG', 'DECODE', 'd'],
      ['SET', 's', 'x'], ['PFADD', 's', 'a'], ['PFCOUNT', 'nokey'], ['GET', 'k'],
    ]);
  });

  it('dirty counts, keyspace hits and misses, OBJECT ENCODING after the silent unsharing, TTLs, WATCH', async () => {
    const empty = HEADER_SPARSE.slice(0, 15) + '\x00' + '\x7f\xff';
    await sameCounters(p, [
      ['PFADD', 'k'], ['PFADD', 'k'], ['PFADD', 'k', 'a', 'b', 'c'], ['PFADD', 'k', 'a'], ['PFADD', 'k', 'a', 'x', 'y', 'z'], ['PFCOUNT', 'k'],
      ['PFCOUNT', 'k'], ['PFCOUNT', 'nokey'], ['PFCOUNT', 'k', 'nokey', 'k'], ['PFMERGE', 'm', 'k', 'nokey'], ['PFMERGE', 'm'],
      ['PFDEBUG', 'ENCODING', 'k'], ['PFDEBUG', 'TODENSE', 'k'], ['PFDEBUG', 'TODENSE', 'k'], ['PFDEBUG', 'GETREG', 'm'],
      ['PFDEBUG', 'DECODE', 'nokey'], ['PFCOUNT', 'k'], ['PFCOUNT', 'k'], ['SET', 'e', empty], ['OBJECT', 'ENCODING', 'e'], ['PFCOUNT', 'e'],
      ['OBJECT', 'ENCODING', 'e'], ['SET', 'e', empty], ['PFADD', 'e'], ['OBJECT', 'ENCODING', 'e'], ['SET', 'e', empty], ['PFADD', 'e', 'q'],
      ['OBJECT', 'ENCODING', 'e'], ['SET', 'e', empty], ['PFDEBUG', 'ENCODING', 'e'], ['OBJECT', 'ENCODING', 'e'], ['SET', 'e', empty],
      ['PFCOUNT', 'e', 'k'], ['OBJECT', 'ENCODING', 'e'], ['SET', 'e', empty], ['PFMERGE', 'e', 'k'], ['OBJECT', 'ENCODING', 'e'],
    ]);
    await p.script([
      ['PFADD', 't', 'a'], ['EXPIRE', 't', '500'], ['PFADD', 't', 'b'], ['TTL', 't'], ['PFCOUNT', 't'], ['TTL', 't'],
      ['PFDEBUG', 'TODENSE', 't'], ['TTL', 't'], ['PFMERGE', 't', 'k'], ['TTL', 't'], ['PFADD', 't', 'zz'], ['TTL', 't'],
      ['PEXPIRE', 't', '1'],
    ]);
    // a PFCOUNT that rewrites the cache is a change: it breaks a WATCH; one that reads the cache is not
    await p.script([
      ['PFADD', 'w', 'a'], ['WATCH', 'w'], ['PFCOUNT', 'w'], ['MULTI'], ['PING'], ['EXEC'],
      ['WATCH', 'w'], ['PFCOUNT', 'w'], ['MULTI'], ['PING'], ['EXEC'],
      ['WATCH', 'w'], ['PFADD', 'w', 'a'], ['MULTI'], ['PING'], ['EXEC'],
      ['WATCH', 'w'], ['PFDEBUG', 'TODENSE', 'w'], ['MULTI'], ['PING'], ['EXEC'],
      ['MULTI'], ['PFADD', 'w', 'b'], ['PFCOUNT', 'w'], ['GET', 'w'], ['EXEC'],
    ]);
  });

  it('PFSELFTEST passes', async () => {
    await p.same('PFSELFTEST');
  });
});

describe('HyperLogLog keyspace events', () => {
  const t = withEventsPair();
  it('pfadd for PFADD (when it changes something) and PFMERGE, none for PFCOUNT and PFDEBUG', async () => {
    const n = await sameEvents(t.d, [
      ['PFADD', 'k'], ['PFADD', 'k'], ['PFADD', 'k', 'a'], ['PFADD', 'k', 'a'], ['PFCOUNT', 'k'], ['PFCOUNT', 'k', 'x'],
      ['PFMERGE', 'm', 'k'], ['PFMERGE', 'm'], ['PFMERGE', 'new'], ['PFDEBUG', 'TODENSE', 'k'], ['PFDEBUG', 'GETREG', 'm'],
      ['SET', 's', 'x'], ['PFADD', 's', 'a'], ['PFMERGE', 's'], ['DEL', 'k'],
    ]);
    assert.ok(n >= 10, `only ${n} events`);
  });
});

describe('HyperLogLog persistence', () => {
  const { track, tmpDir } = scratch('hotkv-hll-');
  const DEBUG = ['--enable-debug-command', 'yes'];

  /** HLLs of every kind in a server: sparse, dense, merged, cached and stale, with a TTL, in two dbs. */
  async function fill(c: RawClient): Promise<void> {
    const rnd = prng(SEED + 5);
    for (const [i, n] of [0, 3, 150, 2000, 9000].entries()) {
      const els: string[] = [];
      for (let j = 0; j < n; j++) els.push(element(rnd));
      await c.command('PFADD', `h${i}`);
      for (let j = 0; j < els.length; j += 1000) await c.command('PFADD', `h${i}`, ...els.slice(j, j + 1000));
      if (i % 2 === 0) await c.command('PFCOUNT', `h${i}`);
    }
    await c.command('PFMERGE', 'merged', 'h1', 'h2', 'h4');
    await c.command('PFDEBUG', 'TODENSE', 'h1');
    await c.command('PFDEBUG', 'GETREG', 'h0');
    await c.command('EXPIRE', 'h2', '1000');
    await c.command('PFCOUNT', 'h2', 'h3');
    await c.command('SELECT', '3');
    await c.command('PFADD', 'other', 'a', 'b');
    await c.command('SELECT', '0');
  }

  /** Every key's bytes (and TTL presence) in dbs 0 and 3. */
  async function snapshot(port: number): Promise<Record<string, string>> {
    const c = await RawClient.connect(port);
    const out: Record<string, string> = {};
    for (const db of ['0', '3']) {
      await c.command('SELECT', db);
      const keys = (await c.command('KEYS', '*')).split('\r\n').filter((l, i) => i > 0 && i % 2 === 0 && l !== '');
      for (const k of keys.sort()) {
        out[`${db}:${k}`] = show(await c.command('GET', k)) + (await c.command('TTL', k) === ':-1\r\n' ? '' : ' ttl');
      }
    }
    c.close();
    return out;
  }

  it('the AOF gets what Redis propagates (byte for byte) and reloads to the same bytes; redis-server loads it too', async () => {
    const aof = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'yes', ...DEBUG];
    const [hk, redis] = await Promise.all([track(startHotkv({ args: aof })), track(startRedis(aof))]);
    const [hc, rc] = await Promise.all([RawClient.connect(hk.port), RawClient.connect(redis.port)]);
    await Promise.all([fill(hc), fill(rc)]);
    const want = await snapshot(redis.port);
    assert.deepEqual(await snapshot(hk.port), want);
    const incr = (dir: string) => fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1')
      .replace(/\r\n\d{13}\r\n/g, '\r\n<ms>\r\n');
    assert.equal(show(incr(hk.dir)), show(incr(redis.dir)));
    hc.close();
    rc.close();
    await hk.stop();
    const hk2 = await track(startHotkv({ dir: hk.dir, args: aof }));
    assert.deepEqual(await snapshot(hk2.port), want);
    await hk2.stop();
    const copy = tmpDir();
    fs.cpSync(path.join(hk.dir, 'appendonlydir'), path.join(copy, 'appendonlydir'), { recursive: true });
    const redis2 = await track(startRedis(['--dir', copy, ...aof]));
    assert.deepEqual(await snapshot(redis2.port), want);
    await Promise.all([redis.stop(), redis2.stop()]);
  });

  it('a dump redis-server wrote loads in hotkv with the same bytes, and hotkv\'s dump loads back in redis-server', async () => {
    const redis = await track(startRedis(DEBUG));
    const rc = await RawClient.connect(redis.port);
    await fill(rc);
    assert.equal(await rc.command('SAVE'), '+OK\r\n');
    rc.close();
    const want = await snapshot(redis.port);
    const dir = tmpDir();
    fs.copyFileSync(path.join(redis.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    const hk = await track(startHotkv({ dir, args: DEBUG }));
    assert.deepEqual(await snapshot(hk.port), want);
    const hc = await RawClient.connect(hk.port);
    // they go on working as HLLs
    const rc2 = await RawClient.connect(redis.port);
    for (const k of ['h0', 'h1', 'h2', 'h3', 'h4', 'merged']) {
      assert.equal(await hc.command('PFADD', k, 'more', 'elements'), await rc2.command('PFADD', k, 'more', 'elements'));
      assert.equal(await hc.command('PFCOUNT', k), await rc2.command('PFCOUNT', k));
    }
    assert.equal(await hc.command('SAVE'), '+OK\r\n');
    hc.close();
    rc2.close();
    const want2 = await snapshot(redis.port);
    assert.deepEqual(await snapshot(hk.port), want2);
    const dir2 = tmpDir();
    fs.copyFileSync(path.join(dir, 'dump.rdb'), path.join(dir2, 'dump.rdb'));
    const redis2 = await track(startRedis(['--dir', dir2, ...DEBUG]));
    assert.deepEqual(await snapshot(redis2.port), want2);
    await Promise.all([redis.stop(), hk.stop(), redis2.stop()]);
  });
});
