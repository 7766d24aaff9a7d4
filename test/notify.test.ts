// Keyspace notifications (notify-keyspace-events) compared with redis-server 7.0 byte for byte: every
// write of the strings and keys families, `new`, `keymiss`, lazy and active `expired`, the K/E and
// class flags, per-db channels, RESP2 and RESP3 subscribers, events of commands run by EXEC. Then
// an ioredis subscriber receives every keyspace event across hot upgrades, once and in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { show } from './helpers/diff';
import { hotUpgrade, pollUntil, withBundles, withPair } from './helpers/duo';
import { cmd, countEvents, IOREDIS_EVENTS, waitUntil, zeroCounts } from './helpers/upgrade';



/** A command, or commands sent at once (run in one event by either server: no expire cycle between). */
type Step = string[] | { pipe: string[][] };

/** Writes of the strings family, each run on its own so the events it causes are compared alone. A key
 *  set with a time already past is read in the same pipeline, before an active expire cycle can see it. */
const STRING_WRITES: Step[] = [
  ['SET', 's', 'v'], ['SET', 's', 'v2'], ['SET', 's', 'v3', 'NX'], ['SET', 's', 'v3', 'XX'], ['SET', 'n1', 'v', 'XX'],
  ['SET', 's', 'v4', 'GET'], ['SET', 'n2', 'v', 'NX', 'GET'], ['SET', 's', 'v', 'EX', '100'], ['SET', 's', 'v', 'PX', '100000'],
  ['SET', 's', 'v', 'KEEPTTL'], ['SET', 's', 'v', 'EXAT', '4000000000'], ['SET', 's', 'v', 'EX', '0'],
  { pipe: [['SET', 's', 'v', 'PXAT', '1'], ['GET', 's']] },
  ['SETNX', 's', 'x'], ['SETNX', 'n3', 'x'], ['SETEX', 's', '100', 'y'], ['PSETEX', 's', '100000', 'z'], ['SETEX', 's', '-1', 'y'],
  ['GETSET', 's', 'a'], ['GETSET', 'n4', 'a'], ['GETDEL', 's'], ['GETDEL', 's'], ['SET', 's', '1'],
  ['GETEX', 's'], ['GETEX', 's', 'EX', '100'], ['GETEX', 's', 'PERSIST'], ['GETEX', 's', 'PERSIST'], ['GETEX', 's', 'PXAT', '1'],
  ['GETEX', 'nokey', 'EX', '5'], ['MSET', 'm1', 'a', 'm2', 'b', 'm1', 'c'], ['MSETNX', 'm1', 'x', 'm9', 'y'], ['MSETNX', 'm8', 'x', 'm9', 'y'],
  ['APPEND', 'ap', 'x'], ['APPEND', 'ap', 'yz'], ['SETRANGE', 'sr', '2', 'ab'], ['SETRANGE', 'sr', '0', 'Z'], ['SETRANGE', 'sr', '0', ''],
  ['SETRANGE', 'sr2', '0', ''], ['INCR', 'i'], ['DECR', 'i'], ['INCRBY', 'i', '10'], ['DECRBY', 'i', '3'], ['INCRBYFLOAT', 'i', '0.5'],
  ['INCRBYFLOAT', 'f', '1e3'], ['INCR', 'ap'], ['INCRBYFLOAT', 'ap', '1'], ['SET', 'big', 'x'.repeat(100)], ['APPEND', 'big', 'y'],
];

/** Writes of the keys family. */
const KEY_WRITES: Step[] = [
  ['SET', 'k1', '1'], ['SET', 'k2', '2'], ['SET', 'k3', '3'], ['DEL', 'k1', 'nokey', 'k2'], ['UNLINK', 'k3', 'k3'],
  ['SET', 'e', 'v'], ['EXPIRE', 'e', '100'], ['PEXPIRE', 'e', '100000', 'NX'], ['PEXPIRE', 'e', '200000', 'GT'], ['EXPIREAT', 'e', '4000000000'],
  ['PEXPIREAT', 'e', '4000000000000', 'LT'], ['EXPIRE', 'nokey', '10'], ['PERSIST', 'e'], ['PERSIST', 'e'], ['PERSIST', 'nokey'],
  ['EXPIRE', 'e', '0'], ['SET', 'e', 'v'], ['PEXPIRE', 'e', '-5'], ['SET', 'e', 'v'], ['EXPIREAT', 'e', '1'],
  ['SET', 'r', 'v'], ['RENAME', 'r', 'r2'], ['SET', 'r', 'w'], ['RENAME', 'r', 'r2'], ['RENAME', 'r2', 'r2'], ['RENAME', 'nokey', 'x'],
  ['SET', 'r', 'v'], ['RENAMENX', 'r', 'r2'], ['RENAMENX', 'r', 'r3'], ['EXPIRE', 'r3', '100'], ['RENAME', 'r3', 'r4'],
  ['MOVE', 'r4', '2'], ['SET', 'r4', 'again'], ['MOVE', 'r4', '2'], ['MOVE', 'nokey', '2'],
  ['COPY', 'r2', 'c1'], ['COPY', 'r2', 'c1'], ['COPY', 'r2', 'c1', 'REPLACE'], ['COPY', 'r2', 'c1', 'DB', '3'], ['COPY', 'nokey', 'c2'],
  ['SWAPDB', '0', '1'], ['SWAPDB', '1', '0'], ['FLUSHDB'], ['SET', 'x', '1'], ['FLUSHALL'],
];

/** Reads that miss (keymiss) or hit, and the lookups that do not notify. */
const READS: Step[] = [
  ['SET', 'here', 'v'], ['GET', 'nokey'], ['GET', 'here'], ['MGET', 'here', 'no1', 'no2'], ['EXISTS', 'no1', 'here'], ['TYPE', 'nokey'],
  ['TTL', 'nokey'], ['PTTL', 'nokey'], ['EXPIRETIME', 'nokey'], ['STRLEN', 'nokey'], ['GETRANGE', 'nokey', '0', '1'],
  ['TOUCH', 'nokey', 'here'], ['OBJECT', 'ENCODING', 'nokey'], ['OBJECT', 'IDLETIME', 'nokey'], ['COPY', 'nokey', 'dst'],
  ['GETEX', 'nokey'], ['GETDEL', 'nokey'], ['LCS', 'here', 'nokey'], ['SET', 'nokey', 'v', 'GET'], ['DEL', 'nokey'],
  ['RANDOMKEY'], ['KEYS', '*'], ['DBSIZE'], ['SCAN', '0'], ['RENAME', 'nokey', 'x'], ['INCR', 'nokey'],
];

describe('keyspace notifications vs redis-server 7.0', () => {
  const t = withPair([], async (p) => {
    await p.same('CONFIG', 'SET', 'notify-keyspace-events', '');
  });

  /** Run each command on b, then compare what subscribers a (RESP2) and c (RESP3) received. */
  async function eventsOf(flags: string, steps: Step[]): Promise<number> {
    const d = t.d;
    await d.hello('c', '3');
    await d.cmdN('a', 1, 'PSUBSCRIBE', '__key*__:*');
    await d.cmdN('c', 1, 'PSUBSCRIBE', '__keyevent@*__:*');
    await d.cmd('b', 'CONFIG', 'SET', 'notify-keyspace-events', flags);
    let events = 0;
    for (const step of steps) {
      if (Array.isArray(step)) {
        await d.cmd('b', ...step);
      } else {
        await d.sendRaw('b', step.pipe.map((args) => cmd(...args)).join(''));
        await d.read('b', step.pipe.length);
      }
      const got = await d.drain('a');
      await d.drain('c');
      events += (got.match(/pmessage/g) ?? []).length;
    }
    return events;
  }

  it('strings family writes (KEA)', async () => {
    assert.ok((await eventsOf('KEA', STRING_WRITES)) > 60);
  });

  it('keys family writes (KEA), across dbs', async () => {
    assert.ok((await eventsOf('KEA', [...KEY_WRITES, ['SELECT', '2'], ...KEY_WRITES.slice(0, 12)])) > 40);
  });

  it('`new` and `keymiss` events (KEAnm), and reads that do not notify', async () => {
    assert.ok((await eventsOf('KEAnm', [...READS, ...STRING_WRITES.slice(0, 20), ...KEY_WRITES.slice(20, 40)])) > 60);
  });

  it('class and K/E flags select what is published', async () => {
    const steps = [['SET', 'x', '1'], ['INCR', 'x'], ['EXPIRE', 'x', '100'], ['DEL', 'x'], ['GET', 'x'], ['SET', 'y', 'v']];
    for (const flags of ['K$', 'Eg', 'KEg$', 'Kn', 'Em', 'E$m', 'g', 'KE', 'A', 'KEx']) {
      await eventsOf(flags, steps);
      t.fresh();
    }
  });

  it('expired events: lazy (on access) and from the active cycle', async () => {
    const { p, d } = t;
    await eventsOf('KEA', [['SET', 'keep', 'v'], ['SET', 'lazy', 'v', 'PX', '20']]);
    // lazily: a read once the time has passed on both servers (or the active cycle came first:
    // the same events either way)
    await Promise.all([pollUntil(p.h, ['KEYS', 'lazy'], '*0\r\n'), pollUntil(p.r, ['KEYS', 'lazy'], '*0\r\n')]);
    await d.cmd('b', 'EXISTS', 'lazy');
    let got = await d.drain('a');
    await d.drain('c');
    assert.equal((got.match(/expired/g) ?? []).length, 2, show(got));
    // actively: deleted by the expire cycle of each server with nobody reading it
    await d.cmd('b', 'SET', 'act', 'v', 'PX', '20');
    await Promise.all([pollUntil(p.h, ['DBSIZE'], ':1\r\n'), pollUntil(p.r, ['DBSIZE'], ':1\r\n')]);
    got = await d.drain('a');
    await d.drain('c');
    assert.equal((got.match(/expired/g) ?? []).length, 2, show(got));
  });

  it('events of commands run by EXEC, and keyspace channels subscribed exactly', async () => {
    const { d } = t;
    await d.cmdN('a', 2, 'SUBSCRIBE', '__keyspace@0__:tx', '__keyevent@0__:incrby');
    await d.cmd('b', 'CONFIG', 'SET', 'notify-keyspace-events', 'KA');
    await d.script([['b', 'MULTI'], ['b', 'SET', 'tx', '1'], ['b', 'INCR', 'tx'], ['b', 'DEL', 'tx'], ['b', 'EXEC']]);
    await d.drain('a');
    await d.cmd('b', 'CONFIG', 'SET', 'notify-keyspace-events', 'EA');
    await d.script([['b', 'INCR', 'tx'], ['b', 'INCRBY', 'other', '5'], ['b', 'SET', 'tx', '0']]);
    await d.drain('a');
    await d.script([['b', 'CONFIG', 'SET', 'notify-keyspace-events', 'KEAx?'], ['b', 'CONFIG', 'GET', 'notify-keyspace-events']]);
  });
});

describe('keyspace notifications across hot upgrades', () => {
  const t = withBundles(['0.0.3-na', '0.0.3-nb'], ['--notify-keyspace-events', 'E$']);

  it('an ioredis subscriber gets every event of numbered writes across the swaps', async () => {
    const { s, files } = t;
    const sub = new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    const [ctl, w] = await Promise.all([t.connect(), t.connect()]);
    const subEvents = countEvents(sub, IOREDIS_EVENTS);
    try {
      const got: string[] = [];
      sub.on('message', (_ch: string, key: string) => got.push(key));
      await sub.subscribe('__keyevent@0__:set');
      let n = 0;
      let stop = false;
      const errors: string[] = [];
      const writer = (async () => {
        while (!stop && errors.length === 0) {
          const r = await w.command('SET', `key:${n + 1}`, 'v');
          if (r !== '+OK\r\n') errors.push(show(r));
          n++;
        }
      })();
      const progress = async (more: number) => {
        const mark = n;
        await waitUntil('writes to progress', () => n >= mark + more || errors.length > 0, 10000, 2);
      };
      await progress(50);
      for (let i = 0; i < 3; i++) {
        await hotUpgrade(ctl, files[(i + 1) % 2]);
        await progress(30);
      }
      stop = true;
      await writer;
      assert.deepEqual(errors, []);
      await waitUntil('every event', () => got.length >= n, 10000, 5);
      assert.deepEqual(got, Array.from({ length: n }, (_, i) => `key:${i + 1}`));
      assert.deepEqual(subEvents, zeroCounts(IOREDIS_EVENTS), 'the subscriber reconnected or failed');
    } finally {
      sub.disconnect();
    }
  });
});
