// MISCONF: when a background save fails and save points are set (stop-writes-on-bgsave-error yes),
// write commands, PING and an EXEC holding a write are refused with Redis's MISCONF text until a save
// succeeds; reads go on. Compared reply for reply with redis-server 7.0, made to fail the same way
// (its `dir` is removed under it, so the temp file cannot be created).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPair, type Pair } from './helpers/diff';
import { info, waitUntil } from './helpers/upgrade';

let p: Pair;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-misconf-'));

before(async () => {
  // CONFIG SET dir is a protected config in Redis 7.0
  p = await startPair({ args: ['--enable-protected-configs', 'yes'] }, ['--enable-protected-configs', 'yes']);
});
after(async () => {
  p.h.close();
  p.r.close();
  await Promise.all([p.hotkv.stop(), p.redis.stop()]);
  fs.rmSync(work, { recursive: true, force: true });
});

async function bgsaveStatus(): Promise<[string, string]> {
  const [h, r] = await Promise.all([info(p.h, 'persistence'), info(p.r, 'persistence')]);
  return [h.rdb_bgsave_in_progress === '0' ? h.rdb_last_bgsave_status : 'running', r.rdb_bgsave_in_progress === '0' ? r.rdb_last_bgsave_status : 'running'];
}

describe('MISCONF after a failed background save', () => {
  it('refuses writes, PING and EXEC with a write, exactly as redis-server; a good save lifts it', async () => {
    const dirs = [path.join(work, 'h'), path.join(work, 'r')];
    for (const d of dirs) fs.mkdirSync(d);
    await p.script([['SET', 'k', '1'], ['RPUSH', 'l', 'a']]);
    assert.equal(await p.h.command('CONFIG', 'SET', 'dir', dirs[0], 'save', '900 1'), '+OK\r\n');
    assert.equal(await p.r.command('CONFIG', 'SET', 'dir', dirs[1], 'save', '900 1'), '+OK\r\n');
    for (const d of dirs) fs.rmSync(d, { recursive: true });
    await p.same('BGSAVE');
    await waitUntil('both saves failed', async () => (await bgsaveStatus()).join() === 'err,err', 20000, 20);
    await p.script([
      ['SET', 'k', '2'], ['GET', 'k'], ['PING'], ['ECHO', 'x'], ['INCR', 'k'], ['LPOP', 'l'], ['LRANGE', 'l', '0', '-1'],
      ['DEL', 'k'], ['EXISTS', 'k'], ['MULTI'], ['GET', 'k'], ['EXEC'], ['MULTI'], ['SET', 'k', '3'], ['EXEC'],
      ['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no'], ['SET', 'k', '4'], ['PING'],
      ['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes'], ['SET', 'k', '5'],
      ['CONFIG', 'SET', 'save', ''], ['SET', 'k', '6'], ['CONFIG', 'SET', 'save', '900 1'], ['SET', 'k', '7'],
    ]);
    // A MULTI opened before the error started: its EXEC is refused when it holds a write.
    await p.script([['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no'], ['MULTI'], ['SET', 'k', '8'], ['GET', 'k'],
      ['CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'yes']]);
    // (CONFIG SET is queued too, so the error is still off when EXEC runs: both servers agree on that.)
    await p.same('EXEC');
    // refused calls count as the command's rejected_calls, as Redis's rejectCommand does
    const rejected = async (c: typeof p.h) => Object.entries(await info(c, 'commandstats'))
      .map(([k, v]) => `${k}:${/rejected_calls=(\d+)/.exec(v)?.[1]}`).filter((x) => !x.endsWith(':0')).sort();
    assert.deepEqual(await rejected(p.h), await rejected(p.r));
    const errs = (await info(p.h, 'errorstats')).errorstat_MISCONF;
    assert.match(errs ?? '', /^count=\d+$/, 'MISCONF counted in errorstats');
    // A save that works lifts the refusal.
    // (A new directory at the old path: each server's working directory is still the removed one.)
    for (const d of dirs) fs.mkdirSync(d);
    assert.equal(await p.h.command('CONFIG', 'SET', 'dir', dirs[0]), '+OK\r\n');
    assert.equal(await p.r.command('CONFIG', 'SET', 'dir', dirs[1]), '+OK\r\n');
    await p.same('BGSAVE');
    await waitUntil('both saves succeeded', async () => (await bgsaveStatus()).join() === 'ok,ok', 20000, 20);
    await p.script([['SET', 'k', '9'], ['GET', 'k'], ['PING']]);
  });
});
