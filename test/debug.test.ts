// DEBUG, compared reply for reply with redis-server 7.0 started with the same enable-debug-command: the gate
// (no / local / yes, before authentication and MULTI queueing), HELP and the error forms, DIGEST and
// DIGEST-VALUE over a dataset of every type, encoding and TTL, POPULATE, RELOAD, LOADAOF, OBJECT, PROTOCOL in
// RESP2 and RESP3, SLEEP (the whole server waits), SET-ACTIVE-EXPIRE and the small ones.
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { RawClient } from './helpers/resp';
import { DEFAULT_BUNDLE } from './helpers/servers';
import { cmd, info, waitUntil } from './helpers/upgrade';

const YES = ['--enable-debug-command', 'yes'];

/** Every type and encoding Redis 7.0 has for the types hotkv speaks, some with a TTL, in three dbs. */
function dataset(): string[][] {
  const s: string[][] = [
    ['SET', 's:int', '12345'], ['SET', 's:neg', '-7'], ['SET', 's:emb', 'hello'], ['SET', 's:raw', 'x'.repeat(100)],
    ['SET', 's:bin', 'a\0b\xff\r\n'], ['SET', 's:big', '123456789012345'], ['SET', 's:empty', ''],
    ['APPEND', 's:app', 'abc'], ['INCRBYFLOAT', 's:f', '1.5'], ['SETRANGE', 's:rng', '3', 'z'],
    ['RPUSH', 'l:small', 'a', 'b', '1', '-2', ''], ['SADD', 'set:int', '1', '2', '3', '-5'], ['SADD', 'set:str', 'a', 'b', 'c'],
    ['HSET', 'h:small', 'f1', 'v1', 'f2', '2'], ['HSET', 'h:long', 'f', 'v'.repeat(100)],
    ['ZADD', 'z:small', '1', 'a', '2.5', 'b', '-0', 'c', 'inf', 'd', '-inf', 'e', '0.1', 'f', '1e300', 'g', '3', 'h'],
  ];
  const big: string[] = [];
  for (let i = 0; i < 2000; i++) big.push(i % 3 === 0 ? String(i * 7919) : `item-${i}-${'y'.repeat(i % 40)}`);
  s.push(['RPUSH', 'l:big', ...big]);
  const ints: string[] = [];
  for (let i = 0; i < 600; i++) ints.push(String(i * 13 - 1000));
  s.push(['SADD', 'set:big', ...ints]);
  const fields: string[] = [];
  for (let i = 0; i < 200; i++) fields.push(`f${i}`, String(i % 7 === 0 ? i : `val-${i}`));
  s.push(['HSET', 'h:big', ...fields]);
  const members: string[] = [];
  for (let i = 0; i < 200; i++) members.push(i % 5 === 0 ? String(i) : String(i / 7), `m${i}`);
  s.push(['ZADD', 'z:big', ...members, '-0', 'negzero', '1e-300', 'tiny']);
  s.push(['EXPIRE', 's:emb', '1000'], ['PEXPIRE', 'l:small', '100000'], ['EXPIRE', 'z:big', '5000'], ['EXPIRE', 'h:big', '500']);
  s.push(['SELECT', '1'], ['SET', 'one', '1'], ['RPUSH', 'l', 'x'], ['EXPIRE', 'one', '100'], ['SELECT', '9'],
    ['HSET', 'h', 'a', 'b'], ['SELECT', '0']);
  return s;
}
const KEYS0 = ['s:int', 's:neg', 's:emb', 's:raw', 's:bin', 's:big', 's:empty', 's:app', 's:f', 's:rng', 'l:small', 'l:big',
  'set:int', 'set:str', 'set:big', 'h:small', 'h:long', 'h:big', 'z:small', 'z:big'];

/** Send on fresh connections to both servers; compare every reply (`replies[i]` replies for command i, default 1). */
async function sameFresh(p: Pair, cmds: string[][], opts: { replies?: number[]; resp3?: boolean; hotkvHost?: string; redisHost?: string } = {}): Promise<string[]> {
  const [h, r] = await Promise.all([RawClient.connect(p.hotkv.port, opts.hotkvHost), RawClient.connect(p.redis.port, opts.redisHost)]);
  try {
    if (opts.resp3) {
      await Promise.all([h.command('HELLO', '3'), r.command('HELLO', '3')]); // ids and versions differ: not compared
    }
    const out: string[] = [];
    for (let i = 0; i < cmds.length; i++) {
      const [hr, rr] = await Promise.all([h.command(...cmds[i]), r.command(...cmds[i])]);
      let hs = hr;
      let rs = rr;
      for (let k = 1; k < (opts.replies?.[i] ?? 1); k++) {
        const [h2, r2] = await Promise.all([h.reply(), r.reply()]);
        hs += h2;
        rs += r2;
      }
      assert.equal(show(hs), show(rs), `${show(cmds[i].join(' '))}${opts.resp3 ? ' (RESP3)' : ''}: hotkv vs redis`);
      out.push(hs);
    }
    return out;
  } finally {
    h.close();
    r.close();
  }
}

/** DEBUG OBJECT's fields (the address left out). */
function objectFields(reply: string): Record<string, string> {
  const m = /^\+Value at:0x[0-9a-f]+ (.*)\r\n$/.exec(reply);
  assert.ok(m, `DEBUG OBJECT shape: ${show(reply)}`);
  const out: Record<string, string> = {};
  for (const kv of m[1].split(' ')) {
    const i = kv.indexOf(':');
    out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

function cmdstat(text: Record<string, string>, name: string): string {
  return (text[`cmdstat_${name}`] ?? '').replace(/usec=\d+,usec_per_call=[\d.]+,/, '');
}

describe('DEBUG with enable-debug-command yes', () => {
  let p: Pair;
  before(async () => {
    p = await startPair({ args: YES }, YES);
  });
  after(async () => {
    await p?.stop();
  });

  it('answers HELP, unknown subcommands and wrong argument counts as redis-server', async () => {
    await p.script([
      ['DEBUG', 'HELP'], ['DEBUG', 'help'], ['DEBUG'], ['DEBUG', 'HELP', 'x'], ['DEBUG', 'nosuch'], ['DEBUG', 'NoSuCh', 'a', 'b'],
      ['DEBUG', 'JMAP'], ['DEBUG', 'STRINGMATCH-LEN'], ['DEBUG', 'OBJECT'], ['DEBUG', 'OBJECT', 'a', 'b'], ['DEBUG', 'POPULATE'],
      ['DEBUG', 'POPULATE', '1', 'a', '1', 'x'], ['DEBUG', 'DIGEST', 'x'], ['DEBUG', 'PROTOCOL'], ['DEBUG', 'SLEEP'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE'], ['DEBUG', 'ERROR'], ['DEBUG', 'LOG'], ['DEBUG', 'CHANGE-REPL-ID', 'x'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD'], ['DEBUG', 'a\0b'], ['DEBUG', 'x'.repeat(300)], ['DEBUG', 'OBJECT', 'nokey'],
    ]);
  });

  it('DIGEST and DIGEST-VALUE equal redis-server\'s over every type, encoding and TTL, in several dbs', async () => {
    await p.reset();
    await p.same('DEBUG', 'DIGEST'); // empty: all zeros
    await p.script(dataset());
    for (const k of KEYS0) await p.same('OBJECT', 'ENCODING', k); // the encodings the dataset is meant to cover
    const d = await p.same('DEBUG', 'DIGEST');
    assert.notEqual(d, '+0000000000000000000000000000000000000000\r\n');
    await p.same('DEBUG', 'DIGEST-VALUE', ...KEYS0, 'nokey');
    await p.script([['DEBUG', 'DIGEST-VALUE'], ['SELECT', '1'], ['DEBUG', 'DIGEST-VALUE', 'one', 'l', 's:int'], ['SELECT', '0']]);
    // The digest sees order in lists, TTLs, scores and the db a key is in.
    await p.script([
      ['LSET', 'l:small', '0', 'b'], ['LSET', 'l:small', '1', 'a'], ['DEBUG', 'DIGEST'], ['PERSIST', 's:emb'], ['DEBUG', 'DIGEST'],
      ['ZINCRBY', 'z:big', '0.5', 'm3'], ['DEBUG', 'DIGEST'], ['SWAPDB', '1', '2'], ['DEBUG', 'DIGEST'], ['MOVE', 's:int', '3'],
      ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', 'l:small', 's:emb', 'z:big'],
    ]);
  });

  it('OBJECT reports what redis-server reports (refcount, encoding, serialized length, LRU, quicklist fields)', async () => {
    await p.reset();
    // hotkv's LZF output is valid but not byte for byte liblzf's, so compressed lengths differ: compare uncompressed.
    await p.script([['CONFIG', 'SET', 'rdbcompression', 'no'], ...dataset()]);
    for (const k of KEYS0) {
      const [h, r] = await Promise.all([p.h.command('DEBUG', 'OBJECT', k), p.r.command('DEBUG', 'OBJECT', k)]);
      const hf = objectFields(h);
      const rf = objectFields(r);
      for (const f of ['lru', 'lru_seconds_idle']) {
        assert.ok(Math.abs(Number(hf[f]) - Number(rf[f])) <= 2, `${k} ${f}: hotkv ${hf[f]}, redis ${rf[f]}`);
        delete hf[f];
        delete rf[f];
      }
      assert.deepEqual(hf, rf, `DEBUG OBJECT ${k}: hotkv ${show(h)} vs redis ${show(r)}`);
    }
    await p.script([['CONFIG', 'SET', 'rdbcompression', 'yes']]);
    const packed = objectFields(await p.h.command('DEBUG', 'OBJECT', 's:raw')).serializedlength;
    assert.ok(Number(packed) < 100, `a compressible value is measured compressed (${packed})`);
  });

  it('POPULATE writes Redis\'s keys and values, skips existing keys and counts no changes', async () => {
    await p.reset();
    await p.script([
      ['SET', 'key:5', 'mine'], ['DEBUG', 'POPULATE', '1000'], ['DBSIZE'], ['GET', 'key:5'], ['GET', 'key:999'], ['GET', 'key:1000'],
      ['DEBUG', 'POPULATE', '50', 'p', '20'], ['GET', 'p:7'], ['DEBUG', 'POPULATE', '10', 'q', '3'], ['GET', 'q:9'],
      ['DEBUG', 'POPULATE', '5', 'z', '0'], ['GET', 'z:4'], ['DEBUG', 'POPULATE', '2', 'a\0b'], ['EXISTS', 'a:0', 'a:1'],
      ['DEBUG', 'POPULATE', '1', 'w'.repeat(200)], ['DBSIZE'], ['DEBUG', 'POPULATE', '0'], ['DEBUG', 'POPULATE', '-1'],
      ['DEBUG', 'POPULATE', 'x'], ['DEBUG', 'POPULATE', '10', 'k', '-1'], ['DEBUG', 'POPULATE', '10', 'k', '1.5'],
      ['DEBUG', 'POPULATE', '1000'], ['DBSIZE'], ['OBJECT', 'ENCODING', 'key:1'], ['OBJECT', 'ENCODING', 'p:1'],
      ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', 'p:3', 'q:1'],
    ]);
    const [hi, ri] = await Promise.all([info(p.h, 'persistence'), info(p.r, 'persistence')]);
    assert.equal(hi.rdb_changes_since_last_save, ri.rdb_changes_since_last_save, 'POPULATE is not counted as changes');
    // WATCH sees the keys it creates.
    await p.script([['WATCH', 'new:0'], ['DEBUG', 'POPULATE', '1', 'new'], ['MULTI'], ['PING'], ['EXEC']]);
  });

  it('RELOAD saves, empties and loads back: the digest stays; NOSAVE, NOFLUSH and MERGE as in Redis', async () => {
    await p.reset();
    // No dump yet: the load fails after the flush.
    await p.script([['SET', 'gone', '1'], ['DEBUG', 'RELOAD', 'NOSAVE'], ['DBSIZE'], ['DEBUG', 'RELOAD', 'bogus']]);
    await p.script(dataset());
    const d = await p.same('DEBUG', 'DIGEST');
    await p.script([['SET', 'w', '1'], ['WATCH', 'w'], ['DEBUG', 'RELOAD'], ['MULTI'], ['PING'], ['EXEC']]);
    await p.script([['DEL', 'w'], ['DEBUG', 'RELOAD'], ['TTL', 's:emb'], ['SELECT', '1'], ['TTL', 'one'], ['SELECT', '0']]);
    assert.equal(await p.same('DEBUG', 'DIGEST'), d, 'RELOAD keeps the digest');
    for (const k of KEYS0) await p.same('OBJECT', 'ENCODING', k);
    const [hl, rl] = await Promise.all([p.h.command('LASTSAVE'), p.r.command('LASTSAVE')]);
    await p.script([['SET', 'later', '1'], ['DEL', 's:int'], ['DEBUG', 'RELOAD', 'NOSAVE'], ['EXISTS', 'later', 's:int']]);
    assert.equal(await p.same('DEBUG', 'DIGEST'), d, 'RELOAD NOSAVE goes back to the dump');
    assert.deepEqual([await p.h.command('LASTSAVE'), await p.r.command('LASTSAVE')], [hl, rl], 'a load is not a save');
    await p.script([['SET', 'extra', '1'], ['SET', 's:int', 'changed'], ['DEBUG', 'RELOAD', 'nosave', 'noflush', 'merge'],
      ['GET', 'extra'], ['GET', 's:int'], ['DEBUG', 'DIGEST'], ['DBSIZE']]);
    const [hi, ri] = await Promise.all([info(p.h, 'persistence'), info(p.r, 'persistence')]);
    assert.equal(hi.rdb_changes_since_last_save, ri.rdb_changes_since_last_save);
    assert.equal(hi.rdb_last_load_keys_loaded, ri.rdb_last_load_keys_loaded);
    // Without MERGE a key in both stops the load (redis-server exits there; hotkv answers the error).
    assert.equal(await p.h.command('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH'), '-ERR Error trying to load the RDB dump\r\n');
    assert.equal(await p.h.command('PING'), '+PONG\r\n');
  });

  it('PROTOCOL answers every type in RESP2 and RESP3 as redis-server', async () => {
    const types = ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'attrib', 'push', 'verbatim', 'true',
      'false', 'TRUE', 'nosuch'];
    await sameFresh(p, types.map((t) => ['DEBUG', 'PROTOCOL', t]));
    await sameFresh(p, types.map((t) => ['DEBUG', 'PROTOCOL', t]), { resp3: true, replies: types.map((t) => (t === 'push' ? 2 : 1)) });
    // A push goes out under CLIENT REPLY OFF too; the reply that follows it does not.
    const [h, r] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      const got: string[] = [];
      for (const c of [h, r]) {
        await c.command('HELLO', '3');
        c.write(cmd('CLIENT', 'REPLY', 'OFF') + cmd('DEBUG', 'PROTOCOL', 'push') + cmd('CLIENT', 'REPLY', 'ON'));
        got.push((await c.reply()) + (await c.reply()));
      }
      assert.equal(show(got[0]), show(got[1]), 'push under CLIENT REPLY OFF');
      assert.equal(got[0], '>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n+OK\r\n');
    } finally {
      h.close();
      r.close();
    }
  });

  it('SLEEP stops the whole server for the time given', async () => {
    for (const [name, port] of [['hotkv', p.hotkv.port], ['redis', p.redis.port]] as const) {
      const [a, b] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
      try {
        const t0 = performance.now();
        let done = false;
        const sleeping = a.command('DEBUG', 'SLEEP', '0.2').then((r) => { done = true; return r; });
        let worst = 0;
        while (!done) {
          const t = performance.now();
          assert.equal(await b.command('PING'), '+PONG\r\n');
          worst = Math.max(worst, performance.now() - t);
        }
        assert.equal(await sleeping, '+OK\r\n');
        const took = performance.now() - t0;
        assert.ok(took >= 195, `${name}: DEBUG SLEEP 0.2 answered after ${took.toFixed(0)} ms`);
        assert.ok(worst >= 150, `${name}: another client waited at most ${worst.toFixed(0)} ms meanwhile`);
      } finally {
        a.close();
        b.close();
      }
    }
    await p.script([['DEBUG', 'SLEEP', '0'], ['DEBUG', 'SLEEP', 'abc'], ['DEBUG', 'SLEEP', '-1'], ['DEBUG', 'SLEEP', '0.001x']]);
  });

  it('SET-ACTIVE-EXPIRE 0 keeps expired keys until they are touched, across a hot upgrade; 1 resumes', async () => {
    await p.reset();
    await p.script([['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ['SET', 'e1', 'v', 'PX', '1'], ['SET', 'e2', 'v', 'PX', '1']]);
    // The same logic loaded again: the flag is State, not a module variable.
    const up = await p.h.command('HOTUPGRADE', 'LOAD', DEFAULT_BUNDLE);
    assert.match(up, /pause_us/, show(up));
    // Nothing to wait for: the point is that several cron periods (hz 10) pass and nothing happens.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await p.script([['DBSIZE'], ['GET', 'e1'], ['DBSIZE'], ['DEBUG', 'SET-ACTIVE-EXPIRE', 'x'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '7']]);
    for (const c of [p.h, p.r]) await waitUntil('the active cycle deletes e2', async () => (await c.command('DBSIZE')) === ':0\r\n');
  });

  it('ERROR, LOG, QUICKLIST-PACKED-THRESHOLD, CHANGE-REPL-ID and the stats DEBUG leaves', async () => {
    await p.script([['CONFIG', 'RESETSTAT']]);
    await p.script([
      ['DEBUG', 'ERROR', 'MYERR something bad'], ['DEBUG', 'ERROR', 'a\r\nb\nc'], ['DEBUG', 'ERROR', ''], ['DEBUG', 'LOG', 'hello there'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '0'], ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1'], ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1k'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '4095mb'], ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '4gb'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '-1'], ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', 'x'], ['DEBUG', 'CHANGE-REPL-ID'],
      ['DEBUG', 'nosuch'],
    ]);
    await p.hotkv.waitFor('DEBUG LOG: hello there');
    const [hs, rs] = await Promise.all([info(p.h, 'commandstats'), info(p.r, 'commandstats')]);
    assert.equal(cmdstat(hs, 'debug'), cmdstat(rs, 'debug'));
    const [he, re] = await Promise.all([info(p.h, 'errorstats'), info(p.r, 'errorstats')]);
    assert.deepEqual(he, re, 'DEBUG ERROR is not counted as an error reply');
    const before = (await info(p.h, 'replication')).master_replid;
    await p.same('DEBUG', 'CHANGE-REPL-ID');
    const now = (await info(p.h, 'replication')).master_replid;
    assert.match(now, /^[0-9a-f]{40}$/);
    assert.notEqual(now, before);
  });

  it('LOADAOF with the AOF off leaves the data alone (redis-server 7.0.15 crashes there)', async () => {
    await p.h.command('SET', 'kept', '1');
    assert.equal(await p.h.command('DEBUG', 'LOADAOF'), '-ERR\r\n');
    assert.equal(await p.h.command('GET', 'kept'), '$1\r\n1\r\n');
  });
});

describe('DEBUG LOADAOF with appendonly yes', () => {
  let p: Pair;
  before(async () => {
    p = await startPair({ args: [...YES, '--appendonly', 'yes'] }, [...YES, '--appendonly', 'yes']);
  });
  after(async () => {
    await p?.stop();
  });

  it('writes the AOF, empties the dataset and loads it back: the digest stays, later writes still reach the AOF', async () => {
    await p.script(dataset());
    await p.script([['MULTI'], ['INCR', 'counter'], ['LPUSH', 'l:small', 'new'], ['EXEC'], ['SET', 'px', 'v', 'PX', '100000000']]);
    const d = await p.same('DEBUG', 'DIGEST');
    await p.script([['SET', 'w', '1'], ['WATCH', 'w'], ['DEBUG', 'LOADAOF'], ['MULTI'], ['PING'], ['EXEC'], ['DEL', 'w']]);
    await p.same('DEBUG', 'LOADAOF');
    assert.equal(await p.same('DEBUG', 'DIGEST'), d, 'LOADAOF keeps the digest');
    await p.script([['TTL', 's:emb'], ['TTL', 'px'], ['DBSIZE'], ['SET', 'after', '2'], ['DEBUG', 'LOADAOF'], ['GET', 'after'], ['DEBUG', 'DIGEST']]);
    for (const k of KEYS0) await p.same('OBJECT', 'ENCODING', k);
    const [hi, ri] = await Promise.all([info(p.h, 'persistence'), info(p.r, 'persistence')]);
    assert.equal(hi.rdb_changes_since_last_save, ri.rdb_changes_since_last_save);
    assert.equal(hi.aof_last_write_status, 'ok');
    const [hs, rs] = await Promise.all([info(p.h, 'commandstats'), info(p.r, 'commandstats')]);
    assert.equal(cmdstat(hs, 'incr'), cmdstat(rs, 'incr'), 'the replayed commands are not counted');
  });
});

describe('the enable-debug-command gate', () => {
  describe('no (the default), with requirepass', () => {
    let p: Pair;
    before(async () => {
      p = await startPair({ args: ['--requirepass', 'pw'] }, ['--requirepass', 'pw']);
    });
    after(async () => {
      await p?.stop();
    });

    it('refuses DEBUG before authentication and flags a MULTI, counting rejected calls', async () => {
      await p.script([
        ['DEBUG', 'HELP'], ['DEBUG'], ['DEBUG', 'DIGEST'], ['PING'], ['AUTH', 'pw'], ['DEBUG', 'SLEEP', '10'], ['MULTI'],
        ['DEBUG', 'DIGEST'], ['SET', 'a', '1'], ['EXEC'], ['EXISTS', 'a'],
      ]);
      const [hs, rs] = await Promise.all([info(p.h, 'commandstats'), info(p.r, 'commandstats')]);
      assert.equal(cmdstat(hs, 'debug'), cmdstat(rs, 'debug'));
      assert.match(cmdstat(hs, 'debug'), /rejected_calls=5/);
      const [he, re] = await Promise.all([info(p.h, 'errorstats'), info(p.r, 'errorstats')]);
      assert.deepEqual(he, re);
    });
  });

  describe('local', () => {
    const ext = Object.values(os.networkInterfaces()).flat().find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;
    const args = ['--enable-debug-command', 'local', '--protected-mode', 'no', '--bind', ext === undefined ? '127.0.0.1' : `127.0.0.1 ${ext}`];
    let p: Pair;
    before(async () => {
      p = await startPair({ args }, args);
    });
    after(async () => {
      await p?.stop();
    });

    it('lets loopback clients run DEBUG', async () => {
      await p.script([['SET', 'a', '1'], ['DEBUG', 'DIGEST'], ['DEBUG', 'POPULATE', '3']]);
    });

    it('refuses clients of other addresses', { skip: ext === undefined && 'no non-loopback IPv4 address here' }, async () => {
      const [out] = await sameFresh(p, [['DEBUG', 'DIGEST'], ['CONFIG', 'GET', 'enable-debug-command']], { hotkvHost: ext, redisHost: ext });
      assert.match(out, /^-ERR DEBUG command not allowed/);
    });
  });
});
