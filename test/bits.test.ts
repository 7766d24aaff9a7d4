// The bitmap commands (GETBIT SETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO) compared with redis-server 7.0
// byte for byte: every error and argument edge in RESP2 and RESP3, every BITCOUNT/BITPOS range of small strings
// in BYTE and BIT units, BITFIELD's types, offsets and overflow modes, OBJECT ENCODING and the bytes GET reads
// back, dirty/hit/miss counters, keyspace events, a seeded random mix, large strings, and the AOF: the same
// incr file as Redis writes, reloaded to the same DEBUG DIGEST.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { encodeCommand, RawClient } from './helpers/resp';
import { scratch } from './helpers/scratch';
import { DEFAULT_BUNDLE, startHotkv, startRedis } from './helpers/servers';
import { hello, prng, sameCounters, sameEvents, seededMix, withEventsPair } from './helpers/unordered';

const SEED = Number(process.env.HOTKV_TEST_SEED ?? 20261126);

/** Send every command at once to both servers and compare the replies one by one. */
async function pipeSame(p: Pair, cmds: string[][]): Promise<void> {
  for (let i = 0; i < cmds.length; i += 500) {
    const batch = cmds.slice(i, i + 500);
    const bytes = Buffer.concat(batch.map((a) => encodeCommand(a)));
    p.h.write(bytes);
    p.r.write(bytes);
    let failure: Error | null = null;
    for (const args of batch) {
      // On a difference the rest of the batch is still read, so the connections stay in step for later tests.
      const [h, r] = await Promise.all([p.h.reply(), p.r.reply()]);
      if (failure === null && h !== r) failure = new Error(`reply to ${show(args.join(' '))} differs: hotkv ${show(h)} vs redis ${show(r)}`);
    }
    if (failure !== null) throw failure;
  }
}

/** Errors, arity, types and edges of every command. */
const BASICS: string[][] = [
  ['SET', 's', 'foobar'], ['SET', 'n', '12345'], ['RPUSH', 'l', 'x'], ['SET', 'e', ''],
  // arity
  ['GETBIT'], ['GETBIT', 's'], ['GETBIT', 's', '1', '2'], ['SETBIT', 's', '1'], ['BITCOUNT'], ['BITPOS', 's'],
  ['BITOP', 'AND', 'd'], ['BITFIELD'], ['BITFIELD_RO'],
  // GETBIT / SETBIT offsets and values
  ['GETBIT', 's', '0'], ['GETBIT', 's', '1'], ['GETBIT', 's', '47'], ['GETBIT', 's', '48'], ['GETBIT', 's', '4294967295'],
  ['GETBIT', 's', '4294967296'], ['GETBIT', 's', '-1'], ['GETBIT', 's', 'x'], ['GETBIT', 's', '1.5'], ['GETBIT', 's', ' 1'],
  ['GETBIT', 's', '+1'], ['GETBIT', 's', '01'], ['GETBIT', 's', '9223372036854775807'], ['GETBIT', 's', '99999999999999999999'],
  ['GETBIT', 'n', '2'], ['GETBIT', 'n', '3'], ['GETBIT', 'none', '3'], ['GETBIT', 'l', '0'], ['GETBIT', 'l', 'x'], ['GETBIT', 'e', '0'],
  ['SETBIT', 's', '0', '2'], ['SETBIT', 's', '0', '-1'], ['SETBIT', 's', '0', 'x'], ['SETBIT', 's', '-1', '1'], ['SETBIT', 's', 'x', 'y'],
  ['SETBIT', 's', '4294967296', '1'], ['SETBIT', 'l', '0', '1'], ['SETBIT', 'l', '0', '2'], ['SETBIT', 'l', '-1', '1'],
  ['SETBIT', 's', '7', '1'], ['SETBIT', 's', '7', '1'], ['SETBIT', 's', '7', '0'], ['SETBIT', 's', '100', '0'], ['GET', 's'],
  ['SETBIT', 'n', '5', '0'], ['GET', 'n'], ['SETBIT', 'n', '6', '1'], ['GET', 'n'], ['SETBIT', 'new', '17', '1'], ['GET', 'new'],
  ['SETBIT', 'e', '0', '0'], ['GET', 'e'],
  // BITCOUNT
  ['BITCOUNT', 's'], ['BITCOUNT', 'none'], ['BITCOUNT', 'none', 'a', 'b'], ['BITCOUNT', 'none', '0'], ['BITCOUNT', 's', '0'],
  ['BITCOUNT', 's', 'a', '1'], ['BITCOUNT', 's', '1', 'a'], ['BITCOUNT', 's', '0', '-1', 'BIT'], ['BITCOUNT', 's', '0', '-1', 'byte'],
  ['BITCOUNT', 's', '0', '-1', 'bits'], ['BITCOUNT', 's', '-1', '-2', 'junk'], ['BITCOUNT', 's', '0', '-1', 'bit', 'x'],
  ['BITCOUNT', 's', '0', '-1', 'bit\x00x'], ['BITCOUNT', 'l'], ['BITCOUNT', 'l', 'x', 'y'], ['BITCOUNT', 'n'], ['BITCOUNT', 'e'],
  ['BITCOUNT', 's', '-9223372036854775808', '9223372036854775807'], ['BITCOUNT', 's', '-9223372036854775808', '9223372036854775807', 'BIT'],
  ['BITCOUNT', 's', '9223372036854775807', '-9223372036854775808'], ['BITCOUNT', 's', '-3', '-3', 'BIT'],
  ['BITCOUNT', 's', '9223372036854775808', '1'], ['BITCOUNT', 'e', '0', '0'], ['BITCOUNT', 'e', '0', '0', 'BIT'],
  // BITPOS
  ['BITPOS', 's', '1'], ['BITPOS', 's', '0'], ['BITPOS', 's', '2'], ['BITPOS', 's', '-1'], ['BITPOS', 's', 'x'], ['BITPOS', 'none', '1'],
  ['BITPOS', 'none', '0'], ['BITPOS', 'none', '0', 'x', 'y'], ['BITPOS', 'none', '2'], ['BITPOS', 'l', '1'], ['BITPOS', 'l', '1', 'x'],
  ['BITPOS', 's', '1', 'x'], ['BITPOS', 's', '1', '0', 'x'], ['BITPOS', 's', '1', '0', 'abc', 'foo'], ['BITPOS', 's', '1', '0', '1', 'foo'],
  ['BITPOS', 's', '1', '0', '1', 'BIT', 'x'], ['BITPOS', 's', '0', '0', '-1', 'bit'], ['BITPOS', 'e', '0'], ['BITPOS', 'e', '1'],
  ['BITPOS', 'e', '0', '0'], ['BITPOS', 'e', '0', '0', '-1', 'BIT'], ['BITPOS', 'n', '0', '2'],
  // BITOP
  ['BITOP', 'NOT', 'd', 's', 'n'], ['BITOP', 'NOT', 'd'], ['BITOP', 'FOO', 'd', 's'], ['BITOP', 'and\x00x', 'd', 's', 'n'], ['GET', 'd'],
  ['BITOP', 'OR', 'd', 's', 'l'], ['BITOP', 'OR', 'd', 'l', 'none'], ['BITOP', 'XOR', 'd', 'none', 'none2'], ['EXISTS', 'd'],
  ['BITOP', 'Not', 'd', 's'], ['GET', 'd'], ['OBJECT', 'ENCODING', 'd'], ['BITOP', 'xor', 'd', 's', 'n', 'none', 's'], ['GET', 'd'],
  ['BITOP', 'AND', 'd', 's', 'none'], ['GET', 'd'], ['BITOP', 'AND', 'd', 'none', 'e'], ['EXISTS', 'd'], ['BITOP', 'NOT', 'd', 'e'],
  ['SET', 'd', 'x', 'EX', '100'], ['BITOP', 'OR', 'd', 's'], ['TTL', 'd'], ['BITOP', 'OR', 'l', 's'], ['TYPE', 'l'],
  // BITFIELD
  ['BITFIELD', 'bf'], ['BITFIELD', 'bf', 'GET'], ['BITFIELD', 'bf', 'GET', 'u8'], ['BITFIELD', 'bf', 'FOO', 'u8', '0'],
  ['BITFIELD', 'bf', 'SET', 'u8', '0'], ['BITFIELD', 'bf', 'INCRBY', 'u8', '0'], ['BITFIELD', 'bf', 'OVERFLOW'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'foo', 'GET', 'u8', '0'], ['BITFIELD', 'bf', 'GET', 'u8', '0', 'OVERFLOW', 'foo'],
  ['BITFIELD', 'bf', 'GET', 'u64', '0'], ['BITFIELD', 'bf', 'GET', 'i65', '0'], ['BITFIELD', 'bf', 'GET', 'u0', '0'],
  ['BITFIELD', 'bf', 'GET', 'x8', '0'], ['BITFIELD', 'bf', 'GET', 'U8', '0'], ['BITFIELD', 'bf', 'GET', 'u', '0'],
  ['BITFIELD', 'bf', 'GET', 'u08', '0'], ['BITFIELD', 'bf', 'GET', 'i-1', '0'], ['BITFIELD', 'bf', 'GET', 'u8\x00junk', '0'],
  ['BITFIELD', 'bf', 'GET', 'u8', '-1'], ['BITFIELD', 'bf', 'GET', 'u8', 'x'], ['BITFIELD', 'bf', 'GET', 'u8', '#'],
  ['BITFIELD', 'bf', 'GET', 'u8', '#-1'], ['BITFIELD', 'bf', 'GET', 'u8', '##1'], ['BITFIELD', 'bf', 'GET', 'u8', '#1152921504606846976'],
  ['BITFIELD', 'bf', 'GET', 'u8', '#536870911'], ['BITFIELD', 'bf', 'GET', 'u8', '#536870912'], ['BITFIELD', 'bf', 'GET', 'u8', '4294967295'],
  ['BITFIELD', 'bf', 'GET', 'u8', '4294967296'], ['BITFIELD', 'bf', 'SET', 'u8', '0', 'x'], ['BITFIELD', 'bf', 'SET', 'u8', '0', '1.5'],
  ['BITFIELD', 'bf', 'INCRBY', 'u8', '0', '9223372036854775808'], ['BITFIELD', 'bf', 'get', 'u8', '0', 'GET'],
  ['EXISTS', 'bf'], ['BITFIELD', 'l', 'GET', 'u8', '0'], ['BITFIELD', 'l', 'SET', 'u8', '0', '1'], ['BITFIELD', 'l', 'GET', 'u64', '0'],
  ['BITFIELD', 'bf', 'SET', 'u8', '0', '255', 'GET', 'u8', '0', 'GET', 'i8', '0', 'GET', 'u4', '#1', 'GET', 'i64', '0', 'GET', 'u63', '1'],
  ['BITFIELD', 'bf', 'SET', 'i64', '0', '-9223372036854775808', 'GET', 'i64', '0', 'GET', 'u63', '0', 'GET', 'u63', '1'],
  ['BITFIELD', 'bf', 'SET', 'u63', '1', '9223372036854775807', 'GET', 'i64', '0', 'INCRBY', 'i64', '0', '1'],
  ['BITFIELD', 'bf', 'INCRBY', 'i64', '0', '-1', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '9223372036854775807', 'INCRBY', 'i64', '0', '1'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '1', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'u63', '1', '1'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-5', 'SET', 'u8', '8', '300', 'SET', 'i8', '16', '200', 'SET', 'i8', '24', '-200'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'WRAP', 'SET', 'u8', '0', '-5', 'SET', 'u8', '8', '300', 'SET', 'i8', '16', '200', 'SET', 'i8', '24', '-200'],
  ['BITFIELD', 'bf', 'OVERFLOW', 'fail', 'SET', 'u8', '0', '-5', 'SET', 'u8', '8', '300', 'SET', 'i8', '16', '200', 'SET', 'i8', '24', '127'],
  ['BITFIELD', 'bf', 'INCRBY', 'u2', '100', '1', 'INCRBY', 'u2', '100', '-5', 'OVERFLOW', 'SAT', 'INCRBY', 'u2', '100', '-5', 'INCRBY', 'i3', '#9', '100'],
  ['BITFIELD', 'bf', 'INCRBY', 'u63', '3', '9223372036854775807', 'INCRBY', 'u63', '3', '-9223372036854775808', 'INCRBY', 'i1', '0', '1', 'INCRBY', 'i1', '0', '-1'],
  ['BITFIELD', 'bf', 'overflow', 'sat', 'incrby', 'u1', '7', '-1', 'incrby', 'i1', '7', '-2', 'incrby', 'u63', '0', '-9223372036854775808'],
  ['GET', 'bf'], ['OBJECT', 'ENCODING', 'bf'], ['STRLEN', 'bf'],
  ['BITFIELD_RO', 'bf', 'GET', 'u8', '0', 'GET', 'i5', '#3'], ['BITFIELD_RO', 'bf', 'GET', 'u8', '0', 'SET', 'u8', '0', '1'],
  ['BITFIELD_RO', 'bf', 'INCRBY', 'u8', '0', '1'], ['BITFIELD_RO', 'bf', 'SET', 'u8', '0', 'x'], ['BITFIELD_RO', 'bf', 'OVERFLOW', 'SAT'],
  ['BITFIELD_RO', 'l', 'GET', 'u8', '0'], ['BITFIELD_RO', 'l', 'SET', 'u8', '0', '1'], ['BITFIELD_RO', 'none', 'GET', 'i64', '100'],
  ['BITFIELD', 'n', 'GET', 'u8', '0', 'GET', 'u16', '36'], ['BITFIELD', 'n', 'OVERFLOW', 'FAIL', 'SET', 'u8', '0', '999'], ['OBJECT', 'ENCODING', 'n'],
  ['BITFIELD', 'nb', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '30', '100'], ['GET', 'nb'], ['OBJECT', 'ENCODING', 'nb'],
];

describe('bit commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p?.stop(); });

  for (const proto of ['2', '3'] as const) {
    it(`errors, arity, types and edges (RESP${proto})`, async () => {
      await p.reset();
      await hello(p, proto);
      await p.script(BASICS);
      await hello(p, '2');
    });
  }

  it('OBJECT ENCODING and the bytes GET reads back after every kind of write', async () => {
    await p.reset();
    const steps: string[][] = [];
    const starts = [['SET', 'k', '7'], ['SET', 'k', 'abc'], ['SET', 'k', 'x'.repeat(60)], ['SET', 'k', '-1'], ['APPEND', 'k', 'z'], ['DEL', 'k']];
    const writes = [['SETBIT', 'k', '3', '0'], ['SETBIT', 'k', '3', '1'], ['SETBIT', 'k', '500', '0'], ['SETBIT', 'k', '351', '1'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', '55'], ['BITFIELD', 'k', 'GET', 'u8', '0'], ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '9'],
      ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u2', '400', '9'], ['BITFIELD', 'k', 'INCRBY', 'i8', '0', '0'], ['BITOP', 'OR', 'k', 'k'],
      ['BITOP', 'NOT', 'k', 'k'], ['BITOP', 'AND', 'k', 'k', 'k'], ['GETBIT', 'k', '1'], ['BITCOUNT', 'k']];
    for (const s of starts) {
      for (const w of writes) {
        steps.push(['DEL', 'k'], s, w, ['GET', 'k'], ['OBJECT', 'ENCODING', 'k'], ['STRLEN', 'k']);
      }
    }
    await p.script(steps);
  });

  it('dirty, keyspace hits and misses move as in Redis (no-op writes do not count)', async () => {
    await p.reset();
    await sameCounters(p, [
      ['SETBIT', 'c', '5', '1'], ['SETBIT', 'c', '5', '1'], ['SETBIT', 'c', '5', '0'], ['SETBIT', 'c', '5', '0'], ['SETBIT', 'c', '40', '0'],
      ['GETBIT', 'c', '5'], ['GETBIT', 'none', '5'], ['BITCOUNT', 'c'], ['BITCOUNT', 'none'], ['BITPOS', 'c', '1'], ['BITPOS', 'none', '1'],
      ['BITOP', 'OR', 'd', 'c', 'none'], ['BITOP', 'AND', 'd', 'none'], ['BITOP', 'AND', 'd', 'none'],
      ['BITFIELD', 'c', 'SET', 'u8', '0', '0'], ['BITFIELD', 'c', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '1', 'INCRBY', 'u8', '0', '0'],
      ['BITFIELD', 'c', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'], ['BITFIELD', 'c', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '800', '300'],
      ['BITFIELD', 'c', 'SET', 'u8', '1000', '0'], ['BITFIELD', 'c', 'GET', 'u8', '0'], ['BITFIELD', 'none', 'GET', 'u8', '0'],
      ['BITFIELD_RO', 'c', 'GET', 'u8', '0'], ['BITFIELD_RO', 'none', 'GET', 'u8', '0'], ['BITFIELD', 'new', 'SET', 'u8', '0', '0'],
    ]);
  });

  it('every BITCOUNT and BITPOS range of small strings, BYTE and BIT', async () => {
    await p.reset();
    const values = ['\x00', '\xff', '\x00\xff\x00', '\xff\x00\xff', '\xf0\x0f\x3c', 'ab', '\x80\x00\x00\x01', '\xff\xff\xfe\xff\xff'];
    for (const v of values) {
      await p.same('SET', 'r', v);
      const bits = v.length * 8;
      const cmds: string[][] = [['BITPOS', 'r', '0'], ['BITPOS', 'r', '1'], ['BITCOUNT', 'r']];
      for (let a = -bits - 2; a <= bits + 2; a++) {
        for (const bit of ['0', '1']) cmds.push(['BITPOS', 'r', bit, String(a)], ['BITPOS', 'r', bit, String(a), '-1', 'BIT']);
        for (let b = -bits - 2; b <= bits + 2; b++) {
          cmds.push(['BITCOUNT', 'r', String(a), String(b), 'BIT'], ['BITPOS', 'r', '0', String(a), String(b), 'BIT'],
            ['BITPOS', 'r', '1', String(a), String(b), 'bit']);
          if (Math.abs(a) <= v.length + 1 && Math.abs(b) <= v.length + 1) {
            cmds.push(['BITCOUNT', 'r', String(a), String(b)], ['BITCOUNT', 'r', String(a), String(b), 'BYTE'],
              ['BITPOS', 'r', '0', String(a), String(b)], ['BITPOS', 'r', '1', String(a), String(b), 'byte']);
          }
        }
      }
      await pipeSame(p, cmds);
    }
  });

  it('BITFIELD: every type at unaligned offsets, every overflow mode, values around the limits', async () => {
    await p.reset();
    const cmds: string[][] = [];
    const rnd = prng(SEED + 3);
    for (const sign of ['i', 'u']) {
      for (let bits = 1; bits <= (sign === 'i' ? 64 : 63); bits++) {
        const t = `${sign}${bits}`;
        const lim = 2n ** BigInt(sign === 'i' ? bits - 1 : bits);
        const vals = [0n, 1n, -1n, lim, lim - 1n, -lim, -lim - 1n, lim * 2n, 9223372036854775807n, -9223372036854775808n]
          .filter((x) => x <= 9223372036854775807n && x >= -9223372036854775808n).map(String);
        const off = String(Math.floor(rnd() * 40));
        for (const ow of ['WRAP', 'SAT', 'FAIL']) {
          for (const v of vals) {
            cmds.push(['BITFIELD', 'f', 'OVERFLOW', ow, 'SET', t, off, v, 'GET', t, off, 'INCRBY', t, off, v, 'INCRBY', t, `#${bits % 5}`, v]);
          }
        }
        cmds.push(['GET', 'f'], ['BITFIELD_RO', 'f', 'GET', t, '0', 'GET', t, '13', 'GET', t, '#3']);
      }
    }
    await pipeSame(p, cmds);
  });

  it('a seeded random mix of bit commands', async () => {
    await p.reset();
    const rnd = prng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const keys = ['a', 'b', 'c', 'd', 'none'];
    const num = () => String(Math.floor(rnd() * 200) - 100);
    const types = ['u1', 'i1', 'u3', 'i5', 'u8', 'i8', 'u13', 'i16', 'u32', 'i33', 'u63', 'i64'];
    const gen = (): string[] => {
      switch (Math.floor(rnd() * 10)) {
        case 0: return ['SETBIT', pick(keys), String(Math.floor(rnd() * 300)), pick(['0', '1'])];
        case 1: return ['GETBIT', pick(keys), String(Math.floor(rnd() * 300))];
        case 2: return ['BITCOUNT', pick(keys), num(), num(), pick(['BIT', 'BYTE'])];
        case 3: return ['BITPOS', pick(keys), pick(['0', '1']), num(), ...(rnd() < 0.5 ? [num(), pick(['BIT', 'BYTE'])] : [])];
        case 4: return ['BITOP', pick(['AND', 'OR', 'XOR']), pick(keys), pick(keys), pick(keys), pick(keys)];
        case 5: return ['BITOP', 'NOT', pick(keys), pick(keys)];
        case 6: {
          const args = ['BITFIELD', pick(keys)];
          for (let i = Math.floor(rnd() * 4); i >= 0; i--) {
            const t = pick(types);
            const off = rnd() < 0.3 ? `#${Math.floor(rnd() * 10)}` : String(Math.floor(rnd() * 200));
            const v = String(BigInt(Math.floor(rnd() * 2 ** 31) - 2 ** 30) * BigInt(Math.floor(rnd() * 2 ** 31)));
            const op = pick(['GET', 'SET', 'INCRBY', 'OVERFLOW']);
            if (op === 'GET') args.push('GET', t, off);
            else if (op === 'OVERFLOW') args.push('OVERFLOW', pick(['WRAP', 'SAT', 'FAIL']));
            else args.push(op, t, off, rnd() < 0.5 ? num() : v);
          }
          return args;
        }
        case 7: return ['BITFIELD_RO', pick(keys), 'GET', pick(types), String(Math.floor(rnd() * 300))];
        case 8: return pick([['SET', pick(keys), String(Math.floor(rnd() * 1e6))], ['APPEND', pick(keys), 'xyz'], ['DEL', pick(keys)]]);
        default: return ['GET', pick(keys)];
      }
    };
    await seededMix('bits mix', SEED, 3000, async () => {
      const args = gen();
      await p.same(...args);
    });
    for (const k of keys) await p.script([['GET', k], ['OBJECT', 'ENCODING', k]]);
  });

  it('large strings: BITCOUNT over 1 MB, SETBIT at large offsets, BITOP of 1 MB strings (timed on hotkv)', async () => {
    await p.reset();
    const rnd = prng(SEED + 7);
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = Math.floor(rnd() * 256);
    const bigText = big.toString('latin1');
    await p.same('SET', 'big', bigText);
    await p.same('SET', 'big2', bigText.slice(1000));
    await p.script([['BITCOUNT', 'big'], ['BITCOUNT', 'big', '3', '-7'], ['BITCOUNT', 'big', '13', '-29', 'BIT'], ['BITPOS', 'big', '1', '5000'],
      ['BITOP', 'XOR', 'x', 'big', 'big2'], ['BITCOUNT', 'x'], ['BITOP', 'AND', 'x', 'big', 'big2'], ['BITCOUNT', 'x'],
      ['BITOP', 'NOT', 'x', 'big'], ['BITCOUNT', 'x'], ['BITOP', 'OR', 'x', 'big', 'big2', 'big'], ['BITCOUNT', 'x'],
      ['SETBIT', 'far', '100000000', '1'], ['STRLEN', 'far'], ['BITCOUNT', 'far'], ['BITPOS', 'far', '1'], ['BITPOS', 'far', '0', '1000'],
      ['SETBIT', 'far', '99999999', '1'], ['BITPOS', 'far', '1', '-3'], ['BITFIELD', 'far', 'INCRBY', 'u8', '200000000', '7'], ['STRLEN', 'far'],
    ]);
    const [hd, rd] = await Promise.all([p.h.command('GET', 'x'), p.r.command('GET', 'x')]);
    assert.ok(hd === rd, 'BITOP result differs');
    // timings on hotkv alone
    const time = async (n: number, ...args: string[]) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) assert.match(await p.h.command(...args), /^:\d+\r\n$/);
      return (performance.now() - t0) / n;
    };
    const bc = await time(20, 'BITCOUNT', 'big');
    const bcBit = await time(20, 'BITCOUNT', 'big', '7', '-9', 'BIT');
    const sb = await time(20, 'SETBIT', 'big', '4000000', '1');
    const bo = await time(5, 'BITOP', 'AND', 'y', 'big', 'big2');
    const far = await time(3, 'SETBIT', 'far2', '400000000', '1');
    console.log(`# hotkv round trips (ms): BITCOUNT 1MB ${bc.toFixed(2)}, BITCOUNT 1MB BIT range ${bcBit.toFixed(2)}, ` +
      `SETBIT in 1MB ${sb.toFixed(2)}, BITOP AND 2x1MB ${bo.toFixed(2)}, SETBIT new key at 400M ${far.toFixed(2)}`);
    assert.ok(bc < 50 && sb < 50 && bo < 200, 'bit commands on 1 MB strings are too slow');
  });
});

describe('bit commands: keyspace notifications', () => {
  const t = withEventsPair();
  it('setbit, set and del events as Redis sends them (KEAn)', async () => {
    const n = await sameEvents(t.d, [
      ['SETBIT', 'k', '3', '1'], ['SETBIT', 'k', '3', '1'], ['SETBIT', 'k', '3', '0'], ['SETBIT', 'k', '30', '0'], ['GETBIT', 'none', '1'],
      ['BITCOUNT', 'none'], ['BITPOS', 'none', '1'], ['BITOP', 'OR', 'd', 'k', 'none'], ['BITOP', 'AND', 'd', 'none'], ['BITOP', 'AND', 'd', 'none'],
      ['BITFIELD', 'k', 'SET', 'u8', '0', '0'], ['BITFIELD', 'k', 'SET', 'u8', '0', '5', 'INCRBY', 'u8', '0', '1'],
      ['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'], ['BITFIELD', 'nk', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'],
      ['BITFIELD', 'none2', 'GET', 'u8', '0'], ['BITFIELD_RO', 'none2', 'GET', 'u8', '0'], ['SET', 'e', 'v', 'PX', '1'],
    ], 'KEAnm');
    assert.ok(n >= 20, `only ${n} events`);
  });
});

describe('bit commands: the AOF, and the bundle self-test', () => {
  const { track, tmpDir } = scratch('hotkv-bits-');
  const DEBUG = ['--enable-debug-command', 'yes'];

  it('the bundle passes its self-test with the bit cases (HOTUPGRADE LOAD of itself)', async () => {
    const hk = await track(startHotkv());
    const c = await RawClient.connect(hk.port);
    const reply = await c.command('HOTUPGRADE', 'LOAD', DEFAULT_BUNDLE);
    c.close();
    assert.ok(reply.startsWith('*') || reply.startsWith('%'), show(reply));
  });

  it('propagates as Redis does (the same incr file), and reloads to the same digest', async () => {
    const rdir = tmpDir();
    const [hk, redis] = await Promise.all([track(startHotkv({ args: ['--appendonly', 'yes', ...DEBUG] })),
      track(startRedis(['--appendonly', 'yes', '--dir', rdir, ...DEBUG]))]);
    const [h, r] = await Promise.all([RawClient.connect(hk.port), RawClient.connect(redis.port)]);
    const rnd = prng(SEED + 11);
    const steps: string[][] = [['SELECT', '3'], ['SET', 'n', '42'], ['SETBIT', 'n', '0', '0'], ['SETBIT', 'n', '1', '1'], ['SETBIT', 'n', '1', '1']];
    for (let i = 0; i < 300; i++) {
      const k = `k${Math.floor(rnd() * 4)}`;
      const o = String(Math.floor(rnd() * 100));
      steps.push(rnd() < 0.4 ? ['SETBIT', k, o, rnd() < 0.5 ? '1' : '0']
        : rnd() < 0.5 ? ['BITFIELD', k, 'INCRBY', 'u4', o, String(Math.floor(rnd() * 6) - 3), 'GET', 'i8', o]
          // (FAIL on a missing key would create it without propagating, in Redis too: 'n' always exists)
          : rnd() < 0.5 ? ['BITFIELD', 'n', 'OVERFLOW', 'FAIL', 'SET', 'u2', '#3', String(Math.floor(rnd() * 5))]
            : ['BITOP', rnd() < 0.5 ? 'XOR' : 'AND', `k${Math.floor(rnd() * 4)}`, k, 'missing']);
    }
    steps.push(['BITOP', 'AND', 'k0', 'missing'], ['SELECT', '0'], ['SETBIT', 'z', '10', '1']);
    for (const s of steps) {
      const [a, b] = await Promise.all([h.command(...s), r.command(...s)]);
      assert.equal(show(a), show(b), show(s.join(' ')));
    }
    const [hDigest, rDigest] = await Promise.all([h.command('DEBUG', 'DIGEST'), r.command('DEBUG', 'DIGEST')]);
    assert.equal(hDigest, rDigest, 'DEBUG DIGEST hotkv vs redis');
    const incr = (dir: string) => {
      const adir = path.join(dir, 'appendonlydir');
      const f = fs.readdirSync(adir).find((n) => n.endsWith('.incr.aof'))!;
      return fs.readFileSync(path.join(adir, f), 'latin1');
    };
    const hFile = incr(hk.dir);
    assert.ok(hFile.length > 1000);
    assert.equal(show(hFile), show(incr(rdir)), 'incr AOF hotkv vs redis');
    h.close();
    r.close();
    await hk.stop();
    const hk2 = await track(startHotkv({ dir: hk.dir, args: ['--appendonly', 'yes', ...DEBUG] }));
    const h2 = await RawClient.connect(hk2.port);
    assert.equal(await h2.command('DEBUG', 'DIGEST'), hDigest, 'digest after reloading the AOF');
    h2.close();
  });
});
