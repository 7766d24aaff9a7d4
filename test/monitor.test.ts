// MONITOR against redis-server: the same lines for the same commands (timestamps and client ports
// normalised): after the command ran (SELECT shows its new db), EVAL before the commands its script runs
// ("lua"), EXEC after what it ran, an aborted transaction, passwords redacted, binary arguments escaped,
// nothing for admin commands, refused commands or a blocked command's re-run; MONITOR twice, CLIENT flags,
// RESET; and a monitor that keeps its feed across a hot upgrade.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { withBundles } from './helpers/duo';
import { encodeCommand, RawClient } from './helpers/resp';
import { load, waitUntil } from './helpers/upgrade';

const DEBUG = ['--enable-debug-command', 'yes'];
const LINE = /^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)\r\n$/;

/** Monitor lines up to the one showing ECHO <mark>, normalised. */
async function linesUntil(m: RawClient, mark: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const r = await m.reply();
    const l = LINE.exec(r);
    assert.ok(l, `not a monitor line: ${show(r)}`);
    assert.ok(Math.abs(Number(l[1]) - Date.now() / 1000) < 60, `timestamp ${l[1]}`);
    const peer = l[4] === 'lua' ? 'lua' : l[4].replace(/:\d+$/, ':port');
    const line = `[${l[3]} ${peer}] ${l[5]}`;
    if (l[5] === `"ECHO" "${mark}"`) return out;
    // the tests' own polling (waitUntil ... INFO clients) runs a different number of times on each server
    if (l[5] !== '"INFO" "clients"') out.push(line);
  }
}

describe('MONITOR', () => {
  let p: Pair;
  const mon: { h: RawClient; r: RawClient }[] = [];
  let marks = 0;
  before(async () => {
    p = await startPair({ args: DEBUG }, DEBUG);
  });
  after(async () => {
    for (const m of mon) { m.h.close(); m.r.close(); }
    await p.stop();
  });

  async function monitorPair(): Promise<{ h: RawClient; r: RawClient }> {
    const [h, r] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    const m = { h, r };
    mon.push(m);
    assert.equal(await h.command('MONITOR'), '+OK\r\n');
    assert.equal(await r.command('MONITOR'), '+OK\r\n');
    return m;
  }

  /** Run steps on a fresh connection pair (replies compared), then compare what the monitors saw. */
  async function sameFeed(m: { h: RawClient; r: RawClient }, steps: string[][], opts: { compareReplies?: boolean } = {}): Promise<string[]> {
    const [ch, cr] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      for (const s of steps) {
        const [h, r] = await Promise.all([ch.command(...s), cr.command(...s)]);
        if (opts.compareReplies !== false && s[0].toUpperCase() !== 'HELLO') assert.equal(show(h), show(r), s.join(' '));
      }
      const mark = `mark-${++marks}`;
      await Promise.all([ch.command('ECHO', mark), cr.command('ECHO', mark)]);
      const [lh, lr] = await Promise.all([linesUntil(m.h, mark), linesUntil(m.r, mark)]);
      assert.deepEqual(lh, lr);
      return lh;
    } finally {
      ch.close();
      cr.close();
    }
  }

  it('shows commands as Redis does, in its order', async () => {
    const m = await monitorPair();
    const lines = await sameFeed(m, [
      ['SET', 'k', 'v'], ['GET', 'k'], ['SELECT', '2'], ['SET', 'a b', 'x"y\nz\\w'], ['SET', 'bin', 'a\x01\xff\t\r\x07\x08'],
      ['SELECT', '0'], ['EVAL', "redis.call('select', 5); return redis.call('get', 'a')", '0'], ['EVAL', 'return +', '0'],
      ['EVALSHA', '0'.repeat(40), '0'], ['EVAL', 'return 1', '-1'],
      ['MULTI'], ['SET', 'x', '1'], ['INCR', 'x'], ['EXEC'], ['MULTI'], ['SET', 'x', '1'], ['NOSUCH'], ['EXEC'], ['MULTI'], ['DISCARD'],
      ['AUTH', 'pw'], ['AUTH', 'user', 'pw'], ['HELLO', '2', 'AUTH', 'default', 'pw', 'SETNAME', 'nm'],
      ['NOSUCH'], ['GET'], ['CONFIG', 'GET', 'maxmemory'], ['DEBUG', 'SLEEP', '0'], ['CLIENT', 'LIST'], ['INFO', 'server'],
      ['PING'], ['PUBLISH', 'ch', 'm'], ['BLPOP', 'none', '0.01'],
    ], { compareReplies: false });
    assert.ok(lines.length > 20, lines.join('\n'));
  });

  it('a blocked command is shown once, when it runs first', async () => {
    const m = await monitorPair();
    const [bh, br] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      bh.write(encodeCommand(['BLPOP', 'later', '0']));
      br.write(encodeCommand(['BLPOP', 'later', '0']));
      const blocked = async (c: RawClient) => /blocked_clients:1/.test(await c.command('INFO', 'clients'));
      await waitUntil('both BLPOPs to block', async () => (await blocked(p.h)) && (await blocked(p.r)));
      const lines = await sameFeed(m, [['RPUSH', 'later', 'x']]);
      assert.equal(lines.filter((l) => l.includes('"BLPOP"')).length, 1, lines.join('\n'));
      assert.equal(await bh.reply(), await br.reply());
    } finally {
      bh.close();
      br.close();
    }
  });

  it('MONITOR twice answers once; CLIENT INFO shows O; RESET ends it; inside MULTI it is refused', async () => {
    const [h, r] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      for (const c of [h, r]) {
        c.write(encodeCommand(['MONITOR']));
        c.write(encodeCommand(['MONITOR']));
      }
      assert.equal(await h.reply(), '+OK\r\n');
      assert.equal(await r.reply(), '+OK\r\n');
      // A monitor sees its own commands too (CLIENT INFO is not admin): skip those lines to the reply.
      const replyOf = async (c: RawClient, ...args: string[]) => {
        c.write(encodeCommand(args));
        for (;;) {
          const r = await c.reply();
          if (!LINE.test(r)) return r;
        }
      };
      const flags = async (c: RawClient) => /flags=(\S+)/.exec(await replyOf(c, 'CLIENT', 'INFO'))?.[1];
      assert.equal(await flags(h), 'O');
      assert.equal(await flags(r), 'O');
      assert.equal(await replyOf(h, 'RESET'), await replyOf(r, 'RESET'));
      assert.equal(await flags(h), await flags(r));
      assert.equal(await h.command('PING'), '+PONG\r\n', 'no feed after RESET');
      await p.script([['MULTI'], ['MONITOR'], ['EXEC']]);
    } finally {
      h.close();
      r.close();
    }
  });
});

describe('MONITOR across a hot upgrade', () => {
  const t = withBundles(['0.0.1-ma', '0.0.1-mb']);

  it('the monitor keeps receiving under the new logic', async () => {
    const [m, c, ctl] = await Promise.all([t.connect(), t.connect(), t.connect()]);
    assert.equal(await m.command('MONITOR'), '+OK\r\n');
    await load(ctl, t.files[1]);
    await c.command('SET', 'after', 'upgrade');
    for (;;) {
      const l = await m.reply();
      if (l.includes('"SET" "after" "upgrade"')) break;
      assert.match(l, LINE);
    }
  });
});
