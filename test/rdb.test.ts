// RDB persistence against Debian's redis-server 7.0, both directions: a dump Redis wrote loads in
// hotkv with the same types, encodings, contents and TTLs; a dump hotkv wrote passes redis-check-rdb
// and loads in redis-server the same way. Plus BGSAVE under concurrent writes (the dump is the state
// at BGSAVE start), a hot upgrade in the middle of a BGSAVE, and damaged files refused at start.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeReply as decode, RawClient, type ReplyValue } from './helpers/resp';
import { startHotkv, startRedis, type RunningServer } from './helpers/servers';
import { buildLogic, info, load, waitUntil } from './helpers/upgrade';

const DBS = [0, 1, 3];

async function q(c: RawClient, ...args: string[]): Promise<ReplyValue> {
  return decode(await c.command(...args));
}

/** The same data, every type and encoding, for both servers. */
function fillCommands(): string[][] {
  const cmds: string[][] = [['SELECT', '0']];
  cmds.push(['SET', 'int', '12345'], ['SET', 'bigint', '1234567890123456'], ['SET', 'neg', '-7'], ['SET', 'emb', 'hello world']);
  cmds.push(['SET', 'raw', 'r'.repeat(100)], ['SET', 'zeros', 'a'.repeat(5000)], ['SET', 'bin', '\x00\xff\r\n\x01binary\x80'.repeat(5)]);
  cmds.push(['SET', 'empty', ''], ['SET', 'lead0', '007'], ['SET', 'ttl', 'v'], ['PEXPIRE', 'ttl', '500000']);
  cmds.push(['RPUSH', 'lsmall', 'a', '1', '-300', '70000', '5000000000', 'x'.repeat(100), '-9223372036854775808']);
  const big: string[] = [];
  for (let i = 0; i < 3000; i++) big.push(i % 3 === 0 ? String(i * 7919) : `item:${i}:${'z'.repeat(i % 50)}`);
  cmds.push(['RPUSH', 'lbig', ...big], ['PEXPIRE', 'lbig', '900000']);
  cmds.push(['SADD', 'sint', '1', '-2', '300', '70000', '5000000000'], ['SADD', 'sint16', '1', '2', '3']);
  cmds.push(['SADD', 'sstr', 'a', 'b', 'c', '10']);
  const ints: string[] = [];
  for (let i = 0; i < 700; i++) ints.push(String(i * 3));
  cmds.push(['SADD', 'sbig', ...ints]);
  cmds.push(['ZADD', 'zsmall', '1', 'a', '2.5', 'b', '-0', 'c', 'inf', 'd', '-inf', 'e', '1e300', 'f', '-3', 'g']);
  const zs: string[] = [];
  for (let i = 0; i < 200; i++) zs.push(String(i / 7), `m${i}`);
  cmds.push(['ZADD', 'zbig', ...zs], ['ZADD', 'zlong', '1', 'L'.repeat(100)]);
  cmds.push(['HSET', 'hsmall', 'f1', 'v1', 'n', '42', 'neg', '-5000', 'e', '']);
  const hs: string[] = [];
  for (let i = 0; i < 600; i++) hs.push(`f${i}`, String(i));
  cmds.push(['HSET', 'hbig', ...hs], ['HSET', 'hlongval', 'f', 'V'.repeat(200)], ['PEXPIRE', 'hsmall', '300000']);
  cmds.push(['SELECT', '1'], ['SET', 'k1', 'db1'], ['RPUSH', 'l1', 'x'], ['SELECT', '3'], ['SADD', 's3', 'x', 'y'], ['SELECT', '0']);
  return cmds;
}

async function fill(port: number): Promise<void> {
  const c = await RawClient.connect(port);
  for (const cmd of fillCommands()) {
    const r = await c.command(...cmd);
    assert.ok(!r.startsWith('-'), `${cmd.slice(0, 2).join(' ')}: ${r}`);
  }
  c.close();
}

interface KeyDump { type: ReplyValue; enc: ReplyValue; content: ReplyValue; pttl: number }

/** Every key of every db: TYPE, OBJECT ENCODING, contents (sorted where Redis's order is a hash order), PTTL. */
async function dumpAll(port: number): Promise<Record<string, KeyDump>> {
  const c = await RawClient.connect(port);
  const out: Record<string, KeyDump> = {};
  for (const db of DBS) {
    await q(c, 'SELECT', String(db));
    const keys = (await q(c, 'KEYS', '*')) as string[];
    for (const k of keys) {
      const type = await q(c, 'TYPE', k);
      const enc = await q(c, 'OBJECT', 'ENCODING', k);
      let content: ReplyValue;
      if (type === 'string') content = await q(c, 'GET', k);
      else if (type === 'list') content = await q(c, 'LRANGE', k, '0', '-1');
      else if (type === 'set') {
        content = (await q(c, 'SMEMBERS', k)) as string[];
        if (enc === 'hashtable') content.sort();
      } else if (type === 'zset') content = await q(c, 'ZRANGE', k, '0', '-1', 'WITHSCORES');
      else {
        const flat = (await q(c, 'HGETALL', k)) as string[];
        if (enc === 'hashtable') {
          const pairs: string[][] = [];
          for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
          pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
          content = pairs.flat();
        } else content = flat;
      }
      out[`${db}:${k}`] = { type, enc, content, pttl: (await q(c, 'PTTL', k)) as number };
    }
  }
  c.close();
  return out;
}

function assertSameData(got: Record<string, KeyDump>, want: Record<string, KeyDump>): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const k of Object.keys(want)) {
    const g = got[k];
    const w = want[k];
    assert.deepEqual([g.type, g.enc], [w.type, w.enc], `${k}: type/encoding`);
    assert.deepEqual(g.content, w.content, `${k}: contents`);
    if (w.pttl < 0) assert.equal(g.pttl, w.pttl, `${k}: pttl`);
    else assert.ok(Math.abs(g.pttl - w.pttl) < 5000 && g.pttl > 0, `${k}: pttl ${g.pttl} vs ${w.pttl}`);
  }
}

const servers: RunningServer[] = [];
const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-rdb-'));
  tmpDirs.push(d);
  return d;
}
async function track<T extends RunningServer>(p: Promise<T>): Promise<T> {
  const s = await p;
  servers.push(s);
  return s;
}

after(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('RDB', () => {
  it('loads a dump redis-server 7.0 wrote: every type and encoding, TTLs, several dbs', async () => {
    const redis = await track(startRedis(['--enable-debug-command', 'yes']));
    await fill(redis.port);
    const rc = await RawClient.connect(redis.port);
    assert.equal(await rc.command('SAVE'), '+OK\r\n');
    // what Redis itself makes of its dump (it converts some encodings on load)
    assert.equal(await rc.command('DEBUG', 'RELOAD'), '+OK\r\n');
    rc.close();
    const want = await dumpAll(redis.port);
    const dir = tmpDir();
    fs.copyFileSync(path.join(redis.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    const hk = await track(startHotkv({ dir }));
    assert.match(hk.output(), /Done loading RDB, keys loaded: 25, keys expired: 0/);
    assertSameData(await dumpAll(hk.port), want);
    const c = await RawClient.connect(hk.port);
    const inf = await info(c, 'persistence');
    assert.equal(inf.rdb_last_load_keys_loaded, '25');
    c.close();
  });

  it('writes a dump redis-check-rdb accepts and redis-server 7.0 loads the same', async () => {
    const hk = await track(startHotkv());
    await fill(hk.port);
    const c = await RawClient.connect(hk.port);
    assert.equal(await c.command('SAVE'), '+OK\r\n');
    assert.equal((await info(c, 'persistence')).rdb_changes_since_last_save, '0');
    c.close();
    const want = await dumpAll(hk.port);
    const file = path.join(hk.dir, 'dump.rdb');
    assert.ok(!fs.readdirSync(hk.dir).some((f) => f.startsWith('temp-')), 'no temp file left');
    const check = spawnSync('redis-check-rdb', [file], { encoding: 'utf8' });
    assert.match(check.stdout, /RDB looks OK/, check.stdout + check.stderr);
    assert.match(check.stdout, /Checksum OK/);
    const redis = await track(startRedis(['--dbfilename', 'in.rdb']));
    await redis.stop();
    fs.copyFileSync(file, path.join(redis.dir, 'in.rdb'));
    const redis2 = await track(startRedis(['--dir', redis.dir, '--dbfilename', 'in.rdb']));
    assertSameData(await dumpAll(redis2.port), want);
    // and back: hotkv loads its own dump
    const hk2 = await track(startHotkv({ dir: hk.dir }));
    assertSameData(await dumpAll(hk2.port), want);
  });

  it('rdbcompression no and rdbchecksum no still give a file Redis loads', async () => {
    const hk = await track(startHotkv({ args: ['--rdbcompression', 'no', '--rdbchecksum', 'no'] }));
    await fill(hk.port);
    const c = await RawClient.connect(hk.port);
    assert.equal(await c.command('SAVE'), '+OK\r\n');
    c.close();
    const want = await dumpAll(hk.port);
    const data = fs.readFileSync(path.join(hk.dir, 'dump.rdb'));
    assert.ok(data.subarray(data.length - 8).equals(Buffer.alloc(8)), 'checksum 0 when rdbchecksum no');
    assert.ok(data.includes(Buffer.from('a'.repeat(5000))), 'uncompressed');
    const dir = tmpDir();
    fs.copyFileSync(path.join(hk.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    const redis = await track(startRedis(['--dir', dir]));
    assertSameData(await dumpAll(redis.port), want);
  });

  it('refuses to start on a corrupt, truncated or CRC-mismatched dump, naming the file and offset', async () => {
    const hk = await track(startHotkv());
    await fill(hk.port);
    const c = await RawClient.connect(hk.port);
    await c.command('SAVE');
    c.close();
    const good = fs.readFileSync(path.join(hk.dir, 'dump.rdb'));
    const cases: [string, Buffer, RegExp][] = [
      ['truncated', good.subarray(0, Math.floor(good.length / 2)), /Short read|integrity|Invalid/],
      ['crc', Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([good[good.length - 1] ^ 1])]), /Wrong RDB checksum/],
      ['garbage', Buffer.from('REDIS0010\xfa\x09redis-ver\x067.0.15\x63junk', 'latin1'), /offset \d+/],
      ['signature', Buffer.from('NOTREDIS00'), /Wrong signature/],
    ];
    for (const [name, bytes, re] of cases) {
      const dir = tmpDir();
      const file = path.join(dir, 'dump.rdb');
      fs.writeFileSync(file, bytes);
      const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'hotkv-server'), '--port', '0', '--dir', dir],
        { encoding: 'utf8', timeout: 20000 });
      const out = r.stdout + r.stderr;
      assert.notEqual(r.status, 0, `${name}: must not start\n${out}`);
      assert.ok(out.includes(file), `${name}: names the file\n${out}`);
      assert.match(out, /offset \d+/, `${name}: names the offset`);
      assert.match(out, re, name);
      assert.ok(!out.includes('Ready to accept connections'), name);
    }
  });

  it('BGSAVE writes the state as of its start while writes go on, and a hot upgrade in the middle continues it', async () => {
    const logicDir = tmpDir();
    await Promise.all([buildLogic('0.0.9-rdba', logicDir), buildLogic('0.0.9-rdbb', logicDir)]);
    const hk = await track(startHotkv({ logicDir, logicFile: 'logic-0.0.9-rdba.cjs', args: ['--rdb-key-save-delay', '2000'] }));
    const c = await RawClient.connect(hk.port);
    const expected: Record<string, string> = {};
    for (let i = 0; i < 150; i++) {
      await c.command('RPUSH', `l${i}`, 'a', 'b');
      await c.command('HSET', `h${i}`, 'f', String(i));
      await c.command('SET', `s${i}`, String(i));
    }
    await c.command('SADD', 'set', '1', '2');
    await c.command('ZADD', 'z', '1', 'a');
    for (let i = 0; i < 10; i++) await c.command('SET', `t${i}`, 'v', 'PX', '900000');
    await c.command('SELECT', '1');
    await c.command('SET', 'd1', 'one');
    await c.command('SET', 'd1b', 'two');
    await c.command('SELECT', '0');
    assert.equal(await c.command('BGSAVE'), '+Background saving started\r\n');
    assert.equal(await c.command('BGSAVE'), '-ERR Background save already in progress\r\n');
    assert.equal(await c.command('SAVE'), '-ERR Background save already in progress\r\n');
    assert.equal((await info(c, 'persistence')).rdb_bgsave_in_progress, '1');
    // concurrent writes of every kind: in-place changes, deletes, renames, new keys, a flush of another db
    for (let i = 0; i < 150; i += 3) {
      await c.command('RPUSH', `l${i}`, 'NEW');
      await c.command('HSET', `h${i}`, 'f', 'changed', 'g', 'new');
      await c.command('SET', `s${i}`, 'changed');
      await c.command('DEL', `l${i + 1}`);
      await c.command('RENAME', `h${i + 1}`, `renamed${i}`);
      await c.command('HSET', `renamed${i}`, 'x', 'y');
    }
    await c.command('SADD', 'set', '3');
    await c.command('ZADD', 'z', '5', 'a');
    await c.command('SET', 'added', 'later');
    // expiry changes, a key deleted and created again, MOVE, FLUSHDB of another db, SWAPDB there and back
    await c.command('PERSIST', 't0');
    await c.command('PEXPIRE', 't1', '5000');
    await c.command('SET', 't2', 'over');
    await c.command('DEL', 't3');
    await c.command('SET', 't3', 'back');
    await c.command('MOVE', 't5', '2');
    await c.command('SELECT', '1');
    await c.command('FLUSHDB');
    await c.command('SELECT', '0');
    await c.command('SWAPDB', '0', '2');
    await c.command('SET', 't4', 'in-the-swapped-db');
    await c.command('DEL', 't5');
    await c.command('SWAPDB', '0', '2');
    // swap the logic while the BGSAVE is still running
    assert.equal((await info(c, 'persistence')).rdb_bgsave_in_progress, '1');
    const r = await load(c, 'logic-0.0.9-rdbb.cjs');
    assert.equal(r.to, '0.0.9-rdbb');
    assert.equal((await info(c, 'upgrade')).logic_version, '0.0.9-rdbb');
    assert.equal((await info(c, 'persistence')).rdb_bgsave_in_progress, '1', 'still saving after the swap');
    await c.command('RPUSH', 'l0', 'AFTER-SWAP');
    await c.command('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    await waitUntil('BGSAVE done', async () => (await info(c, 'persistence')).rdb_bgsave_in_progress === '0', 20000);
    const p = await info(c, 'persistence');
    assert.equal(p.rdb_last_bgsave_status, 'ok');
    assert.ok(Number(p.rdb_changes_since_last_save) > 0, 'writes during the BGSAVE stay unsaved');
    c.close();
    for (let i = 0; i < 150; i++) expected[`s${i}`] = String(i);
    // load the dump in redis-server: it must be the state at BGSAVE start
    const dir = tmpDir();
    fs.copyFileSync(path.join(hk.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    const redis = await track(startRedis(['--dir', dir]));
    const rc = await RawClient.connect(redis.port);
    assert.equal(await q(rc, 'DBSIZE'), 462);
    for (let i = 0; i < 10; i++) {
      assert.equal(await q(rc, 'GET', `t${i}`), 'v', `t${i}`);
      assert.ok((await q(rc, 'PTTL', `t${i}`) as number) > 800000, `t${i} keeps its expiry as at the start`);
    }
    assert.deepEqual([await q(rc, 'SELECT', '1'), await q(rc, 'DBSIZE'), await q(rc, 'GET', 'd1b')], ['OK', 2, 'two']);
    assert.deepEqual([await q(rc, 'SELECT', '2'), await q(rc, 'DBSIZE'), await q(rc, 'SELECT', '0')], ['OK', 0, 'OK']);
    for (let i = 0; i < 150; i++) {
      assert.deepEqual(await q(rc, 'LRANGE', `l${i}`, '0', '-1'), ['a', 'b'], `l${i}`);
      assert.deepEqual(await q(rc, 'HGETALL', `h${i}`), ['f', String(i)], `h${i}`);
      assert.equal(await q(rc, 'GET', `s${i}`), expected[`s${i}`]);
    }
    assert.deepEqual(await q(rc, 'SMEMBERS', 'set'), ['1', '2']);
    assert.deepEqual(await q(rc, 'ZRANGE', 'z', '0', '-1', 'WITHSCORES'), ['a', '1']);
    assert.equal(await q(rc, 'EXISTS', 'added', 'renamed0'), 0);
    rc.close();
  });

  it('save points, SHUTDOWN SAVE/NOSAVE, SIGTERM and FLUSHALL save as Redis does', async () => {
    const hk = await track(startHotkv({ args: ['--save', '1', '1', '--enable-protected-configs', 'yes'] }));
    const file = path.join(hk.dir, 'dump.rdb');
    const c = await RawClient.connect(hk.port);
    await c.command('SET', 'a', '1');
    await waitUntil('save point BGSAVE', () => fs.existsSync(file), 10000, 50);
    await waitUntil('saved', async () => (await info(c, 'persistence')).rdb_changes_since_last_save === '0', 10000, 50);
    assert.match(hk.output(), /1 changes in 1 seconds\. Saving\.\.\./);
    await c.command('SET', 'b', '2');
    assert.equal(await c.command('FLUSHALL'), '+OK\r\n');
    assert.equal((await info(c, 'persistence')).rdb_changes_since_last_save, '0');
    assert.ok(fs.statSync(file).size < 120, 'FLUSHALL saved the empty dataset');
    await c.command('SET', 'final', 'yes');
    c.close();
    assert.equal(await hk.stop('SIGTERM'), 0);
    assert.match(hk.output(), /Saving the final RDB snapshot before exiting/);
    const hk2 = await track(startHotkv({ dir: hk.dir }));
    const c2 = await RawClient.connect(hk2.port);
    assert.equal(await q(c2, 'GET', 'final'), 'yes');
    await c2.command('SET', 'more', '1');
    c2.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
    await c2.readUntilClose(5000);
    await hk2.stop();
    const hk3 = await track(startHotkv({ dir: hk.dir, args: ['--enable-protected-configs', 'yes'] }));
    const c3 = await RawClient.connect(hk3.port);
    assert.equal(await q(c3, 'EXISTS', 'more'), 0, 'NOSAVE did not save');
    await c3.command('SET', 'more', '2');
    // a save that fails (its dir is gone) refuses the shutdown, as Redis does
    const gone = path.join(hk.dir, 'gone');
    fs.mkdirSync(gone);
    assert.equal(await c3.command('CONFIG', 'SET', 'dir', gone), '+OK\r\n');
    fs.rmdirSync(gone);
    assert.equal(await c3.command('SHUTDOWN', 'SAVE'), '-ERR Errors trying to SHUTDOWN. Check logs.\r\n');
    assert.equal(await c3.command('SAVE'), '-ERR\r\n');
    assert.equal(await c3.command('CONFIG', 'SET', 'dir', hk.dir), '+OK\r\n');
    c3.write('*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n');
    await c3.readUntilClose(5000);
    await hk3.stop();
    const hk4 = await track(startHotkv({ dir: hk.dir }));
    const c4 = await RawClient.connect(hk4.port);
    assert.equal(await q(c4, 'GET', 'more'), '2');
    c4.close();
  });
});
