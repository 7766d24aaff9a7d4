// The sorted set family, compared with redis-server 7.0 byte for byte: every command, option and
// error, score parsing and "%.17g" formatting, lex and score ranges, RESP2 and RESP3 reply shapes,
// listpack/skiplist encodings at the thresholds, big zsets, keyspace events, dirty counts, blocking
// pops on raw connections, and a seeded random mix of all the commands.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { RawClient, decodeReply, type ReplyValue } from './helpers/resp';
import { prng, sameCounters } from './helpers/unordered';

const SEED = Number(process.env.HOTKV_TEST_SEED ?? 20240611);

interface Conn2 {
  h: RawClient;
  r: RawClient;
  same(...args: string[]): Promise<string>;
  script(steps: string[][]): Promise<void>;
  close(): void;
}

/** A fresh pair of connections (optionally switched to RESP3; HELLO's reply holds the client id and is not compared). */
async function conns(p: Pair, resp3 = false): Promise<Conn2> {
  const [h, r] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
  if (resp3) await Promise.all([h.command('HELLO', '3'), r.command('HELLO', '3')]);
  const same = async (...args: string[]): Promise<string> => {
    const [hr, rr] = await Promise.all([h.command(...args), r.command(...args)]);
    assert.equal(show(hr), show(rr), `${resp3 ? 'RESP3 ' : ''}reply to ${show(args.join(' '))} differs (hotkv vs redis)`);
    return hr;
  };
  return {
    h, r, same,
    async script(steps) {
      for (const s of steps) await same(...s);
    },
    close() {
      h.close();
      r.close();
    },
  };
}

/** Poll INFO on both servers until each reports `n` blocked clients. */
async function waitBlocked(p: Pair, n: number): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const [hi, ri] = await Promise.all([p.h.command('INFO', 'clients'), p.r.command('INFO', 'clients')]);
    const hb = /blocked_clients:(\d+)/.exec(hi)?.[1];
    const rb = /blocked_clients:(\d+)/.exec(ri)?.[1];
    if (hb === String(n) && rb === String(n)) return;
    assert.ok(Date.now() < deadline, `blocked clients: hotkv ${hb}, redis ${rb}, wanted ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Full content of a zset on both servers must match, and its encoding too. */
async function sameZset(p: Pair, key: string, what = ''): Promise<void> {
  for (const args of [['ZRANGE', key, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', key], ['ZCARD', key]]) {
    const [hr, rr] = await Promise.all([p.h.command(...args), p.r.command(...args)]);
    assert.equal(show(hr), show(rr), `${what} ${show(args.join(' '))}`);
  }
}

/** decodeReply, with RESP3 doubles (",<text>") read as strings. */
function decode(s: string): ReplyValue {
  return decodeReply(s.replace(/(^|\r\n),([^\r\n]*)\r\n/g, (_m, pre: string, v: string) => `${pre}$${v.length}\r\n${v}\r\n`));
}

function sortedPairs(v: ReplyValue): string[] {
  const a = v as string[];
  const out: string[] = [];
  for (let i = 0; i < a.length; i += 2) out.push(a[i] + '\u0000' + a[i + 1]);
  return out.sort();
}

const ALL_ZSET_COMMANDS: string[][] = [
  ['ZADD', 'k', '1', 'a'], ['ZINCRBY', 'k', '1', 'a'], ['ZREM', 'k', 'a'], ['ZCARD', 'k'], ['ZCOUNT', 'k', '0', '1'],
  ['ZLEXCOUNT', 'k', '-', '+'], ['ZSCORE', 'k', 'a'], ['ZMSCORE', 'k', 'a'], ['ZRANK', 'k', 'a'], ['ZREVRANK', 'k', 'a'],
  ['ZRANGE', 'k', '0', '1'], ['ZRANGESTORE', 'd', 'k', '0', '1'], ['ZREVRANGE', 'k', '0', '1'],
  ['ZRANGEBYSCORE', 'k', '0', '1'], ['ZREVRANGEBYSCORE', 'k', '1', '0'], ['ZRANGEBYLEX', 'k', '-', '+'],
  ['ZREVRANGEBYLEX', 'k', '+', '-'], ['ZREMRANGEBYRANK', 'k', '0', '1'], ['ZREMRANGEBYSCORE', 'k', '0', '1'],
  ['ZREMRANGEBYLEX', 'k', '-', '+'], ['ZPOPMIN', 'k'], ['ZPOPMAX', 'k', '2'], ['ZMPOP', '1', 'k', 'MIN'],
  ['BZPOPMIN', 'k', '0.01'], ['BZPOPMAX', 'k', '0.01'], ['BZMPOP', '0.01', '1', 'k', 'MAX'], ['ZUNION', '1', 'k'],
  ['ZINTER', '1', 'k'], ['ZDIFF', '1', 'k'], ['ZUNIONSTORE', 'd', '1', 'k'], ['ZINTERSTORE', 'd', '1', 'k'],
  ['ZDIFFSTORE', 'd', '1', 'k'], ['ZINTERCARD', '1', 'k'], ['ZRANDMEMBER', 'k'], ['ZRANDMEMBER', 'k', '2'],
  ['ZSCAN', 'k', '0'],
];

describe('sorted set commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });

  it('arity errors and WRONGTYPE for every command', async () => {
    await p.reset();
    await p.same('SET', 'k', 'str');
    for (const cmd of ALL_ZSET_COMMANDS) {
      await p.same(...cmd);
      await p.same(cmd[0]);
      await p.same(cmd[0], 'x');
    }
    // a wrong-typed source among others, and a wrong-typed destination that gets overwritten
    await p.script([
      ['ZADD', 'z', '1', 'a'], ['ZUNION', '2', 'z', 'k'], ['ZINTER', '2', 'k', 'z'], ['ZDIFF', '2', 'z', 'k'],
      ['ZINTERCARD', '2', 'nokey', 'k'], ['ZMSCORE', 'k', 'a', 'b'], ['ZMPOP', '2', 'nokey', 'k', 'MIN'],
      ['ZUNIONSTORE', 'k', '1', 'z'], ['TYPE', 'k'], ['SET', 'k', 'str'], ['ZRANGESTORE', 'k', 'z', '0', '-1'], ['TYPE', 'k'],
      ['ZRANGESTORE', 'z', 'k', '0', '-1'], ['ZADD', 'z', 'x', 'a'],
    ]);
    await sameZset(p, 'k');
  });

  it('ZADD options, combinations and their errors', async () => {
    await p.reset();
    const opts = ['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'];
    const combos: string[][] = [[]];
    for (const o of opts) for (const c of combos.slice()) if (c.length < 3) combos.push([...c, o]);
    let n = 0;
    for (const combo of combos) {
      for (const start of ['missing', 'existing'] as const) {
        const key = `z${n++}`;
        if (start === 'existing') await p.same('ZADD', key, '5', 'a', '7', 'b');
        await p.same('ZADD', key, ...combo, '6', 'a', '1', 'c');
        await p.same('ZADD', key, ...combo, '4', 'b');
        await p.same('ZADD', key, ...combo, '-inf', 'a');
        await sameZset(p, key, combo.join(' '));
      }
    }
    await p.script([
      ['ZADD', 'e'], ['ZADD', 'e', '1'], ['ZADD', 'e', 'NX'], ['ZADD', 'e', 'NX', 'CH'], ['ZADD', 'e', '1', 'a', '2'],
      ['ZADD', 'e', 'INCR', '1', 'a', '2', 'b'], ['ZADD', 'e', 'nx', 'xx', '1', 'a'], ['ZADD', 'e', 'gt', 'lt', '1', 'a'],
      ['ZADD', 'e', 'NX', 'LT', '1', 'a'], ['ZADD', 'e', 'ch', 'ch', 'ch', '1', 'a'], ['ZADD', 'e', 'foo', '1', 'a'],
      ['ZADD', 'e', '1', 'a', 'NX'], ['ZADD', 'e', 'x', 'a', 'y', 'b'], ['ZADD', 'e', '1', 'a', 'y', 'b'],
      ['EXISTS', 'e'], ['ZADD', 'e', 'XX', 'INCR', '1', 'a'], ['ZADD', 'e', 'XX', '1', 'a'], ['EXISTS', 'e'],
      ['ZADD', 'e', 'INCR', 'GT', '1', 'a'], ['ZADD', 'e', 'INCR', 'LT', '1', 'a'], ['ZADD', 'e', 'INCR', 'GT', '-1', 'a'],
      ['ZADD', 'e', 'INCR', 'NX', '1', 'a'], ['ZADD', 'e', 'INCR', 'XX', '1', 'nosuch'],
      // NaN: inf + -inf
      ['ZADD', 'n', 'inf', 'a'], ['ZADD', 'n', 'INCR', '-inf', 'a'], ['ZINCRBY', 'n', '-inf', 'a'], ['ZINCRBY', 'n', '+inf', 'a'],
      ['ZSCORE', 'n', 'a'], ['ZINCRBY', 'n', '1', 'b'], ['ZINCRBY', 'n', 'x', 'b'], ['ZINCRBY', 'n', 'nx', 'b'],
      ['ZINCRBY', 'n', 'incr', 'b'], ['ZINCRBY', 'n', '-0', 'z0'], ['ZSCORE', 'n', 'z0'],
    ]);
  });

  it('score parsing and %.17g formatting', async () => {
    await p.reset();
    const scores = ['0', '-0', '+0', '1', '-1', '0.1', '.5', '5.', '1e3', '1E-3', '+1.5e+2', '0x10', '0X1p-2', '0x1.8p1',
      '-0x.8', '1e308', '1.7976931348623157e308', '1e309', '-1e400', '1e-320', '4.9e-324', '2e-324', '1e-400', 'inf',
      '-inf', '+inf', 'INF', 'Infinity', '-infinity', 'infinit', 'nan', 'NaN', '-nan', ' 1', '1 ', '', '1e', '1e+', '0x',
      '--1', '1..2', 'abc', '1\x002', '\x001', '123456789012345678901234567890', '0.30000000000000004', '1.00000762939453125',
      '9007199254740993', '12345678.9', '1e16', '1e17', '123456789012345678', '-2.5e-7', '0.0001', '0.00001', '1e21',
      '3.14159265358979323846', '100000000000000000000', '4611686018427387904', '4611686018427387905', '9223372036854775808'];
    for (const enc of ['listpack', 'skiplist']) {
      await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', enc === 'listpack' ? '128' : '0');
      for (let i = 0; i < scores.length; i++) {
        await p.same('ZADD', `s:${enc}`, scores[i], `m${i}`);
        await p.same('ZSCORE', `s:${enc}`, `m${i}`);
      }
      await sameZset(p, `s:${enc}`, enc);
      const r3 = await conns(p, true);
      await r3.same('ZRANGE', `s:${enc}`, '0', '-1', 'WITHSCORES');
      await r3.same('ZSCORE', `s:${enc}`, 'm1');
      r3.close();
      if (enc === 'listpack') await p.same('ZSCAN', `s:${enc}`, '0');
    }
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    // ZINCRBY arithmetic in doubles
    await p.script([['ZINCRBY', 'i', '0.1', 'a'], ['ZINCRBY', 'i', '0.2', 'a'], ['ZINCRBY', 'i', '1e308', 'b'],
      ['ZINCRBY', 'i', '1e308', 'b'], ['ZINCRBY', 'i', '-5e-324', 'c'], ['ZRANGE', 'i', '0', '-1', 'WITHSCORES']]);
    // random doubles, printed by ZSCORE/ZRANGE
    const rnd = prng(SEED);
    const args: string[] = [];
    for (let i = 0; i < 300; i++) {
      const kind = i % 4;
      const v = kind === 0 ? (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20)
        : kind === 1 ? Math.floor(rnd() * 2 ** 53) / 2 ** Math.floor(rnd() * 60)
          : kind === 2 ? (rnd() - 0.5) * 1e300 * rnd() : Number((rnd() * 1000).toFixed(Math.floor(rnd() * 6)));
      args.push(String(v), `r${i}`);
    }
    await p.same('ZADD', 'rnd', ...args);
    await p.same('ZRANGE', 'rnd', '0', '-1', 'WITHSCORES');
  });

  it('ZRANGE family: ranks, scores, lex, REV, LIMIT, WITHSCORES, in RESP2 and RESP3', async () => {
    await p.reset();
    await p.same('ZADD', 'r', '-inf', 'ninf', '1', 'a', '1', 'b', '2', 'c', '2.5', 'd', '3', 'e', '3', 'f', '10', 'g', 'inf', 'pinf');
    await p.same('ZADD', 'l', '0', 'a', '0', 'aa', '0', 'ab', '0', 'b', '0', 'ba', '0', 'c', '0', '', '0', '\x00', '0', '\xff', '0', 'B');
    const ranks = ['0', '1', '-1', '-2', '3', '100', '-100', '5', '8', '9', 'x', '1.5', '9223372036854775807', '-9223372036854775808', '9223372036854775808'];
    const scoreBounds = ['-inf', '+inf', 'inf', '1', '(1', '2.5', '(2.5', '3', '(3', '10', '(10', '0', '(-inf', '(inf', 'x', '(x', '', '(', ' 1', '1 ',
      '1\x00x', '\x00', '0x1', 'nan', '(nan', '1e400'];
    const lexBounds = ['-', '+', '[a', '(a', '[aa', '(ab', '[b', '(c', '[', '(', '[\xff', 'a', '', '+a', '-a', '+\x00', '[\x00'];
    const limits = [[], ['LIMIT', '0', '2'], ['LIMIT', '1', '-1'], ['LIMIT', '-1', '2'], ['LIMIT', '2', '0'], ['LIMIT', '100', '1'],
      ['LIMIT', 'x', '1'], ['LIMIT', '1'], ['LIMIT', '0', '-5']];
    for (const resp3 of [false, true]) {
      const c = await conns(p, resp3);
      for (const a of ranks) {
        for (const b of ['0', '-1', '2', '-3', '100', 'y']) {
          await c.same('ZRANGE', 'r', a, b);
          await c.same('ZRANGE', 'r', a, b, 'WITHSCORES');
          await c.same('ZRANGE', 'r', a, b, 'REV', 'WITHSCORES');
          await c.same('ZREVRANGE', 'r', a, b, 'WITHSCORES');
        }
      }
      for (const a of scoreBounds) {
        for (const b of ['+inf', '(3', '2.5', '-inf', '(inf', a]) {
          await c.same('ZRANGEBYSCORE', 'r', a, b, 'WITHSCORES');
          await c.same('ZREVRANGEBYSCORE', 'r', b, a);
          await c.same('ZRANGE', 'r', a, b, 'BYSCORE', 'LIMIT', '1', '3');
          await c.same('ZCOUNT', 'r', a, b);
        }
      }
      for (const lim of limits) {
        await c.same('ZRANGEBYSCORE', 'r', '-inf', '+inf', 'WITHSCORES', ...lim);
        await c.same('ZREVRANGEBYSCORE', 'r', '+inf', '-inf', ...lim, 'WITHSCORES');
        await c.same('ZRANGE', 'r', '(1', '3', 'BYSCORE', 'REV', ...lim);
        await c.same('ZRANGE', 'r', '3', '(1', 'BYSCORE', 'REV', ...lim, 'WITHSCORES');
        await c.same('ZRANGEBYLEX', 'l', '-', '+', ...lim);
        await c.same('ZREVRANGEBYLEX', 'l', '+', '-', ...lim);
        await c.same('ZRANGE', 'l', '[a', '(c', 'BYLEX', ...lim);
        await c.same('ZRANGE', 'r', '0', '-1', ...lim);
      }
      for (const a of lexBounds) {
        for (const b of ['+', '-', '[b', '(b', '[aa', a]) {
          await c.same('ZRANGEBYLEX', 'l', a, b);
          await c.same('ZREVRANGEBYLEX', 'l', b, a);
          await c.same('ZLEXCOUNT', 'l', a, b);
        }
      }
      await c.script([
        ['ZRANGE', 'r', '0', '-1', 'BYSCORE'], ['ZRANGE', 'r', '0', '-1', 'BYLEX'], ['ZRANGE', 'l', '-', '+', 'BYLEX', 'WITHSCORES'],
        ['ZRANGEBYLEX', 'l', '-', '+', 'WITHSCORES'], ['ZRANGE', 'r', '0', '-1', 'BYSCORE', 'BYLEX'], ['ZRANGE', 'r', '0', '-1', 'REV', 'REV'],
        ['ZREVRANGE', 'r', '0', '1', 'REV'], ['ZRANGEBYSCORE', 'r', '0', '1', 'REV'], ['ZRANGEBYSCORE', 'r', '0', '1', 'BYSCORE'],
        ['ZRANGE', 'r', '0', '-1', 'LIMIT', '0', '1'], ['ZRANGE', 'r', '0', '-1', 'LIMIT', '0', '-1'], ['ZRANGE', 'r', '0', '-1', 'withscores', 'foo'],
        ['ZRANGE', 'r', '0', '-1', 'LIMIT', '5', '-1', 'WITHSCORES'], ['ZRANGE', 'nokey', '0', '-1'], ['ZRANGE', 'nokey', 'x', '-1'],
        ['ZRANGE', 'nokey', '0', '-1', 'BYLEX'], ['ZRANGEBYSCORE', 'nokey', 'x', '1'], ['ZRANGE', 'r', '-inf', '+inf', 'BYSCORE', 'WITHSCORES', 'LIMIT', '2', '2', 'REV'],
        ['ZRANGE', 'r', 'x', 'y', 'BYSCORE', 'WITHSCORES', 'LIMIT', 'x'], ['ZRANGE', 'r', '0', '1', 'limit', '1', '1', 'byscore', 'rev', 'withscores'],
        ['ZSCORE', 'r', 'pinf'], ['ZSCORE', 'r', 'ninf'], ['ZSCORE', 'r', 'nosuch'], ['ZMSCORE', 'r', 'pinf', 'x', 'a'],
        ['ZMSCORE', 'nokey', 'a', 'b'], ['ZRANK', 'r', 'g'], ['ZREVRANK', 'r', 'g'], ['ZRANK', 'r', 'x'], ['ZRANK', 'nokey', 'x'],
        ['ZCARD', 'r'], ['ZCARD', 'nokey'], ['ZCOUNT', 'nokey', 'x', '1'], ['ZLEXCOUNT', 'nokey', 'x', '+'],
      ]);
      c.close();
    }
  });

  it('ZRANGESTORE and the store encodings', async () => {
    await p.reset();
    await p.same('ZADD', 'src', '1', 'a', '2', 'b', '3', 'c', '4', 'dddddddddddddddddddd', '-0', 'negzero');
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
    await p.same('ZADD', 'sk', '1', 'a', '2', 'b', '3', 'c', '-0', 'negzero');
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '3');
    await p.same('CONFIG', 'SET', 'zset-max-listpack-value', '10');
    const forms = [['0', '-1'], ['0', '1'], ['1', '2'], ['5', '9'], ['-inf', '+inf', 'BYSCORE'], ['(1', '3', 'BYSCORE', 'LIMIT', '0', '2'],
      ['+inf', '-inf', 'BYSCORE', 'REV'], ['-', '+', 'BYLEX'], ['[b', '+', 'BYLEX', 'REV'], ['+', '-', 'BYLEX', 'REV', 'LIMIT', '1', '2'],
      ['0', '-1', 'REV'], ['0', '-1', 'WITHSCORES'], ['x', '1'], ['0', '1', 'BYLEX'], ['0', '1', 'LIMIT', '0', '1'], ['2', '1']];
    for (const src of ['src', 'sk', 'nokey']) {
      for (const f of forms) {
        await p.same('SET', 'dst', 'x');
        await p.same('EXPIRE', 'dst', '100');
        await p.same('ZRANGESTORE', 'dst', src, ...f);
        await p.same('TTL', 'dst');
        await p.same('TYPE', 'dst');
        await sameZset(p, 'dst', `${src} ${f.join(' ')}`);
      }
    }
    await p.same('ZRANGESTORE', 'src', 'src', '1', '-1');
    await sameZset(p, 'src');
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    await p.same('CONFIG', 'SET', 'zset-max-listpack-value', '64');
  });

  it('ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX and ZREM', async () => {
    await p.reset();
    const fill = ['ZADD', 'k', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f'];
    const fillLex = ['ZADD', 'l', '0', 'a', '0', 'b', '0', 'c', '0', 'd', '0', 'e', '0', 'f'];
    const rankArgs = [['0', '0'], ['0', '-1'], ['1', '2'], ['-2', '-1'], ['3', '1'], ['10', '20'], ['-100', '1'], ['x', '1'], ['1', 'y']];
    const scoreArgs = [['-inf', '+inf'], ['(1', '3'], ['2', '(4'], ['5', '1'], ['(3', '(3'], ['3', '3'], ['x', '1'], ['(inf', '+inf']];
    const lexArgs = [['-', '+'], ['[b', '[d'], ['(b', '(d'], ['[d', '[b'], ['+', '-'], ['a', 'b'], ['[c', '+'], ['-', '(a']];
    for (const enc of ['128', '0']) {
      await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', enc);
      for (const a of rankArgs) {
        await p.same('DEL', 'k');
        await p.same(...fill);
        await p.same('ZREMRANGEBYRANK', 'k', ...a);
        await sameZset(p, 'k');
      }
      for (const a of scoreArgs) {
        await p.same('DEL', 'k');
        await p.same(...fill);
        await p.same('ZREMRANGEBYSCORE', 'k', ...a);
        await sameZset(p, 'k');
      }
      for (const a of lexArgs) {
        await p.same('DEL', 'l');
        await p.same(...fillLex);
        await p.same('ZREMRANGEBYLEX', 'l', ...a);
        await sameZset(p, 'l');
      }
      await p.script([['DEL', 'k'], fill, ['ZREM', 'k', 'a', 'x', 'b', 'a'], ['ZREM', 'k', 'x'], ['ZREM', 'k', 'c', 'd', 'e', 'f', 'g'],
        ['EXISTS', 'k'], ['ZREM', 'k', 'a'], ['ZREMRANGEBYRANK', 'nokey', '0', '-1'], ['ZREMRANGEBYSCORE', 'nokey', 'x', '1'],
        ['ZREMRANGEBYLEX', 'nokey', '-', 'x']]);
    }
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
  });

  it('ZPOPMIN, ZPOPMAX and ZMPOP in RESP2 and RESP3', async () => {
    await p.reset();
    for (const resp3 of [false, true]) {
      const c = await conns(p, resp3);
      await c.script([
        ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'], ['ZPOPMIN', 'p'], ['ZPOPMAX', 'p'], ['ZPOPMIN', 'p', '0'],
        ['ZPOPMIN', 'p', '1'], ['ZPOPMAX', 'p', '-1'], ['ZPOPMAX', 'p', 'x'], ['ZPOPMIN', 'p', '1', '2'], ['ZPOPMAX', 'p', '10'],
        ['EXISTS', 'p'], ['ZPOPMIN', 'p'], ['ZPOPMIN', 'p', '3'], ['ZPOPMIN', 'p', '0'],
        ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c'], ['ZADD', 'q', '9', 'z'],
        ['ZMPOP', '2', 'nokey', 'p', 'MIN'], ['ZMPOP', '2', 'p', 'q', 'MAX', 'COUNT', '10'], ['ZMPOP', '2', 'p', 'q', 'max', 'count', '1'],
        ['ZMPOP', '1', 'q', 'MIN'], ['ZMPOP', '1', 'q', 'MIN'], ['ZMPOP', '0', 'q', 'MIN'], ['ZMPOP', '-1', 'q', 'MIN'],
        ['ZMPOP', 'x', 'q', 'MIN'], ['ZMPOP', '1', 'q'], ['ZMPOP', '1', 'q', 'MID'], ['ZMPOP', '2', 'q', 'MIN'],
        ['ZMPOP', '1', 'q', 'MIN', 'COUNT'], ['ZMPOP', '1', 'q', 'MIN', 'COUNT', '0'], ['ZMPOP', '1', 'q', 'MIN', 'COUNT', 'x'],
        ['ZMPOP', '1', 'q', 'MIN', 'COUNT', '1', 'COUNT', '2'], ['ZMPOP', '1', 'q', 'MIN', 'FOO'], ['ZMPOP', '5', 'q', 'MIN'],
        ['ZMPOP', '9223372036854775807', 'q', 'MIN'], ['ZADD', 'q', '1', 'a'], ['ZMPOP', '1', 'q', 'MIN', 'COUNT', '9223372036854775807'],
      ]);
      c.close();
    }
  });

  it('ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD', async () => {
    await p.reset();
    const setup = async (): Promise<void> => {
      await p.script([
        ['FLUSHALL'], ['ZADD', 'a', '1', 'x', '2', 'y', '3', 'z', '-0', 'n'], ['ZADD', 'b', '10', 'y', '20', 'z', '30', 'w', 'inf', 'i'],
        ['ZADD', 'c', '-inf', 'i', '5', 'z', '0.1', 'y'], ['ZADD', 'big', '1', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
      ]);
    };
    const inputs = [['1', 'a'], ['2', 'a', 'b'], ['3', 'a', 'b', 'c'], ['2', 'a', 'nokey'], ['2', 'nokey', 'a'], ['2', 'a', 'a'],
      ['3', 'c', 'b', 'a'], ['2', 'b', 'c'], ['2', 'a', 'big'], ['1', 'nokey']];
    const extras = [[], ['WITHSCORES'], ['AGGREGATE', 'MIN', 'WITHSCORES'], ['AGGREGATE', 'max', 'WITHSCORES'],
      ['AGGREGATE', 'SUM'], ['AGGREGATE', 'avg'], ['AGGREGATE'], ['WEIGHTS'], ['LIMIT', '1'], ['WITHSCORES', 'WITHSCORES'], ['FOO']];
    for (const mode of ['128', '0', '2']) {
      await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', mode);
      await setup();
      const r3 = await conns(p, true);
      for (const inp of inputs) {
        const n = Number(inp[0]);
        const weightSets = [Array(n).fill('2'), Array(n).fill('-1'), Array(n).fill('0'), Array(n).fill('inf'), Array(n).fill('x'), Array(n + 1).fill('1')];
        const optionLists = [...extras, ...weightSets.map((w) => ['WEIGHTS', ...w, 'WITHSCORES']), ['WEIGHTS', ...Array(n).fill('0.5'), 'AGGREGATE', 'MAX', 'WITHSCORES']];
        for (const opts of optionLists) {
          for (const cmd of ['ZUNION', 'ZINTER', 'ZDIFF']) {
            await p.same(cmd, ...inp, ...opts);
            await r3.same(cmd, ...inp, ...opts);
            const st = opts.filter((o) => o !== 'WITHSCORES');
            await p.same(`${cmd}STORE`, 'dst', ...inp, ...st);
            await sameZset(p, 'dst', `${cmd}STORE ${inp.join(' ')} ${st.join(' ')}`);
          }
          await p.same('ZINTERCARD', ...inp, ...opts);
        }
        for (const lim of [['LIMIT', '0'], ['LIMIT', '1'], ['LIMIT', '100'], ['LIMIT', '-1'], ['LIMIT', 'x'], ['LIMIT', '1', 'LIMIT', '2']]) {
          await p.same('ZINTERCARD', ...inp, ...lim);
        }
      }
      r3.close();
      await p.script([
        ['ZUNION', '0', 'a'], ['ZUNIONSTORE', 'd', '0', 'a'], ['ZINTERCARD', '0', 'a'], ['ZDIFF', '-1', 'a'], ['ZINTER', 'x', 'a'],
        ['ZUNION', '3', 'a', 'b'], ['ZINTERSTORE', 'd', '3', 'a'], ['ZUNION', '9223372036854775807', 'a'],
        ['ZUNIONSTORE', 'dst', '1', 'a', 'WITHSCORES'], ['ZDIFF', '2', 'a', 'b', 'WEIGHTS', '1', '1'],
        ['ZINTERCARD', '1', 'a', 'WITHSCORES'], ['ZINTERCARD', '1', 'a', 'AGGREGATE', 'SUM'],
        // the destination as an input, emptied and deleted destinations
        ['ZUNIONSTORE', 'a', '2', 'a', 'b'], ['ZRANGE', 'a', '0', '-1', 'WITHSCORES'], ['SET', 'dst', 'x'], ['EXPIRE', 'dst', '100'],
        ['ZINTERSTORE', 'dst', '2', 'a', 'nokey'], ['EXISTS', 'dst'], ['ZDIFFSTORE', 'dst', '2', 'a', 'a'], ['ZUNIONSTORE', 'dst', '1', 'b'],
        ['TTL', 'dst'], ['OBJECT', 'ENCODING', 'dst'],
      ]);
    }
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
  });

  it('sets as inputs of ZUNION/ZINTER/ZDIFF', async () => {
    await p.reset();
    await p.script([
      ['SADD', 'sint', '1', '2', '3', '10'], ['SADD', 'sstr', 'x', 'y', '2', 'zz'], ['ZADD', 'z', '5', '2', '7', 'x', '1', '01'],
      ['ZUNION', '3', 'sint', 'sstr', 'z', 'WITHSCORES'], ['ZINTER', '2', 'sint', 'z', 'WITHSCORES'], ['ZINTER', '2', 'z', 'sstr', 'WITHSCORES'],
      ['ZDIFF', '2', 'z', 'sint', 'WITHSCORES'], ['ZDIFF', '2', 'sint', 'z', 'WITHSCORES'], ['ZINTERCARD', '2', 'sstr', 'z'],
      ['ZUNION', '2', 'sint', 'sstr', 'WEIGHTS', '2', '3', 'AGGREGATE', 'MIN', 'WITHSCORES'], ['ZUNIONSTORE', 'd', '2', 'sint', 'sint'],
      ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'], ['ZINTERSTORE', 'd', '2', 'sint', 'sint', 'WEIGHTS', '1', '2'], ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'],
      ['ZDIFFSTORE', 'd', '2', 'sstr', 'z'], ['ZRANGE', 'd', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'd'],
      ['ZRANGE', 'sint', '0', '-1'], ['ZRANGESTORE', 'd', 'sint', '0', '-1'],
    ]);
  });

  it('listpack/skiplist conversion at the thresholds', async () => {
    await p.reset();
    for (const [entries, value] of [['4', '8'], ['1', '64'], ['0', '64'], ['128', '0'], ['128', '64']]) {
      await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', entries);
      await p.same('CONFIG', 'SET', 'zset-max-listpack-value', value);
      await p.same('FLUSHALL');
      const steps: string[][] = [];
      for (let i = 0; i < 6; i++) steps.push(['ZADD', 'a', String(i), `m${i}`], ['OBJECT', 'ENCODING', 'a']);
      steps.push(['ZADD', 'b', '1', '12345678'], ['OBJECT', 'ENCODING', 'b'], ['ZADD', 'b', '1', '123456789'], ['OBJECT', 'ENCODING', 'b'],
        ['ZADD', 'c', '1', '123456789'], ['OBJECT', 'ENCODING', 'c'], ['ZADD', 'c2', 'NX', '1', 'short', '2', 'a-very-long-member'],
        ['OBJECT', 'ENCODING', 'c2'], ['ZINCRBY', 'd', '1', 'x'], ['OBJECT', 'ENCODING', 'd'],
        // shrinking never converts back
        ['ZREMRANGEBYRANK', 'a', '0', '-2'], ['OBJECT', 'ENCODING', 'a'], ['ZPOPMIN', 'b'], ['OBJECT', 'ENCODING', 'b'],
        // updating an existing member never converts
        ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ['ZADD', 'd', '5', 'x'], ['OBJECT', 'ENCODING', 'd'],
        ['ZADD', 'd', '5', 'y'], ['OBJECT', 'ENCODING', 'd'], ['CONFIG', 'SET', 'zset-max-listpack-entries', entries],
        ['COPY', 'a', 'acopy'], ['OBJECT', 'ENCODING', 'acopy'], ['ZRANGE', 'acopy', '0', '-1', 'WITHSCORES'],
        ['ZUNIONSTORE', 'u', '2', 'a', 'b'], ['OBJECT', 'ENCODING', 'u'], ['ZRANGESTORE', 'rs', 'a', '0', '-1'], ['OBJECT', 'ENCODING', 'rs'],
        ['ZRANGESTORE', 'rs2', 'c', '-inf', '+inf', 'BYSCORE'], ['OBJECT', 'ENCODING', 'rs2']);
      await p.script(steps);
    }
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    await p.same('CONFIG', 'SET', 'zset-max-listpack-value', '64');
  });

  it('ZRANDMEMBER: counts, uniqueness, WITHSCORES, RESP3 pairs', async () => {
    await p.reset();
    await p.script([['ZRANDMEMBER', 'nokey'], ['ZRANDMEMBER', 'nokey', '5'], ['ZRANDMEMBER', 'nokey', '-5', 'WITHSCORES'],
      ['ZADD', 'one', '1', 'only'], ['ZRANDMEMBER', 'one'], ['ZRANDMEMBER', 'one', '-3', 'WITHSCORES'], ['ZRANDMEMBER', 'one', '0'],
      ['ZRANDMEMBER', 'one', 'x'], ['ZRANDMEMBER', 'one', '1', 'WITHSCORE'], ['ZRANDMEMBER', 'one', '1', 'WITHSCORES', 'x'],
      ['ZRANDMEMBER', 'one', '-0'], ['ZRANDMEMBER', 'one', '4611686018427387904', 'WITHSCORES'],
      ['ZRANDMEMBER', 'one', '-4611686018427387905', 'WITHSCORES']]);
    for (const enc of ['128', '0']) {
      await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', enc);
      await p.same('DEL', 'z');
      const args: string[] = [];
      for (let i = 0; i < 40; i++) args.push(String(i / 4), `m${i}`);
      await p.same('ZADD', 'z', ...args);
      // count >= size: the whole zset, highest score first (deterministic)
      await p.same('ZRANDMEMBER', 'z', '40', 'WITHSCORES');
      await p.same('ZRANDMEMBER', 'z', '1000');
      for (const resp3 of [false, true]) {
        const c = await conns(p, resp3);
        for (const count of [1, 5, 20, 39, -1, -10, -100]) {
          for (const ws of [false, true]) {
            const args2 = ['ZRANDMEMBER', 'z', String(count), ...(ws ? ['WITHSCORES'] : [])];
            const [hr, rr] = await Promise.all([c.h.command(...args2), c.r.command(...args2)]);
            const hv = decode(hr) as ReplyValue[];
            const rv = decode(rr) as ReplyValue[];
            const what = `${resp3 ? 'RESP3 ' : ''}${args2.join(' ')}`;
            assert.equal(hv.length, rv.length, `${what}: reply length`);
            // flatten RESP3 pairs and check every member exists with its score
            const flat = (v: ReplyValue[]): string[] => (ws && resp3 ? (v as string[][]).flat() : (v as string[]));
            if (ws && resp3) for (const pair of hv) assert.ok(Array.isArray(pair) && pair.length === 2, `${what}: pair shape`);
            if (ws && resp3) assert.match(hr, /^\*\d+\r\n\*2\r\n\$\d+\r\nm\d+\r\n,/, `${what}: RESP3 double`);
            const hf = flat(hv);
            const members = ws ? hf.filter((_, i) => i % 2 === 0) : hf;
            for (let i = 0; i < members.length; i++) {
              const m = members[i];
              assert.match(String(m), /^m\d+$/, what);
              if (ws) assert.equal(Number(hf[i * 2 + 1]), Number(String(m).slice(1)) / 4, `${what}: score of ${m}`);
            }
            if (count > 0) assert.equal(new Set(members).size, members.length, `${what}: unique members`);
            else assert.equal(members.length, -count, what);
          }
        }
        const [hr, rr] = await Promise.all([c.h.command('ZRANDMEMBER', 'z'), c.r.command('ZRANDMEMBER', 'z')]);
        assert.match(hr, /^\$\d+\r\nm\d+\r\n$/);
        assert.match(rr, /^\$\d+\r\nm\d+\r\n$/);
        c.close();
      }
    }
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
  });

  it('ZSCAN: listpack in one reply, skiplist by cursor, MATCH and COUNT', async () => {
    await p.reset();
    const args: string[] = [];
    for (let i = 0; i < 50; i++) args.push(String(i % 7 === 0 ? i * 1e17 : i / 3), `k${i}`);
    await p.same('ZADD', 'lp', ...args);
    await p.script([['ZSCAN', 'lp', '0'], ['ZSCAN', 'lp', '0', 'MATCH', 'k1*'], ['ZSCAN', 'lp', '0', 'COUNT', '1'],
      ['ZSCAN', 'lp', '0', 'COUNT', '0'], ['ZSCAN', 'lp', '0', 'COUNT', 'x'], ['ZSCAN', 'lp', '0', 'FOO', 'bar'], ['ZSCAN', 'lp', 'x'],
      ['ZSCAN', 'lp', '-1'], ['ZSCAN', 'nokey', '0', 'COUNT', '0'], ['ZSCAN', 'nokey', 'x'], ['ZSCAN', 'lp', '0', 'MATCH']]);
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '0');
    const big: string[] = [];
    for (let i = 0; i < 300; i++) big.push(String(i % 5 === 0 ? -i / 7 : i), `s${i}`);
    big.push('-0', 'negzero', 'inf', 'pinf');
    await p.same('ZADD', 'sl', ...big);
    for (const opts of [[], ['COUNT', '7'], ['MATCH', 's1*', 'COUNT', '20'], ['COUNT', '1000']]) {
      const all: Record<string, string[]> = { h: [], r: [] };
      for (const [name, c] of [['h', p.h], ['r', p.r]] as const) {
        let cursor = '0';
        let rounds = 0;
        do {
          const v = decodeReply(await c.command('ZSCAN', 'sl', cursor, ...opts)) as [string, string[]];
          cursor = v[0];
          all[name].push(...sortedPairs(v[1]));
          assert.ok(++rounds < 1000, 'ZSCAN does not end');
        } while (cursor !== '0');
      }
      assert.deepEqual([...new Set(all.h)].sort(), [...new Set(all.r)].sort(), `ZSCAN ${opts.join(' ')}`);
    }
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
  });

  it('big zsets (20,000 members): ranks, ranges, counts and removals', async () => {
    await p.reset();
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    const rnd = prng(SEED + 1);
    const N = 20000;
    const members: string[] = [];
    for (let b = 0; b < N / 1000; b++) {
      const args: string[] = [];
      const lex: string[] = [];
      for (let i = 0; i < 1000; i++) {
        const m = `m${(b * 1000 + i).toString(36)}:${Math.floor(rnd() * 1e6)}`;
        members.push(m);
        // many equal scores, so member order matters
        const score = rnd() < 0.5 ? String(Math.floor(rnd() * 500)) : (rnd() * 1000 - 500).toFixed(3);
        args.push(score, m);
        lex.push('0', m);
      }
      await p.same('ZADD', 'big', ...args);
      await p.same('ZADD', 'lex', ...lex);
    }
    await p.same('ZCARD', 'big');
    await p.same('OBJECT', 'ENCODING', 'big');
    await p.same('ZRANGE', 'big', '0', '-1', 'WITHSCORES');
    const pick = (): string => members[Math.floor(rnd() * members.length)];
    const steps: string[][] = [];
    for (let i = 0; i < 150; i++) {
      const m = pick();
      steps.push(['ZRANK', 'big', m], ['ZREVRANK', 'lex', m]);
    }
    for (let i = 0; i < 60; i++) {
      const a = Math.floor(rnd() * (N + 200)) - 100;
      const w = Math.floor(rnd() * 40);
      steps.push(['ZRANGE', 'big', String(a), String(a + w), 'WITHSCORES'], ['ZREVRANGE', 'big', String(-a), String(-a + w)]);
      const lo = (rnd() * 1000 - 500).toFixed(1);
      const hi = (Number(lo) + rnd() * 30).toFixed(1);
      const off = String(Math.floor(rnd() * 50));
      steps.push(['ZRANGEBYSCORE', 'big', `(${lo}`, hi, 'WITHSCORES', 'LIMIT', off, '10'], ['ZREVRANGEBYSCORE', 'big', hi, lo, 'LIMIT', off, '5'],
        ['ZCOUNT', 'big', lo, `(${hi}`]);
      const l1 = pick();
      const l2 = pick();
      steps.push(['ZRANGEBYLEX', 'lex', `[${l1}`, `(${l2}`, 'LIMIT', off, '10'], ['ZLEXCOUNT', 'lex', `(${l1}`, '+'],
        ['ZREVRANGEBYLEX', 'lex', `[${l2}`, '-', 'LIMIT', off, '3']);
    }
    await p.script(steps);
    await p.script([['ZREMRANGEBYRANK', 'big', '5000', '6999'], ['ZREMRANGEBYSCORE', 'big', '(-100', '100'],
      ['ZREMRANGEBYLEX', 'lex', '[m5', '(m9'], ['ZPOPMIN', 'big', '100'], ['ZPOPMAX', 'lex', '50'], ['ZCARD', 'big'], ['ZCARD', 'lex']]);
    const rem: string[] = ['ZREM', 'big'];
    for (let i = 0; i < 3000; i++) rem.push(pick());
    await p.same(...rem);
    for (let i = 0; i < 40; i++) {
      const m = pick();
      await p.same('ZRANK', 'big', m);
      await p.same('ZINCRBY', 'big', String(Math.floor(rnd() * 100) - 50), m);
      await p.same('ZRANK', 'big', m);
    }
    await p.same('ZRANGE', 'big', '0', '-1', 'WITHSCORES');
    await p.same('ZUNIONSTORE', 'u', '2', 'big', 'lex', 'WEIGHTS', '1', '2');
    await p.same('ZINTERSTORE', 'i', '2', 'big', 'lex', 'AGGREGATE', 'MAX');
    await p.same('ZDIFFSTORE', 'd', '2', 'lex', 'big');
    for (const k of ['u', 'i', 'd', 'lex']) await sameZset(p, k);
    // shrink a big zset to a few members (hotkv compacts its storage) and keep using it
    await p.script([['ZREMRANGEBYRANK', 'lex', '10', '-10'], ['ZRANGE', 'lex', '0', '-1'], ['ZADD', 'lex', '0', 'new', '1', 'one'],
      ['ZRANK', 'lex', 'new'], ['ZRANGEBYLEX', 'lex', '[m', '+'], ['ZREM', 'lex', 'new'], ['ZREVRANGE', 'lex', '0', '-1', 'WITHSCORES']]);
  });

  it('dirty counts and keyspace hits/misses', async () => {
    await p.reset();
    const steps: string[][] = [
      ['ZADD', 'k', '1', 'a', '2', 'b', '3', 'c'], ['ZADD', 'k', '1', 'a'], ['ZADD', 'k', 'CH', '5', 'a', '6', 'd'], ['ZINCRBY', 'k', '1', 'a'],
      ['ZADD', 'k', 'NX', '1', 'a'], ['ZREM', 'k', 'a', 'b', 'x'], ['ZREMRANGEBYRANK', 'k', '0', '0'], ['ZADD', 'k', '1', 'a', '2', 'b'],
      ['ZREMRANGEBYSCORE', 'k', '-inf', '1'], ['ZREMRANGEBYLEX', 'k', '-', '+'], ['ZADD', 'k', '1', 'a', '2', 'b', '3', 'c'],
      ['ZPOPMIN', 'k', '2'], ['ZPOPMAX', 'k'], ['ZADD', 'k', '1', 'a', '2', 'b'], ['ZMPOP', '1', 'k', 'MIN', 'COUNT', '5'],
      ['ZADD', 'k', '1', 'a'], ['ZUNIONSTORE', 'd', '1', 'k'], ['ZINTERSTORE', 'd', '2', 'k', 'nokey'], ['ZINTERSTORE', 'd', '2', 'k', 'nokey'],
      ['ZRANGESTORE', 'd', 'k', '0', '-1'], ['ZRANGESTORE', 'd', 'nokey', '0', '-1'], ['ZDIFFSTORE', 'd', '1', 'k'], ['BZPOPMIN', 'k', '0'],
      ['ZADD', 'k', 'INCR', '1', 'a'], ['ZADD', 'k', 'inf', 'a'], ['ZADD', 'k', 'INCR', '-inf', 'a'], ['ZADD', 'k', 'XX', '1', 'nosuch'],
      // reads: hits and misses
      ['ZSCORE', 'k', 'a'], ['ZSCORE', 'nokey', 'a'], ['ZMSCORE', 'nokey', 'a'], ['ZCARD', 'k'], ['ZCOUNT', 'nokey', '0', '1'],
      ['ZRANGE', 'k', '0', '-1'], ['ZRANGE', 'nokey', '0', '-1'], ['ZRANGEBYLEX', 'k', '-', '+'], ['ZRANK', 'nokey', 'a'],
      ['ZUNION', '2', 'k', 'nokey'], ['ZINTERCARD', '2', 'nokey', 'k'], ['ZRANDMEMBER', 'nokey'], ['ZSCAN', 'nokey', '0'],
      ['ZRANGESTORE', 'd', 'k', '0', '-1'], ['ZUNIONSTORE', 'd', '2', 'k', 'nokey'], ['ZPOPMIN', 'nokey'], ['ZREM', 'nokey', 'a'],
      ['ZMPOP', '2', 'nokey', 'k', 'MIN'], ['ZLEXCOUNT', 'k', '-', '+'],
    ];
    await sameCounters(p, steps);
  });

  it('keyspace notifications', async () => {
    await p.reset();
    await p.same('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    const subs = await conns(p);
    await subs.same('PSUBSCRIBE', '__key*__:*');
    await p.script([
      ['ZADD', 'k', '1', 'a', '2', 'b', '3', 'c'], ['ZADD', 'k', '1', 'a'], ['ZADD', 'k', 'GT', '0', 'a'], ['ZINCRBY', 'k', '1', 'a'],
      ['ZADD', 'k', 'INCR', '1', 'a'], ['ZREM', 'k', 'x'], ['ZREM', 'k', 'a'], ['ZREMRANGEBYRANK', 'k', '5', '6'],
      ['ZREMRANGEBYRANK', 'k', '0', '0'], ['ZADD', 'k', '1', 'a', '2', 'b'], ['ZREMRANGEBYSCORE', 'k', '1', '1'],
      ['ZREMRANGEBYLEX', 'k', '-', '+'], ['ZADD', 'k', '1', 'a', '2', 'b', '3', 'c'], ['ZPOPMIN', 'k'], ['ZPOPMAX', 'k', '5'],
      ['ZPOPMIN', 'k'], ['ZADD', 'k', '1', 'a'], ['ZADD', 'j', '1', 'a'], ['ZUNIONSTORE', 'd', '2', 'k', 'j'], ['ZINTERSTORE', 'd', '2', 'k', 'j'],
      ['ZDIFFSTORE', 'd', '2', 'k', 'j'], ['ZDIFFSTORE', 'd', '2', 'k', 'j'], ['ZRANGESTORE', 'd', 'k', '0', '-1'], ['ZRANGESTORE', 'd', 'k', '5', '6'],
      ['ZMPOP', '2', 'nokey', 'k', 'MAX'], ['BZPOPMIN', 'j', '0'], ['ZRANGE', 'nokey', '0', '1'], ['ZREM', 'k', 'a'],
      ['ZADD', 'k', '1', 'x'], ['ZREM', 'k', 'x', 'y'], ['PUBLISH', '__keyevent@0__:end', 'end'],
    ]);
    // everything the subscribers received, up to the end marker, must be identical
    const readAll = async (c: RawClient): Promise<string> => {
      let all = '';
      for (;;) {
        const r = await c.reply(5000);
        all += r;
        if (r.includes('__keyevent@0__:end')) return all;
      }
    };
    const [hs, rs] = await Promise.all([readAll(subs.h), readAll(subs.r)]);
    assert.equal(show(hs), show(rs), 'keyspace events');
    subs.close();
    await p.same('CONFIG', 'SET', 'notify-keyspace-events', '');
  });

  it('BZPOPMIN, BZPOPMAX and BZMPOP on raw connections: served, timeouts, errors', async () => {
    await p.reset();
    const a = await conns(p);
    const b = await conns(p);
    // served at once
    await p.script([['ZADD', 'k', '1', 'a', '2', 'b', '3', 'c'], ['BZPOPMIN', 'nokey', 'k', '0'], ['BZPOPMAX', 'k', '0'],
      ['BZMPOP', '0', '2', 'nokey', 'k', 'MIN', 'COUNT', '5'], ['EXISTS', 'k']]);
    // argument errors
    await p.script([['BZPOPMIN', 'k', '-1'], ['BZPOPMIN', 'k', 'x'], ['BZPOPMIN', 'k', '1e30'], ['BZPOPMIN', 'k', '1e400'], ['BZPOPMIN', 'k', '-0.5'],
      ['BZPOPMIN', 'k', '9223372036854776'], ['BZPOPMIN', 'k', '-inf'], ['BZPOPMIN', 'k', '0x'],
      ['BZPOPMIN', 'k', 'nan'], ['BZMPOP', 'x', '1', 'k', 'MIN'], ['BZMPOP', '0', '0', 'k', 'MIN'], ['BZMPOP', '0', '1', 'k', 'MIN', 'COUNT', '0'],
      ['BZMPOP', '0', '2', 'k', 'MIN'], ['BZMPOP', '0', '1', 'k', 'MINMAX'], ['SET', 's', 'x'], ['BZPOPMIN', 'nokey', 's', '0'],
      ['BZMPOP', '0', '2', 's', 'k', 'MIN']]);
    // a timeout so large that Redis 7.0's deadline wraps around, and one that truncates to 0 ms:
    // both block for good
    for (const t of ['9223372036854775', '9223372036854775.807', '-0.0001']) {
      const c = await conns(p);
      const bytes = `*3\r\n$8\r\nBZPOPMIN\r\n$2\r\nkw\r\n$${t.length}\r\n${t}\r\n`;
      c.h.write(bytes);
      c.r.write(bytes);
      await waitBlocked(p, 1);
      c.close();
      await waitBlocked(p, 0);
    }
    // blocked, then served by ZADD on another connection
    a.h.write('*3\r\n$8\r\nBZPOPMIN\r\n$2\r\nk1\r\n$1\r\n0\r\n');
    a.r.write('*3\r\n$8\r\nBZPOPMIN\r\n$2\r\nk1\r\n$1\r\n0\r\n');
    await waitBlocked(p, 1);
    await p.same('ZADD', 'k1', '2', 'x', '1', 'y');
    const [ha, ra] = await Promise.all([a.h.reply(), a.r.reply()]);
    assert.equal(show(ha), show(ra), 'BZPOPMIN served');
    await sameZset(p, 'k1');
    // two waiters, FIFO; BZMPOP with a count; the second key becomes ready first
    for (const c of [a, b]) {
      const cmd = c === a ? ['BZMPOP', '0', '2', 'k2', 'k3', 'MAX', 'COUNT', '2'] : ['BZPOPMIN', 'k3', 'k2', '0'];
      const bytes = `*${cmd.length}\r\n` + cmd.map((x) => `$${x.length}\r\n${x}\r\n`).join('');
      c.h.write(bytes);
      c.r.write(bytes);
      await waitBlocked(p, c === a ? 1 : 2);
    }
    await p.same('ZADD', 'k3', '1', 'a', '2', 'b', '3', 'c');
    for (const c of [a, b]) {
      const [hr, rr] = await Promise.all([c.h.reply(), c.r.reply()]);
      assert.equal(show(hr), show(rr), 'served waiter');
    }
    await sameZset(p, 'k3');
    // served by a store command creating the key, and by MULTI/EXEC
    a.h.write('*3\r\n$8\r\nBZPOPMAX\r\n$2\r\nk4\r\n$1\r\n0\r\n');
    a.r.write('*3\r\n$8\r\nBZPOPMAX\r\n$2\r\nk4\r\n$1\r\n0\r\n');
    await waitBlocked(p, 1);
    await p.same('ZADD', 'src4', '1', 'a', '2', 'b');
    await p.same('ZUNIONSTORE', 'k4', '1', 'src4');
    {
      const [hr, rr] = await Promise.all([a.h.reply(), a.r.reply()]);
      assert.equal(show(hr), show(rr), 'served by ZUNIONSTORE');
    }
    a.h.write('*3\r\n$8\r\nBZPOPMIN\r\n$2\r\nk5\r\n$1\r\n0\r\n');
    a.r.write('*3\r\n$8\r\nBZPOPMIN\r\n$2\r\nk5\r\n$1\r\n0\r\n');
    await waitBlocked(p, 1);
    await p.script([['MULTI'], ['ZADD', 'k5', '1', 'a'], ['ZREM', 'k5', 'a'], ['ZADD', 'k5', '7', 'b'], ['EXEC']]);
    {
      const [hr, rr] = await Promise.all([a.h.reply(), a.r.reply()]);
      assert.equal(show(hr), show(rr), 'served after EXEC');
    }
    // a key created with another type does not serve; a zset later does
    a.h.write('*3\r\n$8\r\nBZPOPMIN\r\n$2\r\nk6\r\n$1\r\n0\r\n');
    a.r.write('*3\r\n$8\r\nBZPOPMIN\r\n$2\r\nk6\r\n$1\r\n0\r\n');
    await waitBlocked(p, 1);
    await p.script([['SET', 'k6', 'x'], ['DEL', 'k6']]);
    await waitBlocked(p, 1);
    await p.same('ZADD', 'k6', '3', 'z');
    {
      const [hr, rr] = await Promise.all([a.h.reply(), a.r.reply()]);
      assert.equal(show(hr), show(rr), 'served after the string went away');
    }
    // inside MULTI a blocking pop does not block
    await a.script([['MULTI'], ['BZPOPMIN', 'nokey', '0'], ['BZMPOP', '0', '1', 'nokey', 'MIN'], ['EXEC']]);
    // timeouts (short, with margins): nil array in RESP2 and RESP3
    for (const resp3 of [false, true]) {
      const c = await conns(p, resp3);
      const t0 = Date.now();
      await c.same('BZPOPMIN', 'nokey', '0.05');
      await c.same('BZMPOP', '0.05', '1', 'nokey', 'MAX', 'COUNT', '3');
      assert.ok(Date.now() - t0 >= 90, 'timeouts waited');
      c.h.write('*5\r\n$6\r\nBZMPOP\r\n$1\r\n0\r\n$1\r\n1\r\n$2\r\nk7\r\n$3\r\nMIN\r\n');
      c.r.write('*5\r\n$6\r\nBZMPOP\r\n$1\r\n0\r\n$1\r\n1\r\n$2\r\nk7\r\n$3\r\nMIN\r\n');
      await waitBlocked(p, 1);
      await p.same('ZADD', 'k7', '1.5', 'm');
      const [hr, rr] = await Promise.all([c.h.reply(), c.r.reply()]);
      assert.equal(show(hr), show(rr), `${resp3 ? 'RESP3 ' : ''}BZMPOP served`);
      c.close();
    }
    a.close();
    b.close();
  });

  it('seeded random mix of all commands', async () => {
    await p.reset();
    const seed = SEED + 2;
    const rnd = prng(seed);
    const pickOf = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const keys = ['z1', 'z2', 'z3', 'str'];
    const members = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', '', '\x00', '10', 'long-member-name-xyz'];
    const scores = ['0', '1', '-1', '2.5', '-0', '1e3', '0.1', 'inf', '-inf', '3', '(1', 'x', '1e-5', '7'];
    const ints = ['0', '1', '-1', '2', '-2', '5', '100', 'x'];
    const lex = ['-', '+', '[a', '(b', '[d', '(h', '[', 'x'];
    const ms = (n: number): string[] => {
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(pickOf(scores.slice(0, 10)), pickOf(members));
      return out;
    };
    const gens: (() => string[])[] = [
      () => ['ZADD', pickOf(keys), ...(rnd() < 0.3 ? [pickOf(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'])] : []), ...ms(1 + Math.floor(rnd() * 4))],
      () => ['ZINCRBY', pickOf(keys), pickOf(scores), pickOf(members)],
      () => ['ZREM', pickOf(keys), pickOf(members), pickOf(members)],
      () => ['ZCARD', pickOf(keys)],
      () => ['ZCOUNT', pickOf(keys), pickOf(scores), pickOf(scores)],
      () => ['ZLEXCOUNT', pickOf(keys), pickOf(lex), pickOf(lex)],
      () => ['ZSCORE', pickOf(keys), pickOf(members)],
      () => ['ZMSCORE', pickOf(keys), pickOf(members), pickOf(members)],
      () => [pickOf(['ZRANK', 'ZREVRANK']), pickOf(keys), pickOf(members)],
      () => ['ZRANGE', pickOf(keys), pickOf(ints), pickOf(ints), ...(rnd() < 0.5 ? ['WITHSCORES'] : []), ...(rnd() < 0.3 ? ['REV'] : [])],
      () => ['ZRANGE', pickOf(keys), pickOf(scores), pickOf(scores), 'BYSCORE', ...(rnd() < 0.5 ? ['LIMIT', pickOf(ints), pickOf(ints)] : [])],
      () => ['ZRANGE', pickOf(keys), pickOf(lex), pickOf(lex), 'BYLEX', ...(rnd() < 0.3 ? ['REV'] : [])],
      () => [pickOf(['ZRANGEBYSCORE', 'ZREVRANGEBYSCORE']), pickOf(keys), pickOf(scores), pickOf(scores), 'WITHSCORES'],
      () => [pickOf(['ZRANGEBYLEX', 'ZREVRANGEBYLEX']), pickOf(keys), pickOf(lex), pickOf(lex)],
      () => ['ZRANGESTORE', pickOf(keys), pickOf(keys), pickOf(ints), pickOf(ints)],
      () => ['ZREMRANGEBYRANK', pickOf(keys), pickOf(ints), pickOf(ints)],
      () => ['ZREMRANGEBYSCORE', pickOf(keys), pickOf(scores), pickOf(scores)],
      () => ['ZREMRANGEBYLEX', pickOf(keys), pickOf(lex), pickOf(lex)],
      () => [pickOf(['ZPOPMIN', 'ZPOPMAX']), pickOf(keys), ...(rnd() < 0.5 ? [pickOf(ints)] : [])],
      () => ['ZMPOP', '2', pickOf(keys), pickOf(keys), pickOf(['MIN', 'MAX']), 'COUNT', pickOf(['1', '2', '3'])],
      () => ['BZPOPMIN', pickOf(keys), pickOf(keys), '0.001'],
      () => [pickOf(['ZUNION', 'ZINTER', 'ZDIFF']), '2', pickOf(keys), pickOf(keys), 'WITHSCORES'],
      () => [pickOf(['ZUNIONSTORE', 'ZINTERSTORE']), pickOf(keys), '2', pickOf(keys), pickOf(keys), 'WEIGHTS', pickOf(scores), pickOf(scores),
        'AGGREGATE', pickOf(['SUM', 'MIN', 'MAX'])],
      () => ['ZDIFFSTORE', pickOf(keys), '2', pickOf(keys), pickOf(keys)],
      () => ['ZINTERCARD', '2', pickOf(keys), pickOf(keys)],
      () => ['ZRANDMEMBER', pickOf(keys), '1000', 'WITHSCORES'],
      () => ['OBJECT', 'ENCODING', pickOf(keys)],
      () => ['CONFIG', 'SET', 'zset-max-listpack-entries', pickOf(['0', '3', '128'])],
      () => ['SET', 'str', 'v'],
      () => ['DEL', pickOf(keys)],
    ];
    try {
      for (let i = 0; i < 1500; i++) {
        const cmd = pickOf(gens)();
        await p.same(...cmd);
      }
      for (const k of keys.slice(0, 3)) await sameZset(p, k);
    } catch (e) {
      throw new Error(`random mix failed with seed ${seed} (HOTKV_TEST_SEED=${SEED}): ${(e as Error).message}`);
    } finally {
      await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
    }
  });
});
