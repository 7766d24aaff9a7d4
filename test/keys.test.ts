// The generic keyspace family (DEL ... OBJECT) compared with redis-server 7.0 byte for byte, plus
// hotkv-only properties Redis cannot be compared on: SCAN completeness under concurrent deletes and
// inserts, active expiry, RANDOMKEY never answering an expired key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import type { RawClient } from './helpers/resp';

/** Parse one RESP2 reply (bulk, integer, status, error, nested arrays) into JS values. */
function parse(s: string): unknown {
  let pos = 0;
  const line = (): string => {
    const e = s.indexOf('\r\n', pos);
    const l = s.slice(pos, e);
    pos = e + 2;
    return l;
  };
  const one = (): unknown => {
    const l = line();
    const t = l[0];
    const rest = l.slice(1);
    if (t === '+' || t === '-') return t === '-' ? new Error(rest) : rest;
    if (t === ':') return Number(rest);
    if (t === '$') {
      const n = Number(rest);
      if (n < 0) return null;
      const v = s.slice(pos, pos + n);
      pos += n + 2;
      return v;
    }
    if (t === '*') {
      const n = Number(rest);
      if (n < 0) return null;
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(one());
      return out;
    }
    throw new Error(`unexpected reply ${show(s)}`);
  };
  return one();
}

async function cmd(c: RawClient, ...args: string[]): Promise<unknown> {
  return parse(await c.command(...args));
}

/** The same command to both; the replies (arrays of names, any order) must hold the same names. */
async function sameSorted(p: Pair, ...args: string[]): Promise<string[]> {
  const [h, r] = await Promise.all([cmd(p.h, ...args), cmd(p.r, ...args)]);
  assert.ok(Array.isArray(h), `${show(args.join(' '))}: hotkv replied ${show(String(h))}`);
  const hs = (h as string[]).slice().sort();
  const rs = (r as string[]).slice().sort();
  assert.deepEqual(hs, rs, `${show(args.join(' '))}: hotkv vs redis`);
  return hs;
}

/** One SCAN call on both that must complete the scan: cursor "0" on both and the same names. */
async function sameScan(p: Pair, ...args: string[]): Promise<void> {
  const [h, r] = await Promise.all([cmd(p.h, 'SCAN', ...args), cmd(p.r, 'SCAN', ...args)]);
  const hh = h as [string, string[]];
  const rr = r as [string, string[]];
  assert.ok(Array.isArray(hh), `SCAN ${show(args.join(' '))}: hotkv replied ${show(String(h))}`);
  assert.equal(hh[0], '0', `SCAN ${show(args.join(' '))}: hotkv cursor`);
  assert.equal(rr[0], '0', `SCAN ${show(args.join(' '))}: redis cursor`);
  assert.deepEqual(hh[1].slice().sort(), rr[1].slice().sort(), `SCAN ${show(args.join(' '))}: hotkv vs redis`);
}

/** The rest of a SCAN iteration from `cursor`: the names it returns. */
async function scanAllFrom(c: RawClient, cursor: string, ...opts: string[]): Promise<string[]> {
  const names: string[] = [];
  while (cursor !== '0') {
    const r = (await cmd(c, 'SCAN', cursor, ...opts)) as [string, string[]];
    cursor = r[0];
    names.push(...r[1]);
  }
  return names;
}

/** Full SCAN iteration on one server; returns every name seen and the number of calls. */
async function scanAll(c: RawClient, ...opts: string[]): Promise<{ names: string[]; calls: number }> {
  let cursor = '0';
  const names: string[] = [];
  let calls = 0;
  do {
    const r = (await cmd(c, 'SCAN', cursor, ...opts)) as [string, string[]];
    cursor = r[0];
    names.push(...r[1]);
    calls++;
    assert.ok(calls < 100000, 'SCAN does not terminate');
  } while (cursor !== '0');
  return { names, calls };
}

async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Both servers, in a pipeline: many commands with one round trip each side. */
async function both(p: Pair, cmds: string[][]): Promise<void> {
  await Promise.all([p.h, p.r].map(async (c) => {
    for (const a of cmds) {
      c.write(`*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(x, 'latin1')}\r\n${x}\r\n`).join(''));
    }
    for (let i = 0; i < cmds.length; i++) await c.reply();
  }));
}

describe('keyspace commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });

  it('DEL UNLINK EXISTS TOUCH TYPE DBSIZE', async () => {
    await p.reset();
    await p.script([
      ['SET', 'a', '1'], ['SET', 'b', '2'], ['SET', 'c', 'x'],
      ['EXISTS', 'a'], ['EXISTS', 'a', 'a', 'b', 'nokey'], ['EXISTS'], ['TOUCH', 'a', 'b', 'nokey', 'a'], ['TOUCH'],
      ['TYPE', 'a'], ['TYPE', 'nokey'], ['TYPE'], ['TYPE', 'a', 'b'], ['DBSIZE'], ['DBSIZE', 'x'],
      ['DEL', 'a', 'a', 'nokey'], ['DEL', 'a'], ['DEL'], ['EXISTS', 'a'], ['DBSIZE'],
      ['UNLINK', 'b', 'c', 'b'], ['UNLINK'], ['DBSIZE'],
      ['SET', '', 'empty'], ['EXISTS', ''], ['TYPE', ''], ['DEL', ''],
      ['SET', 'bin\x00\xff', 'v'], ['EXISTS', 'bin\x00\xff'], ['DEL', 'bin\x00\xff'],
    ]);
  });

  it('KEYS with glob patterns (sorted)', async () => {
    await p.reset();
    const keyNames = ['', 'a', 'b', 'ab', 'abc', 'abd', 'aXc', 'a*c', 'a?c', 'a[c', 'a]c', 'a\\c', 'a-c', 'a^c', '[', ']', '\\', '*', '?',
      'hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'Hello', 'HELLO', 'x\x00y', '\x80', '\xff', '\xfe', 'a\xff', '-', '^', 'aa', 'aaa',
      'foo:bar:baz', 'foo::baz', 'user:1', 'user:10', 'user:100', 'z', '\x7f', '~'];
    await both(p, keyNames.map((k) => ['SET', k, 'v']));
    const patterns = ['*', '**', '***', '?', '??', '???', 'a*', '*c', 'a*c', 'a?c', 'a[bX]c', 'a[^bX]c', 'a[a-z]c', 'a[z-a]c', 'a[\\]]c',
      'a[\\[]c', 'a\\*c', 'a\\?c', 'a\\[c', 'a\\\\c', 'a\\', '\\', '\\\\', 'a[', 'a[c', 'a[^', '[', '[]', '[]]', '[^]', '[a-]', '[-a]',
      '[a-c-e]', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'h*llo', 'h?llo', 'h*', '*llo', '*e*l*', 'H*', '[Hh]*', '[\x80-\xff]',
      '[a-\xff]', '[\xff-a]', '[\x00-\x7f]', '?\xff', '*\xff', 'x?y', 'x*y', 'foo:*:baz', 'foo:?:baz', 'user:?', 'user:*0', 'user:1*',
      'user:[0-9]', 'user:[0-9][0-9]', '[*]', '[?]', '*[*]*', '\\a', 'a\\', '[\\', '[\\a', '[a\\]', '', 'nomatch', '*a*a*', 'a*a', '*[^a]',
      '[^]]', '[]-]', '[!a]', 'a*b*c', '*-*', '[--z]'];
    for (const pat of patterns) {
      await sameSorted(p, 'KEYS', pat);
      await sameScan(p, '0', 'MATCH', pat, 'COUNT', '1000');
    }
    await p.script([['KEYS'], ['KEYS', 'a', 'b']]);
  });

  it('KEYS and SCAN MATCH with random glob patterns (sorted)', async () => {
    await p.reset();
    let seed = 987654321;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const alphabet = ['a', 'b', 'c', '[', ']', '^', '-', '\\', '*', '?', '\x80', '\xff', 'A', '\x00'];
    const word = (max: number) => {
      let w = '';
      for (let n = rnd(max + 1); n > 0; n--) w += alphabet[rnd(alphabet.length)];
      return w;
    };
    const keyNames = new Set<string>();
    while (keyNames.size < 150) keyNames.add(word(6));
    await both(p, [...keyNames].map((k) => ['SET', k, 'v']));
    for (let i = 0; i < 400; i++) {
      const pat = word(7);
      await sameSorted(p, 'KEYS', pat);
      if (i % 4 === 0) await sameScan(p, '0', 'MATCH', pat, 'COUNT', '1000');
    }
  });

  it('KEYS does not hang on exponential patterns (CVE-2022-36021)', async () => {
    await p.reset();
    const long = 'a'.repeat(3000);
    await both(p, [['SET', long, 'v'], ['SET', long + 'b', 'v'], ['SET', 'a'.repeat(50) + 'c', 'v']]);
    const patterns = ['a*'.repeat(40) + 'b', '*a'.repeat(100) + '*c', '*'.repeat(5000) + 'b', 'a*'.repeat(20000) + 'x', '?*'.repeat(500) + 'b'];
    for (const pat of patterns) {
      const t0 = Date.now();
      await sameSorted(p, 'KEYS', pat);
      assert.ok(Date.now() - t0 < 5000, `KEYS ${pat.slice(0, 20)}... took ${Date.now() - t0} ms`);
    }
  });

  it('SCAN arguments and errors', async () => {
    await p.reset();
    await p.script([
      ['SET', 'k', 'v'],
      ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', '-1'], ['SCAN', '0', 'COUNT', 'x'], ['SCAN', '0', 'COUNT', '1.5'],
      ['SCAN', '0', 'COUNT', '99999999999999999999'], ['SCAN', '0', 'COUNT'], ['SCAN', '0', 'MATCH'], ['SCAN', '0', 'TYPE'],
      ['SCAN', '0', 'FOO', 'bar'], ['SCAN', '0', 'count', '5', 'match', 'k*', 'type', 'string'], ['SCAN', '0', 'TYPE', 'STRING'],
      ['SCAN', '0', 'TYPE', 'hash'], ['SCAN', '0', 'TYPE', 'nosuchtype'], ['SCAN', '0', 'MATCH', 'k', 'MATCH', 'x'],
      ['SCAN', 'x'], ['SCAN', ''], ['SCAN', '1.0'], ['SCAN', '0x10'], ['SCAN', '18446744073709551616'],
      ['SCAN', 'x', 'COUNT', '0'], ['SCAN', '-1', 'FOO'], ['SCAN', '+0'], ['SCAN', '-0'], ['SCAN', '00'], ['SCAN', ' 0'],
      ['SCAN', '0', 'COUNT', '2147483648'], ['SCAN'],
    ]);
    // "-1" is a valid cursor (strtoul wraps it to 2^64-1); what Redis returns for it depends on its hash seed.
    assert.match(await p.h.command('SCAN', '-1'), /^\*2\r\n\$1\r\n0\r\n\*\d+\r\n/);
  });

  it('SCAN returns everything, with MATCH and TYPE filters', async () => {
    await p.reset();
    const cmds: string[][] = [];
    for (let i = 0; i < 500; i++) cmds.push(['SET', `key:${i}`, String(i)]);
    await both(p, cmds);
    for (const opts of [[], ['COUNT', '7'], ['COUNT', '1'], ['COUNT', '1000'], ['MATCH', 'key:1*', 'COUNT', '20'], ['TYPE', 'string', 'COUNT', '50'],
      ['TYPE', 'list', 'COUNT', '50'], ['MATCH', 'nope*']]) {
      const [h, r] = await Promise.all([scanAll(p.h, ...opts), scanAll(p.r, ...opts)]);
      // Redis may return an element twice; hotkv never does.
      assert.equal(new Set(h.names).size, h.names.length, `SCAN ${opts.join(' ')}: duplicates`);
      assert.deepEqual(h.names.slice().sort(), [...new Set(r.names)].sort(), `SCAN ${opts.join(' ')}`);
    }
    // A cursor stays exact for clients that parse it as a JS number.
    const first = (await cmd(p.h, 'SCAN', '0', 'COUNT', '10')) as [string, string[]];
    assert.ok(first[0] !== '0' && BigInt(first[0]) <= BigInt(Number.MAX_SAFE_INTEGER), `cursor ${first[0]}`);
    // Retrying a call returns the same batch.
    const again1 = await p.h.command('SCAN', first[0], 'COUNT', '10');
    const again2 = await p.h.command('SCAN', first[0], 'COUNT', '10');
    assert.equal(again1, again2);
    // Unknown cursors end the scan.
    assert.equal(await p.h.command('SCAN', '12345'), '*2\r\n$1\r\n0\r\n*0\r\n');
    assert.equal(await p.h.command('SCAN', '18446744073709551615'), '*2\r\n$1\r\n0\r\n*0\r\n');
    // FLUSHDB while a scan is running ends it.
    const mid = (await cmd(p.h, 'SCAN', '0', 'COUNT', '10')) as [string, string[]];
    await p.h.command('FLUSHDB');
    await p.h.command('SET', 'key:1', 'again');
    assert.equal(await p.h.command('SCAN', mid[0]), '*2\r\n$1\r\n0\r\n*0\r\n');
  });

  it('SCAN returns every key present for the whole scan, under concurrent deletes and inserts (hotkv)', async () => {
    await p.h.command('FLUSHALL');
    const N = 3000;
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const cmds: string[] = [];
    for (let i = 0; i < N; i++) cmds.push(`*3\r\n$3\r\nSET\r\n$${String('k' + i).length}\r\nk${i}\r\n$1\r\nv\r\n`);
    p.h.write(cmds.join(''));
    for (let i = 0; i < N; i++) await p.h.reply();
    // Keys k0..k999 stay for the whole scan; the others are deleted and re-added at random.
    const stable = new Set<string>();
    for (let i = 0; i < 1000; i++) stable.add('k' + i);
    let cursor = '0';
    const seen = new Set<string>();
    let added = 0;
    let calls = 0;
    do {
      const r = (await cmd(p.h, 'SCAN', cursor, 'COUNT', '25')) as [string, string[]];
      cursor = r[0];
      for (const k of r[1]) seen.add(k);
      calls++;
      // churn: delete 10 volatile keys (many before the cursor), insert 10 new ones
      const dels: string[] = [];
      for (let i = 0; i < 10; i++) dels.push('k' + (1000 + rnd(N - 1000)));
      await p.h.command('DEL', ...dels);
      for (let i = 0; i < 10; i++) await p.h.command('SET', `new${added++}`, 'v');
    } while (cursor !== '0');
    for (const k of stable) assert.ok(seen.has(k), `${k} present for the whole scan was not returned`);
    assert.ok(calls > 50, `scan took ${calls} calls`);
  });

  it('SCAN keeps at most 1024 live cursors; an evicted cursor ends its scan (hotkv)', async () => {
    await p.h.command('FLUSHALL');
    for (let i = 0; i < 5; i++) await p.h.command('SET', `s${i}`, 'v');
    const first = (await cmd(p.h, 'SCAN', '0', 'COUNT', '1')) as [string, string[]];
    const second = (await cmd(p.h, 'SCAN', '0', 'COUNT', '1')) as [string, string[]];
    assert.notEqual(first[0], '0');
    let batch = '';
    for (let i = 0; i < 1023; i++) batch += '*4\r\n$4\r\nSCAN\r\n$1\r\n0\r\n$5\r\nCOUNT\r\n$1\r\n1\r\n';
    // Using `second` makes it the most recently used: `first` is the one evicted.
    const next = (await cmd(p.h, 'SCAN', second[0], 'COUNT', '1')) as [string, string[]];
    p.h.write(batch);
    for (let i = 0; i < 1023; i++) await p.h.reply();
    assert.equal(await p.h.command('SCAN', first[0], 'COUNT', '1'), '*2\r\n$1\r\n0\r\n*0\r\n');
    const rest = await scanAllFrom(p.h, next[0], 'COUNT', '1');
    assert.deepEqual([...second[1], ...next[1], ...rest].sort(), ['s0', 's1', 's2', 's3', 's4']);
  });

  it('active expiry removes keys nobody touches', async () => {
    await p.reset();
    const cmds: string[][] = [];
    for (let i = 0; i < 200; i++) cmds.push(['SET', `vol:${i}`, 'v', 'PX', String(20 + (i % 50))]);
    cmds.push(['SET', 'stays', 'v']);
    await both(p, cmds);
    // DBSIZE counts keys without touching them, so only the active cycle can bring it down.
    await waitUntil('hotkv active expiry', async () => (await p.h.command('DBSIZE')) === ':1\r\n');
    await waitUntil('redis active expiry', async () => (await p.r.command('DBSIZE')) === ':1\r\n');
    await p.same('KEYS', '*');
  });

  it('TTL PTTL EXPIRETIME PEXPIRETIME PERSIST', async () => {
    await p.reset();
    const at = Math.floor(Date.now() / 1000) + 1000;
    await p.script([
      ['TTL', 'nokey'], ['PTTL', 'nokey'], ['EXPIRETIME', 'nokey'], ['PEXPIRETIME', 'nokey'],
      ['SET', 'k', 'v'], ['TTL', 'k'], ['PTTL', 'k'], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'],
      ['EXPIRE', 'k', '100'], ['TTL', 'k'], ['EXPIREAT', 'k', String(at)], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', String(at * 1000 + 499)], ['EXPIRETIME', 'k'], ['PEXPIREAT', 'k', String(at * 1000 + 500)], ['EXPIRETIME', 'k'],
      ['PEXPIRETIME', 'k'], ['PERSIST', 'k'], ['PERSIST', 'k'], ['PERSIST', 'nokey'], ['TTL', 'k'], ['PEXPIRETIME', 'k'],
      ['PEXPIREAT', 'k', '9007199254740000'], ['PEXPIRETIME', 'k'], ['EXPIRETIME', 'k'],
      ['TTL'], ['TTL', 'a', 'b'], ['PERSIST'],
    ]);
    await p.h.command('PEXPIRE', 'k', '5000');
    const pttl = Number((await p.h.command('PTTL', 'k')).slice(1, -2));
    assert.ok(pttl > 4900 && pttl <= 5000, `PTTL ${pttl}`);
  });

  it('EXPIRE PEXPIRE EXPIREAT PEXPIREAT with NX XX GT LT', async () => {
    await p.reset();
    const future = String(Math.floor(Date.now() / 1000) + 5000);
    await p.script([
      ['EXPIRE', 'nokey', '10'], ['SET', 'k', 'v'],
      ['EXPIRE', 'k', '100', 'XX'], ['EXPIRE', 'k', '100', 'GT'], ['EXPIRE', 'k', '100', 'LT'], ['TTL', 'k'],
      ['EXPIRE', 'k', '200', 'NX'], ['TTL', 'k'], ['EXPIRE', 'k', '300', 'XX'], ['TTL', 'k'],
      ['EXPIRE', 'k', '200', 'GT'], ['EXPIRE', 'k', '400', 'GT'], ['TTL', 'k'], ['EXPIRE', 'k', '500', 'LT'], ['EXPIRE', 'k', '50', 'lt'],
      ['TTL', 'k'], ['EXPIRE', 'k', '60', 'XX', 'GT'], ['TTL', 'k'], ['EXPIRE', 'k', '10', 'xx', 'lt'], ['TTL', 'k'],
      ['EXPIRE', 'k', '10', 'NX', 'XX'], ['EXPIRE', 'k', '10', 'NX', 'GT'], ['EXPIRE', 'k', '10', 'NX', 'LT'], ['EXPIRE', 'k', '10', 'GT', 'LT'],
      ['EXPIRE', 'k', '10', 'GT', 'LT', 'NX'], ['EXPIRE', 'k', '10', 'foo'], ['EXPIRE', 'k', 'x', 'foo'], ['EXPIRE', 'k', 'x'],
      ['EXPIRE', 'k', '10', 'NX', 'NX'], ['EXPIRE', 'k', '1.5'], ['EXPIRE', 'k', ''],
      ['EXPIRE', 'k', '9223372036854775807'], ['EXPIRE', 'k', '-9223372036854775808'], ['EXPIRE', 'k', '9223372036854775'],
      ['PEXPIRE', 'k', '9223372036854775807'], ['EXPIREAT', 'k', '9223372036854775807'], ['EXPIREAT', 'k', '9223372036854775'],
      ['EXPIREAT', 'k', '9223372036854776'], ['PEXPIREAT', 'k', '9223372036854775808'], ['EXISTS', 'k'],
      ['EXPIREAT', 'k', future], ['EXPIRETIME', 'k'], ['PEXPIREAT', 'k', future + '000', 'GT'], ['PEXPIREAT', 'k', future + '001', 'GT'],
      ['PEXPIRETIME', 'k'], ['EXPIREAT', 'k', future, 'LT'], ['PEXPIRETIME', 'k'],
      // in the past: the key is deleted and the reply is 1
      ['SET', 'p', 'v'], ['EXPIRE', 'p', '-1'], ['EXISTS', 'p'], ['SET', 'p', 'v'], ['EXPIRE', 'p', '0'], ['EXISTS', 'p'],
      ['SET', 'p', 'v'], ['PEXPIREAT', 'p', '1'], ['EXISTS', 'p'], ['SET', 'p', 'v'], ['EXPIREAT', 'p', '-100'], ['EXISTS', 'p'],
      ['SET', 'p', 'v'], ['EXPIRE', 'p', '-5', 'GT'], ['EXPIRE', 'p', '-5', 'LT'], ['EXISTS', 'p'],
      ['SET', 'p', 'v'], ['EXPIRE', 'p', '100'], ['EXPIRE', 'p', '-5', 'XX'], ['EXISTS', 'p'],
      ['EXPIRE', 'k'], ['EXPIRE'],
    ]);
  });

  it('RENAME and RENAMENX keep the TTL', async () => {
    await p.reset();
    const at = String(Date.now() + 100000);
    await p.script([
      ['RENAME', 'nokey', 'x'], ['RENAMENX', 'nokey', 'x'], ['RENAME', 'nokey', 'nokey'],
      ['SET', 'a', '1'], ['PEXPIREAT', 'a', at], ['RENAME', 'a', 'b'], ['EXISTS', 'a'], ['PEXPIRETIME', 'b'], ['GET', 'b'],
      ['RENAME', 'b', 'b'], ['RENAMENX', 'b', 'b'], ['PEXPIRETIME', 'b'],
      ['SET', 'c', 'cv'], ['EXPIRE', 'c', '500'], ['RENAME', 'b', 'c'], ['GET', 'c'], ['PEXPIRETIME', 'c'],
      ['SET', 'd', 'dv'], ['RENAME', 'd', 'c'], ['TTL', 'c'], ['GET', 'c'],
      ['SET', 'e', 'ev'], ['RENAMENX', 'e', 'c'], ['RENAMENX', 'e', 'f'], ['GET', 'f'], ['EXISTS', 'e'],
      ['RENAME', 'f'], ['RENAMENX', 'f', 'g', 'h'], ['DBSIZE'],
    ]);
  });

  it('MOVE COPY SWAPDB across dbs', async () => {
    await p.reset();
    const at = String(Date.now() + 100000);
    await p.script([
      ['SET', 'a', 'va'], ['PEXPIREAT', 'a', at], ['MOVE', 'a', '1'], ['EXISTS', 'a'], ['SELECT', '1'], ['GET', 'a'], ['PEXPIRETIME', 'a'],
      ['SELECT', '0'], ['SET', 'a', 'other'], ['MOVE', 'a', '1'], ['GET', 'a'], ['MOVE', 'nokey', '1'],
      ['MOVE', 'a', '0'], ['MOVE', 'a', '16'], ['MOVE', 'a', '-1'], ['MOVE', 'a', 'x'], ['MOVE', 'a', '4294967296'], ['MOVE', 'nokey', '0'],
      ['COPY', 'a', 'b'], ['GET', 'b'], ['COPY', 'a', 'b'], ['SET', 'a', 'new'], ['COPY', 'a', 'b', 'REPLACE'], ['GET', 'b'],
      ['COPY', 'a', 'a'], ['COPY', 'a', 'a', 'DB', '0'], ['COPY', 'a', 'a', 'DB', '1'], ['SELECT', '1'], ['GET', 'a'], ['SELECT', '0'],
      ['COPY', 'a', 'a', 'DB', '1', 'REPLACE'], ['SELECT', '1'], ['GET', 'a'], ['PEXPIRETIME', 'a'], ['SELECT', '0'],
      ['EXPIRE', 'a', '100'], ['COPY', 'a', 'z', 'DB', '2'], ['SELECT', '2'], ['TTL', 'z'], ['SELECT', '0'],
      ['COPY', 'a', 'b', 'DB'], ['COPY', 'a', 'b', 'DB', 'x'], ['COPY', 'a', 'b', 'DB', '16'], ['COPY', 'a', 'b', 'FOO'],
      ['COPY', 'a', 'b', 'REPLACE', 'REPLACE'], ['COPY', 'nokey', 'b'], ['COPY', 'a'], ['COPY', 'a', 'b', 'db', '99999999999'],
      ['SET', 'n', '5'], ['COPY', 'n', 'm'], ['OBJECT', 'ENCODING', 'm'],
      ['SELECT', '3'], ['SET', 'in3', 'x'], ['SELECT', '0'], ['SWAPDB', '0', '3'], ['KEYS', '*'], ['SELECT', '3'], ['DBSIZE'],
      ['SWAPDB', '3', '0'], ['DBSIZE'], ['SWAPDB', '0', '0'], ['SWAPDB', '0', '16'], ['SWAPDB', '-1', '0'], ['SWAPDB', 'x', '0'],
      ['SWAPDB', '0', 'x'], ['SWAPDB', 'x', 'y'], ['SWAPDB', '0'], ['SELECT', '0'],
    ]);
    // TTLs travel with a swapped db, and the active expiry follows them.
    await p.script([['FLUSHALL'], ['SET', 't', 'v', 'PX', '40'], ['SWAPDB', '0', '5'], ['EXISTS', 't'], ['SELECT', '5'], ['EXISTS', 't']]);
    await waitUntil('expiry in the swapped db', async () => (await p.h.command('DBSIZE')) === ':0\r\n');
    await p.same('SELECT', '0');
  });

  it('FLUSHDB FLUSHALL RANDOMKEY', async () => {
    await p.reset();
    await p.script([
      ['RANDOMKEY'], ['SET', 'only', 'v'], ['RANDOMKEY'], ['RANDOMKEY', 'x'],
      ['SELECT', '1'], ['SET', 'x', '1'], ['SET', 'y', '1', 'EX', '100'], ['SELECT', '0'], ['FLUSHDB'], ['DBSIZE'], ['SELECT', '1'], ['DBSIZE'],
      ['FLUSHDB', 'ASYNC'], ['DBSIZE'], ['TTL', 'y'], ['FLUSHDB', 'sync'], ['FLUSHDB', 'foo'], ['FLUSHDB', 'async', 'sync'],
      ['SET', 'x', '1'], ['SELECT', '0'], ['SET', 'x', '1'], ['FLUSHALL', 'SYNC'], ['DBSIZE'], ['SELECT', '1'], ['DBSIZE'], ['SELECT', '0'],
      ['FLUSHALL', 'async'], ['FLUSHALL', 'x'], ['FLUSHALL', 'sync', 'x'],
    ]);
    // RANDOMKEY picks among live keys only.
    await both(p, [['SET', 'r1', 'v'], ['SET', 'r2', 'v'], ['SET', 'r3', 'v']]);
    const seen = new Set<string>();
    for (let i = 0; i < 200 && seen.size < 3; i++) seen.add((await cmd(p.h, 'RANDOMKEY')) as string);
    assert.deepEqual([...seen].sort(), ['r1', 'r2', 'r3']);
    // Once every key's time has passed, RANDOMKEY answers nil even before the active cycle has
    // deleted them all: it never returns an expired name.
    await p.h.command('FLUSHALL');
    const n = 3000;
    let batch = '';
    for (let i = 0; i < n; i++) batch += `*5\r\n$3\r\nSET\r\n$${String('e' + i).length}\r\ne${i}\r\n$1\r\nv\r\n$2\r\nPX\r\n$3\r\n300\r\n`;
    p.h.write(batch);
    for (let i = 0; i < n; i++) await p.h.reply();
    const latest = Number((await p.h.command('PEXPIRETIME', `e${n - 1}`)).slice(1, -2));
    for (;;) {
      const sentAt = Date.now();
      const r = await p.h.command('RANDOMKEY');
      if (sentAt > latest + 1) {
        assert.equal(r, '$-1\r\n', `RANDOMKEY after every key expired answered ${show(r)}`);
        break;
      }
      if (r === '$-1\r\n') {
        // nil is right only once the server's clock has passed every key's time
        assert.ok(Date.now() >= latest, 'RANDOMKEY answered nil while keys were alive');
        break;
      }
      assert.match(r, /^\$\d+\r\ne\d+\r\n$/);
    }
    assert.equal(await p.h.command('DBSIZE'), ':0\r\n');
    // RESP3 nulls (HELLO's own reply holds the connection id, so it is not compared)
    await p.same('FLUSHALL');
    await Promise.all([p.h.command('HELLO', '3'), p.r.command('HELLO', '3')]);
    await p.same('RANDOMKEY');
    await p.same('OBJECT', 'ENCODING', 'nokey');
    await Promise.all([p.h.command('HELLO', '2'), p.r.command('HELLO', '2')]);
  });

  it('writes count changes as Redis does (rdb_changes_since_last_save)', async () => {
    await p.reset();
    const changes = async (c: RawClient) => Number(/rdb_changes_since_last_save:(\d+)/.exec(await c.command('INFO', 'persistence'))![1]);
    const steps = [['SET', 'a', '1'], ['SET', 'b', '2'], ['DEL', 'a', 'b', 'c'], ['DEL', 'x'], ['SET', 'a', '1'], ['EXPIRE', 'a', '100'],
      ['EXPIRE', 'a', '100', 'NX'], ['PERSIST', 'a'], ['PERSIST', 'a'], ['RENAME', 'a', 'b'], ['RENAMENX', 'b', 'b'], ['COPY', 'b', 'c'],
      ['COPY', 'b', 'c'], ['MOVE', 'c', '1'], ['SWAPDB', '0', '1'], ['SWAPDB', '2', '2'], ['FLUSHDB'], ['FLUSHDB'], ['SET', 'x', '1'],
      ['SET', 'y', '1'], ['FLUSHALL'], ['SET', 'z', '1'], ['EXPIRE', 'z', '-1'], ['UNLINK', 'z'], ['TOUCH', 'z'], ['EXPIRE', 'nokey', '5']];
    for (const step of steps) {
      const [h0, r0] = await Promise.all([changes(p.h), changes(p.r)]);
      await p.same(...step);
      const [h1, r1] = await Promise.all([changes(p.h), changes(p.r)]);
      assert.equal(h1 - h0, r1 - r0, `changes counted for ${step.join(' ')}`);
    }
  });

  it('reads count keyspace hits and misses as Redis does', async () => {
    await p.reset();
    const stats = async (c: RawClient) => {
      const info = await c.command('INFO', 'stats');
      return [/keyspace_hits:(\d+)/, /keyspace_misses:(\d+)/].map((re) => Number(re.exec(info)![1]));
    };
    const steps = [['SET', 'a', '1'], ['EXISTS', 'a', 'b', 'a'], ['TYPE', 'a'], ['TYPE', 'b'], ['TTL', 'a'], ['PTTL', 'b'], ['EXPIRETIME', 'a'],
      ['TOUCH', 'a', 'b'], ['OBJECT', 'ENCODING', 'a'], ['OBJECT', 'REFCOUNT', 'b'], ['COPY', 'a', 'c'], ['COPY', 'b', 'd'],
      ['RENAME', 'c', 'd'], ['MOVE', 'd', '1'], ['EXPIRE', 'a', '100'], ['PERSIST', 'a'], ['DEL', 'a'], ['KEYS', '*'], ['DBSIZE'],
      ['SCAN', '0', 'TYPE', 'string'], ['SCAN', '0', 'MATCH', 'x*', 'TYPE', 'string'], ['RANDOMKEY']];
    for (const step of steps) {
      const [h0, r0] = await Promise.all([stats(p.h), stats(p.r)]);
      await p.same(...step);
      const [h1, r1] = await Promise.all([stats(p.h), stats(p.r)]);
      assert.deepEqual([h1[0] - h0[0], h1[1] - h0[1]], [r1[0] - r0[0], r1[1] - r0[1]], `hits/misses counted for ${step.join(' ')}`);
    }
  });

  it('OBJECT ENCODING REFCOUNT IDLETIME FREQ HELP', async () => {
    await p.reset();
    await p.script([
      ['SET', 'int', '12345'], ['SET', 'neg', '-5'], ['SET', 'small', '5'], ['SET', 'zero', '0'], ['SET', 'big', '10000'],
      ['SET', 'emb', 'x'.repeat(44)], ['SET', 'raw', 'x'.repeat(45)], ['SET', 'lead0', '0123'], ['SET', 'huge', '99999999999999999999'],
      ['SET', 'i64', '9223372036854775807'], ['SET', 'i64n', '-9223372036854775808'], ['SET', 'empty', ''],
      ...['int', 'neg', 'small', 'zero', 'big', 'emb', 'raw', 'lead0', 'huge', 'i64', 'i64n', 'empty', 'nokey'].flatMap((k) => [
        ['OBJECT', 'ENCODING', k], ['OBJECT', 'REFCOUNT', k], ['OBJECT', 'FREQ', k]]),
      ['APPEND', 'emb', 'y'], ['OBJECT', 'ENCODING', 'emb'], ['INCR', 'small'], ['OBJECT', 'REFCOUNT', 'small'],
      // COPY gives a shared integer an object of its own (dupStringObject): refcount 1, still int
      ['COPY', 'zero', 'zcopy'], ['OBJECT', 'REFCOUNT', 'zcopy'], ['OBJECT', 'ENCODING', 'zcopy'], ['OBJECT', 'REFCOUNT', 'zero'],
      ['GET', 'zcopy'], ['DUMP', 'zcopy'], ['INCR', 'zcopy'], ['OBJECT', 'REFCOUNT', 'zcopy'], ['APPEND', 'zcopy', '0'],
      ['OBJECT', 'ENCODING', 'zcopy'], ['COPY', 'int', 'icopy'], ['OBJECT', 'REFCOUNT', 'icopy'],
      ['OBJECT', 'HELP'], ['OBJECT', 'help'], ['OBJECT', 'HELP', 'x'], ['OBJECT'], ['OBJECT', 'FOO'], ['OBJECT', 'FOO', 'bar'],
      ['OBJECT', 'ENCODING'], ['OBJECT', 'ENCODING', 'a', 'b'], ['OBJECT', 'IDLETIME'], ['OBJECT', 'REFCOUNT', 'x', 'y'],
      ['OBJECT', 'IDLETIME', 'nokey'],
    ]);
    // IDLETIME: seconds since the last access, from a clock each server caches for up to 100 ms,
    // so the two may straddle a second boundary differently.
    for (const k of ['int', 'raw']) {
      const [h, r] = await Promise.all([cmd(p.h, 'OBJECT', 'IDLETIME', k), cmd(p.r, 'OBJECT', 'IDLETIME', k)]);
      assert.ok(typeof h === 'number' && typeof r === 'number' && Math.abs(h - r) <= 1, `IDLETIME ${k}: ${h} vs ${r}`);
    }
  });
});

describe('OBJECT under LFU and LRU policies matches redis-server', () => {
  let p: Pair;
  before(async () => {
    const conf = ['--maxmemory', '100mb', '--maxmemory-policy', 'allkeys-lfu'];
    p = await startPair({ args: conf }, conf);
  });
  after(async () => { await p.stop(); });

  it('FREQ and IDLETIME', async () => {
    await p.script([
      ['SET', 'k', '7'], ['OBJECT', 'FREQ', 'k'], ['OBJECT', 'IDLETIME', 'k'], ['OBJECT', 'FREQ', 'nokey'], ['OBJECT', 'IDLETIME', 'nokey'],
      ['OBJECT', 'REFCOUNT', 'k'], ['OBJECT', 'ENCODING', 'k'],
    ]);
  });
});
