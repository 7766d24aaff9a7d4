// SLOWLOG against redis-server: what is logged (every command at threshold 0, the commands run by EXEC and by
// scripts but not EXEC itself, a blocked command once it is served, not one that times out), how arguments are
// trimmed and passwords redacted, ids, max length, GET counts, errors, RESP2/RESP3; and that a pipelined run of
// fast commands still logs a slow command among them. Durations, timestamps and client ports differ between the
// servers, so entries are compared with those normalised.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startPair, type Pair } from './helpers/diff';
import { decodeReply, encodeCommand, RawClient, type ReplyValue } from './helpers/resp';
import { withBundles } from './helpers/duo';
import { load, waitUntil } from './helpers/upgrade';

const DEBUG = ['--enable-debug-command', 'yes'];
const pipeline = (...cmds: string[][]) => Buffer.concat(cmds.map((a) => encodeCommand(a))).toString('latin1');

/** Entries with time/duration replaced by their checks and the peer's port dropped. */
function normalise(v: ReplyValue): unknown {
  assert.ok(Array.isArray(v), `SLOWLOG GET: ${JSON.stringify(v)}`);
  return v.map((e) => {
    assert.ok(Array.isArray(e) && e.length === 6, JSON.stringify(e));
    const [id, time, dur, args, peer, name] = e;
    assert.ok(typeof time === 'number' && Math.abs(time - Date.now() / 1000) < 60, `timestamp ${time}`);
    assert.ok(typeof dur === 'number' && dur >= 0, `duration ${dur}`);
    return [id, args, String(peer).replace(/:\d+$/, ':port').replace('?:port', '?:0'), name];
  });
}

describe('SLOWLOG', () => {
  let p: Pair;
  let ctlH: RawClient;
  let ctlR: RawClient;
  before(async () => {
    p = await startPair({ args: DEBUG }, DEBUG);
    [ctlH, ctlR] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
  });
  after(async () => {
    ctlH.close();
    ctlR.close();
    await p.stop();
  });

  async function sameLog(count = '-1'): Promise<void> {
    const [h, r] = await Promise.all([p.h.command('SLOWLOG', 'GET', count), p.r.command('SLOWLOG', 'GET', count)]);
    assert.deepEqual(normalise(decodeReply(h)), normalise(decodeReply(r)));
  }

  it('at threshold 0 every command is logged, as Redis logs it', async () => {
    await p.script([['CONFIG', 'SET', 'slowlog-log-slower-than', '0'], ['CONFIG', 'SET', 'slowlog-max-len', '128'], ['SLOWLOG', 'RESET']]);
    await p.script([
      ['SET', 'k', 'v'], ['GET', 'k'], ['CLIENT', 'SETNAME', 'logger'], ['INCR', 'n'],
      ['MULTI'], ['SET', 'x', '1'], ['INCR', 'x'], ['EXEC'],
      ['EVAL', "redis.call('set', 'a', 'b'); return redis.call('get', 'a')", '0'],
      ['AUTH', 'secret'], ['AUTH', 'user', 'secret'],
    ]);
    // HELLO's reply carries the client id, which differs
    await Promise.all([p.h.command('HELLO', '2', 'AUTH', 'default', 'pw', 'SETNAME', 'n2'), p.r.command('HELLO', '2', 'AUTH', 'default', 'pw', 'SETNAME', 'n2')]);
    await p.script([
      ['CONFIG', 'SET', 'requirepass', ''],
      ['SADD', 's', ...Array.from({ length: 32 }, (_, i) => String(i))], ['SET', 'long', 'A'.repeat(129)], ['SET', 'edge', 'B'.repeat(128)],
      ['NOSUCHCOMMAND'], ['GET'],
    ]);
    // pipelined, one write
    const bytes = pipeline(['SET', 'p', '1'], ['GET', 'p'], ['GET', 'p'], ['MSET', 'a', '1', 'b', '2'], ['GET', 'p']);
    await p.sameRaw(bytes, { replies: 5 });
    await sameLog();
    await sameLog('3');
    await p.script([['SLOWLOG', 'LEN']]);
  });

  it('a blocked command is logged once served, not when it blocks or times out', async () => {
    await p.script([['SLOWLOG', 'RESET']]);
    const [bh, br] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      bh.write(pipeline(['BLPOP', 'never', '0.05']));
      br.write(pipeline(['BLPOP', 'never', '0.05']));
      assert.equal(await bh.reply(), await br.reply());
      bh.write(pipeline(['BLPOP', 'soon', '0']));
      br.write(pipeline(['BLPOP', 'soon', '0']));
      const blocked = async (c: RawClient) => /blocked_clients:1/.test(await c.command('INFO', 'clients'));
      await waitUntil('both BLPOPs to block', async () => (await blocked(ctlH)) && (await blocked(ctlR)));
      await Promise.all([ctlH.command('RPUSH', 'other', 'x'), ctlR.command('RPUSH', 'other', 'x')]);
      await Promise.all([ctlH.command('RPUSH', 'soon', 'x'), ctlR.command('RPUSH', 'soon', 'x')]);
      assert.equal(await bh.reply(), await br.reply());
    } finally {
      bh.close();
      br.close();
    }
    const [h, r] = await Promise.all([ctlH.command('SLOWLOG', 'GET'), ctlR.command('SLOWLOG', 'GET')]);
    assert.deepEqual(normalise(decodeReply(h)), normalise(decodeReply(r)));
  });

  it('only commands slower than the threshold; EXEC is not logged, what it ran is; a slow one in a pipeline of fast ones', async () => {
    await p.script([['CONFIG', 'SET', 'slowlog-log-slower-than', '100000'], ['SLOWLOG', 'RESET'], ['PING'], ['GET', 'k']]);
    await p.script([['SLOWLOG', 'LEN']]);
    await p.script([['DEBUG', 'SLEEP', '0.15'], ['MULTI'], ['DEBUG', 'SLEEP', '0.12'], ['EXEC']]);
    await p.sameRaw(pipeline(['GET', 'k'], ['GET', 'k'], ['DEBUG', 'SLEEP', '0.11'], ['GET', 'k'], ['GET', 'k']), { replies: 5 });
    await sameLog();
    const [e] = decodeReply(await p.h.command('SLOWLOG', 'GET', '1')) as ReplyValue[][];
    assert.ok((e[2] as number) >= 100000, `logged duration ${e[2]}`);
  });

  it('max length, ids that keep counting, GET counts, disabling, and the errors', async () => {
    await p.script([['CONFIG', 'SET', 'slowlog-log-slower-than', '0'], ['CONFIG', 'SET', 'slowlog-max-len', '10']]);
    for (let i = 0; i < 30; i++) await p.same('PING');
    await p.script([['SLOWLOG', 'LEN']]);
    await sameLog();
    await sameLog('0');
    await sameLog('5');
    await p.script([['CONFIG', 'SET', 'slowlog-max-len', '0'], ['PING'], ['SLOWLOG', 'LEN'], ['CONFIG', 'SET', 'slowlog-max-len', '128']]);
    await p.script([['CONFIG', 'SET', 'slowlog-log-slower-than', '-1'], ['SLOWLOG', 'RESET'], ['DEBUG', 'SLEEP', '0.01'], ['SLOWLOG', 'LEN']]);
    await p.script([
      ['SLOWLOG', 'GET', '-2'], ['SLOWLOG', 'GET', 'x'], ['SLOWLOG', 'GET', '1', '2'], ['SLOWLOG', 'LEN', 'x'], ['SLOWLOG', 'RESET', 'x'],
      ['SLOWLOG', 'FOO'], ['SLOWLOG'], ['SLOWLOG', 'HELP'], ['SLOWLOG', 'GET', '99999999999999999999'],
    ]);
    await Promise.all([p.h.command('HELLO', '3'), p.r.command('HELLO', '3')]);
    await p.script([['CONFIG', 'SET', 'slowlog-log-slower-than', '0'], ['SLOWLOG', 'RESET'], ['SET', 'k', 'v']]);
    await sameLog();
    await p.script([['SLOWLOG', 'HELP'], ['CONFIG', 'SET', 'slowlog-log-slower-than', '10000']]);
    await Promise.all([p.h.command('HELLO', '2'), p.r.command('HELLO', '2')]);
  });
});

describe('SLOWLOG across a hot upgrade', () => {
  const t = withBundles(['0.0.1-sla', '0.0.1-slb'], ['--slowlog-log-slower-than', '0']);

  it('keeps its entries and ids', async () => {
    const c = await t.connect();
    await c.command('SLOWLOG', 'RESET');
    await c.command('SET', 'a', '1');
    const before = decodeReply(await c.command('SLOWLOG', 'GET', '-1')) as ReplyValue[][];
    await load(c, t.files[1]);
    const after = decodeReply(await c.command('SLOWLOG', 'GET', '-1')) as ReplyValue[][];
    // the entries from before, now under the LOAD and the first GET
    assert.deepEqual(after.slice(-before.length), before);
    assert.equal(after[0][0], (before[0][0] as number) + 2);
  });
});
