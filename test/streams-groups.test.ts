// Stream consumer groups against redis-server 7.0: XGROUP (every subcommand), XREADGROUP (new entries, history,
// NOACK, COUNT), XACK, XPENDING (summary and extended, IDLE, consumer), XCLAIM (every option), XAUTOCLAIM (the
// deleted-IDs element), XINFO GROUPS / CONSUMERS / STREAM FULL, with XDEL/XTRIM/COPY/RENAME/DEL interplay, in
// RESP2 and RESP3, every error; dirty and keyspace hits/misses; keyspace events. Blocking XREADGROUP (woken by
// XADD in order, COUNT, timeouts, unblocked with an error when its group or key goes) with raw connections on
// both servers, and across a hot upgrade (hotkv alone). Persistence: a dump hotkv wrote with groups loads in
// redis-server with the same XINFO STREAM FULL and DEBUG DIGEST; the AOF hotkv writes for XREADGROUP / XCLAIM /
// XAUTOCLAIM is what redis-server writes, and replaying it (or the rewritten AOF, preamble off) rebuilds the
// same groups, in hotkv and in redis-server.
//
// Times (idle, delivery and seen times) differ between the servers by the milliseconds between the two
// requests: replies are compared with them masked (`masked`); the tests that set a time (XCLAIM TIME/IDLE)
// check it exactly on the fields it shows in.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { blockAll, blockedClients, waitBlocked, withBundles, withPair } from './helpers/duo';
import { decodeReply, encodeCommand, RawClient } from './helpers/resp';
import { scratch } from './helpers/scratch';
import { startHotkv, startRedis } from './helpers/servers';
import { hello, sameCounters, sameEvents, withEventsPair } from './helpers/unordered';
import { info, load, waitUntil } from './helpers/upgrade';

const enc = (...args: string[]) => encodeCommand(args).toString('latin1');
const DEBUG = ['--enable-debug-command', 'yes'];

/** A reply with its times masked: XINFO CONSUMERS idle, XINFO STREAM FULL seen-time and delivery times,
 *  XPENDING's idle. */
function masked(reply: string): string {
  return reply
    .replace(/(\$4\r\nidle\r\n):\d+/g, '$1:T')
    .replace(/(\$9\r\nseen-time\r\n):\d+/g, '$1:T')
    // [id, consumer, time, count] of XPENDING and of a group's PEL in XINFO STREAM FULL
    .replace(/(\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[^\r]*\r\n):\d+/g, '$1:T')
    // [id, time, count] of a consumer's PEL in XINFO STREAM FULL
    .replace(/(\*3\r\n\$\d+\r\n\d+-\d+\r\n):\d+/g, '$1:T');
}

/** Send to both, compare the masked replies; returns hotkv's (unmasked). */
async function sameM(p: Pair, ...args: string[]): Promise<string> {
  const [h, r] = await Promise.all([p.h.command(...args), p.r.command(...args)]);
  assert.equal(show(masked(h)), show(masked(r)), `reply to ${show(args.join(' '))} differs (hotkv vs redis)`);
  return h;
}

async function scriptM(p: Pair, steps: string[][]): Promise<void> {
  for (let i = 0; i < steps.length; i++) {
    try {
      await sameM(p, ...steps[i]);
    } catch (e) {
      throw new Error(`step ${i}: ${(e as Error).message}`);
    }
  }
}

const BASICS: string[][] = [
  // XGROUP
  ['XGROUP', 'CREATE', 's', 'g', '$'], ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'], ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'],
  ['XGROUP', 'CREATE', 's', 'g2', 'bad'], ['XGROUP', 'CREATE', 's', 'g2', '-'], ['XGROUP', 'CREATE', 's', 'g2', '0', 'ENTRIESREAD'],
  ['XGROUP', 'CREATE', 's', 'g2', '0', 'ENTRIESREAD', '-2'], ['XGROUP', 'CREATE', 's', 'g2', '0', 'ENTRIESREAD', 'x'],
  ['XGROUP', 'CREATE', 's', 'g2', '0', 'FOO'], ['XGROUP', 'CREATE', 's', 'g2', '0', 'MKSTREAM', 'ENTRIESREAD', '3', 'MKSTREAM'],
  ['XGROUP', 'CREATE', 'nokey', 'g2', 'bad', 'MKSTREAM'], ['EXISTS', 'nokey'],
  ['XGROUP', 'CREATE', 's', 'g2', '0', 'ENTRIESREAD', '0'], ['XGROUP', 'CREATE', 's', 'g3', '5', 'ENTRIESREAD', '-1'],
  ['XGROUP', 'SETID', 's', 'nog', '0'], ['XGROUP', 'SETID', 's', 'g2', '0', 'MKSTREAM'], ['XGROUP', 'SETID', 's', 'g2', '+'],
  ['XGROUP', 'SETID', 's', 'g2', '-'], ['XGROUP', 'SETID', 's', 'g2', 'bad'], ['XGROUP', 'SETID', 's', 'g2', '$', 'ENTRIESREAD', '5'],
  ['XGROUP', 'SETID', 's', 'g2', '$', 'ENTRIESREAD', '5', 'X'], ['XGROUP', 'SETID', 'nokey', 'g', '0'], ['XINFO', 'GROUPS', 's'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c1'], ['XGROUP', 'CREATECONSUMER', 's', 'nog', 'c1'],
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'nobody'], ['XGROUP', 'DELCONSUMER', 's', 'nog', 'c1'], ['XGROUP', 'DESTROY', 's', 'nog'],
  ['XGROUP', 'DESTROY', 'nokey', 'g'], ['XGROUP', 'DESTROY', 's', 'g3'], ['XGROUP', 'HELP'], ['XGROUP', 'help', 'x'], ['XGROUP', 'FOO', 'a', 'b'],
  ['XGROUP'], ['XGROUP', 'CREATE', 's'], ['XGROUP', 'DESTROY', 's', 'g', 'x'], ['SET', 'str', 'x'], ['XGROUP', 'CREATE', 'str', 'g', '$'],
  ['XGROUP', 'CREATECONSUMER', 'str', 'g', 'c'],
  // XINFO
  ['XINFO', 'GROUPS', 's'], ['XINFO', 'GROUPS', 'nokey'], ['XINFO', 'GROUPS', 'str'], ['XINFO', 'CONSUMERS', 's', 'g'],
  ['XINFO', 'CONSUMERS', 's', 'nog'], ['XINFO', 'CONSUMERS', 's'], ['XINFO', 'CONSUMERS', 'nokey', 'g'], ['XINFO', 'GROUPS', 's', 'x'],
  // XREADGROUP
  ['XADD', 's', '1-1', 'f', 'v1'], ['XADD', 's', '2-1', 'f', 'v2'], ['XADD', 's', '3-1', 'f', 'v3', 'x', 'y'], ['XADD', 's', '4-1', 'f', 'v4'],
  ['XADD', 's', '5-1', 'f', 'v5'], ['XINFO', 'GROUPS', 's'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '2', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'COUNT', '1', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c2', 'BLOCK', '1', 'COUNT', '0', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'STREAMS', 's', '0'], ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '1', 'STREAMS', 's', '1-1'],
  ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '-1', 'STREAMS', 's', '0-0'], ['XREADGROUP', 'GROUP', 'g', 'c3', 'STREAMS', 's', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'c2', 'STREAMS', 's', 's', '0', '>'], ['XINFO', 'GROUPS', 's'], ['XINFO', 'CONSUMERS', 's', 'g'],
  ['XREADGROUP', 'GROUP', 'nog', 'c', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'nokey', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '$'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's'],
  ['XREADGROUP', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'str', '>'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 'bad'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '+'], ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 'x', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '-1', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c', 'FOO', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 'x', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'g2', 'n', 'NOACK', 'STREAMS', 's', '>'], ['XGROUP', 'SETID', 's', 'g2', '0'],
  ['XREADGROUP', 'GROUP', 'g2', 'n', 'NOACK', 'COUNT', '2', 'STREAMS', 's', '>'], ['XINFO', 'GROUPS', 's'], ['XINFO', 'CONSUMERS', 's', 'g2'],
  // XPENDING
  ['XPENDING', 's', 'g'], ['XPENDING', 's', 'g2'], ['XPENDING', 's', 'g', '-', '+', '10'], ['XPENDING', 's', 'g', '-', '+', '10', 'c1'],
  ['XPENDING', 's', 'g', '-', '+', '10', 'nobody'], ['XPENDING', 's', 'g', '(1-1', '+', '1'], ['XPENDING', 's', 'g', '-', '(3-1', '10'],
  ['XPENDING', 's', 'g', '-', '+', '0'], ['XPENDING', 's', 'g', '-', '+', '-1'], ['XPENDING', 's', 'g', 'IDLE', '99999999', '-', '+', '10'],
  ['XPENDING', 's', 'g', 'IDLE', '0', '-', '+', '10', 'c2'], ['XPENDING', 's', 'g', 'IDLE', 'x', '-', '+', '10'],
  ['XPENDING', 's', 'g', 'IDLE', '1', '-', '+'], ['XPENDING', 's', 'g', '-', '+'], ['XPENDING', 's', 'g', '-', '+', 'x'],
  ['XPENDING', 's', 'g', 'x', '+', '10'], ['XPENDING', 's', 'g', '-', 'x', '10'], ['XPENDING', 's', 'nog'], ['XPENDING', 'nokey', 'g'],
  ['XPENDING', 'str', 'g'], ['XPENDING', 's', 'g', '(18446744073709551615-18446744073709551615', '+', '10'],
  ['XPENDING', 's', 'g', '-', '(0-0', '10'], ['XPENDING', 's', 'g', '-', '+', '10', 'c1', 'x', 'y', 'z'], ['XPENDING', 's'],
  // XACK
  ['XACK', 's', 'g', '1-1', '9-9'], ['XACK', 's', 'g', '1-1'], ['XACK', 's', 'g', 'bad'], ['XACK', 's', 'g', '2-1', 'bad'], ['XACK', 'nokey', 'g', 'bad'],
  ['XACK', 's', 'nog', '1-1'], ['XACK', 'str', 'g', '1-1'], ['XACK', 's', 'g'], ['XPENDING', 's', 'g'],
  // XCLAIM
  ['XCLAIM', 's', 'g', 'c3', '0', '2-1'], ['XCLAIM', 's', 'g', 'c3', '0', '2-1', 'JUSTID'], ['XCLAIM', 's', 'g', 'c3', '99999999', '3-1'],
  ['XCLAIM', 's', 'g', 'c3', '0', '3-1', 'IDLE', '500000'], ['XPENDING', 's', 'g', 'IDLE', '400000', '-', '+', '10'],
  ['XCLAIM', 's', 'g', 'c4', '0', '4-1', 'TIME', '1000', 'RETRYCOUNT', '7'], ['XCLAIM', 's', 'g', 'c4', '0', '1-1', 'FORCE'],
  ['XCLAIM', 's', 'g', 'c4', '0', '99-0', 'FORCE'], ['XCLAIM', 's', 'g', 'c4', '0', '1-1', '2', '3-1', 'JUSTID', 'FORCE', 'RETRYCOUNT', '0'],
  ['XCLAIM', 's', 'g', 'c4', 'x', '1-1'], ['XCLAIM', 's', 'g', 'c4', '-5', '1-1', 'IDLE', 'x'], ['XCLAIM', 's', 'g', 'c4', '0', '1-1', 'TIME', 'x'],
  ['XCLAIM', 's', 'g', 'c4', '0', '1-1', 'RETRYCOUNT', 'x'], ['XCLAIM', 's', 'g', 'c4', '0', '1-1', 'LASTID', 'bad'],
  ['XCLAIM', 's', 'g', 'c4', '0', '1-1', 'FOO'], ['XCLAIM', 's', 'g', 'c4', '0', 'bad'], ['XCLAIM', 's', 'g', 'c4', '0', '1-1', 'IDLE'],
  ['XCLAIM', 's', 'g', 'c4', '0', '1-1', 'JUSTID', 'LASTID', '100-0'], ['XINFO', 'GROUPS', 's'],
  ['XCLAIM', 's', 'g', 'c9', '0', '1-1', 'TIME', '-5', 'JUSTID'], ['XCLAIM', 's', 'g', 'c9', '0', '2-1', 'TIME', '99999999999999', 'JUSTID'],
  ['XCLAIM', 's', 'g', 'c9', '0', '77-1', 'LASTID', '200-0'], ['XINFO', 'GROUPS', 's'],
  ['XCLAIM', 's', 'nog', 'c', '0', '1-1'], ['XCLAIM', 'nokey', 'g', 'c', '0', '1-1'], ['XCLAIM', 'str', 'g', 'c', '0', '1-1'],
  ['XPENDING', 's', 'g'], ['XINFO', 'CONSUMERS', 's', 'g'],
  // deleted entries still pending
  ['XDEL', 's', '2-1'], ['XREADGROUP', 'GROUP', 'g', 'c9', 'STREAMS', 's', '0'], ['XPENDING', 's', 'g', '-', '+', '10'],
  ['XCLAIM', 's', 'g', 'c5', '0', '2-1'], ['XPENDING', 's', 'g'], ['XCLAIM', 's', 'g', 'c5', '0', '2-1', 'FORCE'],
  // XAUTOCLAIM
  ['XAUTOCLAIM', 's', 'g', 'c6', '0', '0', 'COUNT', '1'], ['XAUTOCLAIM', 's', 'g', 'c6', '0', '0', 'COUNT', '1', 'JUSTID'],
  ['XAUTOCLAIM', 's', 'g', 'c6', '99999999', '0'], ['XAUTOCLAIM', 's', 'g', 'c6', '0', '(1-1'], ['XAUTOCLAIM', 's', 'g', 'c6', '0', '0', 'COUNT', '0'],
  ['XAUTOCLAIM', 's', 'g', 'c6', '0', '0', 'COUNT', 'x'], ['XAUTOCLAIM', 's', 'g', 'c6', '0', '0', 'COUNT', '576460752303423488'],
  ['XAUTOCLAIM', 's', 'g', 'c6', 'x', '0'], ['XAUTOCLAIM', 's', 'g', 'c6', '0', 'bad'], ['XAUTOCLAIM', 's', 'g', 'c6', '0', '0', 'FOO'],
  ['XAUTOCLAIM', 's', 'g', 'c6', '0', '0', 'COUNT'], ['XAUTOCLAIM', 's', 'nog', 'c', '0', '0'], ['XAUTOCLAIM', 'nokey', 'g', 'c', '0', '0'],
  ['XAUTOCLAIM', 'str', 'g', 'c', '0', '0'], ['XAUTOCLAIM', 's', 'g', 'c6', '0', '(18446744073709551615-18446744073709551615'],
  ['XDEL', 's', '3-1', '4-1'], ['XAUTOCLAIM', 's', 'g', 'c7', '0', '0'], ['XAUTOCLAIM', 's', 'g', 'c7', '0', '0'],
  ['XPENDING', 's', 'g'], ['XINFO', 'CONSUMERS', 's', 'g'], ['XINFO', 'STREAM', 's'], ['XINFO', 'STREAM', 's', 'FULL'],
  ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '1'],
  // lag and entries-read as the stream changes
  ['XADD', 's', '6-1', 'f', 'v6'], ['XADD', 's', '7-1', 'f', 'v7'], ['XINFO', 'GROUPS', 's'], ['XTRIM', 's', 'MAXLEN', '1'], ['XINFO', 'GROUPS', 's'],
  ['XGROUP', 'CREATE', 's', 'g4', '0'], ['XGROUP', 'CREATE', 's', 'g5', '7-1'], ['XGROUP', 'CREATE', 's', 'g6', '9-0'], ['XINFO', 'GROUPS', 's'],
  ['XREADGROUP', 'GROUP', 'g4', 'a', 'STREAMS', 's', '>'], ['XSETID', 's', '9-0', 'ENTRIESADDED', '50', 'MAXDELETEDID', '8-0'], ['XINFO', 'GROUPS', 's'],
  // consumers and groups going
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'c7'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'c1'], ['XPENDING', 's', 'g'], ['XINFO', 'CONSUMERS', 's', 'g'],
  ['XGROUP', 'DESTROY', 's', 'g'], ['XGROUP', 'DESTROY', 's', 'g'], ['XINFO', 'STREAM', 's'], ['XINFO', 'GROUPS', 's'],
  // MULTI and scripts
  ['MULTI'], ['XREADGROUP', 'GROUP', 'g4', 'a', 'BLOCK', '0', 'STREAMS', 's', '>'], ['EXEC'],
  ['EVAL', "return redis.pcall('XREADGROUP','GROUP','g4','a','BLOCK','0','STREAMS','s','>')", '1', 's'],
  ['EVAL', "return redis.call('XREADGROUP','GROUP','g4','z','STREAMS','s','0')", '1', 's'],
];

describe('consumer-group commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair({ args: DEBUG }, DEBUG); });
  after(async () => { await p.stop(); });
  afterEach(async () => {
    await hello(p, '2');
    await p.reset();
  });

  it('every command, option and error, RESP2, and DEBUG DIGEST', async () => {
    await scriptM(p, BASICS);
    await p.same('DEBUG', 'DIGEST');
  });

  it('every command, option and error, RESP3', async () => {
    await hello(p, '3');
    await scriptM(p, BASICS);
  });

  it('COPY, RENAME, DEL, DEBUG DIGEST / DIGEST-VALUE / RELOAD of a stream with groups; MEMORY USAGE grows with the PEL', async () => {
    await scriptM(p, [
      ['XADD', 's', '1-1', 'a', 'b'], ['XADD', 's', '2-1', 'a', 'b'], ['XGROUP', 'CREATE', 's', 'g', '0'], ['XGROUP', 'CREATE', 's', 'h', '$'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 's', '>'], ['XGROUP', 'CREATECONSUMER', 's', 'h', 'idle'],
      ['COPY', 's', 'c'], ['XACK', 'c', 'g', '1-1'], ['XPENDING', 's', 'g'], ['XPENDING', 'c', 'g'], ['XINFO', 'STREAM', 'c', 'FULL'],
      ['XGROUP', 'DESTROY', 'c', 'h'], ['XINFO', 'GROUPS', 's'], ['RENAME', 'c', 'r'], ['XINFO', 'STREAM', 'r', 'FULL'], ['XPENDING', 'r', 'g'],
      ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', 's'], ['DEBUG', 'RELOAD'], ['XINFO', 'STREAM', 's', 'FULL'], ['XINFO', 'STREAM', 'r', 'FULL'],
      ['DEBUG', 'DIGEST'], ['DEL', 's'], ['XINFO', 'GROUPS', 's'], ['XGROUP', 'CREATE', 's', 'g', '$'],
    ]);
    await p.h.command('XADD', 'm', '1-1', 'a', 'b');
    await p.h.command('XGROUP', 'CREATE', 'm', 'g', '0');
    const before = Number((decodeReply(await p.h.command('MEMORY', 'USAGE', 'm')) as number));
    for (let i = 2; i < 400; i++) await p.h.command('XADD', 'm', `${i}-1`, 'a', 'b');
    const mid = Number((decodeReply(await p.h.command('MEMORY', 'USAGE', 'm', 'SAMPLES', '0')) as number));
    await p.h.command('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'm', '>');
    const withPel = Number((decodeReply(await p.h.command('MEMORY', 'USAGE', 'm', 'SAMPLES', '0')) as number));
    assert.ok(before > 100 && mid > before && withPel > mid + 399 * 16, `MEMORY USAGE ${before} -> ${mid} -> ${withPel}`);
  });

  it('dirty and keyspace hits/misses move as in Redis', async () => {
    await sameCounters(p, [
      ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'], ['XGROUP', 'CREATE', 's', 'g', '$'], ['XADD', 's', '1-1', 'a', 'b'],
      ['XADD', 's', '2-1', 'a', 'b'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'x'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '0'], ['XREADGROUP', 'GROUP', 'g', 'd', 'STREAMS', 's', '>'], ['XACK', 's', 'g', '1-1', '5-5'],
      ['XACK', 'nokey', 'g', '1-1'], ['XPENDING', 's', 'g'], ['XCLAIM', 's', 'g', 'd', '0', '2-1'], ['XCLAIM', 's', 'g', 'd', '0', '2-1', 'LASTID', '9-9'],
      ['XAUTOCLAIM', 's', 'g', 'e', '0', '0'], ['XGROUP', 'SETID', 's', 'g', '0'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'e'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'e'], ['XINFO', 'GROUPS', 's'], ['XGROUP', 'DESTROY', 's', 'g'],
    ], async (args) => sameM(p, ...args));
  });
});

describe('keyspace events of the consumer-group commands', () => {
  const t = withEventsPair();

  it('xgroup-create (and new with MKSTREAM), -setid, -createconsumer (also by XREADGROUP/XCLAIM), -delconsumer, -destroy', async () => {
    const n = await sameEvents(t.d, [
      ['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'], ['XGROUP', 'CREATE', 's', 'g', '$'], ['XADD', 's', '1-1', 'a', 'b'],
      ['XGROUP', 'SETID', 's', 'g', '0'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'c'],
      ['XREADGROUP', 'GROUP', 'g', 'r', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'r', 'STREAMS', 's', '>'], ['XACK', 's', 'g', '1-1'],
      ['XCLAIM', 's', 'g', 'x', '0', '1-1', 'FORCE'], ['XAUTOCLAIM', 's', 'g', 'y', '0', '0'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'],
      ['XGROUP', 'DELCONSUMER', 's', 'g', 'c'], ['XGROUP', 'DESTROY', 's', 'g'], ['XGROUP', 'DESTROY', 's', 'g'],
    ]);
    assert.ok(n >= 10, `${n} events`);
  });
});

// --- blocking XREADGROUP ---------------------------------------------------------------------------

describe('blocking XREADGROUP matches redis-server', () => {
  const t = withPair();

  it('is woken by XADD in the order clients blocked, each new entry going to one consumer; COUNT; NOACK; several streams', async () => {
    await t.d.script([['w', 'XGROUP', 'CREATE', 'k', 'g', '$', 'MKSTREAM'], ['w', 'XGROUP', 'CREATE', 'k2', 'g', '$', 'MKSTREAM']]);
    await blockAll(t, [
      ['c1', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 'k', '>'],
      ['c2', 'XREADGROUP', 'GROUP', 'g', 'b', 'COUNT', '1', 'BLOCK', '0', 'STREAMS', 'k2', 'k', '>', '>'],
      ['c3', 'XREADGROUP', 'GROUP', 'g', 'c', 'NOACK', 'BLOCK', '0', 'STREAMS', 'k', '>'],
    ]);
    await t.d.cmd('w', 'XADD', 'k', '1-0', 'f', '1');
    await t.d.read('c1');
    await waitBlocked(t.p, 2);
    await t.d.sendRaw('w', enc('MULTI') + enc('XADD', 'k', '2-0', 'f', '2') + enc('XADD', 'k', '3-0', 'f', '3') + enc('EXEC'));
    await t.d.read('w', 4);
    await t.d.read('c2');
    await t.d.read('c3');
    await waitBlocked(t.p, 0);
    await t.d.script([['w', 'XPENDING', 'k', 'g'], ['w', 'XINFO', 'GROUPS', 'k'], ['w', 'XLEN', 'k']]);
    await blockAll(t, [['c1', 'XREADGROUP', 'GROUP', 'g', 'new', 'BLOCK', '0', 'STREAMS', 'k', 'k2', '>', '>']]);
    await t.d.cmd('w', 'XADD', 'k2', '1-0', 'f', '1');
    await t.d.read('c1');
    await t.d.script([['w', 'XPENDING', 'k2', 'g'], ['w', 'XINFO', 'GROUPS', 'k2']]);
  });

  it('times out with a null reply (RESP2 and RESP3); an entry read by another consumer meanwhile does not wake it', async () => {
    await t.d.cmd('w', 'XGROUP', 'CREATE', 'k', 'g', '$', 'MKSTREAM');
    await t.d.cmd('t', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '30', 'STREAMS', 'k', '>');
    await t.d.hello('t', '3');
    await t.d.cmd('t', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '30', 'STREAMS', 'k', '>');
    await t.d.hello('c1', '3');
    await blockAll(t, [['c1', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 'k', '>']]);
    // read by another consumer inside the same MULTI: nothing is left for the blocked one
    await t.d.sendRaw('w', enc('MULTI') + enc('XADD', 'k', '1-0', 'f', '1') + enc('XREADGROUP', 'GROUP', 'g', 'z', 'STREAMS', 'k', '>') + enc('EXEC'));
    await t.d.read('w', 4);
    await waitBlocked(t.p, 1);
    await t.d.cmd('w', 'XADD', 'k', '2-0', 'f', '2');
    await t.d.read('c1');
    await t.d.script([['w', 'XPENDING', 'k', 'g'], ['w', 'XINFO', 'GROUPS', 'k']]);
  });

  it('is unblocked with -NOGROUP when its group is destroyed, with -UNBLOCKED when its key is deleted or overwritten; XREAD stays blocked', async () => {
    await t.d.script([['w', 'XGROUP', 'CREATE', 'k', 'g', '$', 'MKSTREAM'], ['w', 'XGROUP', 'CREATE', 'k', 'h', '$']]);
    await blockAll(t, [
      ['c1', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 'k', '>'],
      ['c2', 'XREADGROUP', 'GROUP', 'h', 'b', 'BLOCK', '0', 'STREAMS', 'k', '>'],
      ['x', 'XREAD', 'BLOCK', '0', 'STREAMS', 'k', '$'],
    ]);
    await t.d.cmd('w', 'XGROUP', 'DESTROY', 'k', 'g');
    await t.d.read('c1');
    await waitBlocked(t.p, 2);
    await t.d.cmd('w', 'DEL', 'k');
    await t.d.read('c2');
    await waitBlocked(t.p, 1);
    await t.d.script([['w', 'XGROUP', 'CREATE', 'k', 'g', '$', 'MKSTREAM'], ['w', 'XGROUP', 'CREATE', 'k2', 'g', '$', 'MKSTREAM'],
      ['w', 'XGROUP', 'CREATE', 'k3', 'g', '$', 'MKSTREAM']]);
    await blockAll(t, [
      ['c1', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 'k', '>'],
      ['c2', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 'k2', '>'],
      ['c3', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 'k3', '>'],
    ]);
    await t.d.cmd('w', 'SET', 'k', 'now a string');
    await t.d.read('c1');
    await t.d.cmd('w', 'EXPIRE', 'k2', '0');
    await t.d.read('c2');
    // deleted by the active expire cycle, with no command running
    await t.d.cmd('w', 'PEXPIRE', 'k3', '20');
    await t.d.read('c3');
    await waitBlocked(t.p, 1);
    await t.d.cmd('w', 'DEL', 'k');
    await t.d.cmd('w', 'XADD', 'k', '1-0', 'a', 'b');
    await t.d.read('x');
    await waitBlocked(t.p, 0);
  });

  it('inside MULTI it does not block; a pipelined command runs after the served one', async () => {
    await t.d.cmd('w', 'XGROUP', 'CREATE', 'p', 'g', '$', 'MKSTREAM');
    await t.d.script([['c1', 'MULTI'], ['c1', 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 'p', '>'], ['c1', 'EXEC']]);
    await t.d.sendRaw('c2', enc('XREADGROUP', 'GROUP', 'g', 'b', 'BLOCK', '0', 'STREAMS', 'p', '>') + enc('XPENDING', 'p', 'g'));
    await waitBlocked(t.p, 1);
    await t.d.cmd('w', 'XADD', 'p', '1-0', 'a', 'b');
    await t.d.read('c2', 2);
  });
});

describe('blocked XREADGROUP across a hot upgrade', () => {
  const bundles = withBundles(['9.5.0', '9.6.0']);

  it('is served (or unblocked with its error, or timed out) by the new logic after the swap', async () => {
    const [ctl, forever, gone, timed] = await Promise.all([1, 2, 3, 4].map(() => bundles.connect()));
    assert.equal(await ctl.command('XGROUP', 'CREATE', 'up', 'g', '$', 'MKSTREAM'), '+OK\r\n');
    assert.equal(await ctl.command('XGROUP', 'CREATE', 'up', 'g2', '$'), '+OK\r\n');
    forever.write(enc('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 'up', '>') + enc('ECHO', 'after'));
    gone.write(enc('XREADGROUP', 'GROUP', 'g2', 'bob', 'BLOCK', '0', 'STREAMS', 'up', '>'));
    const t0 = Date.now();
    // long enough that a slow load (a busy machine) does not see it time out before the swap
    timed.write(enc('XREADGROUP', 'GROUP', 'g', 'carol', 'BLOCK', '5000', 'STREAMS', 'up', '>'));
    await waitUntil('3 blocked clients', async () => (await blockedClients(ctl)) === 3, 5000, 5);
    assert.equal((await load(ctl, bundles.files[1])).to, '9.6.0');
    assert.equal((await info(ctl, 'upgrade')).logic_version, '9.6.0');
    assert.equal(await blockedClients(ctl), 3);
    assert.equal(await ctl.command('XGROUP', 'DESTROY', 'up', 'g2'), ':1\r\n');
    assert.equal(await gone.reply(), '-NOGROUP the consumer group this client was blocked on no longer exists\r\n');
    assert.equal(await ctl.command('XADD', 'up', '2-0', 'c', 'd'), '$3\r\n2-0\r\n');
    assert.equal(await forever.reply(), '*1\r\n*2\r\n$2\r\nup\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nc\r\n$1\r\nd\r\n');
    assert.equal(await forever.reply(), '$5\r\nafter\r\n');
    assert.equal(await ctl.command('XPENDING', 'up', 'g'), '*4\r\n:1\r\n$3\r\n2-0\r\n$3\r\n2-0\r\n*1\r\n*2\r\n$5\r\nalice\r\n$1\r\n1\r\n');
    assert.equal(await timed.reply(15000), '*-1\r\n');
    const took = Date.now() - t0;
    assert.ok(took >= 4990 && took < 15000, `XREADGROUP BLOCK 5000 timed out after ${took} ms`);
  });
});

// --- persistence ----------------------------------------------------------------------------------

const { track, tmpDir } = scratch('hotkv-cgroups-');

/** Groups of every shape, built by commands (run on either server). */
const GROUP_STEPS: string[][] = [
  ['XADD', 's', '1-1', 'a', '1'], ['XADD', 's', '2-1', 'a', '2'], ['XADD', 's', '3-1', 'b', 'x', 'c', 'y'], ['XADD', 's', '4-1', 'a', '4'],
  ['XADD', 's', '5-1', 'a', '5'], ['XADD', 's', '6-1', 'a', '6'],
  ['XGROUP', 'CREATE', 's', 'g1', '0'], ['XGROUP', 'CREATE', 's', 'g0', '$'], ['XGROUP', 'CREATE', 's', 'gr', '0', 'ENTRIESREAD', '0'],
  ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', 's', '>'],
  ['XREADGROUP', 'GROUP', 'gr', 'nack', 'NOACK', 'COUNT', '2', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'gr', 'quiet', 'NOACK', 'STREAMS', 's', '0'],
  ['XREADGROUP', 'GROUP', 'g1', 'alice', 'STREAMS', 's', '0'], ['XACK', 's', 'g1', '2-1'], ['XGROUP', 'CREATECONSUMER', 's', 'g1', 'carol'],
  ['XCLAIM', 's', 'g1', 'dave', '0', '4-1', 'TIME', '1700000000000', 'RETRYCOUNT', '9'], ['XCLAIM', 's', 'g1', 'dave', '0', '000006-1', 'FORCE', 'JUSTID'],
  ['XCLAIM', 's', 'g1', 'erin', '0', '1-1', 'IDLE', '1000', 'JUSTID', 'LASTID', '6-1'], ['XDEL', 's', '5-1'],
  ['XAUTOCLAIM', 's', 'g1', 'fred', '0', '0', 'COUNT', '1'], ['XCLAIM', 's', 'g1', 'dave', '0', '5-1'],
  ['XGROUP', 'SETID', 's', 'g0', '3-1', 'ENTRIESREAD', '3'], ['XGROUP', 'CREATE', 'e', 'ge', '$', 'MKSTREAM'],
  ['XGROUP', 'CREATECONSUMER', 'e', 'ge', 'lonely'], ['XGROUP', 'CREATE', 'gone', 'x', '$', 'MKSTREAM'], ['XGROUP', 'DESTROY', 'gone', 'x'],
  ['XGROUP', 'CREATE', 't', 'g', '$', 'MKSTREAM'], ['XADD', 't', '1-0', 'a', 'b'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 't', '>'],
  ['XGROUP', 'DELCONSUMER', 't', 'g', 'c'],
];
const KEYS = ['s', 'e', 'gone', 't'];

async function run(c: RawClient, steps: string[][]): Promise<void> {
  for (const args of steps) assert.doesNotMatch(await c.command(...args), /^-/, args.join(' '));
}

/** XINFO STREAM FULL of every key and DEBUG DIGEST: `exact`, with the consumers' seen times masked (`seen`: what
 *  a replay sets to its own time), or with every time masked (`all`: the same commands run on another server). */
async function fullInfo(port: number, mode: 'exact' | 'seen' | 'all'): Promise<Record<string, string>> {
  const c = await RawClient.connect(port);
  const out: Record<string, string> = {};
  for (const k of KEYS) {
    const r = await c.command('XINFO', 'STREAM', k, 'FULL');
    out[k] = mode === 'exact' ? r : mode === 'all' ? masked(r) : r.replace(/(\$9\r\nseen-time\r\n):\d+/g, '$1:T');
  }
  out.digest = await c.command('DEBUG', 'DIGEST');
  c.close();
  return out;
}

/** The commands of an AOF file, with XCLAIM's TIME (a delivery time) masked when it is the time of the run. */
function aofCommands(file: string): string[] {
  const buf = fs.readFileSync(file);
  const out: string[] = [];
  let pos = 0;
  const line = (): string => {
    const nl = buf.indexOf('\r\n', pos);
    const s = buf.toString('latin1', pos, nl);
    pos = nl + 2;
    return s;
  };
  while (pos < buf.length) {
    const n = Number(line().slice(1));
    const args: string[] = [];
    for (let i = 0; i < n; i++) {
      const len = Number(line().slice(1));
      args.push(buf.toString('latin1', pos, pos + len));
      pos += len + 2;
    }
    for (let i = 0; i + 1 < args.length; i++) {
      if (args[0] === 'XCLAIM' && args[i] === 'TIME' && Number(args[i + 1]) > 1700000000000) args[i + 1] = 'T';
    }
    out.push(args.join(' '));
  }
  return out;
}

describe('consumer-group persistence', () => {
  it('a dump hotkv wrote with groups passes redis-check-rdb and loads in redis-server with the same XINFO STREAM FULL and digest', async () => {
    const hk = await track(startHotkv({ args: DEBUG }));
    const hc = await RawClient.connect(hk.port);
    await run(hc, GROUP_STEPS);
    const want = await fullInfo(hk.port, 'exact');
    assert.equal(await hc.command('SAVE'), '+OK\r\n');
    assert.equal(await hc.command('DEBUG', 'RELOAD'), '+OK\r\n');
    hc.close();
    assert.deepEqual(await fullInfo(hk.port, 'exact'), want);
    const check = spawnSync('redis-check-rdb', [path.join(hk.dir, 'dump.rdb')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const redis = await track(startRedis(['--dir', hk.dir, ...DEBUG]));
    assert.deepEqual(await fullInfo(redis.port, 'exact'), want);
    await Promise.all([hk.stop(), redis.stop()]);
  });

  it('the AOF holds what redis-server writes for the group commands, and replaying it (and its rewrite, preamble off) rebuilds the same groups', async () => {
    // appendfsync always: redis-server has written the AOF before it replies (everysec may postpone a write)
    const aofArgs = ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', '--appendfsync', 'always', ...DEBUG];
    const [hk, redis] = await Promise.all([track(startHotkv({ args: aofArgs })), track(startRedis(aofArgs))]);
    const [hc, rc] = await Promise.all([RawClient.connect(hk.port), RawClient.connect(redis.port)]);
    for (const args of GROUP_STEPS) {
      const [h, r] = await Promise.all([hc.command(...args), rc.command(...args)]);
      assert.equal(show(h), show(r), args.join(' '));
    }
    const incr = (dir: string) => path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
    assert.deepEqual(aofCommands(incr(hk.dir)), aofCommands(incr(redis.dir)));
    assert.deepEqual(await fullInfo(redis.port, 'all'), await fullInfo(hk.port, 'all'));
    hc.close();
    rc.close();
    await Promise.all([hk.stop(), redis.stop()]);
    // hotkv's AOF replayed by hotkv and by redis-server (a history read is not propagated, as in Redis, so the
    // replay differs from the original in those delivery counts: compared with redis-server's replay)
    const copy = tmpDir();
    fs.cpSync(path.join(hk.dir, 'appendonlydir'), path.join(copy, 'appendonlydir'), { recursive: true });
    const [hk2, redis2] = await Promise.all([track(startHotkv({ dir: hk.dir, args: aofArgs })), track(startRedis(['--dir', copy, ...aofArgs]))]);
    const replayed = await fullInfo(hk2.port, 'seen');
    assert.deepEqual(await fullInfo(redis2.port, 'seen'), replayed);
    await redis2.stop();
    // rewritten without the RDB preamble: the same groups, PELs (delivery times and counts) and consumers, in
    // hotkv and in redis-server
    const hc2 = await RawClient.connect(hk2.port);
    assert.equal(await hc2.command('BGREWRITEAOF'), '+Background append only file rewriting started\r\n');
    await waitUntil('the rewrite to end', async () => (await info(hc2, 'persistence')).aof_rewrite_in_progress === '0', 10000);
    hc2.close();
    const r = spawnSync('redis-check-aof', [path.join(hk.dir, 'appendonlydir', 'appendonly.aof.manifest')], { encoding: 'latin1' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    await hk2.stop();
    const hk3 = await track(startHotkv({ dir: hk.dir, args: aofArgs }));
    assert.deepEqual(await fullInfo(hk3.port, 'seen'), replayed);
    await hk3.stop();
    const copy2 = tmpDir();
    fs.cpSync(path.join(hk.dir, 'appendonlydir'), path.join(copy2, 'appendonlydir'), { recursive: true });
    const redis3 = await track(startRedis(['--dir', copy2, ...aofArgs]));
    assert.deepEqual(await fullInfo(redis3.port, 'seen'), replayed);
    await redis3.stop();
  });
});
