// Pub/sub compared with redis-server 7.0 byte for byte over raw connections, RESP2 and RESP3:
// (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE confirmations, message / pmessage / smessage delivery to other
// connections, the subscribed-mode restrictions and PING, PUBSUB introspection, CLIENT REPLY OFF,
// INFO and CLIENT LIST fields. Then subscribers (raw, ioredis, node-redis) receive every numbered
// message published before, during and after hot upgrades, once and in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { show, startPair, type Pair } from './helpers/diff';
import { hotUpgrade, withBundles, withPair } from './helpers/duo';
import { decodeReply, RawClient, type ReplyValue } from './helpers/resp';
import { cmd, countEvents, IOREDIS_EVENTS, NODE_REDIS_EVENTS, waitUntil, zeroCounts } from './helpers/upgrade';




/** The same command on both; an array reply whose order Redis leaves to its hash table is compared sorted. */
async function sameSorted(p: Pair, ...args: string[]): Promise<void> {
  const [h, r] = await Promise.all([p.h.command(...args), p.r.command(...args)]);
  const hv = decodeReply(h);
  const rv = decodeReply(r);
  assert.ok(Array.isArray(hv), `${args.join(' ')}: hotkv replied ${show(h)}`);
  assert.deepEqual((hv as string[]).slice().sort(), (rv as string[]).slice().sort(), `${args.join(' ')}: hotkv vs redis`);
}

/** (un)subscribe confirmations of a whole-list UNSUBSCRIBE: names in any order, counts in order. */
function confirmations(replies: string[]): { kinds: string[]; names: string[]; counts: number[] } {
  const items = replies.map((r) => decodeReply(r) as [string, string | null, number]);
  return {
    kinds: items.map((i) => i[0]),
    names: items.map((i) => String(i[1])).sort(),
    counts: items.map((i) => i[2]),
  };
}

describe('pub/sub vs redis-server 7.0', () => {
  // after each test: the closed subscribers are gone once nobody is left on any channel
  const t = withPair([], async (p: Pair) => {
    for (const c of [p.h, p.r]) {
      await waitUntil('subscribers to go', async () => {
        const n = decodeReply(await c.command('PUBSUB', 'NUMPAT')) as number;
        const ch = decodeReply(await c.command('PUBSUB', 'CHANNELS')) as string[];
        const sh = decodeReply(await c.command('PUBSUB', 'SHARDCHANNELS')) as string[];
        return n === 0 && ch.length === 0 && sh.length === 0;
      });
    }
  });

  for (const proto of ['2', '3']) {
    it(`SUBSCRIBE PSUBSCRIBE UNSUBSCRIBE PUNSUBSCRIBE PUBLISH, messages to other clients (RESP${proto})`, async () => {
      const { d } = t;
      await d.hello('a', proto);
      await d.hello('c', proto);
      await d.cmdN('a', 2, 'SUBSCRIBE', 'ch1', 'ch2');
      await d.cmdN('a', 1, 'SUBSCRIBE', 'ch1');
      await d.cmdN('c', 4, 'PSUBSCRIBE', 'news.*', 'h?llo', 'x[ae]y', 'lit\\*');
      await d.cmd('b', 'PUBLISH', 'ch1', 'm1');
      await d.cmd('b', 'PUBLISH', 'news.today', 'm2');
      await d.cmd('b', 'PUBLISH', 'hello', 'm3');
      await d.cmd('b', 'PUBLISH', 'xey', '');
      await d.cmd('b', 'PUBLISH', 'lit*', 'star');
      await d.cmd('b', 'PUBLISH', 'litx', 'nostar');
      await d.cmd('b', 'PUBLISH', 'nobody', 'm');
      await d.cmd('b', 'PUBLISH', 'ch2', 'bin\x00\xff\r\nary');
      await d.drain('a');
      await d.drain('c');
      // a channel and a pattern subscription on the same client: a message and a pmessage
      await d.cmdN('a', 1, 'PSUBSCRIBE', 'ch*');
      await d.cmd('b', 'PUBLISH', 'ch2', 'both');
      await d.drain('a');
      await d.cmdN('a', 2, 'UNSUBSCRIBE', 'ch1', 'nope');
      await d.cmdN('a', 2, 'PUNSUBSCRIBE', 'ch*', 'nope*');
      await d.cmdN('a', 1, 'PUNSUBSCRIBE');
      await d.cmdN('a', 1, 'UNSUBSCRIBE');
      await d.cmdN('a', 1, 'UNSUBSCRIBE');
      await d.cmdN('c', 4, 'PUNSUBSCRIBE');
      await d.script([['a', 'PING'], ['a', 'GET', 'x'], ['c', 'PING', 'hi']]);
    });

    it(`subscribed mode: allowed and refused commands, PING, RESET (RESP${proto})`, async () => {
      const { d } = t;
      await d.hello('a', proto);
      await d.cmdN('a', 1, 'SUBSCRIBE', 'z');
      await d.script([
        ['a', 'PING'],
        ['a', 'PING', 'msg'],
        ['a', 'PING', 'a', 'b'],
        ['a', 'GET', 'x'],
        ['a', 'GET'],
        ['a', 'NOSUCHCMD', 'arg'],
        ['a', 'CONFIG', 'GET', 'maxmemory'],
        ['a', 'CONFIG', 'NOSUCHSUB'],
        ['a', 'PUBSUB', 'NUMSUB', 'z'],
        ['a', 'CLIENT', 'GETNAME'],
        ['a', 'WATCH', 'k'],
        ['a', 'UNWATCH'],
        ['a', 'MULTI'],
        ['a', 'EXEC'],
        ['a', 'DISCARD'],
        ['a', 'SELECT', '1'],
        ['a', 'PUBLISH', 'z', 'self'],
      ]);
      await d.drain('a');
      await d.cmdN('a', 1, 'PSUBSCRIBE', 'q*');
      await d.script([['a', 'ECHO', 'x'], ['a', 'RESET'], ['a', 'GET', 'x'], ['a', 'PING']]);
      await d.cmd('b', 'PUBLISH', 'z', 'after-reset');
      await d.cmd('b', 'PUBLISH', 'qq', 'after-reset');
      await d.drain('a');
    });
  }

  it('sharded channels: SSUBSCRIBE SUNSUBSCRIBE SPUBLISH are their own namespace', async () => {
    const { p, d } = t;
    await d.cmdN('a', 2, 'SSUBSCRIBE', 's1', 's2');
    await d.cmdN('b', 1, 'SUBSCRIBE', 's1');
    await d.cmdN('c', 1, 'PSUBSCRIBE', 's*');
    await d.cmd('x', 'SPUBLISH', 's1', 'shard');
    await d.cmd('x', 'PUBLISH', 's1', 'plain');
    await d.cmd('x', 'SPUBLISH', 'nobody', 'm');
    for (const n of ['a', 'b', 'c']) await d.drain(n);
    await d.script([
      ['x', 'PUBSUB', 'SHARDNUMSUB', 's1', 's2', 's3'],
      ['x', 'PUBSUB', 'NUMSUB', 's1', 's2'],
      ['x', 'PUBSUB', 'NUMPAT'],
      ['x', 'PUBSUB', 'SHARDCHANNELS', 's1'],
      ['x', 'PUBSUB', 'SHARDCHANNELS', 'nomatch*'],
    ]);
    await sameSorted(p, 'PUBSUB', 'SHARDCHANNELS');
    // the counts in confirmations are per namespace; subscribed mode lasts while any is left
    await d.cmdN('a', 1, 'SUBSCRIBE', 'g');
    await d.cmdN('a', 1, 'SUNSUBSCRIBE', 's1');
    await d.cmdN('a', 1, 'UNSUBSCRIBE');
    await d.cmd('a', 'GET', 'k');
    await d.cmdN('a', 1, 'SUNSUBSCRIBE');
    await d.cmdN('a', 1, 'SUNSUBSCRIBE');
    await d.cmd('a', 'GET', 'k');
    // RESP3: a push for a subscriber publishing to itself, before the PUBLISH reply
    await d.hello('r3', '3');
    await d.cmdN('r3', 1, 'SSUBSCRIBE', 'me');
    await d.cmdN('r3', 2, 'SPUBLISH', 'me', 'self');
    await d.cmdN('r3', 1, 'SUBSCRIBE', 'me');
    await d.cmdN('r3', 2, 'PUBLISH', 'me', 'self');
  });

  it('UNSUBSCRIBE without arguments drops every channel; PUNSUBSCRIBE keeps subscription order', async () => {
    const { d } = t;
    await d.cmdN('a', 3, 'SUBSCRIBE', 'u1', 'u2', 'u3');
    await d.cmdN('a', 3, 'PSUBSCRIBE', 'p3*', 'p1*', 'p2*');
    await d.send('a', 'UNSUBSCRIBE');
    // Redis walks its channel dict (hash order): compare names as a set, counts in order
    const { h, r } = await d.readBoth('a', 3);
    assert.deepEqual(confirmations(h), confirmations(r));
    await d.cmdN('a', 3, 'PUNSUBSCRIBE');
    await d.cmd('a', 'PING');
  });

  it('PUBSUB CHANNELS NUMSUB NUMPAT SHARDCHANNELS SHARDNUMSUB HELP, and their errors', async () => {
    const { p, d } = t;
    await d.cmdN('a', 4, 'SUBSCRIBE', 'news.a', 'news.b', 'other', 'bin\x00x');
    await d.cmdN('b', 1, 'SUBSCRIBE', 'news.a');
    await d.cmdN('b', 3, 'PSUBSCRIBE', 'n*', 'n*', 'm*');
    await d.cmdN('c', 1, 'PSUBSCRIBE', 'n*');
    await sameSorted(p, 'PUBSUB', 'CHANNELS');
    await sameSorted(p, 'PUBSUB', 'CHANNELS', 'news.*');
    await sameSorted(p, 'pubsub', 'channels', '*[^s]');
    await d.script([
      ['x', 'PUBSUB', 'CHANNELS', 'nomatch'],
      ['x', 'PUBSUB', 'CHANNELS', 'other'],
      ['x', 'PUBSUB', 'NUMSUB'],
      ['x', 'PUBSUB', 'NUMSUB', 'news.a', 'news.b', 'n*', 'none', 'bin\x00x'],
      ['x', 'PUBSUB', 'NUMPAT'],
      ['x', 'PUBSUB', 'SHARDCHANNELS'],
      ['x', 'PUBSUB', 'SHARDNUMSUB'],
      ['x', 'PUBSUB', 'HELP'],
      ['x', 'PUBSUB'],
      ['x', 'PUBSUB', 'NOSUCH'],
      ['x', 'PUBSUB', 'CHANNELS', 'a', 'b'],
      ['x', 'pubsub', 'shardchannels', 'a', 'b'],
      ['x', 'PUBSUB', 'NUMPAT', 'x'],
      ['x', 'PUBLISH', 'a'],
      ['x', 'SUBSCRIBE'],
      ['x', 'SPUBLISH', 'a', 'b', 'c'],
    ]);
    await d.hello('y', '3');
    await d.script([['y', 'PUBSUB', 'NUMSUB', 'news.a', 'x'], ['y', 'PUBSUB', 'SHARDNUMSUB', 'q'], ['y', 'PUBSUB', 'NUMPAT']]);
  });

  it('CLIENT REPLY OFF and SKIP do not hold back pub/sub confirmations and messages', async () => {
    const { d } = t;
    await d.send('a', 'CLIENT', 'REPLY', 'OFF');
    await d.cmdN('a', 1, 'SUBSCRIBE', 'x');
    await d.cmd('b', 'PUBLISH', 'x', 'm1');
    await d.read('a', 1);
    await d.send('a', 'PING');
    await d.cmdN('a', 1, 'UNSUBSCRIBE', 'x');
    await d.send('a', 'GET', 'x');
    await d.cmdN('a', 1, 'CLIENT', 'REPLY', 'ON');
    await d.drain('a');
    await d.hello('c', '3');
    await d.send('c', 'CLIENT', 'REPLY', 'OFF');
    await d.cmdN('c', 1, 'SUBSCRIBE', 'y');
    await d.cmd('b', 'PUBLISH', 'y', 'm2');
    await d.read('c', 1);
    await d.send('c', 'GET', 'y');
    await d.cmdN('c', 1, 'UNSUBSCRIBE', 'y');
    await d.cmdN('c', 1, 'CLIENT', 'REPLY', 'ON');
    await d.sendRaw('c', cmd('CLIENT', 'REPLY', 'SKIP') + cmd('SUBSCRIBE', 'y') + cmd('PING'));
    await d.cmd('b', 'PUBLISH', 'y', 'm3');
    await d.drain('c');
  });

  it('INFO pubsub_* fields and CLIENT LIST sub= psub= ssub= and the P flag', async () => {
    const { p, d } = t;
    await d.cmd('a', 'CLIENT', 'SETNAME', 'subber');
    await d.cmdN('a', 3, 'SUBSCRIBE', 'i1', 'i2', 'i3');
    await d.cmdN('a', 2, 'PSUBSCRIBE', 'x', 'y');
    await d.cmdN('a', 1, 'SSUBSCRIBE', 's1');
    await d.cmdN('b', 2, 'PSUBSCRIBE', 'x', 'z');
    const infoFields = (s: string) => String(decodeReply(s)).split('\r\n').filter((l) => l.startsWith('pubsub'));
    const [hi, ri] = await Promise.all([p.h.command('INFO', 'stats'), p.r.command('INFO', 'stats')]);
    assert.deepEqual(infoFields(hi), infoFields(ri));
    assert.deepEqual(infoFields(hi), ['pubsub_channels:3', 'pubsub_patterns:3', 'pubsubshard_channels:1']);
    const line = (s: string) => {
      const l = String(decodeReply(s)).split('\n').find((x) => x.includes(' name=subber '))!;
      return l.split(' ').filter((kv) => /^(flags|sub|psub|ssub|multi|cmd)=/.test(kv)).join(' ');
    };
    const [hl, rl] = await Promise.all([p.h.command('CLIENT', 'LIST'), p.r.command('CLIENT', 'LIST')]);
    assert.equal(line(hl), line(rl));
    assert.equal(line(hl), 'flags=P sub=3 psub=2 ssub=1 multi=-1 cmd=ssubscribe');
    const types = async (c: RawClient) => (String(decodeReply(await c.command('CLIENT', 'LIST', 'TYPE', 'pubsub'))).match(/\n/g) ?? []).length;
    assert.equal(await types(p.h), await types(p.r));
  });

  it('a client that disconnects leaves its channels and patterns', async () => {
    const { p, d } = t;
    await d.cmdN('a', 1, 'SUBSCRIBE', 'gone');
    await d.cmdN('b', 1, 'PSUBSCRIBE', 'go*');
    await d.cmd('x', 'PUBLISH', 'gone', 'still');
    d.close();
    for (const c of [p.h, p.r]) {
      await waitUntil('the subscribers to leave', async () => (await c.command('PUBLISH', 'gone', 'x')) === ':0\r\n');
    }
    await p.same('PUBSUB', 'NUMSUB', 'gone');
    await p.same('PUBSUB', 'NUMPAT');
  });
});

// ------------------------------------------------------------------------------------ upgrades

/** A raw subscriber that collects the payloads of every message it receives. */
function rawCollector(c: RawClient): { got: string[]; kinds: Set<string>; errors: string[] } {
  const out = { got: [] as string[], kinds: new Set<string>(), errors: [] as string[] };
  void (async () => {
    for (;;) {
      let r: string;
      try {
        r = await c.reply(60000);
      } catch {
        return;
      }
      // RESP3 pushes decode as arrays
      const v = decodeReply(r.startsWith('>') ? '*' + r.slice(1) : r) as ReplyValue[];
      const kind = String(v[0]);
      if (kind === 'message' || kind === 'smessage') out.got.push(String(v[2]));
      else if (kind === 'pmessage') out.got.push(String(v[3]));
      else if (!kind.endsWith('subscribe')) out.errors.push(r);
      out.kinds.add(kind);
    }
  })();
  return out;
}

describe('pub/sub across hot upgrades', () => {
  const t = withBundles(['0.0.3-pa', '0.0.3-pb']);

  it('raw, ioredis and node-redis subscribers get every message, before, during and after the swaps', async () => {
    const { s, files, connect } = t;
    const io = new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    const nr = createClient({ socket: { port: s.port, host: '127.0.0.1' } });
    const ioEvents = countEvents(io, IOREDIS_EVENTS);
    const nrEvents = countEvents(nr, NODE_REDIS_EVENTS);
    try {
      await nr.connect();
      const ctl = await connect();
      const pub = await connect();
      // raw subscribers: RESP2 channel, RESP3 channel, RESP2 pattern, RESP2 shard channel
      const r2 = await connect();
      const r3 = await connect();
      const rp = await connect();
      const rs = await connect();
      assert.equal(await r2.command('SUBSCRIBE', 'up'), '*3\r\n$9\r\nsubscribe\r\n$2\r\nup\r\n:1\r\n');
      assert.match(await r3.command('HELLO', '3'), /^%7/);
      assert.equal(await r3.command('SUBSCRIBE', 'up'), '>3\r\n$9\r\nsubscribe\r\n$2\r\nup\r\n:1\r\n');
      assert.equal(await rp.command('PSUBSCRIBE', 'u?'), '*3\r\n$10\r\npsubscribe\r\n$2\r\nu?\r\n:1\r\n');
      assert.equal(await rs.command('SSUBSCRIBE', 'up'), '*3\r\n$10\r\nssubscribe\r\n$2\r\nup\r\n:1\r\n');
      const raw = [rawCollector(r2), rawCollector(r3), rawCollector(rp), rawCollector(rs)];
      const ioGot: string[] = [];
      const ioPat: string[] = [];
      const ioShard: string[] = [];
      io.on('message', (_ch: string, m: string) => ioGot.push(m));
      io.on('pmessage', (_p: string, _ch: string, m: string) => ioPat.push(m));
      io.on('smessage', (_ch: string, m: string) => ioShard.push(m));
      await io.subscribe('up');
      await io.psubscribe('u*');
      await io.ssubscribe('up');
      const nrGot: string[] = [];
      const nrShard: string[] = [];
      await nr.subscribe('up', (m: string) => { nrGot.push(m); });
      await nr.sSubscribe('up', (m: string) => { nrShard.push(m); });

      // each PUBLISH reaches 2 raw + ioredis + node-redis on the channel and the raw and ioredis
      // pattern subscribers; each SPUBLISH the raw, ioredis and node-redis shard subscribers
      let n = 0;
      let stop = false;
      const errors: string[] = [];
      const publisher = (async () => {
        while (!stop && errors.length === 0) {
          const base = n;
          let bytes = '';
          for (let j = 1; j <= 20; j++) bytes += cmd('PUBLISH', 'up', String(base + j)) + cmd('SPUBLISH', 'up', String(base + j));
          pub.write(bytes);
          for (let j = 1; j <= 20; j++) {
            const [a, b] = [await pub.reply(), await pub.reply()];
            if (a !== ':6\r\n' || b !== ':3\r\n') errors.push(`message ${base + j}: receivers ${show(a)} ${show(b)}`);
          }
          n = base + 20;
        }
      })();
      const progress = async (more: number) => {
        const mark = n;
        await waitUntil('publishing progress', () => n >= mark + more || errors.length > 0);
      };
      await progress(100);
      for (let i = 0; i < 4; i++) {
        assert.equal(await hotUpgrade(ctl, files[(i + 1) % 2]), i % 2 === 0 ? '0.0.3-pb' : '0.0.3-pa');
        await progress(60);
      }
      stop = true;
      await publisher;
      assert.deepEqual(errors, []);
      const want = Array.from({ length: n }, (_, i) => String(i + 1));
      const all = () => [...raw.map((x) => x.got), ioGot, ioPat, ioShard, nrGot, nrShard];
      await waitUntil('every subscriber to have every message', () => all().every((g) => g.length >= n));
      for (const g of all()) assert.deepEqual(g, want);
      for (const x of raw) assert.deepEqual(x.errors, []);
      assert.deepEqual([...raw[1].kinds], ['message']);
      assert.deepEqual([...raw[2].kinds], ['pmessage']);
      assert.deepEqual([...raw[3].kinds], ['smessage']);
      assert.deepEqual(ioEvents, zeroCounts(IOREDIS_EVENTS), 'ioredis reconnected or failed');
      assert.deepEqual(nrEvents, zeroCounts(NODE_REDIS_EVENTS), 'node-redis reconnected or failed');
      // still subscribed, still counted, on the logic now active
      assert.equal(await ctl.command('PUBSUB', 'NUMSUB', 'up'), '*2\r\n$2\r\nup\r\n:4\r\n');
      assert.equal(await ctl.command('PUBSUB', 'SHARDNUMSUB', 'up'), '*2\r\n$2\r\nup\r\n:3\r\n');
      assert.equal(await ctl.command('PUBSUB', 'NUMPAT'), ':2\r\n');
    } finally {
      io.disconnect();
      await nr.close().catch(() => undefined);
    }
  });
});
