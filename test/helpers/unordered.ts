// Comparing replies whose element order is not reproducible (hashtable-encoded hashes and sets: Redis
// walks its dict in hash order) and replies with random picks (SRANDMEMBER, SPOP, HRANDFIELD), plus
// the per-command counters (dirty, keyspace hits/misses) both servers report in INFO.
import assert from 'node:assert/strict';
import { show, type Pair } from './diff';
import { withPair, type Duo } from './duo';
import { replyLength, type RawClient } from './resp';

/** Small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An aggregate reply split into its header line ('*3', '~2', '%1' ...) and the raw text of each element
 *  (a map gives two elements per entry). A non-aggregate reply comes back with no items. */
export function splitAggregate(reply: string): { head: string; items: string[] } {
  const nl = reply.indexOf('\r\n');
  const head = reply.slice(0, nl);
  if (!'*~%>'.includes(head[0]) || head === '*-1') return { head, items: [] };
  const buf = Buffer.from(reply, 'latin1');
  const items: string[] = [];
  let pos = nl + 2;
  while (pos < buf.length) {
    const n = replyLength(buf, pos);
    assert.ok(n > 0, `bad reply ${show(reply)}`);
    items.push(buf.toString('latin1', pos, pos + n));
    pos += n;
  }
  return { head, items };
}

/** The text of a bulk string element ("$3\r\nabc\r\n" -> "abc"). */
export function bulkText(item: string): string {
  assert.equal(item[0], '$', `not a bulk string: ${show(item)}`);
  return item.slice(item.indexOf('\r\n') + 2, -2);
}

/** Canonical form of an aggregate whose order does not matter: its elements sorted; with `pairs`, the
 *  elements are taken two by two (field/value lists, maps) and the pairs are sorted. */
export function canonical(reply: string, pairs = false): string {
  const { head, items } = splitAggregate(reply);
  if (items.length === 0) return reply;
  const units: string[] = [];
  if (pairs) for (let i = 0; i < items.length; i += 2) units.push(items[i] + items[i + 1]);
  else units.push(...items);
  return head + '\r\n' + units.sort().join('');
}

/** Send a command to both servers and compare the replies ignoring element order. Returns hotkv's. */
export async function sameUnordered(p: Pair, args: string[], pairs = false): Promise<string> {
  const [h, r] = await Promise.all([p.h.command(...args), p.r.command(...args)]);
  assert.equal(show(canonical(h, pairs)), show(canonical(r, pairs)), `reply to ${show(args.join(' '))} differs (hotkv vs redis, order ignored)`);
  return h;
}

/** A *SCAN reply's cursor and element texts. */
export function scanReply(reply: string): { cursor: string; items: string[] } {
  const { items } = splitAggregate(reply);
  assert.equal(items.length, 2, `bad scan reply ${show(reply)}`);
  return { cursor: bulkText(items[0]), items: splitAggregate(items[1]).items.map(bulkText) };
}

/** Run a full *SCAN (`args` holds the key and options; the cursor goes first) on one server; every
 *  element text it returned, in order (pairs flattened for HSCAN). */
export async function fullScan(c: RawClient, cmd: string, key: string, opts: string[] = []): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  for (let calls = 0; ; calls++) {
    assert.ok(calls < 100000, 'scan does not end');
    const r = scanReply(await c.command(cmd, key, cursor, ...opts));
    out.push(...r.items);
    cursor = r.cursor;
    if (cursor === '0') return out;
  }
}

/**
 * Check a reply of random picks: `head` is the aggregate type expected ('*' or '~'), `n` the number of
 * picks expected, every pick a member of `universe`; `unique` picks must all differ. With `values`,
 * each pick is a field followed by its value (flat, or `*2` pairs when `pairs`). Returns the picks.
 */
export function checkPicks(reply: string, opts: {
  head: string; n: number; universe: ReadonlyMap<string, string> | ReadonlySet<string>; unique: boolean;
  values?: boolean; pairs?: boolean; what: string;
}): string[] {
  const { head, items } = splitAggregate(reply);
  const per = opts.values && !opts.pairs ? 2 : 1;
  assert.equal(head, opts.head + opts.n * per, `${opts.what}: header of ${show(reply.slice(0, 200))}`);
  const picks: string[] = [];
  for (let i = 0; i < items.length; i += per) {
    let field: string;
    let value: string | null = null;
    if (opts.values && opts.pairs) {
      const pair = splitAggregate(items[i]);
      assert.equal(pair.head, '*2', `${opts.what}: a pair is an array of 2`);
      field = bulkText(pair.items[0]);
      value = bulkText(pair.items[1]);
    } else {
      field = bulkText(items[i]);
      if (opts.values) value = bulkText(items[i + 1]);
    }
    assert.ok(opts.universe.has(field), `${opts.what}: ${show(field)} is not a member`);
    if (value !== null) assert.equal(value, (opts.universe as ReadonlyMap<string, string>).get(field), `${opts.what}: value of ${show(field)}`);
    picks.push(field);
  }
  if (opts.unique) assert.equal(new Set(picks).size, picks.length, `${opts.what}: repeated picks ${show(picks.join(','))}`);
  return picks;
}

/** A numeric INFO field of one server. */
export async function infoNumber(c: RawClient, section: string, field: string): Promise<number> {
  const text = bulkText(await c.command('INFO', section));
  const m = new RegExp(`^${field}:(-?\\d+)`, 'm').exec(text);
  assert.ok(m, `INFO ${section} has no ${field}`);
  return Number(m[1]);
}

const COUNTERS: [string, string][] = [
  ['persistence', 'rdb_changes_since_last_save'], ['stats', 'keyspace_hits'], ['stats', 'keyspace_misses'],
];

async function counters(c: RawClient): Promise<number[]> {
  const out: number[] = [];
  for (const [section, field] of COUNTERS) out.push(await infoNumber(c, section, field));
  return out;
}

/**
 * Run each command on both servers (replies compared with `compare`: exact by default) and check that
 * it changed the dirty counter and the keyspace hits/misses by the same amounts on both.
 */
export async function sameCounters(p: Pair, steps: string[][],
  compare: (args: string[]) => Promise<unknown> = (args) => p.same(...args)): Promise<void> {
  for (const args of steps) {
    const [h0, r0] = await Promise.all([counters(p.h), counters(p.r)]);
    await compare(args);
    const [h1, r1] = await Promise.all([counters(p.h), counters(p.r)]);
    const hd = h1.map((x, i) => x - h0[i]);
    const rd = r1.map((x, i) => x - r0[i]);
    assert.deepEqual(hd, rd, `${show(args.join(' '))}: [dirty, hits, misses] deltas differ (hotkv vs redis)`);
  }
}

/** Switch both persistent connections of the pair to RESP `proto` (HELLO replies differ: not compared). */
export async function hello(p: Pair, proto: '2' | '3'): Promise<void> {
  const [h, r] = await Promise.all([p.h.command('HELLO', proto), p.r.command('HELLO', proto)]);
  assert.equal(h[0], r[0], `HELLO ${proto}: ${show(h.slice(0, 40))} vs ${show(r.slice(0, 40))}`);
}

/**
 * Keyspace events: subscribe connection 'sub' to all of them, enable `flags` through connection 'w',
 * run each step on 'w' and compare what the subscriber got after it. Steps for which `random` is true
 * (random picks) have their replies read but not compared. Returns the number of events seen.
 */
export async function sameEvents(d: Duo, steps: string[][], flags = 'KEAn', random: (args: string[]) => boolean = () => false): Promise<number> {
  await d.cmdN('sub', 1, 'PSUBSCRIBE', '__key*__:*');
  await d.cmd('w', 'CONFIG', 'SET', 'notify-keyspace-events', flags);
  let events = 0;
  for (const step of steps) {
    if (random(step)) {
      await d.send('w', ...step);
      await d.readBoth('w', 1);
    } else {
      await d.cmd('w', ...step);
    }
    events += ((await d.drain('sub')).match(/pmessage/g) ?? []).length;
  }
  return events;
}

/** withPair() for event tests: notifications are switched off again after each test. */
export function withEventsPair(): ReturnType<typeof withPair> {
  return withPair([], async (p) => {
    await p.same('CONFIG', 'SET', 'notify-keyspace-events', '');
  });
}

/** Run `steps` seeded steps; a failure names the step and the seed to rerun it with. */
export async function seededMix(what: string, seed: number, steps: number, step: (i: number) => Promise<void>): Promise<void> {
  let i = 0;
  try {
    for (i = 0; i < steps; i++) await step(i);
  } catch (e) {
    throw new Error(`${what} failed at step ${i} (seed ${seed}, rerun with HOTKV_TEST_SEED=${seed}): ${(e as Error).message}`);
  }
}
