// Arrays of bulk replies, compared with redis-server 7.0 byte for byte at the sizes where resp/reply.ts
// changes how it builds them: fewer than 8 items (concatenation), 8 and more (encoded into a scratch
// Buffer), items up to and over 32 bytes (copied byte by byte / written with Buffer#write), binary bytes,
// nil entries in RESP2 and RESP3, and replies over the 256 KB scratch space (concatenation again).
import { after, before, describe, it } from 'node:test';
import { startPair, type Pair } from './helpers/diff';
import { hello, prng, sameUnordered } from './helpers/unordered';

describe('bulk array replies match redis-server at every encoding boundary', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });

  const rnd = prng(5);
  /** n random bytes, any value (NUL, CR, LF, 0xff included). */
  const bytes = (n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rnd() * 256));
    return s;
  };
  const SIZES = [0, 1, 9, 10, 31, 32, 33, 99, 100, 1000];

  it('LRANGE of 1 to 20 and of 600 items of mixed sizes', async () => {
    await p.reset();
    const items: string[] = [];
    for (let i = 0; i < 600; i++) items.push(bytes(SIZES[i % SIZES.length]));
    await p.same('RPUSH', 'l', ...items);
    for (let n = 1; n <= 20; n++) await p.same('LRANGE', 'l', '0', String(n - 1));
    await p.same('LRANGE', 'l', '0', '-1');
    await p.same('LRANGE', 'l', '-300', '-1');
  });

  it('a reply larger than the scratch space', async () => {
    await p.reset();
    const big: string[] = [];
    for (let i = 0; i < 40; i++) big.push(bytes(10000));
    await p.same('RPUSH', 'big', ...big);
    await p.same('LRANGE', 'big', '0', '-1');
  });

  it('MGET and HMGET with missing entries, RESP2 and RESP3', async () => {
    await p.reset();
    const keys: string[] = [];
    for (let i = 0; i < 12; i++) keys.push(`k${i}`);
    for (let i = 0; i < 12; i += 3) await p.same('SET', keys[i], bytes(SIZES[i % SIZES.length]));
    const fields: string[] = [];
    for (let i = 0; i < 12; i++) fields.push(`f${i}`);
    for (let i = 0; i < 12; i += 2) await p.same('HSET', 'h', fields[i], bytes(SIZES[(i + 3) % SIZES.length]));
    for (const proto of ['2', '3'] as const) {
      await hello(p, proto);
      for (const n of [1, 7, 8, 9, 12]) {
        await p.same('MGET', ...keys.slice(0, n));
        await p.same('HMGET', 'h', ...fields.slice(0, n));
      }
    }
    await hello(p, '2');
  });

  it('KEYS with many matches (order aside)', async () => {
    await p.reset();
    for (let i = 0; i < 50; i++) await p.same('SET', `key:${i}:${bytes(SIZES[i % SIZES.length])}`, 'v');
    await sameUnordered(p, ['KEYS', 'key:*']);
  });
});
