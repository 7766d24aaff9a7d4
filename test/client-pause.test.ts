// CLIENT PAUSE / UNPAUSE against redis-server: ALL postpones every command, WRITE only writes and may-replicate
// commands (EVAL, PUBLISH, PFCOUNT ...) and EXEC of a queue that writes; the postponed command and what the
// client pipelined after it run in order when the pause ends (UNPAUSE or its time); the later end and the
// stricter type win; postponed clients count as blocked (flag b); keys are not expired meanwhile; errors.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { show } from './helpers/diff';
import { withBundles, withPair, waitBlocked } from './helpers/duo';
import { encodeCommand } from './helpers/resp';
import { load, waitUntil } from './helpers/upgrade';

const enc = (...cmds: string[][]) => cmds.map((a) => encodeCommand(a).toString('latin1')).join('');

describe('CLIENT PAUSE', () => {
  const t = withPair();

  it('errors and the plain replies', async () => {
    await t.d.script([
      ['c', 'CLIENT', 'PAUSE', 'x'], ['c', 'CLIENT', 'PAUSE', '-1'], ['c', 'CLIENT', 'PAUSE', '10', 'foo'],
      ['c', 'CLIENT', 'PAUSE', '10', 'write', 'x'], ['c', 'CLIENT', 'PAUSE'], ['c', 'CLIENT', 'UNPAUSE', 'x'],
      ['c', 'CLIENT', 'UNPAUSE'], ['c', 'CLIENT', 'PAUSE', '1', 'WRITE'],
    ]);
  });

  it('WRITE postpones writes and may-replicate commands, not reads; UNPAUSE runs them in order', async () => {
    await t.d.cmd('ctl', 'SET', 'k', 'v0');
    await t.d.cmd('ctl', 'CLIENT', 'PAUSE', '60000', 'WRITE');
    await t.d.script([['r', 'GET', 'k'], ['r', 'EVAL_RO', 'return 1', '0'], ['r', 'TTL', 'k'], ['r', 'PING']]);
    await t.d.sendRaw('w', enc(['SET', 'k', 'v1'], ['GET', 'k'], ['INCR', 'n']));
    await waitBlocked(t.p, 1);
    await t.d.sendRaw('p', enc(['PUBLISH', 'ch', 'm']));
    await t.d.sendRaw('e', enc(['EVAL', "return redis.call('get', KEYS[1])", '1', 'k']));
    await t.d.sendRaw('x', enc(['MULTI'], ['GET', 'k'], ['EXEC']));
    await t.d.read('x', 3); // a read-only transaction runs
    await t.d.sendRaw('y', enc(['MULTI'], ['SET', 'k', 'v2']));
    await waitBlocked(t.p, 4);
    await t.d.read('y', 1); // MULTI answered; SET postponed before it is queued
    const [fh, fr] = await Promise.all([t.p.h.command('CLIENT', 'LIST'), t.p.r.command('CLIENT', 'LIST')]);
    const flags = (s: string) => (s.match(/flags=\w+/g) ?? []).sort().join(' ');
    assert.equal(flags(fh), flags(fr));
    await t.d.cmd('r', 'GET', 'k');
    await t.d.cmd('ctl', 'CLIENT', 'UNPAUSE');
    await t.d.read('w', 3);
    await t.d.read('p', 1);
    await t.d.read('e', 1);
    await t.d.read('y', 1);
    await t.d.cmd('y', 'EXEC');
    await t.d.cmd('r', 'GET', 'k');
    await waitBlocked(t.p, 0);
  });

  it('ALL postpones everything until its time ends; the later end and the stricter type win', async () => {
    await t.d.cmd('ctl', 'SET', 'k', 'v');
    await t.d.cmd('ctl', 'CLIENT', 'PAUSE', '300', 'ALL');
    let start = Date.now();
    await t.d.cmd('a', 'GET', 'k');
    assert.ok(Date.now() - start >= 250, `GET answered after ${Date.now() - start} ms`);
    await t.d.cmd('ctl', 'CLIENT', 'PAUSE', '700', 'WRITE');
    await t.d.cmd('ctl', 'CLIENT', 'PAUSE', '10', 'ALL');
    start = Date.now();
    await t.d.cmd('a', 'GET', 'k');
    assert.ok(Date.now() - start >= 600, `GET answered after ${Date.now() - start} ms`);
  });

  it('keys are not expired during a pause: past their time they read as missing but stay', async () => {
    await t.d.cmd('ctl', 'SET', 'e', 'v', 'PX', '50');
    await t.d.cmd('ctl', 'CLIENT', 'PAUSE', '60000', 'WRITE');
    await new Promise((r) => setTimeout(r, 150));
    await t.d.script([['r', 'GET', 'e'], ['r', 'EXISTS', 'e'], ['r', 'DBSIZE'], ['r', 'TTL', 'e'], ['r', 'SCAN', '0']]);
    await t.d.cmd('ctl', 'CLIENT', 'UNPAUSE');
    await t.d.script([['r', 'GET', 'e'], ['r', 'DBSIZE']]);
  });
});

describe('CLIENT PAUSE across a hot upgrade', () => {
  const t = withBundles(['0.0.1-pa', '0.0.1-pb']);

  it('a postponed write runs when the new logic ends the pause', async () => {
    const [w, ctl] = await Promise.all([t.connect(), t.connect()]);
    assert.equal(await ctl.command('CLIENT', 'PAUSE', '60000', 'WRITE'), '+OK\r\n');
    w.write(encodeCommand(['SET', 'after', 'pause']));
    await waitUntil('the SET to be postponed', async () => /blocked_clients:1/.test(await ctl.command('INFO', 'clients')));
    await load(ctl, t.files[1]);
    assert.equal(await ctl.command('GET', 'after'), '$-1\r\n');
    assert.equal(await ctl.command('CLIENT', 'UNPAUSE'), '+OK\r\n');
    assert.equal(await w.reply(), '+OK\r\n');
    assert.equal(show(await ctl.command('GET', 'after')), show('$5\r\npause\r\n'));
  });
});
