// Loading at start without shutting clients out, as Redis 7.0 does: the listeners open while the dump
// or the AOF is read, commands without the `loading` flag get -LOADING (byte for byte what
// redis-server answers while it loads the same file with the same knobs), INFO shows loading:1 and
// the loading_* progress fields, and the load survives a hot upgrade in the middle. A file damaged
// past the first slice stops the process (status 1) after the listeners were open; SIGTERM while
// loading exits without saving a half-loaded dataset.
//
// Loading is slowed down the way Redis's own tests do it: key-load-delay (microseconds per key) and
// loading-process-events-interval-bytes 1024.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RawClient } from './helpers/resp';
import { startHotkv, startRedis, type RunningServer } from './helpers/servers';
import { buildLogic, FA, FB, info, load, VA, VB, waitUntil } from './helpers/upgrade';

const KEYS = 20000;
const SLOW = ['--key-load-delay', '100', '--loading-process-events-interval-bytes', '1024'];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-loading-'));
const running: RunningServer[] = [];
let dumpFile = '';
let aofDir = '';

async function connect(port: number): Promise<RawClient> {
  for (let i = 0; ; i++) {
    try {
      return await RawClient.connect(port);
    } catch (e) {
      if (i > 200) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

async function loadingOf(c: RawClient): Promise<string> {
  return (await info(c, 'persistence')).loading;
}

/** A copy of `file` (or directory) in a fresh directory; returns that directory. */
function copyInto(src: string): string {
  const d = fs.mkdtempSync(path.join(work, 'd-'));
  fs.cpSync(src, path.join(d, path.basename(src)), { recursive: true });
  return d;
}

before(async () => {
  // The files come from redis-server 7.0: a dump of KEYS strings plus other types, and an AOF directory
  // (RDB-preamble base + incr with commands) of the same data.
  const r = await startRedis(['--enable-debug-command', 'yes', '--appendonly', 'yes']);
  running.push(r);
  const c = await RawClient.connect(r.port);
  assert.equal(await c.command('DEBUG', 'POPULATE', String(KEYS), 'key', '16'), '+OK\r\n');
  await c.command('RPUSH', 'list', 'a', 'b', 'c');
  await c.command('HSET', 'hash', 'f', 'v');
  await c.command('ZADD', 'zset', '1', 'm');
  await c.command('SET', 'ttl', 'v', 'EX', '1000');
  await c.command('BGREWRITEAOF');
  await waitUntil('AOF rewrite', async () => (await info(c, 'persistence')).aof_rewrite_in_progress === '0' &&
    fs.readdirSync(path.join(r.dir, 'appendonlydir')).some((f) => f.includes('.2.base')), 20000, 50);
  for (let i = 0; i < 3000; i++) c.write(`*3\r\n$3\r\nSET\r\n$${`aof:${i}`.length}\r\naof:${i}\r\n$1\r\n${i % 10}\r\n`);
  for (let i = 0; i < 3000; i++) assert.equal(await c.reply(), '+OK\r\n');
  assert.equal(await c.command('SAVE'), '+OK\r\n');
  c.close();
  await r.stop();
  dumpFile = path.join(work, 'dump.rdb');
  fs.copyFileSync(path.join(r.dir, 'dump.rdb'), dumpFile);
  aofDir = path.join(work, 'appendonlydir');
  fs.cpSync(path.join(r.dir, 'appendonlydir'), aofDir, { recursive: true });
});

after(async () => {
  for (const s of running) await s.stop('SIGKILL');
  fs.rmSync(work, { recursive: true, force: true });
});

/** What both servers answer to while they load (sent on one connection, replies compared byte for byte). */
const WHILE_LOADING: string[][] = [
  ['GET', 'key:1'], ['SET', 'x', 'y'], ['PING'], ['DBSIZE'], ['ECHO', 'hi'], ['CLIENT', 'SETNAME', 'loader'],
  ['CLIENT', 'GETNAME'], ['CONFIG', 'GET', 'key-load-delay'], ['MULTI'], ['SET', 'x', 'y'], ['EXEC'], ['SELECT', '1'],
  ['KEYS', '*'], ['LASTSAVE-NOT-A-COMMAND'], ['GET', 'key:1', 'extra'], ['CLIENT', 'NO-SUCH-SUB'],
];

async function whileLoading(port: number): Promise<string[]> {
  const c = await connect(port);
  await waitUntil('loading:1', async () => (await loadingOf(c)) === '1', 10000, 5);
  const out: string[] = [];
  for (const cmd of WHILE_LOADING) out.push(await c.command(...cmd));
  const persistence = await info(c, 'persistence');
  assert.equal(persistence.loading, '1', 'still loading after the commands: make the load slower');
  for (const f of ['loading_start_time', 'loading_total_bytes', 'loading_rdb_used_mem', 'loading_loaded_bytes', 'loading_loaded_perc', 'loading_eta_seconds']) {
    assert.ok(f in persistence, `INFO persistence has ${f} while loading`);
  }
  assert.ok(Number(persistence.loading_loaded_bytes) <= Number(persistence.loading_total_bytes));
  assert.match(persistence.loading_loaded_perc, /^\d+\.\d\d$/);
  out.push(`keys-order:${Object.keys(persistence).filter((k) => k.startsWith('loading_')).join(',')}`);
  c.close();
  return out;
}

async function afterLoading(port: number): Promise<string[]> {
  const c = await connect(port);
  await waitUntil('loading:0', async () => (await loadingOf(c)) === '0', 60000, 20);
  const out = [await c.command('DBSIZE'), await c.command('GET', 'key:0'), await c.command('GET', `key:${KEYS - 1}`),
    await c.command('LRANGE', 'list', '0', '-1'), await c.command('HGETALL', 'hash'), await c.command('ZRANGE', 'zset', '0', '-1', 'WITHSCORES'),
    await c.command('GET', 'aof:2999'), (await c.command('TTL', 'ttl')).replace(/\d+/, 'n')];
  c.close();
  return out;
}

describe('loading at start', () => {
  it('answers like redis-server while loading a dump: -LOADING, allowed commands, INFO loading fields', async () => {
    const r = await startRedis(['--dir', copyInto(dumpFile), ...SLOW], { ready: 'Server initialized' });
    running.push(r);
    const h = await startHotkv({ dir: copyInto(dumpFile), args: SLOW, ready: 'Server initialized' });
    running.push(h);
    const [got, want] = await Promise.all([whileLoading(h.port), whileLoading(r.port)]);
    assert.deepEqual(got, want);
    assert.ok(got.includes('-LOADING Redis is loading the dataset in memory\r\n'));
    const [gotAfter, wantAfter] = await Promise.all([afterLoading(h.port), afterLoading(r.port)]);
    assert.deepEqual(gotAfter, wantAfter);
    assert.equal(gotAfter[0], `:${KEYS + 4 + 3000}\r\n`);
    await h.waitFor('Ready to accept connections');
    assert.match(h.output(), /Loading .*dump\.rdb: \d+\.\d\d% \(\d+ of \d+ bytes\)/);
    await h.stop();
    await r.stop();
  });

  it('loads an AOF directory in the background and ends with the same contents as redis-server', async () => {
    const hdir = copyInto(aofDir);
    const rdir = copyInto(aofDir);
    const h = await startHotkv({ dir: hdir, args: ['--appendonly', 'yes', ...SLOW], ready: 'Server initialized' });
    running.push(h);
    const r = await startRedis(['--dir', rdir, '--appendonly', 'yes'], { ready: 'Ready to accept connections' });
    running.push(r);
    const c = await connect(h.port);
    await waitUntil('loading:1', async () => (await loadingOf(c)) === '1', 10000, 5);
    assert.equal(await c.command('SET', 'during', 'load'), '-LOADING Redis is loading the dataset in memory\r\n');
    c.close();
    assert.deepEqual(await afterLoading(h.port), await afterLoading(r.port));
    // Appending works once loaded, and a restart sees it.
    const c2 = await connect(h.port);
    assert.equal(await c2.command('SET', 'after', 'load'), '+OK\r\n');
    c2.close();
    await h.stop();
    const h2 = await startHotkv({ dir: hdir, args: ['--appendonly', 'yes'] });
    running.push(h2);
    const c3 = await connect(h2.port);
    assert.equal(await c3.command('GET', 'after'), '$4\r\nload\r\n');
    assert.equal(await c3.command('DBSIZE'), `:${KEYS + 4 + 3000 + 1}\r\n`);
    c3.close();
    await h2.stop();
    await r.stop();
  });

  it('continues a load across a hot upgrade in the middle of it', async () => {
    const logicDir = fs.mkdtempSync(path.join(work, 'logic-'));
    await buildLogic(VA, logicDir);
    await buildLogic(VB, logicDir);
    // slower than the others: the upgrade (30 self-test rounds, one per turn of the loop) must land mid-load
    const h = await startHotkv({ dir: copyInto(dumpFile), logicDir, logicFile: FA, args: [...SLOW, '--key-load-delay', '250'], ready: 'Server initialized' });
    running.push(h);
    const c = await connect(h.port);
    await waitUntil('loading:1', async () => (await loadingOf(c)) === '1', 10000, 5);
    const r = await load(c, FB);
    assert.equal(r.to, VB);
    assert.equal((await info(c, 'persistence')).loading, '1', 'the upgrade happened during the load');
    assert.equal(await c.command('GET', 'key:1'), '-LOADING Redis is loading the dataset in memory\r\n');
    await waitUntil('loading:0', async () => (await loadingOf(c)) === '0', 60000, 20);
    assert.equal((await info(c, 'upgrade')).logic_version, VB);
    assert.equal(await c.command('DBSIZE'), `:${KEYS + 4 + 3000}\r\n`);
    // DEBUG POPULATE's values are "value:<n>" padded with zero bytes to the size asked for
    assert.equal(await c.command('GET', `key:${KEYS - 1}`), `$16\r\n${`value:${KEYS - 1}`.padEnd(16, '\0')}\r\n`);
    c.close();
    await h.waitFor('Ready to accept connections');
    await h.stop();
  });

  it('stops with status 1 when the file is damaged past the first slice, after the listeners opened', async () => {
    // Flip one byte of a value near the end: it parses, only the CRC64 at the end finds it.
    const dir = copyInto(dumpFile);
    const file = path.join(dir, 'dump.rdb');
    const b = fs.readFileSync(file);
    const at = b.lastIndexOf(Buffer.from(`value:`), b.length - 100);
    b[at] ^= 0x20;
    fs.writeFileSync(file, b);
    const h = await startHotkv({ dir, args: SLOW, ready: 'Server initialized' });
    running.push(h);
    const c = await connect(h.port);
    assert.equal(await c.command('GET', 'key:1'), '-LOADING Redis is loading the dataset in memory\r\n');
    c.close();
    await waitUntil('exit', () => h.proc.exitCode !== null, 60000, 20);
    assert.equal(h.proc.exitCode, 1);
    assert.match(h.output(), /Bad RDB file .*dump\.rdb at offset \d+: Wrong RDB checksum/);
    assert.doesNotMatch(h.output(), /Ready to accept connections/);
  });

  it('SIGTERM while loading exits without saving over the dump', async () => {
    const dir = copyInto(dumpFile);
    const file = path.join(dir, 'dump.rdb');
    const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const h = await startHotkv({ dir, args: [...SLOW, '--save', '900 1'], ready: 'Server initialized' });
    running.push(h);
    const c = await connect(h.port);
    await waitUntil('loading:1', async () => (await loadingOf(c)) === '1', 10000, 5);
    c.close();
    assert.equal(await h.stop('SIGTERM'), 0);
    assert.match(h.output(), /Received shutdown signal during loading, scheduling shutdown\./);
    assert.doesNotMatch(h.output(), /DB saved on disk/);
    assert.equal(createHash('sha256').update(fs.readFileSync(file)).digest('hex'), sha);
    // redis-check-rdb still accepts it
    const check = spawnSync('redis-check-rdb', [file], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
  });
});
