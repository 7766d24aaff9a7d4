// Blocking list commands (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP) against redis-server 7.0 with raw
// connections: the same clients block on both servers, the same pushes arrive, and every client's
// replies are compared byte for byte, which also checks the order in which clients are served.
// Then timeouts, CLIENT UNBLOCK, MULTI, disconnects, SWAPDB/RENAME targets, and a hot upgrade
// while clients are blocked (hotkv only).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { show } from './helpers/diff';
import { blockAll, blockedClients, waitBlocked, withBundles, withPair } from './helpers/duo';
import { encodeCommand } from './helpers/resp';
import { info, load, waitUntil } from './helpers/upgrade';

const enc = (...args: string[]) => encodeCommand(args).toString('latin1');

describe('blocking list commands match redis-server', () => {
  // a fresh set of connections for each test; both servers flushed after it
  const t = withPair();
  const duo = {
    send: (name: string, ...args: string[]) => t.d.send(name, ...args),
    sendRaw: (name: string, bytes: string) => t.d.sendRaw(name, bytes),
    cmd: (name: string, ...args: string[]) => t.d.cmd(name, ...args),
    read: (name: string, n = 1) => t.d.read(name, n),
    script: (steps: string[][]) => t.d.script(steps),
    hello: (name: string, proto: string) => t.d.hello(name, proto),
    conn: (name: string) => t.d.conn(name),
  };

  it('clients blocked on one key are served in the order they blocked', async () => {
    await blockAll(t, [['c1', 'BLPOP', 'q', '0'], ['c2', 'BRPOP', 'q', '0'], ['c3', 'BLPOP', 'q', '0']]);
    await duo.cmd('ctl', 'RPUSH', 'q', 'a', 'b', 'c', 'd');
    await duo.read('c1');
    await duo.read('c2');
    await duo.read('c3');
    await duo.cmd('ctl', 'LRANGE', 'q', '0', '-1');
    await waitBlocked(t.p, 0);
    // one element for three waiters: only the first is served, the others keep their place
    await blockAll(t, [['c1', 'BLPOP', 'q2', '0'], ['c2', 'BLPOP', 'q2', '0'], ['c3', 'BLPOP', 'q2', '0']]);
    await duo.cmd('ctl', 'RPUSH', 'q2', 'one');
    await duo.read('c1');
    await waitBlocked(t.p, 2);
    await duo.cmd('ctl', 'LPUSH', 'q2', 'x', 'y');
    await duo.read('c2');
    await duo.read('c3');
    await duo.cmd('ctl', 'EXISTS', 'q2');
  });

  it('a multi-key BLPOP is served from the key that became ready first', async () => {
    await blockAll(t, [['c1', 'BLPOP', 'k1', 'k2', '0'], ['c2', 'BLPOP', 'k2', 'k1', '0'], ['c3', 'BRPOP', 'k1', 'k3', '0']]);
    await duo.script([['ctl', 'MULTI'], ['ctl', 'RPUSH', 'k2', 'x'], ['ctl', 'RPUSH', 'k1', 'y', 'z'], ['ctl', 'RPUSH', 'k3', 'w'], ['ctl', 'EXEC']]);
    await duo.read('c1');
    await duo.read('c2');
    await duo.read('c3');
    await duo.cmd('ctl', 'LRANGE', 'k1', '0', '-1');
    await duo.cmd('ctl', 'LRANGE', 'k3', '0', '-1');
    // pushes and pops inside one EXEC: only what is left at the end is served
    await blockAll(t, [['c1', 'BLPOP', 'm', '0'], ['c2', 'BLPOP', 'm', '0']]);
    await duo.script([['ctl', 'MULTI'], ['ctl', 'RPUSH', 'm', 'a', 'b'], ['ctl', 'LPOP', 'm'], ['ctl', 'EXEC']]);
    await duo.read('c1');
    await waitBlocked(t.p, 1);
    await duo.cmd('ctl', 'RPUSH', 'm', 'c');
    await duo.read('c2');
  });

  it('BLMOVE chains, BRPOPLPUSH and BLMPOP with COUNT', async () => {
    await blockAll(t, [
      ['c1', 'BLMOVE', 's1', 's2', 'LEFT', 'RIGHT', '0'], ['c2', 'BRPOPLPUSH', 's2', 's3', '0'],
      ['c3', 'BLMPOP', '0', '2', 'none', 's3', 'RIGHT', 'COUNT', '3'], ['c4', 'BLPOP', 's1', '0'],
    ]);
    await duo.cmd('ctl', 'RPUSH', 's1', 'x', 'y');
    await duo.read('c1');
    await duo.read('c2');
    await duo.read('c3');
    await duo.read('c4');
    await duo.script([['ctl', 'EXISTS', 's1', 's2', 's3']]);
    // BLMOVE onto the key it waits for, and a BLMPOP taking several elements
    await blockAll(t, [['c1', 'BLMOVE', 'r', 'r', 'RIGHT', 'LEFT', '0'], ['c2', 'BLMPOP', '0', '1', 'r', 'LEFT', 'COUNT', '2']]);
    await duo.cmd('ctl', 'RPUSH', 'r', '1', '2', '3');
    await duo.read('c1');
    await duo.read('c2');
    await duo.cmd('ctl', 'LRANGE', 'r', '0', '-1');
  });

  it('a waiter is served only by a list: other types and a BLMOVE onto a wrong type', async () => {
    await blockAll(t, [['c1', 'BLPOP', 'w', '0']]);
    await duo.cmd('ctl', 'ZADD', 'w', '1', 'a');
    await duo.cmd('ctl', 'DEL', 'w');
    await duo.cmd('ctl', 'SET', 'w', 'str');
    await duo.cmd('ctl', 'DEL', 'w');
    await waitBlocked(t.p, 1);
    await duo.cmd('ctl', 'RPUSH', 'w', 'x');
    await duo.read('c1');
    await blockAll(t, [['c1', 'BLMOVE', 'src', 'dst', 'LEFT', 'LEFT', '0']]);
    await duo.cmd('ctl', 'SET', 'dst', 'str');
    await duo.cmd('ctl', 'RPUSH', 'src', 'a');
    await duo.read('c1');
    await duo.cmd('ctl', 'LRANGE', 'src', '0', '-1');
  });

  it('keys created by RENAME, MOVE, COPY, SWAPDB and LMOVE serve waiters', async () => {
    await blockAll(t, [['c1', 'BLPOP', 'rn', '0'], ['c2', 'BLPOP', 'mv', '0'], ['c3', 'BLPOP', 'cp', '0'], ['c4', 'BLPOP', 'sw', '0']]);
    await duo.script([['ctl', 'RPUSH', 'tmp', 'a', 'b'], ['ctl', 'RENAME', 'tmp', 'rn']]);
    await duo.read('c1');
    await duo.script([['ctl', 'SELECT', '1'], ['ctl', 'RPUSH', 'mv', 'm'], ['ctl', 'MOVE', 'mv', '0']]);
    await duo.read('c2');
    await duo.script([['ctl', 'SELECT', '0'], ['ctl', 'COPY', 'rn', 'cp']]);
    await duo.read('c3');
    await duo.script([['ctl', 'SELECT', '1'], ['ctl', 'RPUSH', 'sw', 's'], ['ctl', 'SWAPDB', '0', '1']]);
    await duo.read('c4');
    await duo.cmd('ctl', 'SELECT', '0');
    await blockAll(t, [['c1', 'BLPOP', 'lm', '0']]);
    await duo.script([['ctl', 'RPUSH', 'from', 'v'], ['ctl', 'LMOVE', 'from', 'lm', 'LEFT', 'LEFT']]);
    await duo.read('c1');
  });

  it('time out with the null reply of each command, RESP2 and RESP3', async () => {
    for (const proto of ['2', '3']) {
      await duo.hello('t', proto);
      for (const args of [['BLPOP', 'none', '0.1'], ['BRPOP', 'a', 'b', '0.05'], ['BLMOVE', 'none', 'x', 'LEFT', 'LEFT', '0.05'],
        ['BRPOPLPUSH', 'none', 'x', '0.05'], ['BLMPOP', '0.05', '1', 'none', 'LEFT']]) {
        const t0 = Date.now();
        await duo.cmd('t', ...args);
        const took = Date.now() - t0;
        const want = Number(args[args[0] === 'BLMPOP' ? 1 : args.length - 1]) * 1000;
        assert.ok(took >= want - 5 && took < want + 2000, `${args.join(' ')} took ${took} ms`);
      }
    }
    await duo.hello('t', '2');
    // the pipelined commands after a blocked one wait for it, then run
    await duo.sendRaw('t', enc('BLPOP', 'none', '0.05') + enc('ECHO', 'after') + enc('RPUSH', 'pl', 'z'));
    await duo.read('t', 3);
  });

  it('pipelined commands of a served client run after it, and can serve others', async () => {
    await blockAll(t, [['c2', 'BLPOP', 'p2', '0']]);
    await duo.sendRaw('c1', enc('BLPOP', 'p1', '0') + enc('RPUSH', 'p2', 'from-c1') + enc('LLEN', 'p2'));
    await waitBlocked(t.p, 2);
    // input that arrives while the client is blocked waits too
    await duo.send('c1', 'ECHO', 'sent-while-blocked');
    await duo.send('c2', 'ECHO', 'c2-sent-while-blocked');
    await duo.cmd('ctl', 'RPUSH', 'p1', 'go');
    await duo.read('c1', 4);
    await duo.read('c2', 2);
  });

  it('RESP3 replies of served clients, and CLIENT REPLY SKIP before a blocked command', async () => {
    await duo.hello('c1', '3');
    await duo.hello('c2', '3');
    await blockAll(t, [['c1', 'BLMPOP', '0', '2', 'x3', 'y3', 'RIGHT', 'COUNT', '2'], ['c2', 'BLPOP', 'x3', 'y3', '0']]);
    await duo.cmd('ctl', 'RPUSH', 'y3', 'a', 'b', 'c');
    await duo.read('c1');
    await duo.read('c2');
    await duo.send('c3', 'CLIENT', 'REPLY', 'SKIP');
    await blockAll(t, [['c3', 'BLPOP', 'sk', '0']]);
    await duo.cmd('ctl', 'RPUSH', 'sk', 'skipped');
    await waitBlocked(t.p, 0);
    await duo.cmd('c3', 'ECHO', 'visible');
    await duo.cmd('ctl', 'EXISTS', 'sk');
  });

  it('CLIENT UNBLOCK answers as a timeout or with an error, then pipelined input continues', async () => {
    const c1 = await duo.conn('c1');
    const [hid, rid] = await Promise.all([c1.h.command('CLIENT', 'ID'), c1.r.command('CLIENT', 'ID')]);
    const ids = [hid.slice(1, -2), rid.slice(1, -2)];
    const unblock = async (...extra: string[]) => {
      const ctl = await duo.conn('ctl');
      const [h, r] = await Promise.all([ctl.h.command('CLIENT', 'UNBLOCK', ids[0], ...extra), ctl.r.command('CLIENT', 'UNBLOCK', ids[1], ...extra)]);
      assert.equal(show(h), show(r), `CLIENT UNBLOCK ${extra.join(' ')}`);
    };
    await unblock();
    for (const [args, how] of [[['BLPOP', 'u', '0'], []], [['BLMOVE', 'u', 'v', 'LEFT', 'LEFT', '100'], ['TIMEOUT']],
      [['BLMPOP', '0', '1', 'u', 'LEFT'], ['ERROR']], [['BRPOPLPUSH', 'u', 'v', '0'], ['error']]] as string[][][]) {
      await duo.sendRaw('c1', enc(...args) + enc('PING', 'next'));
      await waitBlocked(t.p, 1);
      await unblock(...how);
      await duo.read('c1', 2);
      await waitBlocked(t.p, 0);
    }
    await unblock('TIMEOUT');
    await duo.cmd('ctl', 'RPUSH', 'u', 'still-here');
    await duo.cmd('ctl', 'LRANGE', 'u', '0', '-1');
    const [h, r] = await Promise.all([t.p.h.command('INFO', 'errorstats'), t.p.r.command('INFO', 'errorstats')]);
    const unblocked = (s: string) => /errorstat_UNBLOCKED:count=\d+/.exec(s)?.[0];
    assert.equal(unblocked(h), unblocked(r));
  });

  it('inside MULTI a blocking command does not block', async () => {
    await duo.script([
      ['c1', 'MULTI'], ['c1', 'BLPOP', 'none', '0'], ['c1', 'BRPOP', 'none', '1'], ['c1', 'BLMOVE', 'none', 'x', 'LEFT', 'LEFT', '0'],
      ['c1', 'BRPOPLPUSH', 'none', 'x', '0'], ['c1', 'BLMPOP', '0', '1', 'none', 'LEFT'], ['c1', 'RPUSH', 'k', 'a', 'b'],
      ['c1', 'BLPOP', 'k', '0'], ['c1', 'BLMOVE', 'k', 'x', 'LEFT', 'LEFT', '0'], ['c1', 'BLPOP', 'k', '-1'], ['c1', 'EXEC'],
      ['c1', 'LRANGE', 'x', '0', '-1'],
    ]);
    await duo.hello('c1', '3');
    await duo.script([['c1', 'MULTI'], ['c1', 'BLPOP', 'none', '0'], ['c1', 'BLMOVE', 'none', 'x', 'LEFT', 'LEFT', '0'], ['c1', 'EXEC']]);
    await duo.hello('c1', '2');
  });

  it('a client that disconnects while blocked leaves the queue', async () => {
    await blockAll(t, [['gone', 'BLPOP', 'dk', '0'], ['c2', 'BLPOP', 'dk', '0']]);
    const g = await duo.conn('gone');
    g.h.close();
    g.r.close();
    await waitBlocked(t.p, 1);
    await duo.cmd('ctl', 'RPUSH', 'dk', 'a', 'b');
    await duo.read('c2');
    await duo.cmd('ctl', 'LRANGE', 'dk', '0', '-1');
  });

  it('CLIENT LIST shows blocked clients with flag b and their command', async () => {
    await blockAll(t, [['c1', 'BLPOP', 'cl', '0']]);
    const ctl = await duo.conn('ctl');
    const [h, r] = await Promise.all([ctl.h.command('CLIENT', 'LIST'), ctl.r.command('CLIENT', 'LIST')]);
    const line = (s: string) => s.split('\n').find((l) => l.includes('cmd=blpop'))!;
    const pick = (l: string) => l.split(' ').filter((f) => /^(flags|db|multi|argv-mem|cmd)=/.test(f)).join(' ');
    assert.equal(pick(line(h)), pick(line(r)));
    assert.match(pick(line(h)), /flags=b /);
    await duo.cmd('ctl', 'RPUSH', 'cl', 'x');
    await duo.read('c1');
  });
});

describe('blocked clients across a hot upgrade', () => {
  const bundles = withBundles(['9.1.0', '9.2.0']);

  it('is served by the new logic after the swap, and another times out on schedule', async () => {
    const [ctl, forever, timed, mover, zwaiter] = await Promise.all([1, 2, 3, 4, 5].map(() => bundles.connect()));
    // the timed client waits 3 s: long enough to still be blocked once the upgrade is done
    forever.write(enc('BLPOP', 'up', '0') + enc('ECHO', 'after-blpop'));
    const t0 = Date.now();
    timed.write(enc('BRPOP', 'up-timed', '3'));
    mover.write(enc('BLMOVE', 'up-src', 'up-dst', 'LEFT', 'RIGHT', '0'));
    zwaiter.write(enc('BZPOPMIN', 'upz', '0'));
    await waitUntil('4 blocked clients', async () => (await blockedClients(ctl)) === 4, 5000, 5);
    const u0 = Date.now();
    assert.equal((await load(ctl, bundles.files[1])).to, '9.2.0');
    assert.ok(Date.now() - t0 < 2900, `the upgrade took ${Date.now() - u0} ms`);
    assert.equal((await info(ctl, 'upgrade')).logic_version, '9.2.0');
    assert.equal(await blockedClients(ctl), 4);
    assert.equal(await ctl.command('ZADD', 'upz', '1.5', 'm'), ':1\r\n');
    assert.equal(await zwaiter.reply(), '*3\r\n$3\r\nupz\r\n$1\r\nm\r\n$3\r\n1.5\r\n');
    assert.equal(await ctl.command('RPUSH', 'up', 'a', 'b'), ':2\r\n');
    assert.equal(await forever.reply(), '*2\r\n$2\r\nup\r\n$1\r\na\r\n');
    assert.equal(await forever.reply(), '$11\r\nafter-blpop\r\n');
    assert.equal(await timed.reply(6000), '*-1\r\n');
    const took = Date.now() - t0;
    assert.ok(took >= 2990 && took < 5000, `BRPOP 3 timed out after ${took} ms`);
    // swap back and serve the last one with the first logic
    assert.equal((await load(ctl, bundles.files[0])).to, '9.1.0');
    assert.equal(await blockedClients(ctl), 1);
    assert.equal(await ctl.command('RPUSH', 'up-src', 'm'), ':1\r\n');
    assert.equal(await mover.reply(), '$1\r\nm\r\n');
    assert.equal(await ctl.command('LRANGE', 'up-dst', '0', '-1'), '*1\r\n$1\r\nm\r\n');
    assert.equal(await blockedClients(ctl), 0);
    assert.equal(await ctl.command('LRANGE', 'up', '0', '-1'), '*1\r\n$1\r\nb\r\n');
  });
});
