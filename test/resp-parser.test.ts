// The RESP parser's fast paths against independent oracles: argument strings built in JS (sliceString)
// must equal Buffer#latin1Slice byte for byte, the interned command names must be the right text, and
// count/length lines of every shape (signs, leading zeros, spaces, 15-20 digits, limits) must give what
// Redis's string2ll rules give, whole or cut at any byte. The differential protocol test covers the error
// texts against redis-server; this one reaches shapes a real client rarely sends, many times.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../src/logic/resp/parser';
import { sliceString } from '../src/logic/resp/slice';
import { prng } from './helpers/unordered';

const INT_MAX = 2147483647;
const MAX_BULK = 1024 * 1024;

/** Redis's string2ll as a regular expression and a range check: the oracle for count and length lines. */
function redisInt(text: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(text)) return null;
  const v = BigInt(text);
  return v >= -(2n ** 63n) && v < 2n ** 63n ? v : null;
}

type Expect = { argv: string[] } | { error: string };

/** What a whole frame `*<count>\r\n` + `$<len>\r\n<arg>\r\n`... must parse to. */
function expected(count: string, lens: string[], args: string[]): Expect {
  const n = redisInt(count);
  if (n === null || n > BigInt(INT_MAX)) return { error: 'Protocol error: invalid multibulk length' };
  if (n <= 0n) return { argv: [] };
  for (const l of lens) {
    const v = redisInt(l);
    if (v === null || v < 0n || v > BigInt(MAX_BULK)) return { error: 'Protocol error: invalid bulk length' };
  }
  return { argv: args };
}

describe('RESP parser fast paths', () => {
  it('sliceString equals latin1Slice for every length up to 64 and any byte', () => {
    const rnd = prng(7);
    const buf = Buffer.alloc(200);
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < buf.length; i++) buf[i] = Math.floor(rnd() * 256);
      for (let n = 0; n <= 64; n++) {
        const p = Math.floor(rnd() * (buf.length - n));
        assert.equal(sliceString(buf, p, n), buf.latin1Slice(p, p + n), `n=${n}`);
      }
    }
  });

  it('command names: the same string for a repeated name, the right text for names sharing a cache slot', () => {
    const rnd = prng(11);
    const frame = (name: string) => Buffer.from(`*1\r\n$${name.length}\r\n${name}\r\n`, 'latin1');
    const first = parseCommand(frame('SET'), 0, MAX_BULK).argv![0];
    assert.equal(parseCommand(frame('SET'), 0, MAX_BULK).argv![0], first);
    const names: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const len = 1 + Math.floor(rnd() * 40);
      let s = '';
      for (let j = 0; j < len; j++) s += String.fromCharCode(Math.floor(rnd() * 256));
      names.push(s);
    }
    for (let round = 0; round < 3; round++) {
      for (const name of names) assert.equal(parseCommand(frame(name), 0, MAX_BULK).argv![0], name);
    }
  });

  it('count and length lines of every shape, whole and cut at every byte', () => {
    const rnd = prng(23);
    const shapes = ['0', '1', '2', '3', '9', '10', '01', '00', '-1', '-0', '+1', ' 1', '1 ', '', '-', '12a', '2147483647',
      '2147483648', '999999999999999', '1000000000000000', '9223372036854775807', '9223372036854775808',
      '99999999999999999999', '1048576', '1048577', '16', '3000000000'];
    const pick = () => shapes[Math.floor(rnd() * shapes.length)];
    let checked = 0;
    for (let round = 0; round < 4000; round++) {
      // Mostly a count line for 1-3 arguments; sometimes any shape (a valid count over 3 would leave the frame
      // incomplete here, so those frames are skipped).
      const count = rnd() < 0.7 ? String(1 + Math.floor(rnd() * 3)) : pick();
      const n = redisInt(count);
      if (n !== null && n > 3n && n <= BigInt(INT_MAX)) continue;
      const argc = n !== null && n > 0n && n <= 3n ? Number(n) : 1;
      const lens: string[] = [];
      const args: string[] = [];
      let body = '';
      for (let i = 0; i < argc; i++) {
        // A valid length always matches its argument (the frame stays well framed up to the first bad line);
        // valid lengths too big to send here are replaced by the real one.
        let len = rnd() < 0.6 ? String(Math.floor(rnd() * 30)) : pick();
        const v = redisInt(len);
        if (v !== null && v >= 0n && v <= BigInt(MAX_BULK) && v > 40n) len = String(Math.floor(rnd() * 30));
        const real = redisInt(len) !== null && redisInt(len)! >= 0n && redisInt(len)! <= 40n ? Number(len) : Math.floor(rnd() * 30);
        let arg = '';
        for (let j = 0; j < real; j++) arg += String.fromCharCode(Math.floor(rnd() * 256));
        lens.push(len);
        args.push(arg);
        body += `$${len}\r\n${arg}\r\n`;
      }
      const frame = Buffer.from(`*${count}\r\n${body}`, 'latin1');
      const want = expected(count, lens, args);
      const whole = parseCommand(frame, 0, MAX_BULK);
      if ('error' in want) {
        assert.equal(whole.error, want.error, JSON.stringify(frame.toString('latin1')));
      } else {
        assert.equal(whole.error, '');
        assert.deepEqual(whole.argv, want.argv, JSON.stringify(frame.toString('latin1')));
        if (want.argv.length > 0) assert.equal(whole.next, frame.length);
      }
      // Every prefix: still incomplete, or already the same answer (an error can show before the frame ends).
      for (let cut = 0; cut < frame.length; cut++) {
        const r = parseCommand(frame.subarray(0, cut), 0, MAX_BULK);
        if (r.argv === null && r.error === '') continue;
        if ('error' in want) assert.equal(r.error, want.error, `cut ${cut} of ${JSON.stringify(frame.toString('latin1'))}`);
        else assert.deepEqual(r.argv, want.argv, `cut ${cut} of ${JSON.stringify(frame.toString('latin1'))}`);
      }
      checked++;
    }
    assert.ok(checked > 2000, `only ${checked} frames checked`);
  });
});
