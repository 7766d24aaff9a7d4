// The hash command family, compared with redis-server 7.0: every command, option and error, WRONGTYPE,
// the listpack order (exact) and the hashtable encoding (order ignored), conversions at the configured
// thresholds, RESP3 forms, HRANDFIELD's contracts, HSCAN, keyspace events, dirty/hit counters, WATCH,
// COPY/RENAME/MOVE, and a seeded random mix of all the commands.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import {
  bulkText, canonical, checkPicks, fullScan, hello, prng, sameCounters, sameEvents, seededMix, sameUnordered, scanReply, splitAggregate,
  withEventsPair,
} from './helpers/unordered';

const SEED = Number(process.env.HOTKV_TEST_SEED ?? 20240611);

/** Field -> value of a hash on one server (HGETALL). */
async function contents(c: Pair['h'], key: string): Promise<Map<string, string>> {
  const items = splitAggregate(await c.command('HGETALL', key)).items.map(bulkText);
  const m = new Map<string, string>();
  for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1]);
  return m;
}

describe('hash commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });
  afterEach(async () => {
    await hello(p, '2');
    await p.same('CONFIG', 'SET', 'hash-max-listpack-entries', '512', 'hash-max-listpack-value', '64');
    await p.reset();
  });

  it('HSET HMSET HSETNX HGET HMGET HLEN HSTRLEN HEXISTS, binary safe, arity', async () => {
    await p.script([
      ['HSET', 'h', 'a', '1', 'b', '2'], ['HSET', 'h', 'a', '3', 'c', '4'], ['HGET', 'h', 'a'], ['HGET', 'h', 'zz'], ['HGET', 'nokey', 'a'],
      ['HMSET', 'h', 'd', '5'], ['HMSET', 'h', 'd', '6', 'e', ''], ['HSETNX', 'h', 'd', 'x'], ['HSETNX', 'h', 'f', 'y'], ['HSETNX', 'new', 'f', 'y'],
      ['HMGET', 'h', 'a', 'zz', 'e', 'a'], ['HMGET', 'nokey', 'a', 'b'], ['HLEN', 'h'], ['HLEN', 'nokey'],
      ['HSTRLEN', 'h', 'a'], ['HSTRLEN', 'h', 'e'], ['HSTRLEN', 'h', 'zz'], ['HSTRLEN', 'nokey', 'a'],
      ['HEXISTS', 'h', 'e'], ['HEXISTS', 'h', 'zz'], ['HEXISTS', 'nokey', 'a'],
      ['HSET', 'bin', 'f\x00\r\n', 'v\xff\x00', '', 'empty-field'], ['HGET', 'bin', 'f\x00\r\n'], ['HGET', 'bin', ''], ['HGETALL', 'bin'],
      ['HSET', 'h'], ['HSET', 'h', 'a'], ['HSET', 'h', 'a', '1', 'b'], ['HMSET', 'h', 'a', '1', 'b'], ['HMSET', 'h', 'a'], ['hset', 'h', 'x'],
      ['HSETNX', 'h', 'a'], ['HGET', 'h'], ['HMGET', 'h'], ['HLEN'], ['HSTRLEN', 'h'], ['HEXISTS', 'h'], ['HDEL', 'h'],
      ['HKEYS'], ['HVALS', 'h', 'x'], ['HGETALL'], ['HINCRBY', 'h', 'a'], ['HINCRBYFLOAT', 'h', 'a'], ['HRANDFIELD'], ['HSCAN', 'h'],
      ['hSeT', 'h', 'lower', 'case'], ['HgetALL', 'h'],
    ]);
  });

  it('HDEL, HKEYS, HVALS, HGETALL: listpack order exactly, empty hash deleted', async () => {
    await p.script([
      ['HSET', 'h', 'z', '1', 'y', '2', 'x', '3', 'w', '4', 'v', '5'], ['HGETALL', 'h'], ['HSET', 'h', 'y', 'updated'],
      ['HKEYS', 'h'], ['HVALS', 'h'], ['HDEL', 'h', 'x', 'nope', 'x'], ['HGETALL', 'h'], ['HSET', 'h', 'x', 'back', 'a', 'new'],
      ['HGETALL', 'h'], ['HDEL', 'h', 'z', 'v'], ['HKEYS', 'h'], ['HDEL', 'nokey', 'a'], ['HKEYS', 'nokey'], ['HVALS', 'nokey'],
      ['HGETALL', 'nokey'], ['HDEL', 'h', 'y', 'w', 'x', 'a', 'more'], ['EXISTS', 'h'], ['HLEN', 'h'],
      ['HSET', 'h', '1', 'int', '-5', 'neg', '007', 'lead'], ['HGETALL', 'h'], ['OBJECT', 'ENCODING', 'h'], ['TYPE', 'h'],
    ]);
  });

  it('WRONGTYPE for every hash command on other types, and other families on hashes', async () => {
    await p.script([['SET', 's', 'x'], ['SADD', 'set', 'm'], ['HSET', 'h', 'f', 'v']]);
    for (const key of ['s', 'set']) {
      await p.script([
        ['HSET', key, 'a', '1'], ['HMSET', key, 'a', '1'], ['HSETNX', key, 'a', '1'], ['HGET', key, 'a'], ['HMGET', key, 'a'],
        ['HDEL', key, 'a'], ['HLEN', key], ['HSTRLEN', key, 'a'], ['HEXISTS', key, 'a'], ['HKEYS', key], ['HVALS', key],
        ['HGETALL', key], ['HINCRBY', key, 'a', '1'], ['HINCRBYFLOAT', key, 'a', '1'], ['HRANDFIELD', key],
        ['HRANDFIELD', key, '2'], ['HRANDFIELD', key, '-2', 'WITHVALUES'], ['HSCAN', key, '0'],
        // argument errors come before the type check
        ['HINCRBY', key, 'a', 'x'], ['HINCRBYFLOAT', key, 'a', 'x'], ['HINCRBYFLOAT', key, 'a', 'inf'], ['HSCAN', key, 'x'],
        ['HRANDFIELD', key, 'x'], ['HRANDFIELD', key, '1', 'x'],
      ]);
    }
    await p.script([
      ['GET', 'h'], ['APPEND', 'h', 'x'], ['INCR', 'h'], ['STRLEN', 'h'], ['SADD', 'h', 'x'], ['SMEMBERS', 'h'], ['TYPE', 'h'],
      ['HGET', 'h', 'f'],
    ]);
  });

  it('HINCRBY and HINCRBYFLOAT: numbers, limits and errors', async () => {
    await p.script([
      ['HINCRBY', 'h', 'n', '5'], ['HINCRBY', 'h', 'n', '-7'], ['HINCRBY', 'h', 'n', '0'], ['HGET', 'h', 'n'],
      ['HSET', 'h', 'max', '9223372036854775807', 'min', '-9223372036854775808', 'txt', 'abc', 'lead', '007', 'sp', ' 1', 'e', ''],
      ['HINCRBY', 'h', 'max', '1'], ['HINCRBY', 'h', 'max', '-1'], ['HINCRBY', 'h', 'min', '-1'], ['HINCRBY', 'h', 'min', '9223372036854775807'],
      ['HINCRBY', 'h', 'txt', '1'], ['HINCRBY', 'h', 'lead', '1'], ['HINCRBY', 'h', 'sp', '1'], ['HINCRBY', 'h', 'e', '1'],
      ['HINCRBY', 'h', 'n', '9223372036854775808'], ['HINCRBY', 'h', 'n', '1.5'], ['HINCRBY', 'h', 'n', ''], ['HINCRBY', 'h', 'n', '+1'],
      ['HINCRBY', 'h', 'n', '-9223372036854775808'], ['HINCRBY', 'h', 'n', '9007199254740993'], ['HINCRBY', 'h', 'n', '9007199254740993'],
      ['HINCRBYFLOAT', 'h', 'f', '10.5'], ['HINCRBYFLOAT', 'h', 'f', '0.1'], ['HINCRBYFLOAT', 'h', 'f', '-10.6'], ['HGET', 'h', 'f'],
      ['HINCRBYFLOAT', 'h', 'g', '1e3'], ['HINCRBYFLOAT', 'h', 'g', '-0.0001'], ['HINCRBYFLOAT', 'h', 'g', '0x10'], ['HINCRBYFLOAT', 'h', 'g', '1.5e-7'],
      ['HINCRBYFLOAT', 'h', 'lead', '1'], ['HINCRBYFLOAT', 'h', 'min', '1'], ['HINCRBYFLOAT', 'h', 'txt', '1'], ['HINCRBYFLOAT', 'h', 'sp', '1'],
      ['HINCRBYFLOAT', 'h', 'e', '1'], ['HINCRBYFLOAT', 'h', 'f', 'inf'], ['HINCRBYFLOAT', 'h', 'f', '-inf'], ['HINCRBYFLOAT', 'h', 'f', 'nan'],
      ['HINCRBYFLOAT', 'h', 'f', 'x'], ['HINCRBYFLOAT', 'h', 'f', ''], ['HINCRBYFLOAT', 'h', 'f', ' 1'],
      ['HSET', 'h', 'inf', 'inf', 'big', '1e4932'], ['HINCRBYFLOAT', 'h', 'inf', '1'], ['HINCRBYFLOAT', 'h', 'big', '1e4932'],
      ['HINCRBYFLOAT', 'h', 'big', '0'], ['HINCRBYFLOAT', 'h', 'z', '-0'], ['HINCRBYFLOAT', 'h', 'z', '1e-4940'],
      ['HINCRBYFLOAT', 'nokey', 'a', 'inf'], ['OBJECT', 'ENCODING', 'h'],
    ]);
    await sameUnordered(p, ['HGETALL', 'h'], true);
  });

  it('listpack -> hashtable at hash-max-listpack-entries / -value, one way', async () => {
    await p.same('CONFIG', 'SET', 'hash-max-listpack-entries', '4', 'hash-max-listpack-value', '8');
    const enc = (key: string) => p.same('OBJECT', 'ENCODING', key);
    await p.script([['HSET', 'e', 'a', '1', 'b', '2', 'c', '3', 'd', '4'], ['OBJECT', 'ENCODING', 'e'], ['HGETALL', 'e']]);
    await p.same('HSET', 'e', 'e', '5');
    await enc('e');
    await sameUnordered(p, ['HGETALL', 'e'], true);
    await p.script([['HDEL', 'e', 'a', 'b', 'c'], ['OBJECT', 'ENCODING', 'e']]); // never converts back
    // a value or a field longer than 8 bytes, by each command that writes
    await p.script([
      ['HSET', 'v', 'a', '12345678'], ['OBJECT', 'ENCODING', 'v'], ['HSET', 'v', 'b', '123456789'], ['OBJECT', 'ENCODING', 'v'],
      ['HSET', 'f', '123456789', 'x'], ['OBJECT', 'ENCODING', 'f'],
      ['HMSET', 'm', 'a', '1', 'b', '123456789'], ['OBJECT', 'ENCODING', 'm'],
      ['HSETNX', 'n', 'a', '1'], ['HSETNX', 'n', 'a', '123456789'], ['OBJECT', 'ENCODING', 'n'], ['HSETNX', 'n', 'b', '123456789'],
      ['OBJECT', 'ENCODING', 'n'],
      ['HINCRBY', 'i', 'longfield1', '1'], ['OBJECT', 'ENCODING', 'i'],
      ['HINCRBY', 'j', 'a', '123456789'], ['OBJECT', 'ENCODING', 'j'],
      ['HINCRBYFLOAT', 'k', 'a', '1.5'], ['OBJECT', 'ENCODING', 'k'], ['HINCRBYFLOAT', 'k', 'a', '-0.0001'], ['OBJECT', 'ENCODING', 'k'],
      // duplicates in one HSET: counted once, the listpack stays
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '1'], ['HSET', 'd', 'a', '1', 'a', '2'], ['OBJECT', 'ENCODING', 'd'],
      ['HSET', 'd', 'b', '1'], ['OBJECT', 'ENCODING', 'd'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'], ['HSET', 'z', 'a', '1'], ['OBJECT', 'ENCODING', 'z'],
      ['CONFIG', 'SET', 'hash-max-listpack-entries', '4', 'hash-max-listpack-value', '0'], ['HSET', 'y', '', ''],
      ['OBJECT', 'ENCODING', 'y'], ['HSET', 'y', 'a', ''], ['OBJECT', 'ENCODING', 'y'],
    ]);
    for (const key of ['v', 'f', 'm', 'n', 'i', 'j', 'k', 'd', 'z', 'y']) {
      await sameUnordered(p, ['HGETALL', key], true);
      await sameUnordered(p, ['HKEYS', key]);
      await sameUnordered(p, ['HVALS', key]);
    }
  });

  it('RESP3: maps, nulls, HRANDFIELD pairs', async () => {
    await hello(p, '3');
    await p.script([
      ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'], ['HGETALL', 'h'], ['HGETALL', 'nokey'], ['HKEYS', 'nokey'], ['HVALS', 'h'],
      ['HGET', 'h', 'zz'], ['HGET', 'nokey', 'a'], ['HMGET', 'h', 'a', 'zz'], ['HRANDFIELD', 'nokey'], ['HRANDFIELD', 'nokey', '3'],
      ['HRANDFIELD', 'h', '0', 'WITHVALUES'], ['HRANDFIELD', 'h', '3', 'WITHVALUES'], ['HRANDFIELD', 'h', '10', 'withvalues'],
      ['HRANDFIELD', 'h', '10'], ['HSCAN', 'h', '0'], ['HINCRBYFLOAT', 'h', 'a', '1.5'], ['HSTRLEN', 'h', 'a'],
    ]);
    await p.same('CONFIG', 'SET', 'hash-max-listpack-entries', '1');
    await p.same('HSET', 'big', 'x', '1', 'y', '2');
    await sameUnordered(p, ['HGETALL', 'big'], true);
    await sameUnordered(p, ['HRANDFIELD', 'big', '5', 'WITHVALUES']);
  });

  it('HRANDFIELD: count forms, repetitions, uniqueness, errors', async () => {
    await p.script([
      ['HRANDFIELD', 'nokey'], ['HRANDFIELD', 'nokey', '5'], ['HRANDFIELD', 'nokey', '-5', 'WITHVALUES'],
      ['HRANDFIELD', 'nokey', 'x'], ['HRANDFIELD', 'nokey', '1.5'], ['HRANDFIELD', 'nokey', ''],
      ['HRANDFIELD', 'nokey', '-9223372036854775808'], ['HRANDFIELD', 'nokey', '-9223372036854775807'],
      ['HRANDFIELD', 'nokey', '9223372036854775807'], ['HRANDFIELD', 'nokey', '9223372036854775808'],
      ['HRANDFIELD', 'nokey', '-4611686018427387904', 'WITHVALUES'], ['HRANDFIELD', 'nokey', '-4611686018427387903', 'WITHVALUES'],
      ['HRANDFIELD', 'nokey', '4611686018427387904', 'WITHVALUES'], ['HRANDFIELD', 'nokey', '4611686018427387903', 'WITHVALUES'],
      ['HRANDFIELD', 'nokey', '1', 'WITHVALUE'], ['HRANDFIELD', 'nokey', '1', 'WITHVALUES', 'x'], ['HRANDFIELD', 'nokey', 'x', 'y'],
      ['HRANDFIELD', 'nokey', '-9223372036854775808', 'x'],
    ]);
    await p.same('CONFIG', 'SET', 'hash-max-listpack-entries', '16');
    const fields: string[] = [];
    for (let i = 0; i < 10; i++) fields.push(`f${i}`, `v${i}`);
    await p.same('HSET', 'lp', ...fields);
    for (let i = 10; i < 40; i++) fields.push(`f${i}`, `v${i}`);
    await p.same('HSET', 'ht', ...fields);
    await p.script([['OBJECT', 'ENCODING', 'lp'], ['OBJECT', 'ENCODING', 'ht']]);
    for (const proto of ['2', '3'] as const) {
      await hello(p, proto);
      for (const key of ['lp', 'ht']) {
        for (const c of [p.h, p.r]) {
          const universe = await contents(c, key);
          const order = [...universe.keys()];
          const size = universe.size;
          const what = (args: string[]) => `${c === p.h ? 'hotkv' : 'redis'} RESP${proto} ${args.join(' ')}`;
          const one = bulkText(await c.command('HRANDFIELD', key));
          assert.ok(universe.has(one), what(['HRANDFIELD', key]));
          for (const n of [1, 2, 3, 9, 13, 14, size - 1, size, size + 5, -1, -3, -size, -3 * size]) {
            for (const withValues of [false, true]) {
              const args = ['HRANDFIELD', key, String(n), ...(withValues ? ['WITHVALUES'] : [])];
              const picks = checkPicks(await c.command(...args), {
                head: '*', n: n < 0 ? -n : Math.min(n, size), universe, unique: n > 0, values: withValues,
                pairs: proto === '3', what: what(args),
              });
              // the whole hash, in its order when it is a listpack; a listpack's CASE 4 picks keep its order
              if (n >= size && key === 'lp') assert.deepEqual(picks, order, what(args));
              if (n > 0 && n * 3 <= size && key === 'lp') {
                const idx = picks.map((f) => order.indexOf(f));
                assert.deepEqual(idx, [...idx].sort((x, y) => x - y), `${what(args)}: listpack order`);
              }
            }
          }
        }
      }
    }
  });

  it('HSCAN: listpack whole, hashtable by cursor, MATCH, COUNT, errors', async () => {
    await p.same('CONFIG', 'SET', 'hash-max-listpack-entries', '32');
    const pairs: string[] = [];
    for (let i = 0; i < 20; i++) pairs.push(`k${i}`, `val${i}`);
    await p.same('HSET', 'lp', ...pairs);
    for (let i = 20; i < 300; i++) pairs.push(`k${i}`, `val${i}`);
    await p.same('HSET', 'ht', ...pairs);
    await p.script([
      ['HSCAN', 'lp', '0'], ['HSCAN', 'lp', '0', 'COUNT', '1'], ['HSCAN', 'lp', '12345'], ['HSCAN', 'lp', '0', 'MATCH', 'k1*'],
      ['HSCAN', 'lp', '0', 'MATCH', '*', 'COUNT', '2'], ['HSCAN', 'lp', '0', 'COUNT', '0'], ['HSCAN', 'lp', '0', 'COUNT', '-1'],
      ['HSCAN', 'lp', '0', 'COUNT', 'x'], ['HSCAN', 'lp', '0', 'MATCH'], ['HSCAN', 'lp', '0', 'TYPE', 'hash'], ['HSCAN', 'lp', '0', 'FOO', '1'],
      ['HSCAN', 'lp', 'x'], ['HSCAN', 'lp', '-1'], ['HSCAN', 'lp', '18446744073709551616'], ['HSCAN', 'nokey', '0'],
      ['HSCAN', 'nokey', '0', 'COUNT', '0'], ['HSCAN', 'nokey', 'x'], ['HSCAN', 'lp', '0', 'MATCH', 'k1?', 'COUNT', '5', 'MATCH', 'k2*'],
    ]);
    for (const opts of [[], ['COUNT', '1'], ['COUNT', '7'], ['MATCH', 'k1*'], ['MATCH', '*9', 'COUNT', '50'], ['COUNT', '1000']]) {
      const [h, r] = await Promise.all([fullScan(p.h, 'HSCAN', 'ht', opts), fullScan(p.r, 'HSCAN', 'ht', opts)]);
      const asPairs = (x: string[]) => {
        const out = new Map<string, string>();
        for (let i = 0; i < x.length; i += 2) out.set(x[i], x[i + 1]);
        return [...out].sort();
      };
      assert.deepEqual(asPairs(h), asPairs(r), `HSCAN ht ${opts.join(' ')}`);
    }
    // a hashtable as small as COUNT comes back whole in one call on both
    const [h, r] = await Promise.all([p.h.command('HSCAN', 'ht', '0', 'COUNT', '1000'), p.r.command('HSCAN', 'ht', '0', 'COUNT', '1000')]);
    assert.equal(scanReply(h).cursor, '0');
    assert.equal(show(canonical(splitAggregate(h).items[1], true)), show(canonical(splitAggregate(r).items[1], true)));
  });

  it('dirty counter and keyspace hits/misses move as in Redis', async () => {
    await sameCounters(p, [
      ['HSET', 'h', 'a', '1', 'b', '2'], ['HSET', 'h', 'a', '1'], ['HMSET', 'h', 'c', '3', 'c', '4'], ['HSETNX', 'h', 'a', 'x'],
      ['HSETNX', 'h', 'z', 'x'], ['HGET', 'h', 'a'], ['HGET', 'nokey', 'a'], ['HMGET', 'nokey', 'a'], ['HMGET', 'h', 'a', 'q'],
      ['HLEN', 'h'], ['HLEN', 'nokey'], ['HSTRLEN', 'h', 'a'], ['HEXISTS', 'nokey', 'a'], ['HKEYS', 'h'], ['HVALS', 'nokey'],
      ['HGETALL', 'h'], ['HINCRBY', 'h', 'n', '2'], ['HINCRBY', 'h', 'a', 'x'], ['HINCRBYFLOAT', 'h', 'n', '1.5'], ['HINCRBYFLOAT', 'h', 'a', 'x'],
      ['HDEL', 'h', 'nope'], ['HDEL', 'h', 'a', 'b', 'nope'], ['HDEL', 'nokey', 'a'], ['HSCAN', 'h', '0'], ['HSCAN', 'nokey', '0'],
      ['HRANDFIELD', 'nokey'], ['HRANDFIELD', 'nokey', '2'], ['HDEL', 'h', 'c', 'z', 'n'], ['EXISTS', 'h'],
    ]);
    await p.same('HSET', 'h', 'a', '1', 'b', '2');
    await sameCounters(p, [['HRANDFIELD', 'h'], ['HRANDFIELD', 'h', '-5', 'WITHVALUES']], (args) => Promise.all([p.h.command(...args), p.r.command(...args)]));
  });

  it('WATCH sees exactly the writes Redis signals', async () => {
    const steps: string[][] = [
      ['HSET', 'h', 'a', '1'], ['HSET', 'h', 'a', '1'], ['HSETNX', 'h', 'a', '2'], ['HSETNX', 'h', 'b', '2'], ['HDEL', 'h', 'zz'],
      ['HDEL', 'nokey', 'a'], ['HDEL', 'h', 'b'], ['HINCRBY', 'h', 'a', 'x'], ['HINCRBY', 'h', 'a', '0'], ['HINCRBYFLOAT', 'h', 'a', '0'],
      ['HINCRBY', 'h', 'x', 'y'], ['HGET', 'h', 'a'], ['HGETALL', 'h'], ['HMSET', 'h', 'a', '1'], ['HDEL', 'h', 'a'],
    ];
    for (const step of steps) {
      await p.script([['WATCH', step[1]], step, ['MULTI'], ['PING'], ['EXEC']]);
    }
  });

  it('COPY, RENAME, MOVE and DEL of hashes: independent copies, encodings kept', async () => {
    await p.same('CONFIG', 'SET', 'hash-max-listpack-entries', '3');
    await p.script([
      ['HSET', 'lp', 'a', '1', 'b', '2'], ['HSET', 'ht', 'a', '1', 'b', '2', 'c', '3', 'd', '4'], ['COPY', 'lp', 'lp2'], ['COPY', 'ht', 'ht2'],
      ['OBJECT', 'ENCODING', 'lp2'], ['OBJECT', 'ENCODING', 'ht2'], ['HSET', 'lp2', 'a', 'changed', 'z', '9'], ['HDEL', 'ht2', 'a'],
      ['HGETALL', 'lp'], ['HGETALL', 'lp2'], ['HLEN', 'ht'], ['HLEN', 'ht2'], ['HGET', 'ht', 'a'], ['HGET', 'ht2', 'a'],
      ['RENAME', 'lp2', 'lp3'], ['HGETALL', 'lp3'], ['MOVE', 'lp3', '5'], ['SELECT', '5'], ['HGETALL', 'lp3'], ['OBJECT', 'ENCODING', 'lp3'],
      ['COPY', 'lp3', 'lp', 'DB', '0'], ['COPY', 'lp3', 'lp', 'DB', '0', 'REPLACE'], ['SELECT', '0'], ['HGETALL', 'lp'],
      ['HINCRBY', 'lp', 'a', '1'], ['SELECT', '5'], ['HGETALL', 'lp3'], ['SELECT', '0'],
      // writes keep the TTL
      ['EXPIRE', 'ht', '1000'], ['HSET', 'ht', 'x', '1'], ['HSETNX', 'ht', 'y', '1'], ['HDEL', 'ht', 'x'], ['HINCRBY', 'ht', 'n', '1'],
      ['HINCRBYFLOAT', 'ht', 'n', '1'], ['PERSIST', 'ht'], ['DEL', 'ht', 'ht2', 'lp'], ['DBSIZE'],
    ]);
  });

  it('a seeded random mix of hash commands', async () => {
    const seed = SEED;
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const keys = ['h0', 'h1', 'h2', 'h3', 'str'];
    const field = () => pick(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'n', 'x', 'longer-field-name', '']);
    const value = () => pick(['1', '-2', '0', '42', 'v', 'x'.repeat(1 + Math.floor(rnd() * 20)), '3.5', '007', '9223372036854775807', '']);
    const fv = (): string[] => {
      const out: string[] = [];
      for (let i = 1 + Math.floor(rnd() * 4); i > 0; i--) out.push(field(), value());
      return out;
    };
    const fs = (): string[] => Array.from({ length: 1 + Math.floor(rnd() * 3) }, field);
    await p.script([
      ['SET', 'str', 'x'], ['CONFIG', 'SET', 'hash-max-listpack-entries', '6', 'hash-max-listpack-value', '12'],
    ]);
    await seededMix('random hash mix', seed, 2500, async () => {
      const key = pick(keys);
      const r = rnd();
      let args: string[];
      if (r < 0.2) args = ['HSET', key, ...fv()];
      else if (r < 0.25) args = ['HMSET', key, ...fv()];
      else if (r < 0.3) args = ['HSETNX', key, field(), value()];
      else if (r < 0.4) args = ['HDEL', key, ...fs()];
      else if (r < 0.47) args = ['HINCRBY', key, field(), pick(['1', '-3', '100', '9223372036854775807', 'x'])];
      else if (r < 0.53) args = ['HINCRBYFLOAT', key, field(), pick(['1.5', '-0.25', '1e2', '0', 'x', '3'])];
      else if (r < 0.6) args = ['HGET', key, field()];
      else if (r < 0.64) args = ['HMGET', key, ...fs()];
      else if (r < 0.68) args = [pick(['HLEN', 'TYPE', 'OBJECT']), key];
      else if (r < 0.72) args = [pick(['HSTRLEN', 'HEXISTS']), key, field()];
      else if (r < 0.9) args = [pick(['HGETALL', 'HKEYS', 'HVALS', 'HSCAN']), key];
      else if (r < 0.96) args = ['HRANDFIELD', key, ...(rnd() < 0.3 ? [] : [String(Math.floor(rnd() * 16) - 8), ...(rnd() < 0.5 ? ['WITHVALUES'] : [])])];
      else args = [pick(['DEL', 'EXISTS']), key];
      if (args[0] === 'OBJECT') args = ['OBJECT', 'ENCODING', key];
      if (args[0] === 'HSCAN') args.push('0', 'COUNT', '1000');
      if (['HGETALL', 'HKEYS', 'HVALS', 'HSCAN'].includes(args[0])) {
        // exact while a listpack (the encoding itself is compared first), order ignored otherwise
        const enc = await p.same('OBJECT', 'ENCODING', key);
        if (!enc.includes('hashtable')) await p.same(...args);
        else if (args[0] === 'HSCAN') {
          const [h, rr] = await Promise.all([p.h.command(...args), p.r.command(...args)]);
          assert.equal(show(canonical(splitAggregate(h).items[1], true)), show(canonical(splitAggregate(rr).items[1], true)));
        } else await sameUnordered(p, args, args[0] === 'HGETALL');
      } else if (args[0] === 'HRANDFIELD') {
        const [h, rr] = await Promise.all([p.h.command(...args), p.r.command(...args)]);
        if (h[0] === '-' || h === '$-1\r\n' || h === '*0\r\n') {
          assert.equal(show(h), show(rr), show(args.join(' ')));
        } else {
          for (const [c, reply] of [[p.h, h], [p.r, rr]] as const) {
            const universe = await contents(c, key);
            if (args.length === 2) {
              assert.ok(universe.has(bulkText(reply)), `${args.join(' ')}: ${show(reply)}`);
              continue;
            }
            const n = Number(args[2]);
            checkPicks(reply, { head: '*', n: n < 0 ? -n : Math.min(n, universe.size), universe, unique: n > 0, values: args.length === 4, what: args.join(' ') });
          }
        }
      } else {
        await p.same(...args);
      }
    });
    for (const key of keys) await sameUnordered(p, ['HGETALL', key], true);
  });
});

describe('hash keyspace events match redis-server', () => {
  const t = withEventsPair();

  it('every write event (KEA and n), in order', async () => {
    const events = await sameEvents(t.d, [
      ['HSET', 'h', 'a', '1', 'b', '2'], ['HSET', 'h', 'a', '1'], ['HMSET', 'h', 'c', '3'], ['HSETNX', 'h', 'a', 'x'],
      ['HSETNX', 'h', 'd', 'x'], ['HSETNX', 'h2', 'd', 'x'], ['HINCRBY', 'h', 'n', '5'], ['HINCRBY', 'h', 'a', 'x'],
      ['HINCRBY', 'h', 'c', '9223372036854775807'], ['HINCRBYFLOAT', 'h', 'f', '1.5'], ['HINCRBYFLOAT', 'h', 'f', 'inf'],
      ['HINCRBYFLOAT', 'h3', 'f', '2'], ['HDEL', 'h', 'zz'], ['HDEL', 'h', 'a', 'b'], ['HDEL', 'h2', 'd'], ['HDEL', 'nokey', 'a'],
      ['HGET', 'h', 'c'], ['HGETALL', 'h'], ['HRANDFIELD', 'h', '-2'], ['HDEL', 'h', 'c', 'd', 'n', 'f'], ['EXISTS', 'h'],
      ['HSET', 'h', 'x', 'y'], ['SET', 'str', 'v'], ['HSET', 'str', 'a', 'b'], ['DEL', 'h', 'h3'],
    ], 'KEAn', (args) => args[0] === 'HRANDFIELD');
    assert.ok(events > 30, `only ${events} events`);
  });
});
