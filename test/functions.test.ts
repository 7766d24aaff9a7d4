// Redis 7.0 functions (FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL/HELP, FCALL, FCALL_RO) compared
// with redis-server 7.0 byte for byte, RESP2 and RESP3: library metadata and registration errors, what a
// library's top level may do, replies and errors of FCALL, read-only functions, MULTI/EXEC, INFO; then DUMP
// payloads and RDB files exchanged both ways with redis-server, AOF propagation and replay, and FCALL across
// a hot upgrade (the libraries are State, the compiled callbacks are not).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { decodeReply, RawClient } from './helpers/resp';
import { DEFAULT_BUNDLE, startHotkv, startRedis } from './helpers/servers';
import { scratch } from './helpers/scratch';
import { waitUntil } from './helpers/upgrade';

const lib = (name: string, body: string) => `#!lua name=${name}\n${body}`;

/** A library with two functions of every flag shape (one function per library keeps LIST's order fixed). */
const MAIN = lib('mainlib', [
  "redis.register_function('f_set', function(keys, args) return redis.call('set', keys[1], args[1]) end)",
].join('\n'));
const RO = lib('rolib', "redis.register_function{function_name='f_get', callback=function(keys, args) return redis.call('get', keys[1]) end, " +
  "flags={'no-writes'}, description='reads a key'}");
const ECHO = lib('echolib', "redis.register_function{function_name='f_echo', callback=function(keys, args) return {keys, args, #keys, #args} end, " +
  "flags={'allow-oom', 'ALLOW-STALE', 'no-cluster', 'allow-cross-slot-keys'}}");

/** FUNCTION LOAD bodies whose replies (mostly errors) must match byte for byte. */
const LOADS: string[] = [
  'return 1',
  '#!lua',
  '#!lua name=x',
  '#!lua\nreturn 1',
  '#!lua name=a name=b\nreturn 1',
  '#!lua foo=bar\nreturn 1',
  '#!lua name=bad-name\nreturn 1',
  '#!lua name=\nreturn 1',
  '#!js name=x\nreturn 1',
  '#!LUA name=up\nredis.register_function("f_up", function() return 1 end)',
  lib('nofn', 'return 1'),
  lib('syntax', 'return +'),
  lib('runtime', "local x = 1\nassert(false, 'nope')"),
  lib('callatload', "redis.call('ping')"),
  lib('stringglobal', "local s = string.format('%d', 1)"),
  lib('setglobal', 'x = 1'),
  lib('errcall', "error('boom')"),
  lib('errtable', "error({err='MY custom'})"),
  lib('regargs0', 'redis.register_function()'),
  lib('regargs3', "redis.register_function('a', function() end, 3)"),
  lib('regnoname', 'redis.register_function(1, function() end)'),
  lib('regnofn', "redis.register_function('a', 'b')"),
  lib('regbadname', "redis.register_function('a-b', function() end)"),
  lib('regempty', "redis.register_function('', function() end)"),
  lib('regdup', "redis.register_function('d1', function() end)\nredis.register_function('d1', function() end)"),
  lib('regtbl1', "redis.register_function('x')"),
  lib('regtbl2', "redis.register_function({function_name='a'})"),
  lib('regtbl3', "redis.register_function({callback=function() end})"),
  lib('regtbl4', "redis.register_function({function_name=1, callback=function() end})"),
  lib('regtbl5', "redis.register_function({function_name='a', callback='x'})"),
  lib('regtbl6', "redis.register_function({function_name='a', callback=function() end, flags='x'})"),
  lib('regtbl7', "redis.register_function({function_name='a', callback=function() end, flags={'bad'}})"),
  lib('regtbl8', "redis.register_function({function_name='a', callback=function() end, foo=1})"),
  lib('regtbl9', "redis.register_function({function_name='a', callback=function() end, description=3})"),
  lib('regtbl10', "redis.register_function({[1]='a', callback=function() end})"),
  lib('timeout', 'local i = 0 while true do i = i + 1 end'),
  lib('timeoutpcall', 'pcall(function() while true do end end) redis.register_function("f_after", function() return 1 end)'),
  lib('logatload', "redis.log(redis.LOG_NOTICE, 'loading') redis.register_function('f_log', function() return redis.REDIS_VERSION_NUM end)"),
];

/** HELLO on both (the replies differ by client id only). */
async function hello(p: Pair, resp: string): Promise<void> {
  await Promise.all([p.h.command('HELLO', resp), p.r.command('HELLO', resp)]);
}

describe('functions vs redis-server 7.0', () => {
  let p: Pair;
  before(async () => {
    p = await startPair();
  });
  after(async () => {
    await p?.stop();
  });

  it('FUNCTION LOAD: metadata, registration and load-time errors', async () => {
    for (const body of LOADS) await p.same('FUNCTION', 'LOAD', body);
    await p.same('FUNCTION', 'LOAD');
    await p.same('FUNCTION', 'LOAD', 'REPLACE');
    await p.same('FUNCTION', 'LOAD', 'FOO', MAIN);
    await p.same('FUNCTION', 'LOAD', MAIN);
    await p.same('FUNCTION', 'LOAD', MAIN);
    await p.same('FUNCTION', 'LOAD', 'replace', MAIN);
    // a function name another library holds
    await p.same('FUNCTION', 'LOAD', lib('other', "redis.register_function('f_set', function() end)"));
    await p.same('FCALL', 'f_log', '0');
    await p.same('FUNCTION', 'FLUSH');
  });

  it('FCALL / FCALL_RO: replies, errors, read-only functions', async () => {
    await p.reset();
    await p.same('FUNCTION', 'FLUSH');
    for (const l of [MAIN, RO, ECHO]) await p.same('FUNCTION', 'LOAD', l);
    await p.script([
      ['FCALL', 'f_set', '1', 'fk', 'v1'],
      ['FCALL', 'f_get', '1', 'fk'],
      ['FCALL_RO', 'f_get', '1', 'fk'],
      ['FCALL_RO', 'f_set', '1', 'fk', 'v'],
      ['FCALL', 'f_echo', '2', 'a', 'b', 'c'],
      ['FCALL', 'f_echo', '0'],
      ['FCALL', 'nosuch', '0'],
      ['FCALL', 'nosuch', 'x'],
      ['FCALL', 'f_echo', 'x'],
      ['FCALL', 'f_echo', '-1'],
      ['FCALL', 'f_echo', '3', 'a'],
      ['FCALL'],
      ['FCALL', 'f_echo'],
    ]);
    await p.same('FUNCTION', 'LOAD', lib('errlib', [
      "redis.register_function('f_err', function(keys, args) error('my error') end)",
      "redis.register_function('f_callerr', function(keys, args) return redis.call('incr', keys[1]) end)",
      "redis.register_function('f_pcall', function(keys, args) return redis.pcall('incr', keys[1]) end)",
      "redis.register_function{function_name='f_rowrite', callback=function(keys) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}",
      "redis.register_function('f_global', function() return KEYS end)",
      "redis.register_function('f_reg', function() return type(redis.register_function) end)",
      "redis.register_function('f_errreply', function() return redis.error_reply('MY err') end)",
      "redis.register_function('f_resp3', function() redis.setresp(3) return redis.call('hgetall', 'fh') end)",
    ].join('\n')));
    await p.same('HSET', 'fh', 'a', '1');
    await p.script([
      ['FCALL', 'f_err', '0'],
      ['FCALL', 'f_callerr', '1', 'fk'],
      ['FCALL', 'f_pcall', '1', 'fk'],
      ['FCALL', 'f_rowrite', '1', 'fk2'],
      ['FCALL_RO', 'f_rowrite', '1', 'fk2'],
      ['FCALL', 'f_global', '0'],
      ['FCALL', 'f_reg', '0'],
      ['FCALL', 'f_errreply', '0'],
      ['FCALL', 'f_resp3', '0'],
      ['EXISTS', 'fk2'],
    ]);
    // RESP3
    await hello(p, '3');
    await p.script([
      ['FCALL', 'f_echo', '1', 'a', 'b'],
      ['FCALL', 'f_resp3', '0'],
      ['FCALL', 'f_err', '0'],
    ]);
    await hello(p, '2');
  });

  it('FUNCTION LIST / STATS / DELETE / FLUSH / KILL / HELP, RESP2 and RESP3', async () => {
    await p.same('FUNCTION', 'FLUSH');
    await p.same('FUNCTION', 'LIST');
    await p.same('FUNCTION', 'STATS');
    await p.same('FUNCTION', 'LOAD', RO);
    for (const resp of ['2', '3']) {
      await hello(p, resp);
      await p.script([
        ['FUNCTION', 'LIST'],
        ['FUNCTION', 'LIST', 'WITHCODE'],
        ['FUNCTION', 'LIST', 'LIBRARYNAME', 'ro*'],
        ['FUNCTION', 'LIST', 'libraryname', 'RO*', 'withcode'],
        ['FUNCTION', 'LIST', 'LIBRARYNAME', 'zz*'],
        ['FUNCTION', 'LIST', 'LIBRARYNAME'],
        ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'],
        ['FUNCTION', 'LIST', 'foo'],
        ['FUNCTION', 'STATS'],
        ['FUNCTION', 'KILL'],
        ['FUNCTION', 'HELP'],
      ]);
    }
    await hello(p, '2');
    await p.same('FUNCTION', 'LOAD', ECHO);
    await p.script([
      ['FUNCTION', 'STATS'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'echo*'],
      ['FUNCTION', 'DELETE', 'nosuch'],
      ['FUNCTION', 'DELETE', 'echolib'],
      ['FUNCTION', 'DELETE'],
      ['FCALL', 'f_echo', '0'],
      ['FUNCTION', 'FLUSH', 'bad'],
      ['FUNCTION', 'FLUSH', 'ASYNC'],
      ['FUNCTION', 'FLUSH', 'sync', 'x'],
      ['FUNCTION', 'STATS'],
      ['FUNCTION', 'NOSUCH'],
      ['SCRIPT', 'KILL'],
    ]);
  });

  it('MULTI/EXEC with FCALL, and INFO number_of_functions / number_of_libraries', async () => {
    await p.reset();
    await p.same('FUNCTION', 'FLUSH');
    await p.same('FUNCTION', 'LOAD', MAIN);
    await p.same('FUNCTION', 'LOAD', RO);
    await p.script([['MULTI'], ['FCALL', 'f_set', '1', 'mk', 'x'], ['FCALL_RO', 'f_get', '1', 'mk'], ['FCALL', 'nosuch', '0'], ['EXEC']]);
    // SCRIPT FLUSH drops the VM (hotkv's EVAL and FCALL share it): the functions stay and compile again
    await p.script([['SCRIPT', 'FLUSH'], ['FCALL_RO', 'f_get', '1', 'mk'], ['FUNCTION', 'STATS']]);
    const fields = async (c: RawClient) => (await c.command('INFO', 'memory')).split('\r\n')
      .filter((l) => /^number_of_(functions|libraries):/.test(l)).join(',');
    assert.equal(await fields(p.h), await fields(p.r));
    assert.equal(await fields(p.h), 'number_of_functions:2,number_of_libraries:2');
  });

  it('maxmemory: functions without no-writes or allow-oom are refused over the limit', async () => {
    await p.reset();
    await p.same('FUNCTION', 'FLUSH');
    for (const l of [MAIN, RO, ECHO]) await p.same('FUNCTION', 'LOAD', l);
    await p.same('FUNCTION', 'LOAD', lib('oomlib', "redis.register_function{function_name='f_oomset', callback=function(keys, args) " +
      "return redis.call('set', keys[1], args[1]) end, flags={'allow-oom'}}"));
    try {
      await p.script([
        ['SET', 'k', 'v'],
        ['CONFIG', 'SET', 'maxmemory', '1'],
        ['FCALL', 'f_set', '1', 'k', 'v2'],
        ['FCALL', 'f_get', '1', 'k'],
        ['FCALL_RO', 'f_get', '1', 'k'],
        ['FCALL', 'f_oomset', '1', 'k', 'v3'],
        ['FCALL', 'f_echo', '0'],
        ['FCALL', 'nosuch', '0'],
        ['FUNCTION', 'LOAD', lib('oom2', "redis.register_function('f_x', function() return 1 end)")],
        ['FUNCTION', 'DELETE', 'oomlib'],
      ]);
    } finally {
      await p.same('CONFIG', 'SET', 'maxmemory', '0');
    }
  });

  it('MONITOR shows FCALL before the commands its function runs, as EVAL', async () => {
    await p.same('FUNCTION', 'FLUSH');
    await p.same('FUNCTION', 'LOAD', MAIN);
    const feed = async (port: number) => {
      const [m, c] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
      try {
        assert.equal(await m.command('MONITOR'), '+OK\r\n');
        await c.command('FCALL', 'f_set', '1', 'mk', 'mv');
        await c.command('FCALL', 'nosuch', '0');
        await c.command('ECHO', 'mark');
        const lines: string[] = [];
        for (;;) {
          const l = (await m.reply()).replace(/^\+\d+\.\d+ \[(\d+) ([^\]]*?)(:\d+)?\]/, '[$1 $2]');
          if (l.includes('"ECHO" "mark"')) return lines;
          lines.push(l);
        }
      } finally {
        m.close();
        c.close();
      }
    };
    const [h, r] = await Promise.all([feed(p.hotkv.port), feed(p.redis.port)]);
    assert.deepEqual(h, r);
    assert.equal(h.length, 3, h.join(''));
  });

  it('SLOWLOG logs FCALL with its arguments, not the commands its function runs', async () => {
    await p.same('FUNCTION', 'FLUSH');
    await p.same('FUNCTION', 'LOAD', MAIN);
    const logged = async (c: RawClient) => {
      await c.command('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      await c.command('SLOWLOG', 'RESET');
      await c.command('FCALL', 'f_set', '1', 'sk', 'sv');
      await c.command('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
      // entries newest first: [id, time, usec, args, addr, name]
      return (decodeReply(await c.command('SLOWLOG', 'GET', '10')) as unknown[][]).map((e) => JSON.stringify(e[3]));
    };
    const [h, r] = await Promise.all([logged(p.h), logged(p.r)]);
    assert.deepEqual(h, r);
    assert.ok(h.includes(JSON.stringify(['FCALL', 'f_set', '1', 'sk', 'sv'])), h.join(' '));
  });

  it('FUNCTION DUMP / RESTORE: payloads move both ways; policies and errors', async () => {
    await p.same('FUNCTION', 'FLUSH');
    await p.same('FUNCTION', 'LOAD', MAIN);
    // one library: the payload bytes are the same on both
    const dump = await p.same('FUNCTION', 'DUMP');
    await p.same('FUNCTION', 'LOAD', RO);
    const fromRedis = String(decodeReply(await p.r.command('FUNCTION', 'DUMP')));
    const fromHotkv = String(decodeReply(await p.h.command('FUNCTION', 'DUMP')));
    await p.same('FUNCTION', 'FLUSH');
    // each restores the other's payload
    assert.equal(await p.h.command('FUNCTION', 'RESTORE', fromRedis), '+OK\r\n');
    assert.equal(await p.r.command('FUNCTION', 'RESTORE', fromHotkv), '+OK\r\n');
    const list = async (c: RawClient) => JSON.stringify((decodeReply(await c.command('FUNCTION', 'LIST', 'WITHCODE')) as unknown[])
      .map((x) => JSON.stringify(x)).sort());
    assert.equal(await list(p.h), await list(p.r));
    const one = String(decodeReply(dump));
    const bad = one.slice(0, -1) + String.fromCharCode(one.charCodeAt(one.length - 1) ^ 1);
    await p.script([
      ['FUNCTION', 'RESTORE', one],
      ['FUNCTION', 'RESTORE', one, 'APPEND'],
      ['FUNCTION', 'RESTORE', one, 'REPLACE'],
      ['FUNCTION', 'RESTORE', one, 'bad'],
      ['FUNCTION', 'RESTORE', bad],
      ['FUNCTION', 'RESTORE', 'short'],
      ['FUNCTION', 'RESTORE', one, 'FLUSH'],
      ['FUNCTION', 'STATS'],
      ['FUNCTION', 'LIST'],
    ]);
    // a payload whose library clashes by function name only
    await p.same('FUNCTION', 'FLUSH');
    await p.same('FUNCTION', 'LOAD', lib('clash', "redis.register_function('f_set', function() end)"));
    await p.same('FUNCTION', 'RESTORE', one);
    await p.same('FUNCTION', 'RESTORE', one, 'REPLACE');
    await p.same('FUNCTION', 'FLUSH');
    await p.same('FUNCTION', 'DUMP');
  });
});

describe('functions: RDB files, AOF, hot upgrade', () => {
  const { track, tmpDir } = scratch('hotkv-functions-');

  const listOf = async (port: number) => {
    const c = await RawClient.connect(port);
    try {
      return JSON.stringify((decodeReply(await c.command('FUNCTION', 'LIST', 'WITHCODE')) as unknown[]).map((x) => JSON.stringify(x)).sort());
    } finally {
      c.close();
    }
  };

  it('an RDB with libraries moves between hotkv and redis-server both ways', async () => {
    const hk = await track(startHotkv());
    const c = await RawClient.connect(hk.port);
    for (const l of [MAIN, RO, ECHO]) assert.match(await c.command('FUNCTION', 'LOAD', l), /^\$/);
    await c.command('SET', 'k', 'v');
    assert.equal(await c.command('SAVE'), '+OK\r\n');
    c.close();
    const want = await listOf(hk.port);
    const dir = tmpDir();
    fs.copyFileSync(path.join(hk.dir, 'dump.rdb'), path.join(dir, 'dump.rdb'));
    const redis = await track(startRedis(['--dir', dir]));
    assert.equal(await listOf(redis.port), want);
    const rc = await RawClient.connect(redis.port);
    assert.equal(await rc.command('FCALL', 'f_get', '1', 'k'), '$1\r\nv\r\n');
    assert.equal(await rc.command('FUNCTION', 'DELETE', 'rolib'), '+OK\r\n');
    assert.equal(await rc.command('SAVE'), '+OK\r\n');
    const want2 = await listOf(redis.port);
    rc.close();
    const dir2 = tmpDir();
    fs.copyFileSync(path.join(dir, 'dump.rdb'), path.join(dir2, 'dump.rdb'));
    const hk2 = await track(startHotkv({ dir: dir2 }));
    assert.equal(await listOf(hk2.port), want2);
    const c2 = await RawClient.connect(hk2.port);
    assert.equal(await c2.command('FCALL', 'f_set', '1', 'k2', 'w'), '+OK\r\n');
    assert.equal(await c2.command('FCALL', 'f_get', '1', 'k2'), '-ERR Function not found\r\n');
    c2.close();
  });

  it('the AOF carries FUNCTION LOAD/DELETE/RESTORE and FCALL as its effects; a restart replays them', async () => {
    const hk = await track(startHotkv({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] }));
    const c = await RawClient.connect(hk.port);
    assert.match(await c.command('FUNCTION', 'LOAD', MAIN), /^\$/);
    assert.match(await c.command('FUNCTION', 'LOAD', RO), /^\$/);
    assert.equal(await c.command('FCALL', 'f_set', '1', 'ak', 'av'), '+OK\r\n');
    assert.equal(await c.command('FCALL_RO', 'f_get', '1', 'ak'), '$2\r\nav\r\n');
    assert.equal(await c.command('FUNCTION', 'DELETE', 'rolib'), '+OK\r\n');
    const text = fs.readFileSync(path.join(hk.dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
    const words = text.split('\r\n').filter((l) => l !== '' && l[0] !== '*' && l[0] !== '$').map((w) => w.split('\n')[0]);
    assert.deepEqual(words, ['SELECT', '0', 'FUNCTION', 'LOAD', '#!lua name=mainlib', 'FUNCTION', 'LOAD', '#!lua name=rolib',
      'set', 'ak', 'av', 'FUNCTION', 'DELETE', 'rolib']);
    c.close();
    const want = await listOf(hk.port);
    await hk.stop();
    const hk2 = await track(startHotkv({ dir: hk.dir, args: ['--appendonly', 'yes'] }));
    assert.equal(await listOf(hk2.port), want);
    const c2 = await RawClient.connect(hk2.port);
    assert.equal(await c2.command('GET', 'ak'), '$2\r\nav\r\n');
    c2.close();
    await hk2.stop();
    // a rewrite keeps the libraries: in the RDB preamble, and as FUNCTION LOAD commands in a RESP base
    for (const preamble of ['yes', 'no']) {
      const hk3 = await track(startHotkv({ dir: hk.dir, args: ['--appendonly', 'yes', '--aof-use-rdb-preamble', preamble] }));
      const c3 = await RawClient.connect(hk3.port);
      assert.match(await c3.command('BGREWRITEAOF'), /^\+Background append only file rewriting/);
      await waitUntil('the rewrite to end', async () => (await c3.command('INFO', 'persistence')).includes('aof_rewrite_in_progress:0'));
      c3.close();
      await hk3.stop();
      const base = fs.readdirSync(path.join(hk.dir, 'appendonlydir')).find((f) => f.includes('.base.'))!;
      const text = fs.readFileSync(path.join(hk.dir, 'appendonlydir', base), 'latin1');
      if (preamble === 'no') assert.match(text, /^\*3\r\n\$8\r\nFUNCTION\r\n\$4\r\nLOAD\r\n/);
      else assert.match(text, /^REDIS0010/);
      const hk4 = await track(startHotkv({ dir: hk.dir, args: ['--appendonly', 'yes'] }));
      assert.equal(await listOf(hk4.port), want, `after a rewrite with aof-use-rdb-preamble ${preamble}`);
      await hk4.stop();
    }
  });

  it('FCALL works across HOTUPGRADE LOAD (the libraries are State; the new logic compiles them again)', async () => {
    const hk = await track(startHotkv());
    const c = await RawClient.connect(hk.port);
    assert.match(await c.command('FUNCTION', 'LOAD', MAIN), /^\$/);
    assert.match(await c.command('FUNCTION', 'LOAD', RO), /^\$/);
    assert.equal(await c.command('FCALL', 'f_set', '1', 'uk', 'one'), '+OK\r\n');
    const before = await c.command('FUNCTION', 'LIST');
    const up = await c.command('HOTUPGRADE', 'LOAD', DEFAULT_BUNDLE);
    assert.ok(up.startsWith('*') || up.startsWith('%'), show(up));
    assert.equal(await c.command('FUNCTION', 'LIST'), before);
    assert.equal(await c.command('FCALL_RO', 'f_get', '1', 'uk'), '$3\r\none\r\n');
    assert.equal(await c.command('FCALL', 'f_set', '1', 'uk', 'two'), '+OK\r\n');
    assert.equal(await c.command('FCALL_RO', 'f_get', '1', 'uk'), '$3\r\ntwo\r\n');
    assert.equal(await c.command('FUNCTION', 'LOAD', MAIN), "-ERR Library 'mainlib' already exists\r\n");
    c.close();
  });
});
