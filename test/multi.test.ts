// Transactions (MULTI EXEC DISCARD WATCH UNWATCH) compared with redis-server 7.0 byte for byte over
// raw connections, RESP2 and RESP3: queueing, the errors that abort a transaction, the gates of
// processCommand, WATCH invalidation by writes, flushes, SWAPDB and expiry, CLIENT LIST fields.
// Then across a hot upgrade: a transaction opened before the swap runs on EXEC after it, and WATCH
// still guards it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { show } from './helpers/diff';
import { hotUpgrade, pollUntil, withBundles, withPair } from './helpers/duo';
import { decodeReply, type RawClient } from './helpers/resp';
import { cmd } from './helpers/upgrade';

/** CLIENT LIST fields that do not depend on the process (ids, fds, addresses, ages, buffers). */
function clientFields(list: string, name: string): Record<string, string> {
  const text = String(decodeReply(list));
  const line = text.split('\n').find((l) => l.includes(` name=${name} `));
  assert.ok(line, `no client named ${name} in ${show(text)}`);
  const out: Record<string, string> = {};
  for (const kv of line.split(' ')) {
    const i = kv.indexOf('=');
    const k = kv.slice(0, i);
    if (['flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'multi-mem', 'cmd', 'resp'].includes(k)) out[k] = kv.slice(i + 1);
  }
  return out;
}

describe('transactions vs redis-server 7.0', () => {
  const t = withPair(['--enable-debug-command', 'yes']);

  for (const proto of ['2', '3']) {
    it(`MULTI EXEC DISCARD: replies, queueing and errors (RESP${proto})`, async () => {
      const { d } = t;
      await d.hello('a', proto);
      await d.script([
        ['a', 'EXEC'],
        ['a', 'DISCARD'],
        ['a', 'MULTI'],
        ['a', 'MULTI'],
        ['a', 'SET', 't:a', '1'],
        ['a', 'INCR', 't:a'],
        ['a', 'WATCH', 't:a'],
        ['a', 'GET', 't:a'],
        ['a', 'EXEC'],
        ['a', 'MULTI'],
        ['a', 'EXEC'],
        ['a', 'MULTI'],
        ['a', 'SET', 't:a', '2'],
        ['a', 'DISCARD'],
        ['a', 'GET', 't:a'],
        // errors while queueing abort the transaction
        ['a', 'MULTI'],
        ['a', 'SET', 't:a', '3'],
        ['a', 'NOSUCHCMD', 'x'],
        ['a', 'SET', 't:a'],
        ['a', 'EXEC'],
        ['a', 'GET', 't:a'],
        ['a', 'MULTI'],
        ['a', 'GET', 't:a', 'extra'],
        ['a', 'EXEC'],
        ['a', 'MULTI'],
        ['a', 'CONFIG', 'NOSUCHSUB'],
        ['a', 'EXEC'],
        ['a', 'MULTI'],
        ['a', 'SHUTDOWN', 'NOSAVE'],
        ['a', 'PING'],
        ['a', 'EXEC'],
        // EXEC refused by arity aborts the transaction at once, even without MULTI
        ['a', 'EXEC', 'x'],
        ['a', 'DISCARD', 'x'],
        ['a', 'MULTI'],
        ['a', 'SET', 't:b', '1'],
        ['a', 'EXEC', 'x'],
        ['a', 'EXEC'],
        ['a', 'GET', 't:b'],
        // errors while running do not stop the others
        ['a', 'SET', 't:s', 'abc'],
        ['a', 'MULTI'],
        ['a', 'INCR', 't:s'],
        ['a', 'APPEND', 't:s', 'd'],
        ['a', 'INCRBYFLOAT', 't:s', 'x'],
        ['a', 'GET', 't:s'],
        ['a', 'SET', 't:s', 'v', 'EX', '-5'],
        ['a', 'EXEC'],
        // replies of every shape inside EXEC, and state changes that outlive it
        ['a', 'MULTI'],
        ['a', 'PING'],
        ['a', 'ECHO', 'bin\x00ary'],
        ['a', 'MGET', 't:s', 'nokey'],
        ['a', 'GET', 'nokey'],
        ['a', 'CONFIG', 'GET', 'maxmemory'],
        ['a', 'SELECT', '2'],
        ['a', 'SET', 't:db2', 'x'],
        ['a', 'EXEC'],
        ['a', 'GET', 't:db2'],
        ['a', 'SELECT', '0'],
        ['a', 'GET', 't:db2'],
        // RESET leaves the transaction
        ['a', 'MULTI'],
        ['a', 'SET', 't:r', '1'],
        ['a', 'RESET'],
        ['a', 'EXEC'],
        ['a', 'GET', 't:r'],
      ]);
    });
  }

  it('QUIT inside MULTI answers and closes; a pipeline with a transaction in it', async () => {
    const { p } = t;
    await p.sameRaw(cmd('MULTI') + cmd('SET', 'q', '1') + cmd('QUIT') + cmd('EXEC'), { untilClose: true });
    await p.same('GET', 'q');
    await p.sameRaw(cmd('MULTI') + cmd('INCR', 'pl') + cmd('INCR', 'pl') + cmd('EXEC') + cmd('MULTI') + cmd('INCR', 'pl') +
      cmd('NOSUCH') + cmd('EXEC') + cmd('GET', 'pl'), { replies: 9 });
  });

  it('CLIENT REPLY SKIP applies to the whole EXEC, and inside EXEC to the command after EXEC', async () => {
    const { d } = t;
    await d.sendRaw('a', cmd('CLIENT', 'REPLY', 'SKIP') + cmd('MULTI') + cmd('SET', 'sk', '1') + cmd('EXEC') +
      cmd('GET', 'sk') + cmd('MULTI') + cmd('INCR', 'sk') + cmd('CLIENT', 'REPLY', 'SKIP') + cmd('INCR', 'sk') + cmd('EXEC') +
      cmd('GET', 'sk') + cmd('ECHO', 'after') + cmd('CLIENT', 'REPLY', 'SKIP') + cmd('EXEC') + cmd('ECHO', 'end'));
    await d.drain('a');
  });

  it('WATCH: writes by other clients, by the client itself, other keys and other dbs', async () => {
    const { d } = t;
    await d.script([
      ['b', 'SET', 'w', '0'],
      ['a', 'WATCH', 'w'],
      ['b', 'SET', 'w', '1'],
      ['a', 'MULTI'],
      ['a', 'GET', 'w'],
      ['a', 'EXEC'],
      // untouched: runs
      ['a', 'WATCH', 'w', 'w', 'other'],
      ['b', 'SET', 'x', '1'],
      ['a', 'MULTI'],
      ['a', 'INCR', 'w'],
      ['a', 'EXEC'],
      // EXEC unwatches: a later write does not affect the next transaction
      ['b', 'SET', 'w', '5'],
      ['a', 'MULTI'],
      ['a', 'GET', 'w'],
      ['a', 'EXEC'],
      // touched while queueing
      ['a', 'WATCH', 'w'],
      ['a', 'MULTI'],
      ['a', 'GET', 'w'],
      ['b', 'DEL', 'w'],
      ['a', 'EXEC'],
      // the client's own write before MULTI
      ['a', 'WATCH', 'w'],
      ['a', 'SET', 'w', 'mine'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      // WATCH when already dirty, then UNWATCH clears it
      ['a', 'WATCH', 'w'],
      ['b', 'APPEND', 'w', 'x'],
      ['a', 'WATCH', 'y'],
      ['a', 'UNWATCH'],
      ['a', 'MULTI'],
      ['a', 'GET', 'w'],
      ['a', 'EXEC'],
      // DISCARD unwatches
      ['a', 'WATCH', 'w'],
      ['a', 'MULTI'],
      ['a', 'DISCARD'],
      ['b', 'SET', 'w', '7'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      // keys are watched per db
      ['a', 'SELECT', '3'],
      ['a', 'WATCH', 'w'],
      ['b', 'SET', 'w', '8'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['a', 'WATCH', 'w'],
      ['b', 'SELECT', '3'],
      ['b', 'SET', 'w', '9'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['b', 'SELECT', '0'],
      ['a', 'SELECT', '0'],
      // a missing key: created, or deleted when absent (no change)
      ['a', 'WATCH', 'nokey'],
      ['b', 'DEL', 'nokey'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['a', 'WATCH', 'nokey'],
      ['b', 'SETNX', 'nokey', '1'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      // failed writes do not touch
      ['a', 'WATCH', 'nokey'],
      ['b', 'SETNX', 'nokey', '2'],
      ['b', 'INCRBY', 'nokey', 'x'],
      ['b', 'RENAME', 'none', 'nokey'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
    ]);
  });

  it('WATCH: every kind of write of the keys and strings families touches', async () => {
    const { d } = t;
    const writes: string[][] = [
      ['SET', 'k', 'v'], ['SETEX', 'k', '100', 'v'], ['GETSET', 'k', 'v'], ['GETDEL', 'k'], ['GETEX', 'k', 'EX', '100'],
      ['GETEX', 'k', 'PERSIST'], ['MSET', 'k', '1'], ['APPEND', 'k', 'x'], ['SETRANGE', 'k', '0', 'y'], ['INCR', 'k'],
      ['DECRBY', 'k', '2'], ['INCRBYFLOAT', 'k', '1.5'], ['DEL', 'k'], ['UNLINK', 'k'], ['EXPIRE', 'k', '100'],
      ['PEXPIRE', 'k', '0'], ['PERSIST', 'k'], ['RENAME', 'k', 'k2'], ['RENAME', 'k2', 'k'], ['MOVE', 'k', '1'],
      ['COPY', 'k2', 'k', 'REPLACE'], ['FLUSHDB'], ['FLUSHALL'], ['SWAPDB', '0', '1'],
    ];
    for (const w of writes) {
      await d.script([
        ['b', 'SET', 'k', '10'],
        ['b', 'EXPIRE', 'k', '1000'],
        ['b', 'SET', 'k2', '20'],
        ['a', 'WATCH', 'k'],
        ['b', ...w],
        ['a', 'MULTI'],
        ['a', 'PING'],
        ['a', 'EXEC'],
      ]);
    }
  });

  it('WATCH: FLUSHDB, FLUSHALL and SWAPDB touch only keys that exist on either side', async () => {
    const { d } = t;
    await d.script([
      ['a', 'WATCH', 'nokey'],
      ['b', 'FLUSHDB'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['b', 'SET', 'f', '1'],
      ['a', 'WATCH', 'f'],
      ['b', 'FLUSHALL'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['b', 'SELECT', '1'],
      ['b', 'SET', 's1', '1'],
      ['a', 'WATCH', 's1'],
      ['b', 'SWAPDB', '0', '1'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['a', 'WATCH', 's1'],
      ['b', 'SWAPDB', '0', '1'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['a', 'WATCH', 'other'],
      ['b', 'SWAPDB', '1', '0'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['a', 'SELECT', '5'],
      ['a', 'WATCH', 's1'],
      ['b', 'SWAPDB', '0', '1'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['a', 'SELECT', '0'],
      ['b', 'SELECT', '0'],
    ]);
  });

  it('WATCH: a watched key that expires (lazily or by the active cycle) fails EXEC', async () => {
    const { p, d } = t;
    await d.cmd('b', 'SET', 'e1', 'v', 'PX', '30');
    await d.cmd('a', 'WATCH', 'e1');
    // lazily: the key is gone once it is read
    await Promise.all([pollUntil(p.h, ['GET', 'e1'], '$-1\r\n'), pollUntil(p.r, ['GET', 'e1'], '$-1\r\n')]);
    await d.script([['a', 'MULTI'], ['a', 'EXEC']]);
    // actively: DBSIZE counts keys the cycle has not deleted yet
    await d.cmd('b', 'SET', 'e2', 'v', 'PX', '30');
    await d.cmd('a', 'WATCH', 'e2');
    await Promise.all([pollUntil(p.h, ['DBSIZE'], ':0\r\n'), pollUntil(p.r, ['DBSIZE'], ':0\r\n')]);
    await d.script([['a', 'MULTI'], ['a', 'EXEC']]);
    // a TTL set, changed or removed by another client
    await d.script([
      ['b', 'SET', 'e3', 'v'],
      ['a', 'WATCH', 'e3'],
      ['b', 'PEXPIRE', 'e3', '100000'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['a', 'WATCH', 'e3'],
      ['b', 'PERSIST', 'e3'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
    ]);
  });

  it('WATCH of a key that was already expired: its deletion is no change (Redis 7.0 semantics)', async () => {
    const { p, d } = t;
    // Redis's active cycle is stopped so the expired key stays in the dict; hotkv's cycle runs at hz,
    // so an attempt where it deleted the key before WATCH (DBSIZE 0 at WATCH time) is made again.
    assert.equal(await p.r.command('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), '+OK\r\n');
    try {
      for (const then of ['nothing', 'lazy delete', 'overwrite', 'expired after watch']) {
        for (let attempt = 0; ; attempt++) {
          await d.script([['b', 'FLUSHALL'], ['b', 'SET', 'x', 'v', 'PX', then === 'expired after watch' ? '200' : '1']]);
          if (then !== 'expired after watch') {
            // KEYS filters logically expired keys without deleting them
            await Promise.all([pollUntil(p.h, ['KEYS', 'x'], '*0\r\n'), pollUntil(p.r, ['KEYS', 'x'], '*0\r\n')]);
          }
          await d.sendRaw('a', cmd('DBSIZE') + cmd('WATCH', 'x'));
          const { h, r } = await d.readBoth('a', 2);
          assert.deepEqual(r, [':1\r\n', '+OK\r\n']);
          if (h[0] === ':1\r\n') break;
          assert.ok(attempt < 20, 'hotkv kept deleting the key before WATCH');
          await d.cmd('a', 'UNWATCH');
        }
        if (then === 'lazy delete') await d.cmd('b', 'GET', 'x');
        if (then === 'overwrite') await d.cmd('b', 'SET', 'x', 'new');
        if (then === 'expired after watch') {
          await Promise.all([pollUntil(p.h, ['KEYS', 'x'], '*0\r\n'), pollUntil(p.r, ['KEYS', 'x'], '*0\r\n')]);
        }
        await d.script([['a', 'MULTI'], ['a', 'PING'], ['a', 'EXEC']]);
      }
    } finally {
      await p.r.command('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
  });

  it('CLIENT LIST: x and d flags, multi= and multi-mem=', async () => {
    const { p, d } = t;
    await d.script([
      ['a', 'CLIENT', 'SETNAME', 'ta'],
      ['c', 'CLIENT', 'SETNAME', 'tc'],
      ['a', 'MULTI'],
      ['a', 'SET', 'a', '1'],
      ['a', 'SET', 'b'.repeat(44), '1'],
      ['c', 'WATCH', 'k1', 'k2'],
      ['b', 'SET', 'k2', 'x'],
    ]);
    const fields = async () => {
      const [h, r] = await Promise.all([p.h.command('CLIENT', 'LIST'), p.r.command('CLIENT', 'LIST')]);
      for (const n of ['ta', 'tc']) assert.deepEqual(clientFields(h, n), clientFields(r, n), `client ${n}`);
    };
    await fields();
    await d.script([['c', 'MULTI'], ['c', 'GET', 'k1'], ['a', 'NOSUCH']]);
    await fields();
    await d.script([['a', 'EXEC'], ['c', 'EXEC']]);
    await fields();
  });

  it('INFO commandstats and errorstats count queued, rejected and failed commands as Redis does', async () => {
    const { p, d } = t;
    await p.same('CONFIG', 'RESETSTAT');
    await d.script([
      ['a', 'SET', 's', 'abc'],
      ['a', 'MULTI'], ['a', 'INCR', 's'], ['a', 'GET', 's'], ['a', 'NOSUCH'], ['a', 'EXEC'],
      ['a', 'MULTI'], ['a', 'INCR', 's'], ['a', 'GET', 's'], ['a', 'EXEC'],
      ['a', 'MULTI'], ['a', 'SHUTDOWN'], ['a', 'GET'], ['a', 'EXEC'],
      ['a', 'EXEC', 'x'],
      ['a', 'SUBSCRIBE', 'c'], ['a', 'GET', 'x'], ['a', 'EXEC'],
    ]);
    const stats = async (c: RawClient, section: string) => String(decodeReply(await c.command('INFO', section)))
      .split('\r\n').filter((l) => /^(cmdstat_(exec|multi|incr|get|shutdown|set)|errorstat_|total_error)/.test(l))
      .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, '')).sort();
    for (const section of ['commandstats', 'errorstats']) assert.deepEqual(await stats(p.h, section), await stats(p.r, section));
  });

  it('commands refused in subscribed mode flag the transaction; EXEC there aborts it', async () => {
    const { d } = t;
    await d.script([
      ['a', 'MULTI'],
      ['a', 'SUBSCRIBE', 'ch'],
      ['a', 'PING'],
      ['a', 'EXEC'],
      ['a', 'MULTI'],
      ['a', 'EXEC'],
      ['a', 'WATCH', 'x'],
      ['a', 'DISCARD'],
      ['a', 'RESET'],
      ['a', 'MULTI'],
      ['a', 'SSUBSCRIBE', 'sh'],
      ['a', 'PSUBSCRIBE', 'p*'],
      ['a', 'EXEC'],
      ['a', 'PUNSUBSCRIBE'],
    ]);
    await d.hello('c', '3');
    await d.script([
      ['c', 'SUBSCRIBE', 'x'],
      ['c', 'MULTI'],
      ['c', 'SUBSCRIBE', 'y'],
      ['c', 'GET', 'k'],
      ['c', 'EXEC'],
    ]);
  });
});

describe('transactions across a hot upgrade', () => {
  const t = withBundles(['0.0.3-ma', '0.0.3-mb']);

  it('a MULTI queue opened before the swap runs on EXEC after it; WATCH still guards', async () => {
    const { files } = t;
    const [ctl, a, w, w2, dirty, bad, other] = await Promise.all(Array.from({ length: 7 }, t.connect));
    assert.equal(await ctl.command('SET', 'u:w', 'start'), '+OK\r\n');
    // a: plain transaction queued before the swap
    for (const [args, want] of [[['MULTI'], '+OK\r\n'], [['SET', 'u:a', '1'], '+QUEUED\r\n'], [['INCR', 'u:a'], '+QUEUED\r\n']] as const) {
      assert.equal(await a.command(...args), want);
    }
    // w, w2: watching, transaction queued; w2's key is written after the swap
    assert.equal(await w.command('WATCH', 'u:w'), '+OK\r\n');
    assert.equal(await w.command('MULTI'), '+OK\r\n');
    assert.equal(await w.command('SET', 'u:w', 'mine'), '+QUEUED\r\n');
    assert.equal(await w2.command('WATCH', 'u:w2'), '+OK\r\n');
    assert.equal(await w2.command('MULTI'), '+OK\r\n');
    assert.equal(await w2.command('GET', 'u:w2'), '+QUEUED\r\n');
    // dirty: its watched key was written before the swap
    assert.equal(await dirty.command('WATCH', 'u:d'), '+OK\r\n');
    assert.equal(await other.command('SET', 'u:d', 'x'), '+OK\r\n');
    assert.equal(await dirty.command('MULTI'), '+OK\r\n');
    assert.equal(await dirty.command('SET', 'u:d', 'y'), '+QUEUED\r\n');
    // bad: a queueing error before the swap
    assert.equal(await bad.command('MULTI'), '+OK\r\n');
    assert.ok((await bad.command('NOSUCH')).startsWith('-ERR unknown command'));

    assert.equal(await hotUpgrade(ctl, files[1]), '0.0.3-mb');
    // more commands queued after the swap join the same transaction
    assert.equal(await a.command('GET', 'u:a'), '+QUEUED\r\n');
    assert.equal(await other.command('SET', 'u:w2', 'changed'), '+OK\r\n');

    assert.equal(await a.command('EXEC'), '*3\r\n+OK\r\n:2\r\n$1\r\n2\r\n');
    assert.equal(await w.command('EXEC'), '*1\r\n+OK\r\n');
    assert.equal(await w2.command('EXEC'), '*-1\r\n');
    assert.equal(await dirty.command('EXEC'), '*-1\r\n');
    assert.equal(await bad.command('EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n');
    assert.equal(await ctl.command('MGET', 'u:w', 'u:d'), '*2\r\n$4\r\nmine\r\n$1\r\nx\r\n');

    // and back: WATCH set up on the new logic guards after a rollback to the old one
    assert.equal(await w.command('WATCH', 'u:w'), '+OK\r\n');
    assert.equal(await w.command('MULTI'), '+OK\r\n');
    assert.equal(await w.command('INCR', 'u:n'), '+QUEUED\r\n');
    assert.equal(await hotUpgrade(ctl, files[0]), '0.0.3-ma');
    assert.equal(await other.command('SET', 'u:w', 'again'), '+OK\r\n');
    assert.equal(await w.command('EXEC'), '*-1\r\n');
    assert.equal(await w.command('MULTI'), '+OK\r\n');
    assert.equal(await w.command('INCR', 'u:n'), '+QUEUED\r\n');
    assert.equal(await w.command('EXEC'), '*1\r\n:1\r\n');
    // an upgrade answers after the swap, on a later event: it cannot be part of a transaction
    assert.equal(await a.command('MULTI'), '+OK\r\n');
    assert.equal(await a.command('HOTUPGRADE', 'LOAD', files[1]), '-ERR Command not allowed inside a transaction\r\n');
    assert.equal(await a.command('HOTUPGRADE', 'ROLLBACK'), '-ERR Command not allowed inside a transaction\r\n');
    assert.equal(await a.command('EXEC'), '-EXECABORT Transaction discarded because of previous errors.\r\n');
  });
});
