// Real clients that depend on Lua scripting, against hotkv with redis-server 7.0 as the control: a BullMQ queue
// (plain, delayed, retried and prioritized jobs, a worker, QueueEvents), ioredis defineCommand, node-redis
// scriptLoad / evalSha, and a redlock-style compare-and-delete unlock. Each scenario returns a summary that must
// be the expected one on both servers.
import assert from 'node:assert/strict';
import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
// msgpackr is BullMQ's own dependency: the packer BullMQ uses for the options its scripts unpack
import { Packr } from 'msgpackr';
import { createClient } from 'redis';
import { after, before, describe, it } from 'node:test';
import { RawClient } from './helpers/resp';
import { startHotkv, startRedis, type RunningServer } from './helpers/servers';

/** EVAL body 0 ...args on a fresh raw connection; the raw reply. */
async function evalRaw(port: number, body: string, ...args: string[]): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    return await c.command('EVAL', body, '0', ...args);
  } finally {
    c.close();
  }
}

/** Resolve when cond() holds, polling; fail after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface QueueSummary {
  order: string[];
  results: Record<string, unknown>;
  events: string[];
  flakyAttempts: number;
  flakyFailedOnce: boolean;
  delayedWaitedMs: boolean;
  counts: Record<string, number>;
}

async function bullmqScenario(port: number): Promise<QueueSummary> {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const name = 'q' + Math.random().toString(36).slice(2, 8);
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  let worker: Worker | undefined;
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    const completed = new Map<string, unknown>();
    events.on('completed', ({ jobId, returnvalue }) => completed.set(jobId, returnvalue));
    const failures: string[] = [];
    const order: string[] = [];
    const t0 = Date.now();
    let delayedAt = 0;
    const ids: Record<string, string> = {};
    const add = async (job: string, n: number, opts: Record<string, unknown> = {}) => {
      ids[job] = (await queue.add(job, { n }, opts)).id!;
    };
    // added before the worker starts, so the priorities decide the order
    await add('plain', 1);
    await add('low', 4, { priority: 10 });
    await add('high', 5, { priority: 1 });
    await add('flaky', 3, { attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    await add('delayed', 2, { delay: 300 });
    worker = new Worker(name, async (job: Job) => {
      order.push(job.name);
      if (job.name === 'delayed') delayedAt = Date.now();
      if (job.name === 'flaky' && job.attemptsMade === 0) throw new Error('first attempt fails');
      return { doubled: job.data.n * 2, job: job.name };
    }, { connection, concurrency: 1 });
    worker.on('failed', (job) => failures.push(job?.name ?? '?'));
    await until(() => completed.size === 5, 20000, `5 completed events (have ${completed.size})`);
    const results: Record<string, unknown> = {};
    for (const [job, id] of Object.entries(ids)) {
      const j = await queue.getJob(id);
      results[job] = j?.returnvalue;
      assert.deepEqual(completed.get(id), JSON.parse(JSON.stringify(j?.returnvalue)), `completed event of ${job}`);
    }
    const flaky = await queue.getJob(ids.flaky);
    const counts = await queue.getJobCounts('completed', 'failed', 'delayed', 'wait', 'active', 'prioritized', 'waiting-children');
    return {
      order: [...order.slice(0, 3), ...order.slice(3).sort()], results, counts,
      events: [...completed.keys()].map((id) => Object.keys(ids).find((k) => ids[k] === id)!).sort(),
      flakyAttempts: flaky?.attemptsMade ?? -1,
      flakyFailedOnce: failures.length === 1 && failures[0] === 'flaky',
      delayedWaitedMs: delayedAt - t0 >= 300,
    };
  } finally {
    await worker?.close();
    await events.close();
    await queue.close();
  }
}

const LUA_INCR_CAP = `local v = redis.call('incr', KEYS[1])
if v > tonumber(ARGV[1]) then redis.call('set', KEYS[1], ARGV[1]) return tonumber(ARGV[1]) end
return v`;

const UNLOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

async function clientScenario(port: number): Promise<unknown[]> {
  const out: unknown[] = [];
  const io = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
  const nr = createClient({ socket: { port, host: '127.0.0.1' } });
  try {
    io.defineCommand('incrCap', { numberOfKeys: 1, lua: LUA_INCR_CAP });
    const withCap = io as Redis & { incrCap(key: string, cap: number): Promise<number> };
    await io.del('cs:n');
    for (let i = 0; i < 4; i++) out.push(await withCap.incrCap('cs:n', 3));
    // after SCRIPT FLUSH ioredis gets NOSCRIPT from EVALSHA and falls back to EVAL
    await io.script('FLUSH');
    out.push(await withCap.incrCap('cs:n', 3));

    await nr.connect();
    const sha = await nr.scriptLoad("return {KEYS[1], ARGV[1], redis.call('incrby', KEYS[1], ARGV[1])}");
    out.push(sha);
    await nr.del('cs:m');
    out.push(await nr.evalSha(sha, { keys: ['cs:m'], arguments: ['5'] }));
    out.push(await nr.evalSha(sha, { keys: ['cs:m'], arguments: ['7'] }));
    out.push(await nr.evalSha('0'.repeat(40), { keys: [], arguments: [] }).catch((e: Error) => e.message));

    // redlock-style: take the lock with a random token, only the holder may release it
    out.push(await nr.set('cs:lock', 'token-a', { NX: true, PX: 10000 }));
    out.push(await nr.set('cs:lock', 'token-b', { NX: true, PX: 10000 }));
    out.push(await nr.eval(UNLOCK, { keys: ['cs:lock'], arguments: ['token-b'] }));
    out.push(await nr.get('cs:lock'));
    out.push(await io.eval(UNLOCK, 1, 'cs:lock', 'token-a'));
    out.push(await nr.exists('cs:lock'));
    out.push(await io.eval(UNLOCK, 1, 'cs:lock', 'token-a'));
  } finally {
    io.disconnect();
    if (nr.isOpen) await nr.quit();
  }
  return out;
}

describe('real clients using scripts: BullMQ, ioredis defineCommand, node-redis evalSha, redlock unlock', () => {
  let hk: RunningServer;
  let rs: RunningServer;
  before(async () => {
    [hk, rs] = await Promise.all([startHotkv(), startRedis()]);
  });
  after(async () => {
    await Promise.all([hk?.stop(), rs?.stop()]);
  });

  const expected: QueueSummary = {
    // jobs without a priority come first, then by priority; the retry (50 ms backoff), the delayed job (300 ms)
    // and the last prioritised one race under load (a loaded machine ran the retry before 'low'), so they are sorted
    order: ['plain', 'flaky', 'high', 'delayed', 'flaky', 'low'],
    results: {
      plain: { doubled: 2, job: 'plain' }, low: { doubled: 8, job: 'low' }, high: { doubled: 10, job: 'high' },
      flaky: { doubled: 6, job: 'flaky' }, delayed: { doubled: 4, job: 'delayed' },
    },
    events: ['delayed', 'flaky', 'high', 'low', 'plain'],
    flakyAttempts: 2,
    flakyFailedOnce: true,
    delayedWaitedMs: true,
    counts: { completed: 5, failed: 0, delayed: 0, wait: 0, active: 0, prioritized: 0, 'waiting-children': 0 },
  };

  it('BullMQ on redis-server (the control): jobs complete with their results, the retried one after one failure', { timeout: 30000 }, async () => {
    assert.deepEqual(await bullmqScenario(rs.port), expected);
  });

  // BullMQ's scripts write every event to a stream (XADD, XTRIM, XLEN, XRANGE, XDEL) and QueueEvents reads it with
  // XREAD BLOCK.
  it('BullMQ on hotkv: the same scenario', { timeout: 30000 }, async () => {
    assert.deepEqual(await bullmqScenario(hk.port), expected);
  });

  it('options packed by msgpackr as BullMQ packs them decode alike through cmsgpack and cjson', async () => {
    const packer = new Packr({ useRecords: false, encodeUndefinedAsNil: true });
    const opts = {
      attempts: 2, backoff: { type: 'fixed', delay: 50 }, delay: 300, priority: 10, removeOnComplete: true, lifo: false,
      jobId: undefined, timestamp: 1764160000123, big: 2 ** 40, neg: -5, negBig: -(2 ** 35), float: 1.5, tiny: 0.1,
      long: 'x'.repeat(40), longer: 'y'.repeat(300), list: [1, 'two', null, { three: 3 }], empty: {}, emptyList: [],
    };
    const args = ['bull:q:', '17', 'job-name', 1764160000123, null, undefined, 'bull:q:parent'];
    // a canonical text of any Lua value (keys sorted), so that table iteration order does not matter
    const dump = `local function dump(v)
      if type(v) ~= 'table' then return type(v) .. ':' .. tostring(v) end
      local keys = {}
      for k in pairs(v) do keys[#keys + 1] = k end
      table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
      local parts = {}
      for _, k in ipairs(keys) do parts[#parts + 1] = tostring(k) .. '=' .. dump(v[k]) end
      return '{' .. table.concat(parts, ',') .. '}'
    end`;
    for (const packed of [packer.pack(opts), packer.pack(args)]) {
      const arg = packed.toString('latin1');
      const body = `${dump} local t = {cmsgpack.unpack(ARGV[1])} local j = cjson.decode(ARGV[2])
        return {dump(t), dump(j), cjson.encode(t[1].list or t[1])}`;
      const json = JSON.stringify(opts);
      const [a, b] = await Promise.all([evalRaw(hk.port, body, arg, json), evalRaw(rs.port, body, arg, json)]);
      assert.equal(a, b);
    }
  });

  it('ioredis defineCommand, node-redis scriptLoad/evalSha, compare-and-delete unlock', { timeout: 15000 }, async () => {
    const control = await clientScenario(rs.port);
    const ours = await clientScenario(hk.port);
    assert.deepEqual(ours, control);
    assert.deepEqual(control.slice(0, 5), [1, 2, 3, 3, 3]);
    assert.deepEqual(control.slice(9), ['OK', null, 0, 'token-a', 1, 0, 0]);
  });
});
