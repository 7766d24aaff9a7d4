// The append only file (Redis 7.0 multi-part layout): hotkv writes the manifest, an RDB-preamble base
// and an incr file of RESP commands (rewritten as Redis propagates them); a restart on the same dir
// gives the same data; redis-check-aof accepts the directory and Debian's redis-server 7.0 loads it
// to the same data; a truncated last command loads per aof-load-truncated; damage elsewhere stops
// the start; with appendfsync always every acknowledged write survives kill -9.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeReply as decode, encodeCommand, RawClient, type ReplyValue } from './helpers/resp';
import { startHotkv, startRedis, type RunningServer } from './helpers/servers';
import { buildLogic, info, load } from './helpers/upgrade';

const DBS = [0, 1, 5];

async function q(c: RawClient, ...args: string[]): Promise<ReplyValue> {
  return decode(await c.command(...args));
}

/** Writes of every type, in several dbs, using the commands whose propagation differs from their argv. */
async function fill(port: number): Promise<void> {
  const c = await RawClient.connect(port);
  const blocked = await RawClient.connect(port);
  const run = async (...cmd: string[]) => {
    const r = await c.command(...cmd);
    assert.ok(!r.startsWith('-'), `${cmd.join(' ')}: ${r}`);
    return r;
  };
  // FLUSHDB goes to the AOF even on an empty db; SAVE (it resets server.dirty) does not
  await run('SELECT', '1');
  await run('SET', 'tmp', 'v');
  await run('FLUSHDB');
  await run('FLUSHDB');
  await run('SELECT', '0');
  await run('SAVE');
  await run('SET', 'plain', 'v');
  await run('SET', 'bin', '\x00\xff\r\n*3\r\n$1\x80');
  await run('SET', 'ex', 'v', 'EX', '1000');
  await run('SET', 'px', 'v', 'PX', '2000000', 'GET');
  await run('SETEX', 'setex', '3000', 'v');
  await run('PSETEX', 'psetex', '4000000', 'v');
  await run('SET', 'gone', 'v');
  await run('EXPIRE', 'gone', '-1');
  await run('SET', 'e1', '10');
  await run('EXPIRE', 'e1', '5000');
  await run('INCRBYFLOAT', 'e1', '1.25');
  await run('SET', 'ge', 'v');
  await run('GETEX', 'ge', 'PX', '6000000');
  await run('SET', 'short', 'v', 'PX', '30');
  await run('INCR', 'counter');
  await run('INCRBY', 'counter', '41');
  await run('APPEND', 'plain', 'xyz');
  await run('RPUSH', 'list', 'a', 'b', 'c', 'd', 'e', 'f');
  await run('LPOP', 'list');
  await run('LMPOP', '1', 'list', 'RIGHT', 'COUNT', '2');
  await run('RPUSH', 'src', '1', '2', '3');
  await run('BLMOVE', 'src', 'dst', 'LEFT', 'RIGHT', '0');
  await run('BRPOPLPUSH', 'src', 'dst', '0');
  await run('SADD', 'set', ...Array.from({ length: 40 }, (_, i) => `m${i}`));
  await run('SPOP', 'set');
  await run('SPOP', 'set', '5');
  await run('SADD', 'small', 'x', 'y');
  await run('SPOP', 'small', '10');
  await run('SADD', 'ints', '1', '2', '3', '4');
  await run('SREM', 'ints', '2');
  await run('HSET', 'hash', 'a', '1', 'b', '2');
  await run('HINCRBYFLOAT', 'hash', 'a', '0.5');
  await run('HINCRBY', 'hash', 'b', '3');
  await run('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e');
  await run('ZINCRBY', 'z', '10', 'a');
  await run('ZPOPMIN', 'z');
  await run('ZMPOP', '1', 'z', 'MAX', 'COUNT', '2');
  await run('BZPOPMIN', 'nothere', 'z', '0');
  await run('SELECT', '1');
  await run('SET', 'k1', 'db1');
  await run('RPUSH', 'l1', 'x', 'y', 'z');
  await run('MULTI');
  await run('INCR', 'k2');
  await run('SET', 'k3', 'v', 'EX', '100');
  await run('EXEC');
  // a blocked pop served by a later push
  await blocked.command('SELECT', '5');
  blocked.write(encodeCommand(['BLPOP', 'waitq', 'other', '0']));
  await run('SELECT', '5');
  for (;;) {
    const clients = (await q(c, 'CLIENT', 'LIST')) as string;
    if (clients.includes('cmd=blpop')) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await run('RPUSH', 'waitq', 'w1', 'w2');
  assert.equal(await blocked.reply(), '*2\r\n$5\r\nwaitq\r\n$2\r\nw1\r\n');
  blocked.close();
  await run('SADD', 's5', 'a');
  await run('SELECT', '0');
  // the key with 30 ms left expires: an access deletes it (appended as DEL)
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(await c.command('GET', 'short'), '$-1\r\n');
  c.close();
}

type Dump = Record<string, [ReplyValue, ReplyValue, number]>;

/** Every key of every db in DBS: type, contents (sorted for sets/hashes), PTTL. */
async function dumpAll(port: number): Promise<Dump> {
  const c = await RawClient.connect(port);
  const out: Dump = {};
  for (const db of DBS) {
    await q(c, 'SELECT', String(db));
    for (const k of (await q(c, 'KEYS', '*')) as string[]) {
      const type = await q(c, 'TYPE', k);
      let content: ReplyValue;
      if (type === 'string') content = await q(c, 'GET', k);
      else if (type === 'list') content = await q(c, 'LRANGE', k, '0', '-1');
      else if (type === 'set') content = ((await q(c, 'SMEMBERS', k)) as string[]).sort();
      else if (type === 'zset') content = await q(c, 'ZRANGE', k, '0', '-1', 'WITHSCORES');
      else {
        const flat = (await q(c, 'HGETALL', k)) as string[];
        const pairs: string[] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
        content = pairs.sort();
      }
      out[`${db}:${k}`] = [type, content, (await q(c, 'PTTL', k)) as number];
    }
  }
  c.close();
  return out;
}

function assertSame(got: Dump, want: Dump): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const k of Object.keys(want)) {
    assert.deepEqual(got[k].slice(0, 2), want[k].slice(0, 2), k);
    const [g, w] = [got[k][2], want[k][2]];
    if (w < 0) assert.equal(g, w, `${k}: pttl`);
    else assert.ok(g > 0 && g <= w && w - g < 10000, `${k}: pttl ${g} vs ${w}`);
  }
}

const servers: RunningServer[] = [];
const tmpDirs: string[] = [];
async function track<T extends RunningServer>(p: Promise<T>): Promise<T> {
  const s = await p;
  servers.push(s);
  return s;
}
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-aof-'));
  tmpDirs.push(d);
  return d;
}

after(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

const AOF = ['--appendonly', 'yes'];
const incrFile = (dir: string) => path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');

/** Start hotkv expecting it to refuse: resolves with its output once it exited. */
async function startRefused(dir: string, args: string[]): Promise<string> {
  const r = spawnSync(process.execPath, [path.join(__dirname, '..', 'bin', 'hotkv-server'), '--port', '0', '--dir', dir,
    '--save', '', ...args], { encoding: 'latin1', timeout: 20000 });
  assert.notEqual(r.status, 0, `hotkv started: ${r.stdout}`);
  return r.stdout + r.stderr;
}

describe('AOF', () => {
  let dir = '';
  let want: Dump = {};

  it('writes the 7.0 multi-part layout; a restart on the same dir has the same data', async () => {
    const hk = await track(startHotkv({ args: AOF }));
    dir = hk.dir;
    await fill(hk.port);
    want = await dumpAll(hk.port);
    assert.equal(Object.keys(want).length, 22); // 16 in db 0, 4 in db 1, 2 in db 5
    const c = await RawClient.connect(hk.port);
    const inf = await info(c, 'persistence');
    assert.equal(inf.aof_enabled, '1');
    assert.equal(inf.aof_last_write_status, 'ok');
    assert.equal(inf.aof_rewrite_in_progress, '0');
    c.close();
    const adir = path.join(dir, 'appendonlydir');
    assert.deepEqual(fs.readdirSync(adir).sort(), ['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    assert.equal(fs.readFileSync(path.join(adir, 'appendonly.aof.manifest'), 'latin1'),
      'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    assert.equal(fs.readFileSync(path.join(adir, 'appendonly.aof.1.base.rdb'), 'latin1').slice(0, 9), 'REDIS0010');
    const incr = fs.readFileSync(incrFile(dir), 'latin1');
    // relative times became absolute, pops their deterministic forms, expired keys DEL
    assert.match(incr, /\$3\r\nSET\r\n\$2\r\nex\r\n\$1\r\nv\r\n\$4\r\nPXAT\r\n\$13\r\n\d{13}\r\n/);
    assert.match(incr, /\$9\r\nPEXPIREAT\r\n\$2\r\ne1\r\n/);
    assert.match(incr, /\*4\r\n\$3\r\nSET\r\n\$2\r\ne1\r\n\$5\r\n11\.25\r\n\$7\r\nKEEPTTL\r\n/);
    assert.match(incr, /\*2\r\n\$3\r\nDEL\r\n\$4\r\ngone\r\n/);
    assert.match(incr, /\*2\r\n\$3\r\nDEL\r\n\$5\r\nshort\r\n/);
    assert.match(incr, /\*2\r\n\$4\r\nLPOP\r\n\$5\r\nwaitq\r\n/);
    assert.match(incr, /\*2\r\n\$7\r\nZPOPMIN\r\n\$1\r\nz\r\n/);
    assert.match(incr, /\*1\r\n\$5\r\nMULTI\r\n(.|\r\n)*\$4\r\nINCR\r\n(.|\r\n)*\*1\r\n\$4\r\nEXEC\r\n/);
    // (commands are upper case in fill(), key names lower case)
    assert.doesNotMatch(incr, /\r\n(SPOP|BLPOP|BLMOVE|BRPOPLPUSH|BZPOPMIN|SETEX|PSETEX|INCRBYFLOAT|HINCRBYFLOAT|EXPIRE|GETEX|LMPOP|ZMPOP)\r\n/);
    assert.equal(incr.split('\r\nFLUSHDB\r\n').length, 3);
    assert.doesNotMatch(incr, /\r\nSAVE\r\n/);
    await hk.stop('SIGKILL');
    // A history file a rewrite had not deleted yet (a crash in between) is deleted at start, as Redis does.
    fs.writeFileSync(path.join(adir, 'appendonly.aof.0.incr.aof'), '*1\r\n$4\r\nPING\r\n');
    fs.appendFileSync(path.join(adir, 'appendonly.aof.manifest'), 'file appendonly.aof.0.incr.aof seq 0 type h\n');
    const hk2 = await track(startHotkv({ dir, args: AOF }));
    assertSame(await dumpAll(hk2.port), want);
    assert.ok(!fs.existsSync(path.join(adir, 'appendonly.aof.0.incr.aof')), 'history file deleted');
    assert.doesNotMatch(fs.readFileSync(path.join(adir, 'appendonly.aof.manifest'), 'latin1'), /type h/);
    await hk2.stop();
  });

  it('redis-check-aof accepts the directory; redis-server 7.0 loads it to the same data', async () => {
    const r = spawnSync('redis-check-aof', [path.join(dir, 'appendonlydir', 'appendonly.aof.manifest')], { encoding: 'latin1' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All AOF files and manifest are valid/);
    const copy = tmpDir();
    fs.cpSync(path.join(dir, 'appendonlydir'), path.join(copy, 'appendonlydir'), { recursive: true });
    const redis = await track(startRedis(['--dir', copy, '--appendonly', 'yes']));
    assertSame(await dumpAll(redis.port), want);
    await redis.stop();
  });

  it('a truncated last command loads with aof-load-truncated yes (file cut back), is refused with no', async () => {
    const d = tmpDir();
    fs.cpSync(path.join(dir, 'appendonlydir'), path.join(d, 'appendonlydir'), { recursive: true });
    const good = fs.statSync(incrFile(d)).size;
    fs.appendFileSync(incrFile(d), '*3\r\n$3\r\nSET\r\n$4\r\nlost\r\n$5\r\nva');
    const out = await startRefused(d, [...AOF, '--aof-load-truncated', 'no']);
    assert.match(out, /Unexpected end of file reading the append only file .*appendonly\.aof\.1\.incr\.aof/);
    const hk = await track(startHotkv({ dir: d, args: AOF }));
    assert.match(hk.output(), /AOF .*appendonly\.aof\.1\.incr\.aof loaded anyway because aof-load-truncated is enabled/);
    assert.equal(fs.statSync(incrFile(d)).size, good);
    assertSame(await dumpAll(hk.port), want);
    const c = await RawClient.connect(hk.port);
    assert.equal(await c.command('EXISTS', 'lost'), ':0\r\n');
    // appends continue after the cut: the next start sees them
    assert.equal(await c.command('SET', 'after', 'cut'), '+OK\r\n');
    c.close();
    await hk.stop('SIGKILL');
    const hk2 = await track(startHotkv({ dir: d, args: AOF }));
    const c2 = await RawClient.connect(hk2.port);
    assert.equal(await c2.command('GET', 'after'), '$3\r\ncut\r\n');
    c2.close();
    await hk2.stop();
  });

  it('damage before the end stops the start, naming the file and offset', async () => {
    const d = tmpDir();
    fs.cpSync(path.join(dir, 'appendonlydir'), path.join(d, 'appendonlydir'), { recursive: true });
    const b = fs.readFileSync(incrFile(d));
    const at = b.indexOf('$3\r\nSET') - 4; // the '*' of an early command
    b[at + 1] = 'x'.charCodeAt(0);
    fs.writeFileSync(incrFile(d), b);
    const out = await startRefused(d, AOF);
    assert.match(out, /Bad file format reading the append only file .*appendonly\.aof\.1\.incr\.aof at offset \d+/);
  });

  it('a hot upgrade keeps appending to the same file with the new logic', async () => {
    const logicDir = tmpDir();
    await Promise.all([buildLogic('0.0.9-aofa', logicDir), buildLogic('0.0.9-aofb', logicDir)]);
    const hk = await track(startHotkv({ logicDir, logicFile: 'logic-0.0.9-aofa.cjs', args: AOF }));
    const c = await RawClient.connect(hk.port);
    assert.equal(await c.command('SELECT', '1'), '+OK\r\n');
    assert.equal(await c.command('SET', 'before', '1', 'EX', '500'), '+OK\r\n');
    assert.equal((await load(c, 'logic-0.0.9-aofb.cjs')).to, '0.0.9-aofb');
    assert.equal(await c.command('SET', 'after', '2', 'EX', '700'), '+OK\r\n');
    assert.equal(await c.command('RPUSH', 'l', 'x'), ':1\r\n');
    const want2 = await dumpAll(hk.port);
    await hk.stop('SIGKILL');
    const hk2 = await track(startHotkv({ dir: hk.dir, args: AOF }));
    assertSame(await dumpAll(hk2.port), want2);
    assert.equal(Object.keys(want2).length, 3);
    await hk2.stop();
  });

  // With everysec too: hotkv write()s the event's commands to the incr file before it replies, so a killed
  // process loses nothing acknowledged (the kernel has it); what everysec risks is the last second on an OS
  // crash or power loss, which a test cannot stage.
  for (const policy of ['always', 'everysec']) it(`appendfsync ${policy}: every acknowledged write survives kill -9 under load`, async () => {
    const hk = await track(startHotkv({ args: [...AOF, '--appendfsync', policy] }));
    const c = await RawClient.connect(hk.port);
    let acked = 0;
    let stop = false;
    const writer = (async () => {
      try {
        for (let i = 0; !stop; i++) {
          // a small pipeline per round: all of its writes are acknowledged together
          const n = 10;
          for (let j = 0; j < n; j++) c.write(encodeCommand(['SET', `k${i * n + j}`, String(i * n + j)]));
          for (let j = 0; j < n; j++) {
            assert.equal(await c.reply(), '+OK\r\n');
            acked = i * n + j + 1;
          }
        }
      } catch { /* the server was killed */ }
    })();
    await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 300)));
    hk.proc.kill('SIGKILL');
    stop = true;
    await writer;
    await hk.stop();
    assert.ok(acked > 0);
    const hk2 = await track(startHotkv({ dir: hk.dir, args: AOF }));
    const c2 = await RawClient.connect(hk2.port);
    const size = Number((await c2.command('DBSIZE')).slice(1));
    assert.ok(size >= acked, `${size} keys after restart, ${acked} acknowledged`);
    for (let i = 0; i < acked; i += Math.max(1, Math.floor(acked / 200))) {
      assert.equal(await c2.command('GET', `k${i}`), `$${String(i).length}\r\n${i}\r\n`);
    }
    assert.equal(await c2.command('GET', `k${acked - 1}`), `$${String(acked - 1).length}\r\n${acked - 1}\r\n`);
    c2.close();
    await hk2.stop();
  });
});
