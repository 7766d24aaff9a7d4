// ROLE and WAIT on a standalone master, against redis-server: hotkv has no replicas, so ROLE says master with
// none and WAIT acknowledges 0 replicas, at once or (numreplicas > 0) after blocking for its timeout, as Redis.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { show } from './helpers/diff';
import { blockAll, blockedClients, waitBlocked, withBundles, withPair } from './helpers/duo';
import { encodeCommand } from './helpers/resp';
import { load, waitUntil } from './helpers/upgrade';

const enc = (...args: string[]) => encodeCommand(args).toString('latin1');

describe('ROLE and WAIT', () => {
  const t = withPair();

  it('ROLE of a master without replicas, RESP2 and RESP3', async () => {
    await t.d.cmd('c', 'ROLE');
    await t.d.hello('c', '3');
    await t.d.cmd('c', 'ROLE');
    await t.d.cmd('c', 'ROLE', 'extra');
  });

  it('WAIT answers 0 at once when no replica is asked for, and its argument errors', async () => {
    await t.d.script([
      ['c', 'SET', 'k', 'v'], ['c', 'WAIT', '0', '0'], ['c', 'WAIT', '-1', '100'], ['c', 'WAIT', '0', '1000'],
      ['c', 'WAIT', 'x', '0'], ['c', 'WAIT', '1', 'x'], ['c', 'WAIT', '1', '-1'], ['c', 'WAIT', '1', '1.5'],
      ['c', 'WAIT', '99999999999999999999', '0'], ['c', 'WAIT', '1'], ['c', 'WAIT', '1', '0', 'x'],
      ['c', 'MULTI'], ['c', 'WAIT', '5', '0'], ['c', 'EXEC'],
    ]);
    await t.d.cmd('c', 'EVAL', "return redis.call('WAIT', 0, 0)", '0');
  });

  it('WAIT for replicas blocks until its timeout, then answers 0; pipelined input waits behind it', async () => {
    await t.d.sendRaw('c', enc('WAIT', '1', '50') + enc('PING', 'after'));
    await t.d.read('c', 2);
    await waitBlocked(t.p, 0);
  });

  it('a WAIT with no timeout blocks until CLIENT UNBLOCK (TIMEOUT: 0, ERROR: UNBLOCKED)', async () => {
    const c = await t.d.conn('c');
    const [hid, rid] = await Promise.all([c.h.command('CLIENT', 'ID'), c.r.command('CLIENT', 'ID')]);
    const ids = [hid.slice(1, -2), rid.slice(1, -2)];
    for (const how of [[], ['TIMEOUT'], ['ERROR']]) {
      await blockAll(t, [['c', 'WAIT', '2', '0']]);
      const ctl = await t.d.conn('ctl');
      const [h, r] = await Promise.all([ctl.h.command('CLIENT', 'UNBLOCK', ids[0], ...how), ctl.r.command('CLIENT', 'UNBLOCK', ids[1], ...how)]);
      assert.equal(show(h), show(r));
      await t.d.read('c');
      await waitBlocked(t.p, 0);
    }
  });
});

describe('a blocked WAIT across a hot upgrade', () => {
  const t = withBundles(['0.0.1-wa', '0.0.1-wb']);

  it('still answers 0 when its timeout ends under the new logic', async () => {
    const [c, ctl] = await Promise.all([t.connect(), t.connect()]);
    const sent = Date.now();
    c.write(enc('WAIT', '1', '3000'));
    await waitUntil('WAIT to block', async () => (await blockedClients(ctl)) === 1);
    await load(ctl, t.files[1]);
    assert.equal(await blockedClients(ctl), 1, 'still blocked under the new logic');
    assert.equal(await c.reply(), ':0\r\n');
    assert.ok(Date.now() - sent >= 2900, 'answered at its timeout, not before');
    assert.equal(await c.command('PING'), '+PONG\r\n');
  });
});
