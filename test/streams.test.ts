// The stream type against redis-server 7.0: XADD (IDs, NOMKSTREAM, MAXLEN/MINID with = ~ LIMIT), XLEN,
// XRANGE/XREVRANGE, XDEL, XTRIM, XREAD, XSETID, XINFO STREAM, in RESP2 and RESP3, every error, WRONGTYPE,
// the generic key commands on streams, and a seeded mix that follows Redis's node layout (approximate
// trimming removes whole nodes only: the replies show it). Then blocking XREAD (woken by XADD, in order,
// timeouts, MULTI) with raw connections on both servers, across a hot upgrade (hotkv alone), keyspace
// events, and persistence: a dump redis-server wrote (consumer groups included) loads in hotkv, a dump
// hotkv wrote passes redis-check-rdb and loads in redis-server with the same XINFO STREAM FULL, and the
// AOF (incremental and rewritten, with and without the RDB preamble) reloads the same streams.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { assertSameData, dumpAll } from './helpers/dump';
import { blockAll, blockedClients, waitBlocked, withBundles, withPair } from './helpers/duo';
import { decodeReply, encodeCommand, RawClient } from './helpers/resp';
import { scratch } from './helpers/scratch';
import { startHotkv, startRedis } from './helpers/servers';
import { hello, prng, sameCounters, sameEvents, withEventsPair } from './helpers/unordered';
import { info, load, waitUntil } from './helpers/upgrade';

const SEED = Number(process.env.HOTKV_TEST_SEED ?? 20261126);
const enc = (...args: string[]) => encodeCommand(args).toString('latin1');
const DEBUG = ['--enable-debug-command', 'yes'];

/** The error and edge cases of every command, in one script (run in RESP2 and RESP3). */
const BASICS: string[][] = [
  ['XADD', 's', '1-1', 'f', 'v'], ['XADD', 's', '1-1', 'f', 'v'], ['XADD', 's', '1-*', 'a', 'b'], ['XADD', 's', '5', 'a', 'b', 'c', 'd'],
  ['XADD', 's', '0-0', 'a', 'b'], ['XADD', 's2', '0-0', 'a', 'b'], ['XADD', 's2', '0', 'a', 'b'], ['XADD', 's2', '0-*', 'a', 'b'],
  ['XADD', 's', '6-1', 'a'], ['XADD', 's', '6-1'], ['XADD', 's'], ['XADD', 's', 'MAXLEN', '-1', '*', 'a', 'b'],
  ['XADD', 's', 'MAXLEN', 'x', '*', 'a', 'b'], ['XADD', 's', 'MAXLEN', '1', 'MINID', '0', '*', 'a', 'b'],
  ['XADD', 's', 'LIMIT', '10', '*', 'a', 'b'], ['XADD', 's', 'MAXLEN', '10', 'LIMIT', '10', '*', 'a', 'b'],
  ['XADD', 's', 'MAXLEN', '~', '10', 'LIMIT', '-1', '*', 'a', 'b'], ['XADD', 's', 'MINID', 'bad', '*', 'a', 'b'],
  ['XADD', 's', 'MINID', '-', '*', 'a', 'b'], ['XADD', 's', 'NOMKSTREAM', '7-0', 'a', 'b'], ['XADD', 'nos', 'NOMKSTREAM', '7-0', 'a', 'b'],
  ['EXISTS', 'nos'], ['XADD', 's', 'bad', 'a', 'b'], ['XADD', 's', '1-x', 'a', 'b'], ['XADD', 's', '+8', 'a', 'b'], ['XADD', 's', ' 9-1', 'a', 'b'],
  ['XADD', 's', '-', 'a', 'b'], ['XADD', 's', '10--1', 'a', 'b'], ['XADD', 's', '11-+1', 'a', 'b'], ['XADD', 's', '1'.repeat(200), 'a', 'b'],
  ['XADD', 's', '18446744073709551616-0', 'a', 'b'], ['XADD', 's', '18446744073709551615-18446744073709551615', 'a', 'b'],
  ['XADD', 's', '*', 'a', 'b'], ['XADD', 's', '18446744073709551615-*', 'a', 'b'], ['XADD', 'm', '5-18446744073709551615', 'a', 'b'],
  ['XADD', 'm', '5-*', 'a', 'b'], ['XADD', 'm', '9007199254740993-9007199254740993', 'a', 'b'], ['XADD', 'm', '9007199254740993-*', 'a', 'b'],
  ['XRANGE', 'm', '-', '+'], ['XLEN', 's'], ['XLEN', 'nokey'], ['XRANGE', 's', '-', '+'], ['XREVRANGE', 's', '+', '-'],
  ['XRANGE', 's', '-', '+', 'COUNT', '2'], ['XRANGE', 's', '-', '+', 'COUNT', '0'], ['XRANGE', 's', '-', '+', 'COUNT', '-3'],
  ['XRANGE', 's', '-', '+', 'COUNT', '1', 'COUNT', '3'], ['XRANGE', 's', '(1-1', '+', 'COUNT', '2'],
  ['XRANGE', 's', '(18446744073709551615-18446744073709551615', '+'], ['XRANGE', 's', '-', '(0-0'], ['XRANGE', 's', '(-', '+'],
  ['XRANGE', 's', '5', '5'], ['XRANGE', 's', '5', '1'], ['XREVRANGE', 's', '(6-1', '-'], ['XREVRANGE', 's', '6', '5', 'COUNT', '1'],
  ['XRANGE', 's', '-', '+', 'COUNT'], ['XRANGE', 's', '-', '+', 'FOO', '1'], ['XRANGE', 's', '-', '+', 'COUNT', 'x'],
  ['XRANGE', 'nokey', '-', '+'], ['XRANGE', 'nokey', '-', '+', 'COUNT', '0'], ['XRANGE', 's', 'x', '+'], ['XRANGE', 's'],
  ['XDEL', 's', '1-1', '5-0', '99-0'], ['XDEL', 's', '-'], ['XDEL', 's', '1-2', 'bad'], ['XDEL', 'nokey', '1-1'], ['XDEL', 's'], ['XLEN', 's'],
  ['XINFO', 'STREAM', 's'], ['XSETID', 's', '1-0'], ['XSETID', 's', '99999999999999999-0'], ['XSETID', 'nokey', '1-0'], ['XSETID', 's', '-'],
  ['XSETID', 's', '99999999999999999-5', 'ENTRIESADDED', '1'], ['XSETID', 's', '99999999999999999-5', 'ENTRIESADDED', '-1'],
  ['XSETID', 's', '99999999999999999-5', 'ENTRIESADDED', 'x'], ['XSETID', 's', '99999999999999999-5', 'MAXDELETEDID', '99999999999999999-6'],
  ['XSETID', 's', '99999999999999999-5', 'MAXDELETEDID'], ['XSETID', 's', '99999999999999999-5', 'FOO', '1'],
  ['XSETID', 's', '99999999999999999-5', 'MAXDELETEDID', '1-0', 'ENTRIESADDED', '100'], ['XINFO', 'STREAM', 's'],
  ['XTRIM', 's', 'MAXLEN', '1'], ['XTRIM', 's'], ['XTRIM', 's', 'FOO'], ['XTRIM', 's', 'MAXLEN'], ['XTRIM', 's', 'LIMIT', '1'],
  ['XTRIM', 's', 'MAXLEN', '~', '0', 'LIMIT', '5'], ['XTRIM', 's', 'MAXLEN', '0', 'LIMIT', '5'], ['XTRIM', 's', 'MAXLEN', '1', 'MINID', '1'],
  ['XTRIM', 's', 'MINID', '0'], ['XTRIM', 'nokey', 'MAXLEN', '0'], ['XTRIM', 's', 'MAXLEN', '0', 'extra'], ['XINFO', 'STREAM', 's'],
  ['XINFO', 'STREAM', 'nokey'], ['XINFO', 'STREAM', 's', 'x'], ['XADD', 'e', '3-3', 'a', 'b'], ['XDEL', 'e', '3-3'], ['XINFO', 'STREAM', 'e'],
  ['XRANGE', 'e', '-', '+'], ['XREAD', 'STREAMS', 'e', '0'], ['XADD', 'e', '3-3', 'a', 'b'], ['XADD', 'e', '3-4', 'a', 'b'],
  ['XREAD', 'STREAMS', 's'], ['XREAD', 'STREAMS', 's', 's2', '0', '0'], ['XREAD', 'COUNT', '1', 'STREAMS', 's', 'm', 'nokey', '0', '0', '0'],
  ['XREAD', 'STREAMS', 's', '$'], ['XREAD', 'STREAMS', 's', '>'], ['XREAD', 'COUNT'], ['XREAD', 'BLOCK', '-1', 'STREAMS', 's', '0'],
  ['XREAD', 'BLOCK', 'x', 'STREAMS', 's', '0'], ['XREAD', 'BLOCK', '1.5', 'STREAMS', 's', '0'], ['XREAD', 'FOO', 'STREAMS', 's', '0'],
  ['XREAD', 'STREAMS', 'nokey', '0'], ['XREAD', 'COUNT', '-5', 'STREAMS', 'm', '5-0'], ['XREAD', 'STREAMS', 'm', 'bad'],
  ['XREAD', 'STREAMS', 'm', '+'], ['XREAD', 'STREAMS', 'm', '-'], ['XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'm', '0'],
  ['XREAD', 'STREAMS', 'm', '18446744073709551615-18446744073709551615'],
  ['XINFO', 'STREAM', 'm', 'FULL'], ['XINFO', 'STREAM', 'm', 'full', 'count', '1'], ['XINFO', 'STREAM', 'm', 'FULL', 'COUNT', '0'],
  ['XINFO', 'STREAM', 'm', 'FULL', 'COUNT', '-1'], ['XINFO', 'STREAM', 'm', 'FULL', 'COUNT', 'x'], ['XINFO', 'STREAM', 'm', 'FULL', 'LIMIT', '1'],
  ['XINFO', 'STREAM', 'm', 'FULL', 'COUNT'], ['XINFO', 'STREAM', 'nokey', 'FULL'], ['XINFO', 'STREAM', 'e', 'FULL'], ['XINFO', 'HELP'],
  ['XINFO', 'help', 'x'], ['XINFO', 'FOO'], ['XINFO'], ['XINFO', 'STREAM'], ['XREAD', 'GROUP', 'g', 'c', 'STREAMS', 'm', '0'],
  ['XREAD', 'NOACK', 'STREAMS', 'm', '0'], ['XREAD', 'GROUP', 'g', 'STREAMS', 'm', '0'], ['XREAD', 'COUNT', '1', 'STREAMS', 'm', '0', 'NOACK'],
];

describe('stream commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair({ args: DEBUG }, DEBUG); });
  after(async () => { await p.stop(); });
  afterEach(async () => {
    await hello(p, '2');
    await p.same('CONFIG', 'SET', 'stream-node-max-entries', '100', 'stream-node-max-bytes', '4096');
    await p.reset();
  });

  it('every command, option and error, RESP2', async () => {
    await p.script(BASICS);
    await p.same('DEBUG', 'DIGEST');
  });

  it('every command, option and error, RESP3', async () => {
    await hello(p, '3');
    await p.script(BASICS);
  });

  it('WRONGTYPE, and TYPE / OBJECT ENCODING / SCAN TYPE / COPY / RENAME / MOVE / DEBUG DIGEST / RELOAD on streams', async () => {
    await p.script([
      ['SET', 'str', 'x'], ['XADD', 'str', '*', 'a', 'b'], ['XLEN', 'str'], ['XRANGE', 'str', '-', '+'], ['XREVRANGE', 'str', '+', '-'],
      ['XREAD', 'STREAMS', 'str', '0'], ['XREAD', 'STREAMS', 'nokey', 'str', '0', '0'], ['XINFO', 'STREAM', 'str'], ['XDEL', 'str', '1-1'],
      ['XTRIM', 'str', 'MAXLEN', '1'], ['XSETID', 'str', '1-1'], ['XADD', 's', '1-1', 'f', 'v', 'g', '123'], ['GET', 's'], ['LPUSH', 's', 'x'],
      ['HSET', 's', 'a', 'b'], ['SADD', 's', 'a'], ['ZADD', 's', '1', 'a'], ['APPEND', 's', 'x'], ['TYPE', 's'], ['OBJECT', 'ENCODING', 's'],
      ['SCAN', '0', 'TYPE', 'stream'], ['XADD', 's', '2-1', 'f', 'v2', 'g', '-7'], ['XADD', 's', '3-1', 'x', 'y'], ['XDEL', 's', '2-1'],
      ['COPY', 's', 'c'], ['XRANGE', 'c', '-', '+'], ['XINFO', 'STREAM', 'c'], ['RENAME', 'c', 'r'], ['XINFO', 'STREAM', 'r'],
      ['MOVE', 'r', '1'], ['EXISTS', 'r'], ['SELECT', '1'], ['XRANGE', 'r', '-', '+'], ['SELECT', '0'], ['DEBUG', 'DIGEST'],
      ['DEBUG', 'DIGEST-VALUE', 's'], ['DEBUG', 'RELOAD'], ['DEBUG', 'DIGEST'], ['XINFO', 'STREAM', 's'], ['EXPIRE', 's', '100'], ['TTL', 's'],
      ['DEL', 's'], ['XLEN', 's'], ['MULTI'], ['XADD', 'm', '2-1', 'a', 'b'], ['XREAD', 'BLOCK', '0', 'STREAMS', 'm', '$'], ['EXEC'],
      ['EVAL', "return redis.call('XREAD','BLOCK','0','STREAMS','m','$')", '1', 'm'],
      ['EVAL', "return redis.pcall('xread','BLOCK','10','STREAMS','m','0')", '1', 'm'],
      ['EVAL', "return redis.call('XREAD','STREAMS','m','0')", '1', 'm'], ['EVAL', "return redis.call('XADD','m','*','a','b') ~= nil", '1', 'm'],
      ['EVAL', "return redis.call('XRANGE','m','-','+','COUNT',1)", '1', 'm'],
    ]);
  });

  it('a seeded mix follows Redis\'s node layout: approximate trims, LIMIT, MINID, XDEL inside nodes, XINFO, digests', async () => {
    const rnd = prng(SEED);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    for (const [entries, bytes] of [['100', '4096'], ['5', '4096'], ['0', '200'], ['10', '0'], ['3', '60']]) {
      await p.same('CONFIG', 'SET', 'stream-node-max-entries', entries, 'stream-node-max-bytes', bytes);
      await p.same('DEL', 's');
      for (let i = 1; i < 300; i++) {
        const fv: string[] = [];
        const n = pick([1, 1, 2, 3]);
        for (let j = 0; j < n; j++) {
          fv.push(pick(['a', 'b', 'c', '123', 'field']), pick(['x', '1', '-5', '300000', '9999999999', '-70000', 'y'.repeat(pick([1, 10, 70, 300, 5000]))]));
        }
        await p.same('XADD', 's', `${i * 3}-${pick([0, 1, 7])}`, ...fv);
        const lo = String(Math.floor(rnd() * i * 3));
        if (i % 17 === 0) await p.same('XDEL', 's', `${(i - 5) * 3}-0`, `${(i - 5) * 3}-1`, `${(i - 5) * 3}-7`);
        if (i % 41 === 0) await p.same('XTRIM', 's', 'MAXLEN', '~', String(Math.floor(rnd() * 200)));
        if (i % 53 === 0) await p.same('XTRIM', 's', 'MINID', '~', lo);
        if (i % 59 === 0) await p.same('XTRIM', 's', 'MAXLEN', '~', String(Math.floor(rnd() * 200)), 'LIMIT', String(Math.floor(rnd() * 30)));
        if (i % 67 === 0) await p.same('XTRIM', 's', 'MINID', lo);
        if (i % 71 === 0) await p.same('XADD', 's', 'MAXLEN', '~', '50', `${i * 3}-8`, 'q', 'r');
        if (i % 73 === 0) await p.same('XADD', 's', 'MINID', '~', lo, 'LIMIT', '20', `${i * 3}-9`, 'q', 'r');
        if (i % 20 === 0) await p.same('XINFO', 'STREAM', 's');
      }
      await p.script([
        ['XINFO', 'STREAM', 's'], ['XRANGE', 's', '-', '+'], ['XREVRANGE', 's', '+', '-', 'COUNT', '20'], ['XREVRANGE', 's', '500', '300'],
        ['XRANGE', 's', '(400-0', '(700-7'], ['XLEN', 's'], ['DEBUG', 'DIGEST-VALUE', 's'], ['XTRIM', 's', 'MAXLEN', '3'], ['XINFO', 'STREAM', 's'],
      ]);
    }
  });

  it('dirty, keyspace hits and misses move as in Redis', async () => {
    await sameCounters(p, [
      ['XADD', 's', '1-1', 'a', 'b'], ['XADD', 's', 'MAXLEN', '1', '2-1', 'a', 'b'], ['XADD', 's', '2-1', 'a', 'b'], ['XADD', 'n', 'NOMKSTREAM', '1-1', 'a', 'b'],
      ['XADD', 's', '3-1', 'a', 'b'], ['XADD', 's', '4-1', 'a', 'b'], ['XDEL', 's', '3-1', '4-1', '9-9'], ['XDEL', 's', '9-9'], ['XTRIM', 's', 'MAXLEN', '0'],
      ['XTRIM', 's', 'MAXLEN', '0'], ['XSETID', 's', '10-0'], ['XSETID', 's', '0-1'], ['XLEN', 's'], ['XLEN', 'nokey'], ['XRANGE', 's', '-', '+'],
      ['XRANGE', 'nokey', '-', '+'], ['XREVRANGE', 's', '+', '-'], ['XREAD', 'STREAMS', 's', 'nokey', '0', '0'], ['XINFO', 'STREAM', 's'],
    ]);
  });

  it('XADD * and <ms>-* generate increasing IDs (checked on hotkv: the time differs)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(decodeReply(await p.h.command('XADD', 'auto', '*', 'i', String(i))) as string);
    const parts = ids.map((id) => id.split('-').map(BigInt));
    for (let i = 1; i < parts.length; i++) {
      const [a, b] = [parts[i - 1], parts[i]];
      assert.ok(b[0] > a[0] || (b[0] === a[0] && b[1] > a[1]), `${ids[i - 1]} then ${ids[i]}`);
    }
    assert.ok(Math.abs(Number(parts[0][0]) - Date.now()) < 60000, `XADD * uses the time: ${ids[0]}`);
    const far = `${Date.now() + 1e9}`;
    assert.equal(await p.h.command('XADD', 'auto', `${far}-5`, 'a', 'b'), `$${far.length + 2}\r\n${far}-5\r\n`);
    assert.equal(await p.h.command('XADD', 'auto', '*', 'a', 'b'), `$${far.length + 2}\r\n${far}-6\r\n`);
  });
});

describe('keyspace events of the stream commands', () => {
  const t = withEventsPair();

  it('xadd, xtrim, xdel, xsetid and none for failures', async () => {
    const n = await sameEvents(t.d, [
      ['XADD', 's', '1-1', 'a', 'b'], ['XADD', 's', '2-1', 'a', 'b'], ['XADD', 's', 'MAXLEN', '1', '3-1', 'a', 'b'], ['XADD', 's', '1-1', 'a', 'b'],
      ['XDEL', 's', '3-1'], ['XDEL', 's', '9-9'], ['XADD', 's', '4-1', 'a', 'b'], ['XTRIM', 's', 'MAXLEN', '0'], ['XTRIM', 's', 'MAXLEN', '0'],
      ['XSETID', 's', '10-0'], ['XSETID', 's', '1-0'], ['XADD', 'n', 'NOMKSTREAM', '*', 'a', 'b'], ['DEL', 's'],
    ]);
    assert.ok(n >= 14, `${n} events`);
  });
});

describe('blocking XREAD matches redis-server', () => {
  const t = withPair();

  it('XREAD BLOCK $ is woken by XADD, several clients in the order they blocked, COUNT, several streams', async () => {
    await t.d.cmd('w', 'XADD', 'a', '1-1', 'old', 'x');
    await blockAll(t, [
      ['c1', 'XREAD', 'BLOCK', '0', 'STREAMS', 'a', '$'], ['c2', 'XREAD', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'b', 'a', '$', '$'],
      ['c3', 'XREAD', 'BLOCK', '0', 'STREAMS', 'a', '1-1'], ['c4', 'XREAD', 'BLOCK', '0', 'STREAMS', 'b', '0'],
    ]);
    await t.d.sendRaw('w', enc('MULTI') + enc('XADD', 'a', '2-1', 'f', '1') + enc('XADD', 'a', '2-2', 'f', '2') + enc('EXEC'));
    await t.d.read('w', 4);
    for (const c of ['c1', 'c2', 'c3']) await t.d.read(c);
    await waitBlocked(t.p, 1);
    await t.d.cmd('w', 'XADD', 'b', '5-0', 'g', 'h');
    await t.d.read('c4');
    await waitBlocked(t.p, 0);
  });

  it('times out with a null reply (RESP2 and RESP3), is not served by a too small ID, nor by another type', async () => {
    await t.d.cmd('t', 'XREAD', 'BLOCK', '30', 'STREAMS', 'none', '$');
    await t.d.hello('t', '3');
    await t.d.cmd('t', 'XREAD', 'BLOCK', '30', 'STREAMS', 'none', '0');
    await t.d.cmd('w', 'XADD', 'k', '5-0', 'a', 'b');
    await blockAll(t, [['c1', 'XREAD', 'BLOCK', '0', 'STREAMS', 'k', '7-0'], ['c2', 'XREAD', 'BLOCK', '0', 'STREAMS', 'other', '$']]);
    await t.d.hello('c3', '3');
    await blockAll(t, [['c3', 'XREAD', 'BLOCK', '0', 'STREAMS', 'k', '$']]);
    await t.d.cmd('w', 'XADD', 'k', '6-0', 'a', 'b');
    await t.d.read('c3');
    await t.d.cmd('w', 'LPUSH', 'other', 'x');
    await t.d.cmd('w', 'XADD', 'k', '8-0', 'a', 'b');
    await t.d.read('c1');
    await waitBlocked(t.p, 1);
    await t.d.cmd('w', 'DEL', 'other');
    await t.d.cmd('w', 'XADD', 'other', '1-0', 'z', 'z');
    await t.d.read('c2');
  });

  it('inside MULTI XREAD BLOCK does not block; a pipelined command runs after the served one', async () => {
    await t.d.script([['c1', 'MULTI'], ['c1', 'XREAD', 'BLOCK', '0', 'STREAMS', 'x', '$'], ['c1', 'EXEC']]);
    await t.d.sendRaw('c2', enc('XREAD', 'BLOCK', '0', 'STREAMS', 'p', '$') + enc('XLEN', 'p'));
    await waitBlocked(t.p, 1);
    await t.d.cmd('w', 'XADD', 'p', '1-0', 'a', 'b');
    await t.d.read('c2', 2);
  });
});

describe('blocked XREAD across a hot upgrade', () => {
  const bundles = withBundles(['9.5.0', '9.6.0']);

  it('is served by the new logic after the swap, with the ID $ meant when it blocked', async () => {
    const [ctl, forever, timed] = await Promise.all([1, 2, 3].map(() => bundles.connect()));
    assert.equal(await ctl.command('XADD', 'up', '1-0', 'a', 'b'), '$3\r\n1-0\r\n');
    forever.write(enc('XREAD', 'BLOCK', '0', 'STREAMS', 'up', '$') + enc('ECHO', 'after'));
    const t0 = Date.now();
    timed.write(enc('XREAD', 'BLOCK', '1500', 'STREAMS', 'up-timed', '$'));
    await waitUntil('2 blocked clients', async () => (await blockedClients(ctl)) === 2, 5000, 5);
    assert.equal((await load(ctl, bundles.files[1])).to, '9.6.0');
    assert.equal((await info(ctl, 'upgrade')).logic_version, '9.6.0');
    assert.equal(await blockedClients(ctl), 2);
    assert.equal(await ctl.command('XADD', 'up', '2-0', 'c', 'd'), '$3\r\n2-0\r\n');
    assert.equal(await forever.reply(), '*1\r\n*2\r\n$2\r\nup\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nc\r\n$1\r\nd\r\n');
    assert.equal(await forever.reply(), '$5\r\nafter\r\n');
    assert.equal(await timed.reply(5000), '*-1\r\n');
    const took = Date.now() - t0;
    assert.ok(took >= 1490 && took < 4000, `XREAD BLOCK 1500 timed out after ${took} ms`);
  });
});

// --- persistence ----------------------------------------------------------------------------------

const { track, tmpDir } = scratch('hotkv-streams-');

/** Streams of every shape: several nodes, entries deleted inside nodes, trimmed, huge IDs, an empty
 *  stream, XSETID metadata, a TTL, a second db. */
async function fill(c: RawClient): Promise<void> {
  const rnd = prng(SEED + 1);
  for (let k = 0; k < 4; k++) {
    for (let i = 1; i <= 130 * k + 1; i++) {
      const fv = rnd() < 0.5 ? ['a', String(i)] : ['b', 'x'.repeat(Math.floor(rnd() * 120)), '77', '-3'];
      await c.command('XADD', `s${k}`, `${i * 2}-${rnd() < 0.5 ? 0 : 5}`, ...fv);
      if (i % 13 === 0) await c.command('XDEL', `s${k}`, `${(i - 3) * 2}-0`, `${(i - 3) * 2}-5`);
    }
  }
  await c.command('XTRIM', 's3', 'MAXLEN', '100');
  await c.command('XADD', 'big', '18446744073709551615-1', 'a', 'b');
  await c.command('XADD', 'big2', '9007199254740993-9007199254740993', 'a', 'b');
  await c.command('XADD', 'big2', '9007199254740993-*', 'a', 'b');
  await c.command('XADD', 'empty', '5-5', 'a', 'b');
  await c.command('XDEL', 'empty', '5-5');
  await c.command('XSETID', 's2', '99999-1', 'ENTRIESADDED', '5000', 'MAXDELETEDID', '999-0');
  await c.command('PEXPIREAT', 's1', '99999999999999');
  await c.command('SELECT', '1');
  await c.command('XADD', 'db1', '1-1', 'x', 'y');
  await c.command('SELECT', '0');
}

/** Consumer groups made on a redis-server, whose dump hotkv then loads (test/streams-groups.test.ts covers the commands). */
async function addGroups(c: RawClient): Promise<void> {
  for (const args of [
    ['XGROUP', 'CREATE', 's3', 'g1', '0'], ['XGROUP', 'CREATE', 's3', 'g0', '$'], ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', 's3', '>'],
    ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', 's3', '>'], ['XGROUP', 'CREATECONSUMER', 's3', 'g1', 'carol'],
    ['XGROUP', 'CREATE', 'empty', 'ge', '0'],
  ]) assert.doesNotMatch(await c.command(...args), /^-/, args.join(' '));
}

const DBS = [0, 1];
const STREAMS = ['s0', 's1', 's2', 's3', 'big', 'big2', 'empty'];

/** XINFO STREAM FULL of every stream (groups, PEL, consumers) on a server. */
async function fullInfo(port: number): Promise<Record<string, string>> {
  const c = await RawClient.connect(port);
  const out: Record<string, string> = {};
  for (const k of STREAMS) out[k] = await c.command('XINFO', 'STREAM', k, 'FULL');
  c.close();
  return out;
}

describe('stream persistence', () => {
  it('loads a dump redis-server 7.0 wrote (consumer groups included) and writes one redis-check-rdb accepts and redis-server loads the same', async () => {
    const redis = await track(startRedis(DEBUG));
    const rc = await RawClient.connect(redis.port);
    await fill(rc);
    await addGroups(rc);
    assert.equal(await rc.command('SAVE'), '+OK\r\n');
    const digest = await rc.command('DEBUG', 'DIGEST');
    const want = await dumpAll(redis.port, DBS, true);
    const wantFull = await fullInfo(redis.port);
    rc.close();
    const dir = tmpDir();
    fs.copyFileSync(path.join(redis.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    const hk = await track(startHotkv({ dir, args: DEBUG }));
    const hc = await RawClient.connect(hk.port);
    assert.equal(await hc.command('DEBUG', 'DIGEST'), digest);
    assertSameData(await dumpAll(hk.port, DBS, true), want);
    assert.deepEqual(await fullInfo(hk.port), wantFull);
    // hotkv writes it back: redis-check-rdb accepts it and redis-server loads the same streams and groups
    assert.equal(await hc.command('SAVE'), '+OK\r\n');
    hc.close();
    const file = path.join(dir, 'dump.rdb');
    const check = spawnSync('redis-check-rdb', [file], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /RDB looks OK/);
    const dir2 = tmpDir();
    fs.copyFileSync(file, path.join(dir2, 'dump.rdb'));
    const redis2 = await track(startRedis(['--dir', dir2, ...DEBUG]));
    const rc2 = await RawClient.connect(redis2.port);
    assert.equal(await rc2.command('DEBUG', 'DIGEST'), digest);
    rc2.close();
    assertSameData(await dumpAll(redis2.port, DBS, true), want);
    assert.deepEqual(await fullInfo(redis2.port), wantFull);
    await Promise.all([redis.stop(), hk.stop(), redis2.stop()]);
  });

  it('a dump hotkv wrote from its own commands loads in redis-server with the same data', async () => {
    const hk = await track(startHotkv({ args: DEBUG }));
    const hc = await RawClient.connect(hk.port);
    await fill(hc);
    const digest = await hc.command('DEBUG', 'DIGEST');
    const want = await dumpAll(hk.port, DBS, true);
    assert.equal(await hc.command('SAVE'), '+OK\r\n');
    hc.close();
    const check = spawnSync('redis-check-rdb', [path.join(hk.dir, 'dump.rdb')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const redis = await track(startRedis(['--dir', hk.dir, ...DEBUG]));
    const rc = await RawClient.connect(redis.port);
    assert.equal(await rc.command('DEBUG', 'DIGEST'), digest);
    rc.close();
    assertSameData(await dumpAll(redis.port, DBS, true), want);
    await Promise.all([hk.stop(), redis.stop()]);
  });

  for (const preamble of ['no', 'yes']) {
    it(`the AOF reloads the same streams: incremental (XADD * and ~ trims propagated as executed), BGREWRITEAOF (aof-use-rdb-preamble ${preamble}), redis-server loads it too`, async () => {
      const hk = await track(startHotkv({ args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble, ...DEBUG] }));
      const hc = await RawClient.connect(hk.port);
      await fill(hc);
      for (let i = 0; i < 300; i++) await hc.command('XADD', 'auto', 'MAXLEN', '~', '120', '*', 'i', String(i));
      await hc.command('XADD', 'auto', 'MINID', '~', '0', 'LIMIT', '5', '*', 'a', 'b');
      await hc.command('XTRIM', 'auto', 'MAXLEN', '~', '10');
      await hc.command('XADD', 'seq', '5-*', 'a', 'b');
      await hc.command('XADD', 'seq', '5-*', 'a', 'b');
      const want = await dumpAll(hk.port, DBS, true);
      const digest = await hc.command('DEBUG', 'DIGEST');
      // incremental AOF only
      await hk.stop();
      const hk2 = await track(startHotkv({ dir: hk.dir, args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble, ...DEBUG] }));
      const hc2 = await RawClient.connect(hk2.port);
      assert.equal(await hc2.command('DEBUG', 'DIGEST'), digest);
      assertSameData(await dumpAll(hk2.port, DBS, true), want);
      // rewritten
      assert.equal(await hc2.command('BGREWRITEAOF'), '+Background append only file rewriting started\r\n');
      await waitUntil('the rewrite to end', async () => (await info(hc2, 'persistence')).aof_rewrite_in_progress === '0', 10000);
      hc2.close();
      const r = spawnSync('redis-check-aof', [path.join(hk.dir, 'appendonlydir', 'appendonly.aof.manifest')], { encoding: 'latin1' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      await hk2.stop();
      const hk3 = await track(startHotkv({ dir: hk.dir, args: ['--appendonly', 'yes', ...DEBUG] }));
      const hc3 = await RawClient.connect(hk3.port);
      assert.equal(await hc3.command('DEBUG', 'DIGEST'), digest);
      hc3.close();
      assertSameData(await dumpAll(hk3.port, DBS, true), want);
      const copy = tmpDir();
      fs.cpSync(path.join(hk.dir, 'appendonlydir'), path.join(copy, 'appendonlydir'), { recursive: true });
      const redis = await track(startRedis(['--dir', copy, '--appendonly', 'yes', ...DEBUG]));
      const rc = await RawClient.connect(redis.port);
      assert.equal(await rc.command('DEBUG', 'DIGEST'), digest, show('redis-server loading the rewritten AOF'));
      rc.close();
      assertSameData(await dumpAll(redis.port, DBS, true), want);
      await Promise.all([hk3.stop(), redis.stop()]);
    });
  }
});
