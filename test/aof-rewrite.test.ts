// AOF rewriting against Debian's redis-server 7.0: BGREWRITEAOF under concurrent writes (RDB-preamble
// and RESP bases) leaves one base and one incr file that redis-check-aof accepts, a restart of hotkv
// and redis-server on a copy load to the data written; the replies, INFO fields and file names of
// BGREWRITEAOF / BGSAVE / CONFIG SET appendonly / SHUTDOWN / FLUSHALL around a running job match
// Redis's; the automatic rewrite follows auto-aof-rewrite-percentage/-min-size; CONFIG SET appendonly
// yes on a server with data and no again; a hot upgrade in the middle of a rewrite; SHUTDOWN kills one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { startPair } from './helpers/diff';
import { assertSameData, dumpAll } from './helpers/dump';
import { encodeCommand, RawClient } from './helpers/resp';
import { scratch } from './helpers/scratch';
import { startHotkv, startRedis } from './helpers/servers';
import { buildLogic, info, load, patched, waitUntil } from './helpers/upgrade';

const DBS = [0, 1, 2, 5];
const AOFDIR = 'appendonlydir';

const { track, tmpDir } = scratch('hotkv-aofrw-');

/** Bundles a and b, built once for the hot-upgrade tests, plus "unaware": a, made to act as a logic that knows
 *  no AOF rewrites (it leaves the rewrite's timer alone and records no handoff, as the logic before them). */
let bundleDir: Promise<string> | null = null;
function bundles(): Promise<string> {
  bundleDir ??= (async () => {
    const dir = tmpDir();
    await Promise.all([buildLogic('0.0.9-aofrwa', dir), buildLogic('0.0.9-aofrwb', dir)]);
    patched(dir, 'logic-0.0.9-aofrwa.cjs', 'logic-unaware.cjs', `module.exports = ((orig) => {
  let rw = null;
  return Object.assign({}, orig, {
    activate(h) { rw = h.state.ext.aofrw || null; const saved = rw ? rw.handoff : 0; orig.activate(h); if (rw) rw.handoff = saved; },
    deactivate() { const saved = rw ? rw.handoff : 0; orig.deactivate(); if (rw) rw.handoff = saved; },
    onTimer(key) { if (key !== 'aof-rewrite') orig.onTimer(key); },
  });
})(module.exports);`);
    return dir;
  })();
  return bundleDir;
}

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

/** Every type and encoding, TTLs, several dbs; collections longer than the 64 items of one rewritten command. */
function fillCommands(): string[][] {
  const cmds: string[][] = [['SELECT', '0']];
  cmds.push(['SET', 'plain', 'v'], ['SET', 'int', '12345'], ['SET', 'bin', '\x00\xff\r\n*3\r\n$1\x80'], ['SET', 'empty', '']);
  cmds.push(['SET', 'ttl', 'v', 'PX', '5000000'], ['SET', 'long', 'x'.repeat(300)]);
  cmds.push(['RPUSH', 'lsmall', 'a', 'b', '1'], ['RPUSH', 'lbig', ...range(150, (i) => `item${i}`)], ['PEXPIRE', 'lbig', '6000000']);
  cmds.push(['SADD', 'sint', '1', '2', '-3'], ['SADD', 'sbig', ...range(100, (i) => `m${i}`)]);
  cmds.push(['SADD', 'sintbig', ...range(200, (i) => String(i * 3))]);
  cmds.push(['ZADD', 'zsmall', '1', 'a', '2.5', 'b', '-inf', 'c', 'inf', 'd', '0.1', 'e']);
  cmds.push(['ZADD', 'zbig', ...range(130, (i) => [String(i / 7), `z${i}`]).flat()]);
  cmds.push(['HSET', 'hsmall', 'f', 'v', 'n', '42'], ['HSET', 'hbig', ...range(100, (i) => [`f${i}`, String(i)]).flat()]);
  cmds.push(['PEXPIRE', 'hsmall', '7000000']);
  for (let i = 0; i < 250; i++) cmds.push(['SET', `k:${i}`, `value-${i}`]);
  cmds.push(['SELECT', '1'], ['SET', 'k1', 'v1'], ['RPUSH', 'l1', 'x', 'y'], ['SELECT', '5'], ['SADD', 's5', 'a', 'b'], ['SELECT', '0']);
  return cmds;
}

/** Writes while a rewrite runs: in-place changes of collections the snapshot holds, deletes, renames, TTLs, flushes, MULTI. */
function concurrentCommands(): string[][] {
  return [
    ['SELECT', '0'],
    ['RPUSH', 'lbig', 'NEW'], ['LPOP', 'lsmall'], ['LSET', 'lbig', '3', 'changed'],
    ['SADD', 'sbig', 'added'], ['SREM', 'sint', '1'], ['SADD', 'sintbig', 'notanint'],
    ['ZADD', 'zbig', '1000', 'z0'], ['ZREM', 'zsmall', 'a'], ['ZINCRBY', 'zsmall', '3', 'e'],
    ['HSET', 'hbig', 'f0', 'changed', 'fnew', 'x'], ['HDEL', 'hsmall', 'n'], ['HINCRBYFLOAT', 'hbig', 'f1', '0.5'],
    ['SET', 'plain', 'changed'], ['APPEND', 'long', 'tail'], ['INCR', 'int'], ['INCRBYFLOAT', 'int', '1.5'],
    ['DEL', 'k:0', 'k:1'], ['RENAME', 'k:2', 'renamed'], ['EXPIRE', 'k:3', '1000'], ['PERSIST', 'ttl'],
    ['MULTI'], ['SET', 'inmulti', '1'], ['RPUSH', 'lbig', 'M'], ['EXEC'],
    ['SPOP', 'sbig'], ['SELECT', '1'], ['FLUSHDB'], ['SET', 'afterflush', 'v'],
    ['SELECT', '2'], ['SET', 'new2', 'v'], ['SELECT', '5'], ['SADD', 's5', 'c'], ['MOVE', 's5', '2'], ['SELECT', '0'],
  ];
}

async function run(c: RawClient, cmds: string[][]): Promise<void> {
  for (const cmd of cmds) {
    const r = await c.command(...cmd);
    assert.ok(!r.startsWith('-'), `${cmd.slice(0, 3).join(' ')}: ${r}`);
  }
}

async function persistence(c: RawClient): Promise<Record<string, string>> {
  return info(c, 'persistence');
}

function aofFiles(dir: string): string[] {
  return fs.readdirSync(path.join(dir, AOFDIR)).sort();
}

function manifest(dir: string): string {
  return fs.readFileSync(path.join(dir, AOFDIR, 'appendonly.aof.manifest'), 'latin1');
}

function checkAof(dir: string): void {
  const r = spawnSync('redis-check-aof', [path.join(dir, AOFDIR, 'appendonly.aof.manifest')], { encoding: 'latin1' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /All AOF files and manifest are valid/);
}

function noTempFiles(dir: string): void {
  const left = [...fs.readdirSync(dir), ...fs.readdirSync(path.join(dir, AOFDIR))].filter((f) => f.startsWith('temp-'));
  assert.deepEqual(left, [], 'temp files left behind');
}

/** hotkv restarted on `dir`, and redis-server 7.0 on a copy of its AOF directory, both load `want`. */
async function restartsLoad(dir: string, want: Awaited<ReturnType<typeof dumpAll>>): Promise<void> {
  const hk = await track(startHotkv({ dir, args: ['--appendonly', 'yes'] }));
  const got = await dumpAll(hk.port, DBS, true);
  assertSameData(got, want);
  const copy = tmpDir();
  fs.cpSync(path.join(dir, AOFDIR), path.join(copy, AOFDIR), { recursive: true });
  const redis = await track(startRedis(['--dir', copy, '--appendonly', 'yes']));
  const fromRedis = await dumpAll(redis.port, DBS, true);
  assertSameData(fromRedis, want);
  assertSameData(got, fromRedis); // encodings too: both loaded the same files
  await Promise.all([hk.stop(), redis.stop()]);
}

describe('AOF rewrite', () => {
  for (const preamble of ['yes', 'no']) {
    it(`BGREWRITEAOF under concurrent writes (aof-use-rdb-preamble ${preamble}): one base + one incr, valid, same data after restart and in redis-server`, async () => {
      const hk = await track(startHotkv({ args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble, '--rdb-key-save-delay', '3000'] }));
      const c = await RawClient.connect(hk.port);
      await run(c, fillCommands());
      // the base made at first start follows aof-use-rdb-preamble, as redis-server 7.0's does
      const base1 = `appendonly.aof.1.base.${preamble === 'yes' ? 'rdb' : 'aof'}`;
      assert.deepEqual(aofFiles(hk.dir), [base1, 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
      assert.equal(await c.command('BGREWRITEAOF'), '+Background append only file rewriting started\r\n');
      assert.equal(await c.command('BGREWRITEAOF'), '-ERR Background append only file rewriting already in progress\r\n');
      // the new incr file is in the manifest from the start; the old one stays until the rewrite is done
      assert.equal(manifest(hk.dir), `file ${base1} seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n` +
        'file appendonly.aof.2.incr.aof seq 2 type i\n');
      await run(c, concurrentCommands());
      const during = await persistence(c);
      assert.equal(during.aof_rewrite_in_progress, '1', 'the writes happened while the rewrite ran');
      assert.ok(Number(during.current_save_keys_total) > 250, `current_save_keys_total ${during.current_save_keys_total}`);
      assert.equal(await c.command('CONFIG', 'SET', 'rdb-key-save-delay', '0'), '+OK\r\n');
      await waitUntil('rewrite done', async () => (await persistence(c)).aof_rewrite_in_progress === '0', 20000);
      const p = await persistence(c);
      assert.equal(p.aof_last_bgrewrite_status, 'ok');
      assert.equal(p.aof_rewrites, '1');
      assert.equal(p.aof_base_size, p.aof_current_size);
      assert.ok(Number(p.aof_last_cow_size) > 0, 'values changed during the rewrite were copied');
      await run(c, [['SET', 'post', 'rewrite'], ['RPUSH', 'lbig', 'POST']]);
      const base = `appendonly.aof.2.base.${preamble === 'yes' ? 'rdb' : 'aof'}`;
      assert.deepEqual(aofFiles(hk.dir), [base, 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest'].sort());
      assert.equal(manifest(hk.dir), `file ${base} seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n`);
      const head = fs.readFileSync(path.join(hk.dir, AOFDIR, base), 'latin1').slice(0, 16);
      assert.equal(head, preamble === 'yes' ? 'REDIS0010\xfa\tredis' : '*2\r\n$6\r\nSELECT\r\n');
      noTempFiles(hk.dir);
      checkAof(hk.dir);
      assert.match(hk.output(), /Removing the history file appendonly\.aof\.1\.incr\.aof in the background/);
      const want = await dumpAll(hk.port, DBS);
      assert.equal(Object.keys(want).length, 268);
      c.close();
      await hk.stop('SIGKILL');
      await restartsLoad(hk.dir, want);
    });
  }

  it('replies, INFO and files as redis-server 7.0 around running jobs (appendonly no, BGSAVE, MULTI, CONFIG SET appendonly, SHUTDOWN, FLUSHALL)', async () => {
    const delay = ['--rdb-key-save-delay', '20000']; // 25 keys: each job takes about half a second in both
    const p = await startPair({ args: delay }, delay);
    await Promise.all([track(Promise.resolve(p.hotkv)), track(Promise.resolve(p.redis))]);
    const both = async (what: string, cond: (inf: Record<string, string>) => boolean) => {
      await waitUntil(`${what} (hotkv)`, async () => cond(await persistence(p.h)), 20000);
      await waitUntil(`${what} (redis)`, async () => cond(await persistence(p.r)), 20000);
    };
    const fields = async (names: string[]) => {
      const [h, r] = await Promise.all([persistence(p.h), persistence(p.r)]);
      const pick = (x: Record<string, string>) => names.map((n) => `${n}:${x[n]}`);
      assert.deepEqual(pick(h), pick(r));
    };
    const sameFiles = () => {
      assert.deepEqual(aofFiles(p.hotkv.dir), aofFiles(p.redis.dir));
      assert.equal(manifest(p.hotkv.dir), manifest(p.redis.dir));
    };
    await p.same('MSET', ...range(25, (i) => [`key${i}`, `v${i}`]).flat());
    // with appendonly no a rewrite still writes a base and a manifest (no incr file)
    await p.script([['BGREWRITEAOF'], ['BGREWRITEAOF'], ['BGSAVE'], ['MULTI'], ['BGREWRITEAOF'], ['EXEC'], ['BGSAVE', 'SCHEDULE']]);
    await fields(['aof_enabled', 'aof_rewrite_in_progress', 'rdb_bgsave_in_progress', 'aof_rewrites']);
    // the scheduled BGSAVE starts once the rewrite is done; a BGREWRITEAOF meanwhile is scheduled in turn
    await both('BGSAVE started', (x) => x.rdb_bgsave_in_progress === '1');
    await p.script([['BGREWRITEAOF'], ['BGSAVE'], ['SAVE']]);
    await fields(['aof_rewrite_in_progress', 'aof_rewrite_scheduled', 'rdb_bgsave_in_progress']);
    await both('second rewrite done', (x) => x.aof_rewrites === '2' && x.aof_rewrite_in_progress === '0' && x.rdb_bgsave_in_progress === '0');
    await fields(['aof_rewrite_scheduled', 'aof_last_bgrewrite_status', 'aof_rewrites', 'aof_rewrites_consecutive_failures']);
    sameFiles(); // appendonly.aof.2.base.rdb + manifest
    // CONFIG SET appendonly yes while a BGSAVE runs: scheduled, AOF already reported on
    await p.script([['BGSAVE'], ['CONFIG', 'SET', 'appendonly', 'yes'], ['SET', 'while', 'waiting']]);
    await fields(['aof_enabled', 'aof_rewrite_scheduled', 'aof_pending_rewrite', 'aof_rewrite_in_progress']);
    await both('AOF on', (x) => x.aof_rewrites === '3' && x.aof_rewrite_in_progress === '0' && x.aof_rewrite_scheduled === '0');
    await fields(['aof_enabled', 'aof_rewrite_scheduled', 'aof_last_bgrewrite_status']);
    sameFiles(); // appendonly.aof.3.base.rdb + appendonly.aof.1.incr.aof (the first incr seq of this manifest)
    // FLUSHALL does not stop a rewrite (Redis 7.0 only kills an RDB child there)
    await p.script([['BGREWRITEAOF'], ['FLUSHALL'], ['SET', 'after', 'flush']]);
    await fields(['aof_rewrite_in_progress']);
    await both('rewrite after FLUSHALL done', (x) => x.aof_rewrites === '4' && x.aof_rewrite_in_progress === '0');
    sameFiles();
    // switching off stops appending; on again: SHUTDOWN refuses while the first rewrite is being written
    await p.script([['CONFIG', 'SET', 'appendonly', 'no'], ['SET', 'off', '1'], ['MSET', ...range(25, (i) => [`key${i}`, `v${i}`]).flat()]]);
    await fields(['aof_enabled']);
    await p.script([['CONFIG', 'SET', 'appendonly', 'yes'], ['SHUTDOWN'], ['BGSAVE', 'SCHEDULE']]);
    await fields(['aof_enabled', 'aof_rewrite_in_progress', 'rdb_bgsave_in_progress']);
    assert.match(p.hotkv.output(), /Writing initial AOF, can't exit\./);
    await both('AOF on again', (x) => x.aof_rewrites === '5' && x.aof_rewrite_in_progress === '0');
    await fields(['aof_enabled', 'aof_last_bgrewrite_status']);
    sameFiles();
    assert.deepEqual(aofFiles(p.hotkv.dir), ['appendonly.aof.3.incr.aof', 'appendonly.aof.5.base.rdb', 'appendonly.aof.manifest']);
    await p.stop();
  });

  it('automatic rewrite when the AOF grows auto-aof-rewrite-percentage over its base, past auto-aof-rewrite-min-size', async () => {
    const hk = await track(startHotkv({ args: ['--appendonly', 'yes', '--auto-aof-rewrite-percentage', '100', '--auto-aof-rewrite-min-size', '8kb'] }));
    const c = await RawClient.connect(hk.port);
    let n = 0;
    const writeUntil = async (rewrites: string) => {
      for (;;) {
        const p = await persistence(c);
        if (p.aof_rewrites === rewrites && p.aof_rewrite_in_progress === '0') return p;
        assert.ok(n < 2000, `no automatic rewrite after ${n} keys: ${JSON.stringify(p)}`);
        // values LZF cannot shrink, so the RDB base is about as large as the commands were
        await run(c, range(10, () => ['SET', `k${n++}`, randomBytes(50).toString('hex')]));
      }
    };
    // below the min size nothing happens, whatever the growth over the tiny first base
    const first = await writeUntil('1');
    assert.ok(n * 130 > 8192, `rewritten after only ${n} keys`);
    assert.equal(first.aof_last_bgrewrite_status, 'ok');
    const base1 = Number(first.aof_base_size);
    // the rewrite starts once the AOF passed 8 KiB; the RDB base holds the same keys in somewhat fewer bytes
    // than their commands (no RESP framing), so it can be a little under 8 KiB (seen: 7,942)
    assert.ok(base1 > 8192 * 0.8, `base ${base1}`);
    // the next one needs the AOF to double again
    const before2 = n;
    await writeUntil('2');
    assert.ok((n - before2) * 130 >= base1 * 0.9, `second rewrite after ${n - before2} keys on a base of ${base1} bytes`);
    const growth = [...hk.output().matchAll(/Starting automatic rewriting of AOF on (\d+)% growth/g)].map((m) => Number(m[1]));
    assert.equal(growth.length, 2);
    for (const g of growth) assert.ok(g >= 100, `growth ${g}%`);
    assert.equal(manifest(hk.dir), 'file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n');
    checkAof(hk.dir);
    const want = await dumpAll(hk.port, DBS);
    assert.equal(Object.keys(want).length, n);
    c.close();
    await hk.stop('SIGKILL');
    await restartsLoad(hk.dir, want);
  });

  it('CONFIG SET appendonly yes on a server with data writes a base and collects writes meanwhile; appendonly no stops appending', async () => {
    const hk = await track(startHotkv({ args: ['--rdb-key-save-delay', '3000'] }));
    const c = await RawClient.connect(hk.port);
    await run(c, fillCommands());
    assert.ok(!fs.existsSync(path.join(hk.dir, AOFDIR)));
    // the writes pipelined right behind CONFIG SET go to the temp incr file, then to appendonly.aof.1.incr.aof
    c.write(Buffer.concat([encodeCommand(['CONFIG', 'SET', 'appendonly', 'yes']), encodeCommand(['SET', 'pipelined', 'behind'])]));
    assert.equal(await c.reply(), '+OK\r\n');
    assert.equal(await c.reply(), '+OK\r\n');
    const p = await persistence(c);
    assert.equal(p.aof_enabled, '1');
    assert.equal(p.aof_rewrite_in_progress, '1');
    assert.deepEqual(aofFiles(hk.dir), ['temp-appendonly.aof.incr']);
    await run(c, concurrentCommands());
    assert.equal((await persistence(c)).aof_rewrite_in_progress, '1', 'the writes happened while the rewrite ran');
    await c.command('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    await waitUntil('AOF on', async () => (await persistence(c)).aof_rewrite_in_progress === '0', 20000);
    assert.deepEqual(aofFiles(hk.dir), ['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    assert.match(hk.output(), /Successfully renamed the temporary AOF incr file temp-appendonly\.aof\.incr into appendonly\.aof\.1\.incr\.aof/);
    noTempFiles(hk.dir);
    checkAof(hk.dir);
    await run(c, [['SET', 'after', 'on']]);
    const want = await dumpAll(hk.port, DBS);
    c.close();
    await hk.stop('SIGKILL');
    await restartsLoad(hk.dir, want);

    const hk2 = await track(startHotkv({ dir: hk.dir, args: ['--appendonly', 'yes'] }));
    const c2 = await RawClient.connect(hk2.port);
    const incr = path.join(hk.dir, AOFDIR, 'appendonly.aof.1.incr.aof');
    await run(c2, [['SET', 'still', 'on']]);
    assert.equal(await c2.command('CONFIG', 'SET', 'appendonly', 'no'), '+OK\r\n');
    assert.equal((await persistence(c2)).aof_enabled, '0');
    const size = fs.statSync(incr).size;
    await run(c2, [['SET', 'off', '1'], ['DEL', 'plain']]);
    assert.equal(fs.statSync(incr).size, size, 'nothing appended with appendonly no');
    c2.close();
    await hk2.stop('SIGKILL');
    const hk3 = await track(startHotkv({ dir: hk.dir, args: ['--appendonly', 'yes'] }));
    const c3 = await RawClient.connect(hk3.port);
    assert.equal(await c3.command('GET', 'still'), '$2\r\non\r\n');
    assert.equal(await c3.command('EXISTS', 'off'), ':0\r\n');
    assert.equal(await c3.command('GET', 'plain'), '$7\r\nchanged\r\n');
    c3.close();
    await hk3.stop();
  });

  it('a hot upgrade in the middle of a rewrite: the new logic finishes it, the files are valid, the data the same', async () => {
    const logicDir = await bundles();
    const hk = await track(startHotkv({
      logicDir, logicFile: 'logic-0.0.9-aofrwa.cjs', args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', '--rdb-key-save-delay', '5000'],
    }));
    const c = await RawClient.connect(hk.port);
    await run(c, fillCommands());
    assert.equal(await c.command('BGREWRITEAOF'), '+Background append only file rewriting started\r\n');
    const half = concurrentCommands();
    await run(c, half.slice(0, 12));
    assert.equal((await load(c, 'logic-0.0.9-aofrwb.cjs')).to, '0.0.9-aofrwb');
    assert.equal((await info(c, 'upgrade')).logic_version, '0.0.9-aofrwb');
    assert.equal((await persistence(c)).aof_rewrite_in_progress, '1', 'still rewriting after the swap');
    await run(c, half.slice(12));
    assert.equal((await persistence(c)).aof_rewrite_in_progress, '1');
    await c.command('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    await waitUntil('rewrite done', async () => (await persistence(c)).aof_rewrite_in_progress === '0', 20000);
    const p = await persistence(c);
    assert.equal(p.aof_last_bgrewrite_status, 'ok');
    assert.equal(manifest(hk.dir), 'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
    noTempFiles(hk.dir);
    checkAof(hk.dir);
    const want = await dumpAll(hk.port, DBS);
    c.close();
    await hk.stop('SIGKILL');
    await restartsLoad(hk.dir, want);
  });

  it('a rewrite paused under a logic that does not know it (a rollback) is dropped by the next one, and redone', async () => {
    const logicDir = await bundles();
    const hk = await track(startHotkv({
      logicDir, logicFile: 'logic-0.0.9-aofrwa.cjs', args: ['--appendonly', 'yes', '--rdb-key-save-delay', '5000'],
    }));
    const c = await RawClient.connect(hk.port);
    await run(c, fillCommands());
    assert.equal(await c.command('BGREWRITEAOF'), '+Background append only file rewriting started\r\n');
    await run(c, concurrentCommands().slice(0, 12));
    await load(c, 'logic-unaware.cjs');
    await run(c, concurrentCommands().slice(12));
    assert.equal((await persistence(c)).aof_rewrite_in_progress, '1');
    assert.equal((await load(c, 'logic-0.0.9-aofrwb.cjs')).to, '0.0.9-aofrwb');
    assert.match(hk.output(), /Background AOF rewrite dropped: a logic that does not know it ran while it was paused/);
    const p = await persistence(c);
    assert.deepEqual([p.aof_rewrite_in_progress, p.aof_last_bgrewrite_status, p.aof_rewrites_consecutive_failures], ['0', 'err', '1']);
    noTempFiles(hk.dir);
    assert.equal(manifest(hk.dir), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n' +
      'file appendonly.aof.2.incr.aof seq 2 type i\n');
    checkAof(hk.dir);
    await c.command('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    assert.equal(await c.command('BGREWRITEAOF'), '+Background append only file rewriting started\r\n');
    await waitUntil('rewrite done', async () => (await persistence(c)).aof_rewrite_in_progress === '0', 20000);
    assert.equal((await persistence(c)).aof_last_bgrewrite_status, 'ok');
    assert.equal(manifest(hk.dir), 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n');
    const want = await dumpAll(hk.port, DBS);
    c.close();
    await hk.stop('SIGKILL');
    await restartsLoad(hk.dir, want);
  });

  it('SHUTDOWN kills a running rewrite and deletes its temp file; the AOF it had stays valid', async () => {
    const hk = await track(startHotkv({ args: ['--appendonly', 'yes', '--rdb-key-save-delay', '20000'] }));
    const c = await RawClient.connect(hk.port);
    await run(c, [['MSET', ...range(50, (i) => [`key${i}`, `v${i}`]).flat()]]);
    assert.equal(await c.command('BGREWRITEAOF'), '+Background append only file rewriting started\r\n');
    await waitUntil('temp base file', () => fs.readdirSync(hk.dir).some((f) => f.startsWith('temp-rewriteaof-bg-')));
    c.write(encodeCommand(['SHUTDOWN', 'NOSAVE']));
    await c.readUntilClose(5000);
    assert.equal(await hk.stop(), 0);
    assert.match(hk.output(), /There is a child rewriting the AOF\. Killing it!/);
    assert.deepEqual(fs.readdirSync(hk.dir).filter((f) => f.startsWith('temp-')), []);
    // the new incr file is in the manifest already: a restart loads the old base and both incr files
    assert.equal(manifest(hk.dir), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n' +
      'file appendonly.aof.2.incr.aof seq 2 type i\n');
    checkAof(hk.dir);
    const hk2 = await track(startHotkv({ dir: hk.dir, args: ['--appendonly', 'yes'] }));
    const c2 = await RawClient.connect(hk2.port);
    assert.equal(await c2.command('DBSIZE'), ':50\r\n');
    c2.close();
    await hk2.stop();
  });
});
