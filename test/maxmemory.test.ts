// maxmemory (src/logic/evict.ts): the OOM refusals compared byte for byte with redis-server 7.0 (both run with a
// limit far below what they use, so nothing can be evicted), and eviction under every policy while ~50 MB of
// values are written to hotkv with maxmemory 30mb: used_memory (after a full GC, MEMORY PURGE under --expose-gc)
// stays near the limit, volatile-* touch only keys with a TTL, LRU keeps a hot set, and every eviction is an
// `evicted` event, an evicted_keys count and a DEL in the AOF. No test assumes exact byte accounting.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPair, type Pair } from './helpers/diff';
import { encodeCommand, RawClient } from './helpers/resp';
import { scratch } from './helpers/scratch';
import { startHotkv, type RunningServer } from './helpers/servers';
import { info, waitUntil } from './helpers/upgrade';

const OOM = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
const MB = 1024 * 1024;
const LIMIT = 30 * MB;
const VALUE = 'v'.repeat(10_000);

/** Send the commands pipelined (batches of 200) and return every reply. */
async function pipeline(c: RawClient, cmds: string[][]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < cmds.length; i += 200) {
    const batch = cmds.slice(i, i + 200);
    c.write(Buffer.concat(batch.map((a) => encodeCommand(a))));
    for (let j = 0; j < batch.length; j++) out.push(await c.reply());
  }
  return out;
}

function sets(prefix: string, n: number, ttl = false): string[][] {
  const cmds: string[][] = [];
  for (let i = 0; i < n; i++) cmds.push(ttl ? ['SET', `${prefix}${i}`, VALUE, 'EX', '1000'] : ['SET', `${prefix}${i}`, VALUE]);
  return cmds;
}

async function num(c: RawClient, section: string, field: string): Promise<number> {
  return Number((await info(c, section))[field]);
}

/** used_memory after a full GC: the live heap, what maxmemory bounds. */
async function liveMemory(c: RawClient): Promise<number> {
  assert.equal(await c.command('MEMORY', 'PURGE'), '+OK\r\n');
  return num(c, 'memory', 'used_memory');
}

async function dbsize(c: RawClient): Promise<number> {
  return Number((await c.command('DBSIZE')).slice(1, -2));
}

/** DBSIZE and evicted_keys at one moment: every command may evict first, the commands under EXEC do not. */
async function keysAndEvicted(c: RawClient): Promise<{ keys: number; evicted: number }> {
  const replies = await pipeline(c, [['MULTI'], ['DBSIZE'], ['INFO', 'stats'], ['EXEC']]);
  const exec = replies[3];
  const keys = Number(/^\*2\r\n:(\d+)\r\n/.exec(exec)![1]);
  const evicted = Number(/\r\nevicted_keys:(\d+)\r\n/.exec(exec)![1]);
  return { keys, evicted };
}

describe('noeviction: the OOM error as redis-server gives it', () => {
  let p: Pair;
  before(async () => {
    p = await startPair();
  });
  after(async () => {
    await p.stop();
  });

  it('refuses denyoom commands, not reads or deletes', async () => {
    await p.script([['SET', 'a', '1'], ['RPUSH', 'l', 'x'], ['CONFIG', 'SET', 'maxmemory', '1']]);
    assert.equal(await p.same('SET', 'b', '1'), OOM);
    await p.script([['GET', 'a'], ['RPUSH', 'l', 'y'], ['LPOP', 'l'], ['INCR', 'a'], ['EXISTS', 'b'], ['DEL', 'l'],
      ['APPEND', 'a', 'x'], ['SETEX', 'c', '10', 'v'], ['EXPIRE', 'a', '100'], ['PING'], ['CONFIG', 'GET', 'maxmemory']]);
    const [h, r] = await Promise.all([info(p.h, 'memory'), info(p.r, 'memory')]);
    assert.equal(h.maxmemory, r.maxmemory);
    assert.equal(h.maxmemory_policy, 'noeviction');
    await p.same('CONFIG', 'SET', 'maxmemory', '0');
    assert.equal(await p.same('SET', 'b', '1'), '+OK\r\n');
  });

  it('inside MULTI: every command but EXEC DISCARD is refused and EXEC aborts', async () => {
    await p.script([['CONFIG', 'SET', 'maxmemory', '1'], ['MULTI'], ['SET', 'x', '1'], ['GET', 'a'], ['EXEC'],
      ['MULTI'], ['GET', 'a'], ['DISCARD'], ['MULTI'], ['EXEC'], ['CONFIG', 'SET', 'maxmemory', '0']]);
  });

  it('EXEC of a queued write when memory went over meanwhile: EXECABORT with the OOM reason', async () => {
    const [h2, r2] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      await p.script([['MULTI'], ['SET', 'x', '1']]);
      assert.equal(await h2.command('CONFIG', 'SET', 'maxmemory', '1'), '+OK\r\n');
      assert.equal(await r2.command('CONFIG', 'SET', 'maxmemory', '1'), '+OK\r\n');
      assert.equal(await p.same('EXEC'),
        "-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n");
      // a read-only transaction runs
      await p.script([['CONFIG', 'SET', 'maxmemory', '0'], ['MULTI'], ['GET', 'a']]);
      assert.equal(await h2.command('CONFIG', 'SET', 'maxmemory', '1'), '+OK\r\n');
      assert.equal(await r2.command('CONFIG', 'SET', 'maxmemory', '1'), '+OK\r\n');
      await p.same('EXEC');
    } finally {
      await p.same('CONFIG', 'SET', 'maxmemory', '0');
      h2.close();
      r2.close();
    }
  });

  it('scripts: the first denyoom redis.call fails, shebang scripts need no-writes or allow-oom', async () => {
    await p.script([
      ['SET', 'k', 'v'],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['EVAL', "return redis.call('set','k','v2')", '0'],
      ['EVAL', "redis.call('get','k'); return redis.call('set','k','v2')", '0'],
      ['EVAL', "return redis.pcall('set','k','v2')", '0'],
      ['EVAL', "return redis.call('get','k')", '0'],
      ['EVAL', "return redis.call('del','nosuchkey')", '0'],
      ['EVAL', "#!lua\nreturn redis.call('get','k')", '0'],
      ['EVAL', "#!lua flags=allow-oom\nreturn redis.call('set','k','v3')", '0'],
      ['EVAL', "#!lua flags=no-writes\nreturn redis.call('get','k')", '0'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['SCRIPT', 'LOAD', "#!lua\nreturn 1"],
      ['CONFIG', 'SET', 'maxmemory', '1'],
      ['EVALSHA', 'cb70127618f0b0be70c53cf6bfcfa54a29d9b0c0', '0'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
    ]);
  });

  it('volatile-* with no key holding a TTL cannot free anything: OOM', async () => {
    await p.script([['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'], ['CONFIG', 'SET', 'maxmemory', '1'],
      ['SET', 'n', '1'], ['CONFIG', 'SET', 'maxmemory', '0'], ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']]);
  });
});

describe('eviction (hotkv alone, maxmemory 30mb, ~50 MB written)', () => {
  const s = scratch('hotkv-maxmemory-');
  let srv: RunningServer;
  let c: RawClient;
  before(async () => {
    srv = await s.track(startHotkv({ nodeFlags: ['--expose-gc'] }));
    c = await RawClient.connect(srv.port);
  });
  after(() => c.close());

  async function fresh(policy: string): Promise<void> {
    await c.command('CONFIG', 'SET', 'maxmemory', '0');
    await c.command('FLUSHALL');
    await c.command('CONFIG', 'RESETSTAT');
    await liveMemory(c);
    assert.equal(await c.command('CONFIG', 'SET', 'maxmemory-policy', policy), '+OK\r\n');
    assert.equal(await c.command('CONFIG', 'SET', 'maxmemory', String(LIMIT)), '+OK\r\n');
  }

  for (const policy of ['allkeys-lru', 'allkeys-random', 'allkeys-lfu', 'volatile-lru', 'volatile-random', 'volatile-ttl', 'volatile-lfu']) {
    it(`${policy}: used memory stays near maxmemory, every write succeeds`, async () => {
      await fresh(policy);
      const volatile = policy.startsWith('volatile-');
      const replies = await pipeline(c, sets('k', 5000, volatile));
      assert.deepEqual(new Set(replies), new Set(['+OK\r\n']));
      const { keys, evicted } = await keysAndEvicted(c);
      assert.ok(evicted > 1000, `evicted ${evicted}`);
      assert.equal(keys + evicted, 5000);
      const live = await liveMemory(c);
      assert.ok(live < LIMIT * 1.15, `used_memory ${live} vs maxmemory ${LIMIT}`);
      // not evicting far more than needed either: at least half the room holds data
      const startup = await num(c, 'memory', 'used_memory_startup');
      assert.ok(keys * VALUE.length > (LIMIT - startup) / 2, `${keys} keys left`);
    });
  }

  it('volatile-lru evicts only keys with a TTL; OOM once none is left', async () => {
    await fresh('volatile-lru');
    const small = 'p'.repeat(1000);
    const persistent = Array.from({ length: 500 }, (_, i) => ['SET', `p${i}`, small]);
    assert.deepEqual(new Set(await pipeline(c, persistent)), new Set(['+OK\r\n']));
    await pipeline(c, sets('t', 4000, true));
    const exists = await c.command('EXISTS', ...persistent.map((a) => a[1]));
    assert.equal(exists, ':500\r\n');
    assert.ok(await num(c, 'stats', 'evicted_keys') > 1000);
    // without TTL keys, writing on is refused
    const replies = await pipeline(c, sets('n', 5000));
    assert.ok(replies.includes(OOM), 'some writes refused');
    assert.equal(await c.command('EXISTS', ...persistent.map((a) => a[1])), ':500\r\n');
  });

  it('allkeys-lru keeps a hot set that is read while cold keys get evicted', async () => {
    await fresh('allkeys-lru');
    // ~11 MB: fits under the limit, so nothing is evicted yet
    await pipeline(c, sets('cold', 1000));
    await pipeline(c, sets('hot', 100));
    assert.equal(await num(c, 'stats', 'evicted_keys'), 0);
    // the LRU clock has a resolution of one second (OBJECT IDLETIME): let the keys age two
    await waitUntil('keys idle for 2s', async () => Number((await c.command('OBJECT', 'IDLETIME', 'cold0')).slice(1)) >= 2, 5000, 100);
    // enough new keys to need ~600 evictions: fewer than the cold keys
    const room = Math.max(0, Math.floor((LIMIT - await liveMemory(c)) / (VALUE.length + 100)));
    const perRound = Math.ceil((room + 600) / 5);
    for (let round = 0; round < 5; round++) {
      await pipeline(c, Array.from({ length: 100 }, (_, i) => ['GET', `hot${i}`]));
      await pipeline(c, sets(`new${round}-`, perRound));
    }
    const hot = Number((await c.command('EXISTS', ...Array.from({ length: 100 }, (_, i) => `hot${i}`))).slice(1, -2));
    const cold = Number((await c.command('EXISTS', ...Array.from({ length: 1000 }, (_, i) => `cold${i}`))).slice(1, -2));
    const evicted = await num(c, 'stats', 'evicted_keys');
    assert.ok(evicted > 300, `evicted ${evicted}`);
    assert.ok(hot >= 95, `hot keys left: ${hot} of 100`);
    assert.ok(cold <= 1000 - evicted * 0.9, `cold keys left: ${cold} of 1000, ${evicted} evicted`);
  });

  it('each eviction is an `evicted` keyspace event', async () => {
    await fresh('allkeys-random');
    await c.command('CONFIG', 'SET', 'notify-keyspace-events', 'Ee');
    const sub = await RawClient.connect(srv.port);
    try {
      await sub.command('SUBSCRIBE', '__keyevent@0__:evicted');
      await pipeline(c, sets('e', 5000));
      const evicted = await num(c, 'stats', 'evicted_keys');
      assert.ok(evicted > 1000);
      const keys = new Set<string>();
      while (keys.size < evicted) {
        const m = await sub.reply();
        const key = m.split('\r\n')[6];
        assert.match(m, /^\*3\r\n\$7\r\nmessage\r\n\$22\r\n__keyevent@0__:evicted\r\n/);
        assert.equal(await c.command('EXISTS', key), ':0\r\n');
        keys.add(key);
      }
      assert.equal(keys.size, evicted);
    } finally {
      sub.close();
      await c.command('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
  });

  it('CONFIG SET maxmemory below the used memory evicts at once', async () => {
    await c.command('CONFIG', 'SET', 'maxmemory', '0');
    await c.command('FLUSHALL');
    await c.command('CONFIG', 'RESETSTAT');
    await c.command('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random');
    await pipeline(c, sets('f', 3000));
    assert.equal(await num(c, 'stats', 'evicted_keys'), 0);
    assert.equal(await c.command('CONFIG', 'SET', 'maxmemory', String(LIMIT)), '+OK\r\n');
    assert.ok(await num(c, 'stats', 'evicted_keys') > 500, 'evicted by CONFIG SET itself');
    assert.ok(await liveMemory(c) < LIMIT * 1.15);
  });
});

describe('maxmemory-eviction-tenacity 0: eviction goes on in a timer', () => {
  const s = scratch('hotkv-maxmemory-timer-');
  it('CONFIG SET maxmemory evicts 16 keys at once, the timer the rest', async () => {
    const srv = await s.track(startHotkv({ nodeFlags: ['--expose-gc'], args: ['--maxmemory-policy', 'allkeys-random', '--maxmemory-eviction-tenacity', '0'] }));
    const c = await RawClient.connect(srv.port);
    try {
      await pipeline(c, sets('t', 3000));
      // one input event, so no timer runs in between: CONFIG SET evicts 16 keys, so does INFO before it runs
      const [ok, stats] = await pipeline(c, [['CONFIG', 'SET', 'maxmemory', String(LIMIT)], ['INFO', 'stats']]);
      assert.equal(ok, '+OK\r\n');
      assert.match(stats, /\r\nevicted_keys:32\r\n/);
      await waitUntil('evicted under the limit', async () => (await num(c, 'memory', 'maxmemory_used_estimate')) <= LIMIT);
      assert.ok(await num(c, 'stats', 'evicted_keys') > 500);
      assert.ok(await liveMemory(c) < LIMIT * 1.15);
    } finally {
      c.close();
    }
  });
});

describe('evictions reach the AOF as DEL', () => {
  const s = scratch('hotkv-maxmemory-aof-');
  it('one DEL per evicted key; a restart loads the same keys', async () => {
    const srv = await s.track(startHotkv({ nodeFlags: ['--expose-gc'], args: ['--appendonly', 'yes', '--maxmemory', '30mb', '--maxmemory-policy', 'allkeys-lru'] }));
    const c = await RawClient.connect(srv.port);
    let keys = 0;
    try {
      await pipeline(c, sets('a', 5000));
      // stop evicting, then count: what the AOF holds must be exactly this
      assert.equal(await c.command('CONFIG', 'SET', 'maxmemory', '0'), '+OK\r\n');
      const snap = await keysAndEvicted(c);
      const evicted = snap.evicted;
      keys = snap.keys;
      assert.ok(evicted > 1000);
      assert.equal(keys + evicted, 5000);
      const dir = path.join(srv.dir, 'appendonlydir');
      await waitUntil('AOF written', () => {
        const text = fs.readdirSync(dir).filter((f) => f.includes('.incr.')).map((f) => fs.readFileSync(path.join(dir, f), 'latin1')).join('');
        return (text.match(/\r\nDEL\r\n/g) ?? []).length === evicted;
      });
    } finally {
      c.close();
    }
    await srv.stop();
    const again = await s.track(startHotkv({ dir: srv.dir, args: ['--appendonly', 'yes'] }));
    const c2 = await RawClient.connect(again.port);
    try {
      assert.equal(await dbsize(c2), keys);
    } finally {
      c2.close();
    }
  });
});
