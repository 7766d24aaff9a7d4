// The set command family, compared with redis-server 7.0: every command, option and error, WRONGTYPE,
// intsets (sorted, exact) and hashtables (order ignored), conversions at set-max-intset-entries and
// the encodings of computed sets, RESP3 forms, SPOP/SRANDMEMBER contracts, SSCAN, keyspace events,
// dirty/hit counters, WATCH, COPY/RENAME/MOVE, and a seeded random mix of all the commands.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import {
  bulkText, canonical, checkPicks, fullScan, hello, prng, sameCounters, sameEvents, seededMix, sameUnordered, splitAggregate,
  withEventsPair,
} from './helpers/unordered';

const SEED = Number(process.env.HOTKV_TEST_SEED ?? 20240612);

/** The members of a set on one server. */
async function members(c: Pair['h'], key: string): Promise<Set<string>> {
  return new Set(splitAggregate(await c.command('SMEMBERS', key)).items.map(bulkText));
}

/** Compare a reply exactly when the result is an intset-like sorted reply on both, else ignoring order;
 *  `encKey` names the key whose encoding decides (compared first). */
async function sameByEncoding(p: Pair, encKey: string, args: string[]): Promise<void> {
  const enc = await p.same('OBJECT', 'ENCODING', encKey);
  if (enc.includes('hashtable')) await sameUnordered(p, args);
  else await p.same(...args);
}

function ints(from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i <= to; i++) out.push(String(i));
  return out;
}

describe('set commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });
  afterEach(async () => {
    await hello(p, '2');
    await p.same('CONFIG', 'SET', 'set-max-intset-entries', '512');
    await p.reset();
  });

  it('SADD SREM SISMEMBER SMISMEMBER SCARD SMEMBERS on intsets: sorted, exact', async () => {
    await p.script([
      ['SADD', 's', '5', '-3', '100', '0', '5', '-9223372036854775808', '9223372036854775807', '42'], ['SMEMBERS', 's'],
      ['OBJECT', 'ENCODING', 's'], ['SCARD', 's'], ['SISMEMBER', 's', '5'], ['SISMEMBER', 's', '05'], ['SISMEMBER', 's', '+5'],
      ['SISMEMBER', 's', '-0'], ['SISMEMBER', 's', '0'], ['SISMEMBER', 's', 'x'], ['SISMEMBER', 's', '9223372036854775808'],
      ['SISMEMBER', 'nokey', '1'], ['SMISMEMBER', 's', '5', 'x', '-3', '05'], ['SMISMEMBER', 'nokey', 'a', 'b'],
      ['SREM', 's', '5', '7', '05', 'x'], ['SMEMBERS', 's'], ['SREM', 'nokey', 'a'], ['SCARD', 'nokey'], ['SMEMBERS', 'nokey'],
      ['SADD', 's', '-1', '1', '-100', '99', '1000000', '-1000000'], ['SMEMBERS', 's'], ['SRANDMEMBER', 's', '100'],
      ['SREM', 's', '-9223372036854775808', '9223372036854775807', '0', '-3', '100', '42', '-1', '1', '-100', '99', '1000000', '-1000000'],
      ['EXISTS', 's'], ['SADD', 'one', '7'], ['SREM', 'one', '7', '8'], ['EXISTS', 'one'],
      ['SADD', 's'], ['SREM', 's'], ['SISMEMBER', 's'], ['SMISMEMBER', 's'], ['SCARD'], ['SMEMBERS'], ['SPOP'], ['SRANDMEMBER'],
      ['SMOVE', 'a', 'b'], ['SINTER'], ['SINTERCARD', '1'], ['SINTERSTORE', 'd'], ['SUNION'], ['SUNIONSTORE', 'd'], ['SDIFF'],
      ['SDIFFSTORE', 'd'], ['SSCAN', 's'], ['sAdD', 'low', 'x'], ['smembers', 'low'],
    ]);
  });

  it('intset -> hashtable: non-integer members and set-max-intset-entries, one way', async () => {
    await p.script([
      // texts that are not canonical int64 make a hashtable
      ['SADD', 'a', '1', '01'], ['OBJECT', 'ENCODING', 'a'], ['SADD', 'b', '+1'], ['OBJECT', 'ENCODING', 'b'],
      ['SADD', 'c', '-0'], ['OBJECT', 'ENCODING', 'c'], ['SADD', 'd', ' 1'], ['OBJECT', 'ENCODING', 'd'],
      ['SADD', 'e', '9223372036854775808'], ['OBJECT', 'ENCODING', 'e'], ['SADD', 'f', '-9223372036854775809'], ['OBJECT', 'ENCODING', 'f'],
      ['SADD', 'g', '1.0'], ['OBJECT', 'ENCODING', 'g'], ['SADD', 'h', ''], ['OBJECT', 'ENCODING', 'h'],
      ['SADD', 'i', 'x', '1'], ['OBJECT', 'ENCODING', 'i'], ['SADD', 'j', '1', '2', 'x'], ['OBJECT', 'ENCODING', 'j'],
      ['SREM', 'j', 'x'], ['OBJECT', 'ENCODING', 'j'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '4'], ['SADD', 'k', '4', '3', '2', '1'], ['OBJECT', 'ENCODING', 'k'],
      ['SMEMBERS', 'k'], ['SADD', 'k', '2'], ['OBJECT', 'ENCODING', 'k'], ['SADD', 'k', '0'], ['OBJECT', 'ENCODING', 'k'],
      ['SREM', 'k', '0', '1', '2'], ['OBJECT', 'ENCODING', 'k'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '0'], ['SADD', 'z', '1'], ['OBJECT', 'ENCODING', 'z'],
    ]);
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'z']) await sameByEncoding(p, key, ['SMEMBERS', key]);
  });

  it('WRONGTYPE for every set command on other types, and other families on sets', async () => {
    await p.script([['SET', 'str', 'x'], ['HSET', 'h', 'f', 'v'], ['SADD', 's', '1', '2']]);
    for (const key of ['str', 'h']) {
      await p.script([
        ['SADD', key, 'a'], ['SREM', key, 'a'], ['SISMEMBER', key, 'a'], ['SMISMEMBER', key, 'a'], ['SCARD', key], ['SMEMBERS', key],
        ['SPOP', key], ['SPOP', key, '0'], ['SPOP', key, '2'], ['SRANDMEMBER', key], ['SRANDMEMBER', key, '0'], ['SRANDMEMBER', key, '-2'],
        ['SMOVE', key, 's', '1'], ['SMOVE', 's', key, '1'], ['SMOVE', 's', key, 'nosuch'], ['SMOVE', 'nokey', key, '1'],
        ['SINTER', 's', key], ['SINTER', 'nokey', key], ['SINTER', key, 'nokey'], ['SINTERCARD', '2', 'nokey', key],
        ['SINTERSTORE', 'd', 's', key], ['SUNION', 'nokey', key], ['SUNIONSTORE', 'd', key], ['SDIFF', 's', key], ['SDIFF', 'nokey', key],
        ['SDIFFSTORE', 'd', key], ['SSCAN', key, '0'],
        // argument errors come before the type check
        ['SPOP', key, 'x'], ['SPOP', key, '-1'], ['SRANDMEMBER', key, 'x'], ['SSCAN', key, 'x'], ['SPOP', key, '1', '2'],
        ['SRANDMEMBER', key, '1', '2'], ['SINTERCARD', '2', key], ['SINTERCARD', '1', key, 'LIMIT', '-1'],
      ]);
    }
    await p.script([['SINTERSTORE', 'str', 's', 's'], ['TYPE', 'str'], ['GET', 's'], ['HGET', 's', 'a'], ['INCR', 's'], ['EXISTS', 'd']]);
  });

  it('SMOVE: every case', async () => {
    await p.same('CONFIG', 'SET', 'set-max-intset-entries', '3');
    await p.script([
      ['SADD', 'src', '1', '2', 'x'], ['SADD', 'dst', '2'], ['SMOVE', 'src', 'dst', '1'], ['SMOVE', 'src', 'dst', '2'], ['SMEMBERS', 'dst'],
      ['SMOVE', 'src', 'dst', 'nosuch'], ['SMOVE', 'nokey', 'dst', '1'], ['SMOVE', 'src', 'src', 'x'], ['SMOVE', 'src', 'src', 'nosuch'],
      ['SMOVE', 'src', 'new1', 'x'], ['EXISTS', 'src'], ['OBJECT', 'ENCODING', 'new1'], ['SMEMBERS', 'new1'],
      ['SADD', 'src', '5'], ['SMOVE', 'src', 'new2', '5'], ['OBJECT', 'ENCODING', 'new2'], ['EXISTS', 'src'],
      ['SADD', 'src', '7'], ['SMOVE', 'src', 'dst', '7'], ['SMEMBERS', 'dst'], ['OBJECT', 'ENCODING', 'dst'],
      ['SADD', 'src', '8'], ['SMOVE', 'src', 'dst', '8'], ['OBJECT', 'ENCODING', 'dst'], ['SADD', 'src', 'y'], ['SMOVE', 'src', 'new2', 'y'],
      ['OBJECT', 'ENCODING', 'new2'],
    ]);
    await sameUnordered(p, ['SMEMBERS', 'new2']);
    await sameUnordered(p, ['SMEMBERS', 'dst']);
  });

  it('SINTER SINTERCARD SUNION SDIFF and their STORE forms: results, encodings, destination handling', async () => {
    await p.same('CONFIG', 'SET', 'set-max-intset-entries', '8');
    await p.script([
      ['SADD', 'i1', ...ints(1, 6)], ['SADD', 'i2', ...ints(4, 9)], ['SADD', 'i3', ...ints(5, 7)], ['SADD', 'm', '5', '6', 'a', 'b'],
      ['SADD', 'big', ...ints(1, 20)], ['SADD', 'w', 'a', 'b', 'c'],
      ['SINTER', 'i1', 'i2'], ['SINTER', 'i1', 'i2', 'i3'], ['SINTER', 'i1'], ['SINTER', 'i1', 'i1'], ['SINTER', 'i1', 'nokey'],
      ['SINTER', 'nokey'], ['SMEMBERS', 'nokey'], ['SINTER', 'i3', 'big'], ['SINTER', 'big', 'i3'],
      ['SINTERCARD', '2', 'i1', 'i2'], ['SINTERCARD', '3', 'i1', 'i2', 'i3'], ['SINTERCARD', '2', 'i1', 'i2', 'LIMIT', '1'],
      ['SINTERCARD', '2', 'i1', 'i2', 'LIMIT', '0'], ['SINTERCARD', '2', 'i1', 'i2', 'limit', '100'], ['SINTERCARD', '1', 'nokey'],
      ['SINTERCARD', '2', 'i1', 'nokey'], ['SINTERCARD', '1', 'i1', 'LIMIT', '2', 'LIMIT', '3'],
      ['SINTERCARD', 'x', 'i1'], ['SINTERCARD', '0', 'i1'], ['SINTERCARD', '-1', 'i1'], ['SINTERCARD', '3', 'i1', 'i2'],
      ['SINTERCARD', '9223372036854775808', 'i1'], ['SINTERCARD', '1', 'i1', 'LIMIT'], ['SINTERCARD', '1', 'i1', 'LIMIT', 'x'],
      ['SINTERCARD', '1', 'i1', 'FOO', '1'], ['SINTERCARD', '1', 'i1', 'LIMIT', '9223372036854775807'],
      ['SUNION', 'i1', 'nokey', 'i3'], ['SUNION', 'nokey'], ['SDIFF', 'i1', 'i2'], ['SDIFF', 'i2', 'i1', 'i3'],
      ['SDIFF', 'i1', 'i1'], ['SDIFF', 'i1', 'nokey'], ['SDIFF', 'nokey', 'i1'], ['SDIFF', 'i1', 'i2', 'i1'],
      // stored results: intset when all integers and small, whatever the sources were
      ['SINTERSTORE', 'd1', 'm', 'i1'], ['OBJECT', 'ENCODING', 'd1'], ['SMEMBERS', 'd1'],
      ['SUNIONSTORE', 'd2', 'i1', 'i2'], ['OBJECT', 'ENCODING', 'd2'], ['SUNIONSTORE', 'd3', 'i1', 'i3'], ['OBJECT', 'ENCODING', 'd3'],
      ['SMEMBERS', 'd3'], ['SDIFFSTORE', 'd4', 'big', 'i2'], ['OBJECT', 'ENCODING', 'd4'],
      ['SDIFFSTORE', 'd5', 'i1', 'big'], ['EXISTS', 'd5'], ['SDIFFSTORE', 'd5', 'm', 'w'], ['OBJECT', 'ENCODING', 'd5'], ['SMEMBERS', 'd5'],
      // DIFF algorithm 2 (a big first set, small others) adds everything first: a hashtable even if the rest fits
      ['SADD', 'a12', ...ints(1, 12)], ['SADD', 'b2', '1', '2'], ['SADD', 'c2', '3', '4'], ['SDIFFSTORE', 'd6', 'a12', 'b2', 'c2'],
      ['OBJECT', 'ENCODING', 'd6'], ['SDIFFSTORE', 'd6', 'a12', 'b2', 'c2', 'nokey'], ['OBJECT', 'ENCODING', 'd6'],
      ['SDIFFSTORE', 'd6', 'a12', 'b2'], ['OBJECT', 'ENCODING', 'd6'],
      ['SADD', 'big2', ...ints(1, 40)], ['SADD', 'few', ...ints(10, 40)], ['SDIFFSTORE', 'd7', 'big2', 'few'], ['OBJECT', 'ENCODING', 'd7'],
      ['SADD', 'mixed', 'x', ...ints(1, 3)], ['SADD', 'rmx', 'x'], ['SDIFFSTORE', 'd8', 'mixed', 'rmx'],
      ['OBJECT', 'ENCODING', 'd8'],
      // destinations: overwritten (TTL dropped, other types too), deleted when the result is empty
      ['SET', 'd1', 'string'], ['EXPIRE', 'd1', '1000'], ['SUNIONSTORE', 'd1', 'i3'], ['TTL', 'd1'], ['TYPE', 'd1'],
      ['SINTERSTORE', 'd1', 'i1', 'w'], ['EXISTS', 'd1'], ['SINTERSTORE', 'd1', 'i1', 'w'], ['SET', 'd1', 'x'],
      ['SINTERSTORE', 'd1', 'i1', 'nokey'], ['EXISTS', 'd1'], ['SDIFFSTORE', 'd2', 'i1', 'i1'], ['EXISTS', 'd2'],
      ['SUNIONSTORE', 'd3', 'nokey'], ['EXISTS', 'd3'], ['SUNIONSTORE', 'i1', 'i1', 'i3'], ['SMEMBERS', 'i1'],
      ['SINTERSTORE', 'i2', 'i2', 'i3'], ['SMEMBERS', 'i2'], ['SDIFFSTORE', 'i3', 'i3', 'i2'], ['EXISTS', 'i3'],
    ]);
    // results that are hashtables: order ignored
    for (const args of [['SUNION', 'i1', 'i2'], ['SDIFF', 'big', 'i1'], ['SINTER', 'm', 'i1'], ['SINTER', 'm', 'w'], ['SUNION', 'm', 'w', 'i1'], ['SDIFF', 'm', 'i1'], ['SUNION', 'big', 'i1'], ['SMEMBERS', 'big'],
      ['SDIFF', 'big', 'nokey'], ['SMEMBERS', 'd4'], ['SMEMBERS', 'd6'], ['SMEMBERS', 'd7'], ['SMEMBERS', 'd8'], ['SINTER', 'big', 'big']]) {
      await sameUnordered(p, args);
    }
  });

  it('SPOP and SRANDMEMBER: every count case, structurally', async () => {
    await p.script([
      ['SPOP', 'nokey'], ['SPOP', 'nokey', '0'], ['SPOP', 'nokey', '5'], ['SPOP', 'nokey', '9223372036854775807'],
      ['SPOP', 'nokey', '9223372036854775808'], ['SPOP', 'nokey', '-1'], ['SPOP', 'nokey', 'x'], ['SPOP', 'nokey', '1', '2'],
      ['SRANDMEMBER', 'nokey'], ['SRANDMEMBER', 'nokey', '0'], ['SRANDMEMBER', 'nokey', '5'], ['SRANDMEMBER', 'nokey', '-5'],
      ['SRANDMEMBER', 'nokey', '-9223372036854775808'], ['SRANDMEMBER', 'nokey', '-9223372036854775807'], ['SRANDMEMBER', 'nokey', 'x'],
      ['SRANDMEMBER', 'nokey', '1', '2'],
      ['SADD', 'one', 'm'], ['SPOP', 'one', '0'], ['SRANDMEMBER', 'one', '0'], ['SRANDMEMBER', 'one'], ['SRANDMEMBER', 'one', '3'],
      ['SRANDMEMBER', 'one', '-3'], ['SPOP', 'one'], ['EXISTS', 'one'],
      // the whole set: in intset order, deleting the key for SPOP
      ['SADD', 'is', '9', '-4', '3', '12'], ['SRANDMEMBER', 'is', '4'], ['SRANDMEMBER', 'is', '100'], ['SPOP', 'is', '4'], ['EXISTS', 'is'],
      ['SADD', 'is', '9', '-4', '3', '12'], ['SPOP', 'is', '9223372036854775807'], ['EXISTS', 'is'],
    ]);
    await p.same('CONFIG', 'SET', 'set-max-intset-entries', '16');
    for (const proto of ['2', '3'] as const) {
      await hello(p, proto);
      for (const kind of ['intset', 'ints-ht', 'strings']) {
        const fill = (n: number) => (kind === 'strings' ? ints(1, n).map((x) => `m${x}`) : ints(1, n)).concat(
          kind === 'ints-ht' && n <= 16 ? ['x'] : []);
        // SRANDMEMBER over every case of a 12 (or 30) member set
        for (const size of [12, 30]) {
          const key = `r-${kind}-${size}`;
          await p.same('SADD', key, ...fill(size));
          if (kind === 'ints-ht' && size <= 16) await p.same('SREM', key, 'x'); // a hashtable holding integers only
          await p.same('OBJECT', 'ENCODING', key);
          for (const c of [p.h, p.r]) {
            const universe = await members(c, key);
            const n = universe.size;
            const what = (args: string[]) => `${c === p.h ? 'hotkv' : 'redis'} RESP${proto} ${args.join(' ')}`;
            assert.ok(universe.has(bulkText(await c.command('SRANDMEMBER', key))));
            for (const count of [1, 2, 3, 4, 5, n - 1, n, n + 1, -1, -2, -n, -3 * n]) {
              const args = ['SRANDMEMBER', key, String(count)];
              const picks = checkPicks(await c.command(...args), {
                head: '*', n: count < 0 ? -count : Math.min(count, n), universe, unique: count > 0, what: what(args),
              });
              if (count >= n && kind === 'intset') assert.deepEqual(picks, [...universe], `${what(args)}: intset order`);
            }
          }
        }
        // SPOP with count: case 1 (all), case 2 (few), case 3 (most); the rest stays consistent
        for (const [size, count] of [[12, 12], [12, 20], [12, 2], [12, 10], [12, 11], [30, 4], [30, 26], [30, 29]]) {
          const key = `p-${kind}-${size}-${count}`;
          await p.same('SADD', key, ...fill(size));
          if (kind === 'ints-ht' && size <= 16) await p.same('SREM', key, 'x');
          for (const c of [p.h, p.r]) {
            const before = await members(c, key);
            const args = ['SPOP', key, String(count)];
            const what = `${c === p.h ? 'hotkv' : 'redis'} RESP${proto} ${args.join(' ')} (${kind})`;
            const popped = checkPicks(await c.command(...args), {
              head: proto === '3' ? '~' : '*', n: Math.min(count, before.size), universe: before, unique: true, what,
            });
            const after = await members(c, key);
            assert.equal(after.size, before.size - popped.length, what);
            for (const x of popped) assert.ok(!after.has(x), `${what}: ${x} still there`);
            const sortedNumerically = [...popped].sort((a, b) => Number(a) - Number(b));
            if (count >= size && kind !== 'strings') assert.deepEqual(popped, sortedNumerically, `${what}: the whole set comes out as an intset`);
          }
          // encodings: CASE 3 rebuilds the rest (an intset when all integers), CASE 1 deletes the key
          await p.same('OBJECT', 'ENCODING', key);
          await p.same('SCARD', key);
        }
        // SPOP one by one until the key goes
        const key = `q-${kind}`;
        await p.same('SADD', key, ...fill(5));
        for (const c of [p.h, p.r]) {
          const all = await members(c, key);
          const got = new Set<string>();
          for (let i = 0; i < all.size; i++) got.add(bulkText(await c.command('SPOP', key)));
          assert.deepEqual([...got].sort(), [...all].sort());
          assert.equal(await c.command('EXISTS', key), ':0\r\n');
        }
        await p.same('SPOP', key);
      }
    }
  });

  it('SSCAN: intset whole, hashtable by cursor, MATCH, COUNT, errors', async () => {
    await p.script([
      ['SADD', 'is', ...ints(1, 100)], ['SSCAN', 'is', '0'], ['SSCAN', 'is', '0', 'COUNT', '1'], ['SSCAN', 'is', '77'],
      ['SSCAN', 'is', '0', 'MATCH', '*7'], ['SSCAN', 'is', '0', 'COUNT', '0'], ['SSCAN', 'is', '0', 'COUNT', 'x'], ['SSCAN', 'is', '0', 'MATCH'],
      ['SSCAN', 'is', '0', 'TYPE', 'set'], ['SSCAN', 'is', 'x'], ['SSCAN', 'is', '-1'], ['SSCAN', 'nokey', '0'], ['SSCAN', 'nokey', '0', 'FOO'],
      ['SSCAN', 'nokey', '-'],
    ]);
    await p.same('SADD', 'ht', 'x', ...ints(1, 400));
    for (const opts of [[], ['COUNT', '1'], ['COUNT', '13'], ['MATCH', '1*'], ['MATCH', 'x', 'COUNT', '5'], ['COUNT', '1000']]) {
      const [h, r] = await Promise.all([fullScan(p.h, 'SSCAN', 'ht', opts), fullScan(p.r, 'SSCAN', 'ht', opts)]);
      assert.deepEqual([...new Set(h)].sort(), [...new Set(r)].sort(), `SSCAN ht ${opts.join(' ')}`);
      assert.equal(h.length, new Set(h).size, 'hotkv returns each member once');
    }
  });

  it('RESP3: set replies, SRANDMEMBER arrays, SMISMEMBER', async () => {
    await hello(p, '3');
    await p.script([
      ['SADD', 's', '3', '1', '2'], ['SMEMBERS', 's'], ['SMEMBERS', 'nokey'], ['SINTER', 's', 'nokey'], ['SINTER', 's', 's'], ['SUNION', 's'],
      ['SUNION', 'nokey'], ['SDIFF', 's', 'nokey'], ['SDIFF', 'nokey', 's'], ['SINTERCARD', '1', 's'], ['SMISMEMBER', 's', '1', '5'],
      ['SRANDMEMBER', 's', '5'], ['SRANDMEMBER', 's', '0'], ['SRANDMEMBER', 'nokey', '3'], ['SRANDMEMBER', 'nokey'], ['SPOP', 'nokey'],
      ['SPOP', 'nokey', '3'], ['SPOP', 's', '0'], ['SSCAN', 's', '0'], ['SISMEMBER', 's', '1'], ['SPOP', 's', '3'], ['SRANDMEMBER', 's', '-2'],
    ]);
  });

  it('dirty counter and keyspace hits/misses move as in Redis', async () => {
    await sameCounters(p, [
      ['SADD', 's', '1', '2', '3'], ['SADD', 's', '1'], ['SADD', 's', '4', '4', 'x'], ['SREM', 's', 'nope'], ['SREM', 's', '1', 'x', 'zz'],
      ['SREM', 'nokey', 'a'], ['SISMEMBER', 's', '2'], ['SISMEMBER', 'nokey', '2'], ['SMISMEMBER', 'nokey', '1'], ['SCARD', 's'],
      ['SCARD', 'nokey'], ['SMEMBERS', 'nokey'], ['SMOVE', 's', 't', '2'], ['SMOVE', 's', 't', 'nope'], ['SMOVE', 'nokey', 't', '2'],
      ['SADD', 's', '2'], ['SMOVE', 's', 't', '2'], ['SMOVE', 't', 't', '2'], ['SINTER', 's', 'nokey', 't'], ['SINTERCARD', '2', 's', 't'],
      ['SINTERSTORE', 'd', 's', 't'], ['SINTERSTORE', 'd', 'nokey', 's'], ['SINTERSTORE', 'd', 'nokey', 's'], ['SUNION', 's', 'nokey'],
      ['SUNIONSTORE', 'd', 's', 't'], ['SDIFFSTORE', 'd', 's', 's'], ['SDIFFSTORE', 'd', 's', 's'], ['SDIFF', 'nokey', 's'],
      ['SSCAN', 'nokey', '0'], ['SRANDMEMBER', 'nokey'], ['SRANDMEMBER', 'nokey', '3'], ['SPOP', 'nokey'],
      ['SPOP', 'nokey', '2'], ['SPOP', 's', '0'], ['SADD', 'big', ...ints(1, 20)], ['SPOP', 'big', '30'], ['EXISTS', 'big'],
    ]);
    await p.same('SADD', 'big', ...ints(1, 20));
    await sameCounters(p, [['SSCAN', 's', '0'], ['SPOP', 'big'], ['SPOP', 'big', '2'], ['SPOP', 'big', '16'], ['SRANDMEMBER', 'big'], ['SRANDMEMBER', 'big', '-4']],
      (args) => Promise.all([p.h.command(...args), p.r.command(...args)]));
  });

  it('WATCH sees exactly the writes Redis signals', async () => {
    const steps: string[][] = [
      ['SADD', 's', '1'], ['SADD', 's', '1'], ['SREM', 's', 'zz'], ['SREM', 'nokey', 'a'], ['SADD', 't', '1'], ['SMOVE', 's', 't', '1'],
      ['SADD', 's', '1', '2'], ['SMOVE', 's', 't', '1'], ['SMOVE', 's', 't', '9'], ['SMOVE', 's', 's', '2'], ['SMOVE', 'nokey', 's', '1'],
      ['SPOP', 's', '0'], ['SPOP', 'nokey'], ['SINTERSTORE', 'd', 's', 'nokey'], ['SUNIONSTORE', 'd', 's'], ['SUNIONSTORE', 'd', 's'],
      ['SDIFFSTORE', 'd', 's', 's'], ['SINTER', 's', 't'], ['SPOP', 's', '5'],
    ];
    for (const step of steps) {
      await p.script([['WATCH', step[1]], step, ['MULTI'], ['PING'], ['EXEC']]);
      if (step[0] === 'SMOVE') await p.script([['WATCH', step[2]], step, ['MULTI'], ['PING'], ['EXEC']]);
    }
  });

  it('COPY, RENAME, MOVE of sets: independent copies, encodings kept', async () => {
    await p.same('CONFIG', 'SET', 'set-max-intset-entries', '3');
    await p.script([
      ['SADD', 'is', '3', '1', '2'], ['SADD', 'ht', 'a', 'b', 'c'], ['SADD', 'hti', '1', '2', '3', '4'], ['COPY', 'is', 'is2'],
      ['COPY', 'ht', 'ht2'], ['COPY', 'hti', 'hti2'], ['OBJECT', 'ENCODING', 'is2'], ['OBJECT', 'ENCODING', 'ht2'], ['OBJECT', 'ENCODING', 'hti2'],
      ['SADD', 'is2', '0'], ['SREM', 'ht2', 'a'],
    ]);
    await sameUnordered(p, ['SMEMBERS', 'is2']);
    await sameUnordered(p, ['SPOP', 'hti2', '4']); // the whole set, as a hashtable (4 > 3 members)
    await p.script([
      ['SMEMBERS', 'is'], ['SCARD', 'ht'],
      ['SCARD', 'ht2'], ['SISMEMBER', 'ht', 'a'], ['SCARD', 'hti'], ['EXISTS', 'hti2'], ['RENAME', 'is', 'is3'], ['SMEMBERS', 'is3'],
      ['MOVE', 'is3', '4'], ['SELECT', '4'], ['SMEMBERS', 'is3'], ['OBJECT', 'ENCODING', 'is3'], ['SADD', 'is3', '9'], ['SELECT', '0'],
      ['SCARD', 'is2'], ['DEL', 'ht', 'ht2', 'hti', 'is2'], ['DBSIZE'],
      // writes keep the TTL, SPOP's CASE 3 (which builds a new set) too
      ['SADD', 't', ...ints(1, 20)], ['EXPIRE', 't', '1000'], ['SADD', 't', 'x'], ['SREM', 't', 'x'], ['SMOVE', 't', 'u', '1'],
      ['PERSIST', 't'], ['EXPIRE', 't', '1000'],
    ]);
    await Promise.all([p.h.command('SPOP', 't', '17'), p.r.command('SPOP', 't', '17')]);
    await p.script([['SCARD', 't'], ['PERSIST', 't'], ['EXPIRE', 't', '1000']]);
    await Promise.all([p.h.command('SPOP', 't'), p.r.command('SPOP', 't')]);
    await p.script([['PERSIST', 't']]);
  });

  it('a seeded random mix of set commands', async () => {
    const seed = SEED;
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const keys = ['s0', 's1', 's2', 's3', 'str'];
    const member = () => (rnd() < 0.7 ? String(Math.floor(rnd() * 24) - 6) : pick(['a', 'b', 'c', 'x y', '', '01', '-0', '9223372036854775807']));
    const ms = (): string[] => Array.from({ length: 1 + Math.floor(rnd() * 4) }, member);
    const ks = (): string[] => Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(keys));
    await p.script([['SET', 'str', 'x'], ['CONFIG', 'SET', 'set-max-intset-entries', '10']]);
    await seededMix('random set mix', seed, 2500, async () => {
      const key = pick(keys);
      const r = rnd();
      let args: string[];
      if (r < 0.25) args = ['SADD', key, ...ms()];
      else if (r < 0.37) args = ['SREM', key, ...ms()];
      else if (r < 0.42) args = ['SMOVE', key, pick(keys), member()];
      else if (r < 0.5) args = [pick(['SISMEMBER', 'SMISMEMBER']), key, ...ms()];
      else if (r < 0.55) args = [pick(['SCARD', 'OBJECT', 'EXISTS']), key];
      else if (r < 0.62) args = [pick(['SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE']), pick(keys), ...ks()];
      else if (r < 0.65) args = ['SINTERCARD', '2', key, pick(keys), ...(rnd() < 0.5 ? ['LIMIT', String(Math.floor(rnd() * 4))] : [])];
      else if (r < 0.85) args = [pick(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'SSCAN']), key];
      else if (r < 0.93) args = ['SRANDMEMBER', key, ...(rnd() < 0.3 ? [] : [String(Math.floor(rnd() * 20) - 8)])];
      else args = ['SPOP', key, ...(rnd() < 0.4 ? [] : [String(Math.floor(rnd() * 8))])];
      if (args[0] === 'OBJECT') args = ['OBJECT', 'ENCODING', key];
      if (['SINTER', 'SUNION', 'SDIFF'].includes(args[0]) && rnd() < 0.7) args.push(...ks());
      if (args[0] === 'SSCAN') args.push('0', 'COUNT', '1000');
      if (['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'SSCAN'].includes(args[0])) {
        // exact for an intset (sorted), order ignored otherwise (the key's encoding is compared first)
        const exact = args.length <= 2 || args[0] === 'SSCAN' ? (await p.same('OBJECT', 'ENCODING', key)).includes('intset') : false;
        const [h, rr] = await Promise.all([p.h.command(...args), p.r.command(...args)]);
        const body = (x: string) => (args[0] === 'SSCAN' && x[0] === '*' ? splitAggregate(x).items[1] : x);
        if (exact) assert.equal(show(h), show(rr), show(args.join(' ')));
        else assert.equal(show(canonical(body(h))), show(canonical(body(rr))), show(args.join(' ')));
      } else if ((args[0] === 'SRANDMEMBER' || args[0] === 'SPOP') && args.length <= 3) {
        const [hu, ru] = await Promise.all([members(p.h, key).catch(() => new Set<string>()), members(p.r, key).catch(() => new Set<string>())]);
        const [h, rr] = await Promise.all([p.h.command(...args), p.r.command(...args)]);
        if (h[0] === '-' || h === '$-1\r\n' || /^[*~]0\r\n$/.test(h)) {
          assert.equal(show(h), show(rr), show(args.join(' ')));
        } else {
          for (const [reply, universe] of [[h, hu], [rr, ru]] as const) {
            if (args.length === 2) {
              assert.ok(universe.has(bulkText(reply)), `${args.join(' ')}: ${show(reply)}`);
              continue;
            }
            const n = Number(args[2]);
            checkPicks(reply, {
              head: '*', n: n < 0 ? -n : Math.min(n, universe.size), universe, unique: n > 0, what: args.join(' '),
            });
          }
          if (args[0] === 'SPOP') {
            // the servers popped different members: give hotkv the members and encoding redis has left
            const left = [...await members(p.r, key)];
            const enc = await p.r.command('OBJECT', 'ENCODING', key);
            await p.h.command('DEL', key);
            if (left.length > 0 && enc.includes('hashtable')) {
              await p.h.command('SADD', key, 'x-force', ...left);
              await p.h.command('SREM', key, 'x-force');
            } else if (left.length > 0) {
              await p.h.command('SADD', key, ...left);
            }
            await p.same('OBJECT', 'ENCODING', key);
          }
        }
      } else {
        await p.same(...args);
      }
    });
    for (const key of keys) await sameByEncoding(p, key, ['SMEMBERS', key]);
  });
});

describe('set keyspace events match redis-server', () => {
  const t = withEventsPair();

  it('every write event (KEA and n), in order', async () => {
    const events = await sameEvents(t.d, [
      ['SADD', 's', '1', '2', '3'], ['SADD', 's', '1'], ['SREM', 's', 'zz'], ['SREM', 's', '3'], ['SREM', 'nokey', 'a'],
      ['SMOVE', 's', 't', '1'], ['SMOVE', 's', 't', '9'], ['SADD', 't', '2'], ['SMOVE', 's', 't', '2'], ['SMOVE', 't', 't', '2'],
      ['SADD', 'u', 'a', 'b'], ['SMOVE', 'u', 'u2', 'a'], ['SISMEMBER', 'u', 'b'], ['SMEMBERS', 't'],
      ['SINTERSTORE', 'd', 't', 'u2'], ['SINTERSTORE', 'd', 't', 't'], ['SINTERSTORE', 'd', 't', 'u2'], ['SINTERSTORE', 'd', 'nokey'],
      ['SUNIONSTORE', 'd', 't', 'u'], ['SUNIONSTORE', 'd', 'nokey'], ['SDIFFSTORE', 'd', 't', 'u'], ['SDIFFSTORE', 'd', 'u', 'u'],
      ['SADD', 'p', '1', '2', '3', '4', '5', '6'], ['SPOP', 'p', '0'], ['SPOP', 'p', '6'], ['SPOP', 'nokey', '2'],
      ['SADD', 'p', '1'], ['SPOP', 'p'], ['SET', 'str', 'v'], ['SADD', 'str', 'a'], ['DEL', 't', 'u', 'u2'],
      // SPOP with a count below the size: CASE 2 (few) and CASE 3 (most), then the key emptied one by one
      ['SADD', 'q', ...ints(1, 10)], ['SPOP', 'q', '2'], ['SPOP', 'q', '7'], ['SCARD', 'q'], ['SPOP', 'q'], ['SPOP', 'q'],
    ], 'KEAn', (args) => args[0] === 'SPOP' && args[2] !== '0' && args[2] !== '6');
    assert.ok(events > 40, `only ${events} events`);
  });
});
