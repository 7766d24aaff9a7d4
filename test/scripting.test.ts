// Lua scripting (EVAL EVALSHA EVAL_RO EVALSHA_RO SCRIPT ...) compared with redis-server 7.0 byte for byte,
// RESP2 and RESP3: conversions both ways, the redis library, error texts, read-only scripts and shebangs,
// globals protection; then the effects a script has (keyspace notifications, WATCH, commandstats, the AOF)
// and EVALSHA across a hot upgrade.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPair, type Pair } from './helpers/diff';
import { decodeReply, RawClient } from './helpers/resp';
import { startHotkv, type RunningServer } from './helpers/servers';
import { buildLogic, load } from './helpers/upgrade';

/** Scripts whose replies must match redis-server's in both protocols (each run with 2 keys and 2 args). */
const SCRIPTS: string[] = [
  'return 1',
  'return -3.99',
  'return 3.99',
  'return 2^40',
  "return 'x'",
  'return nil',
  'return true',
  'return false',
  "return {1, 2, 3.7, 'x', nil, 4}",
  "return {1, {2, {'a', false, true}}, {}}",
  "return {err='My Error'}",
  "return {err='-x y'}",
  "return {err=1}",
  "return {ok='FINE'}",
  "return {ok=1}",
  "return redis.error_reply('x y')",
  "return redis.error_reply('-x')",
  "return redis.error_reply('-x y')",
  "local t = redis.error_reply('x') return t.err",
  "return redis.status_reply('FINE')",
  'return redis.status_reply()',
  'return {double=1.5}',
  "redis.setresp(3) return {double=1.5}",
  'redis.setresp(3) return {map={a=1}}',
  'redis.setresp(3) return {set={b=true}}',
  'return {map={a=1}}',
  'return KEYS',
  'return ARGV',
  'return {KEYS[1], ARGV[2], #KEYS, #ARGV}',
  "return redis.call('set', KEYS[1], ARGV[1])",
  "return redis.call('get', KEYS[1])",
  "return redis.call('get', 'nosuchkey')",
  "return redis.call('incrby', 'sc:n', 3)",
  "return redis.call('incrbyfloat', 'sc:f', 1.5)",
  "return redis.call('rpush', 'sc:l', 'a', 'b', 3)",
  "return redis.call('lrange', 'sc:l', 0, -1)",
  "return redis.call('hset', 'sc:h', 'f', 'v')",
  "return redis.call('hgetall', 'sc:h')",
  "redis.setresp(3) return redis.call('hgetall', 'sc:h')",
  "redis.setresp(3) local t = redis.call('hgetall', 'sc:h') return t.map.f",
  "redis.setresp(3) return redis.call('get', 'nosuchkey') == nil",
  "return redis.call('get', 'nosuchkey') == false",
  "return redis.call('ping')",
  "return redis.call('ping')['ok']",
  "return type(redis.call('ping'))",
  "redis.call('lpush', KEYS[1], 'x')",
  "return redis.pcall('lpush', KEYS[1], 'x')",
  "return redis.call('lpush', KEYS[1], 'x')",
  "local t = redis.pcall('incr', KEYS[1]) return t.err",
  "return redis.call('nosuch')",
  "return redis.pcall('nosuch')",
  "return redis.call('multi')",
  "return redis.call('subscribe', 'x')",
  "return redis.call('eval', 'return 1', 0)",
  "return redis.call('get')",
  'return redis.call()',
  'return redis.pcall()',
  'return redis.call({})',
  'return redis.call(1)',
  "return redis.call('config', 'nosuch')",
  "return redis.call('blpop', 'sc:empty', 0)",
  "redis.call('select', 1) redis.call('set', 'sc:db1', 'x') return redis.call('get', 'sc:db1')",
  "return redis.call('get', 'sc:db1')",
  'x = 1',
  'return y',
  'redis.foo = 1',
  'string.x = 1',
  'local t = {} t.x = 1 return t.x',
  "error('boom')",
  "error({err='X boom'})",
  'error({err=1})',
  'return error()',
  'return error(12)',
  "error('x', 0)",
  'return = ',
  'local x = ',
  "return redis.sha1hex('')",
  "return redis.sha1hex('abc')",
  'return redis.sha1hex()',
  "return redis.log(redis.LOG_WARNING, 'hello', 'from', 'lua')",
  'return redis.log()',
  "return redis.log(5, 'x')",
  'return redis.setresp(4)',
  'return redis.setresp()',
  'return redis.replicate_commands()',
  'return redis.breakpoint()',
  "return redis.debug('x')",
  'return redis.set_repl(redis.REPL_ALL)',
  'return redis.set_repl(99)',
  'return redis.set_repl()',
  "return redis.acl_check_cmd('get', 'x')",
  "return redis.acl_check_cmd('nosuch')",
  'return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM, redis.REPL_ALL, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_NONE}',
  'return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}',
  "return {type(os), type(io), type(print), type(dofile), type(loadfile), type(require)}",
  "return {type(unpack), type(loadstring), type(table.getn), type(math.pow), type(string.gfind), type(coroutine), type(gcinfo), type(_G)}",
  'return tostring(10/2) .. " " .. tostring(2^40) .. " " .. tostring(1e15) .. " " .. tostring(0.1) .. " " .. tostring(1/3)',
  "return string.format('%d %s %5.2f', 3, 'x', 1.5)",
  'return {tostring(1e-5), tostring(-123456789012345678), tostring(0/0) ~= nil, tostring(1/0), tostring(-2.5)}',
  "redis.call('set', KEYS[1], 1e15) return redis.call('get', KEYS[1])",
  "redis.call('set', KEYS[1], 0.1 + 0.2) return redis.call('get', KEYS[1])",
  "redis.call('set', KEYS[1], 2^53) return redis.call('get', KEYS[1])",
  "return table.concat({1, 2, 3}, ',')",
  "return {unpack({1, 2, 3})}",
  "return loadstring('return 7')()",
  "return math.floor(7.9) + math.max(1, 2)",
  'return #KEYS + #ARGV',
  "return ('abc'):upper()",
  "local s = 0 for i = 1, 1000 do s = s + i end return s",
  "return redis.call('set', KEYS[1], 'a\\0b\\255')",
  "return redis.call('get', KEYS[1])",
  "return string.len(redis.call('get', KEYS[1]))",
];

describe('scripting vs redis-server 7.0', () => {
  let p: Pair;
  before(async () => {
    p = await startPair();
  });
  after(async () => {
    await p?.stop();
  });

  for (const proto of ['2', '3']) {
    it(`EVAL replies and errors (RESP${proto})`, async () => {
      await p.reset();
      await Promise.all([p.h.command('HELLO', proto), p.r.command('HELLO', proto)]);
      for (const body of SCRIPTS) await p.same('EVAL', body, '2', 'sc:k1', 'sc:k2', 'a1', 'a2');
      await p.same('SELECT', '0');
      await Promise.all([p.h.command('HELLO', '2'), p.r.command('HELLO', '2')]);
    });
  }

  it('EVAL argument checks, EVALSHA, SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP', async () => {
    await p.reset();
    await p.script([
      ['EVAL', 'return 1', 'x'],
      ['EVAL', 'return 1', '-1'],
      ['EVAL', 'return 1', '2', 'a'],
      ['EVAL', 'return 1'],
      ['EVALSHA', 'abc', '0'],
      ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'],
      ['EVAL', 'return 1', '0'],
      ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'],
      ['EVALSHA', 'E0E1F9FABFC9D4800C877A703B823AC0578FF8DB', '0'],
      ['SCRIPT', 'LOAD', 'return ARGV[1]'],
      ['SCRIPT', 'LOAD', 'return = '],
      ['SCRIPT', 'LOAD', '#!lua flags=bogus\nreturn 1'],
      ['EVALSHA', '098e0f0d1448c0a81dafe820f66d460eb09263da', '0', 'hello'],
      ['EVALSHA_RO', '098e0f0d1448c0a81dafe820f66d460eb09263da', '0', 'hello'],
      ['SCRIPT', 'EXISTS', '098e0f0d1448c0a81dafe820f66d460eb09263da', 'nope', '098E0F0D1448C0A81DAFE820F66D460EB09263DA'],
      ['SCRIPT', 'FLUSH', 'bad'],
      ['SCRIPT', 'FLUSH', 'ASYNC'],
      ['SCRIPT', 'EXISTS', '098e0f0d1448c0a81dafe820f66d460eb09263da'],
      ['EVALSHA', '098e0f0d1448c0a81dafe820f66d460eb09263da', '0', 'hello'],
      ['SCRIPT', 'FLUSH'],
      ['SCRIPT', 'FLUSH', 'sync'],
      ['SCRIPT', 'KILL'],
      ['SCRIPT', 'HELP'],
      ['SCRIPT', 'NOSUCH'],
      ['SCRIPT'],
    ]);
  });

  it('read-only scripts and shebang flags', async () => {
    await p.reset();
    await p.script([
      ['EVAL_RO', "return redis.call('set', 'a', 'b')", '0'],
      ['EVAL_RO', "return redis.call('get', 'a')", '0'],
      ['EVAL', "#!lua flags=no-writes\nreturn redis.call('set','a','b')", '0'],
      ['EVAL', "#!lua flags=no-writes,allow-stale\nreturn redis.call('get','a')", '0'],
      ['EVAL', "#!lua\nreturn redis.call('set','a','b')", '0'],
      ['EVAL', '#!lua flags=\nreturn 1', '0'],
      ['EVAL', '#!foo\nreturn 1', '0'],
      ['EVAL', '#!lua flags=bar\nreturn 1', '0'],
      ['EVAL', '#!lua x=1\nreturn 1', '0'],
      ['EVAL', "#!lua\nerror('line two')", '0'],
      ['EVAL', '#!lua', '0'],
    ]);
  });

  it('MULTI with EVAL, WATCH invalidated by a script write', async () => {
    await p.reset();
    await p.script([
      ['MULTI'],
      ['EVAL', "return redis.call('incr', KEYS[1])", '1', 'm:k'],
      ['EVAL', "return redis.call('incr', KEYS[1])", '1', 'm:k'],
      ['EXEC'],
      ['WATCH', 'm:k'],
    ]);
    // another client's script touches the watched key
    const [h2, r2] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      const [a, b] = await Promise.all([h2.command('EVAL', "return redis.call('set', KEYS[1], 'z')", '1', 'm:k'),
        r2.command('EVAL', "return redis.call('set', KEYS[1], 'z')", '1', 'm:k')]);
      assert.equal(a, b);
    } finally {
      h2.close();
      r2.close();
    }
    await p.script([['MULTI'], ['GET', 'm:k'], ['EXEC']]);
  });

  it('keyspace notifications and INFO commandstats of commands run by scripts', async () => {
    await p.reset();
    await p.same('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    await p.same('CONFIG', 'RESETSTAT');
    const [hs, rs] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      const [a, b] = await Promise.all([hs.command('PSUBSCRIBE', '__key*__:*'), rs.command('PSUBSCRIBE', '__key*__:*')]);
      assert.equal(a, b);
      await p.same('EVAL', "redis.call('set', KEYS[1], 'v') redis.call('expire', KEYS[1], 100) return redis.call('del', KEYS[1])", '1', 'n:k');
      for (let i = 0; i < 6; i++) {
        const [x, y] = await Promise.all([hs.reply(), rs.reply()]);
        assert.equal(x, y, `notification ${i}`);
      }
    } finally {
      hs.close();
      rs.close();
    }
    await p.same('CONFIG', 'SET', 'notify-keyspace-events', '');
    const stats = async (c: RawClient) => {
      const text = String(await c.command('INFO', 'commandstats'));
      return text.split('\r\n').filter((l) => /^cmdstat_(eval|set|expire|del|incr|get):/.test(l))
        .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, '')).sort().join('\n');
    };
    await p.same('EVAL', "redis.call('get', 'x') return redis.pcall('incr', KEYS[1])", '1', 'n:s');
    await p.same('SET', 'n:s', 'str');
    await p.same('EVAL', "return redis.pcall('incr', KEYS[1])", '1', 'n:s');
    const [hst, rst] = await Promise.all([stats(p.h), stats(p.r)]);
    assert.equal(hst, rst);
  });
});

describe('scripting: AOF and hot upgrade', () => {
  let hk: RunningServer;
  let c: RawClient;
  const logicDir = fs.mkdtempSync('/tmp/hotkv-scripting-');
  before(async () => {
    await Promise.all([buildLogic('0.0.9-luaa', logicDir), buildLogic('0.0.9-luab', logicDir)]);
    hk = await startHotkv({ logicDir, logicFile: 'logic-0.0.9-luaa.cjs', args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    c = await RawClient.connect(hk.port);
  });
  after(async () => {
    c?.close();
    await hk?.stop();
    fs.rmSync(logicDir, { recursive: true, force: true });
    if (hk) fs.rmSync(hk.dir, { recursive: true, force: true });
  });

  it('writes done by a script reach the AOF as their effects, wrapped in MULTI/EXEC when more than one', async () => {
    await c.command('EVAL', "redis.call('set', KEYS[1], 'v') redis.call('select', 2) redis.call('incr', 'a:n') return 1", '1', 'a:k');
    await c.command('EVAL', "return redis.call('set', KEYS[1], 'one')", '1', 'a:one');
    await c.command('EVAL', "return redis.call('get', KEYS[1])", '1', 'a:one');
    const aofDir = path.join(hk.dir, 'appendonlydir');
    const incr = fs.readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'))!;
    const text = fs.readFileSync(path.join(aofDir, incr), 'latin1');
    const words = text.split('\r\n').filter((l) => l !== '' && l[0] !== '*' && l[0] !== '$').join(' ');
    assert.ok(!/EVAL/i.test(text), `EVAL itself propagated: ${JSON.stringify(text)}`);
    assert.equal(words, 'MULTI SELECT 0 set a:k v SELECT 2 incr a:n EXEC SELECT 0 set a:one one');
  });

  it('a script past busy-reply-threshold logs a warning and still completes', async () => {
    assert.equal(await c.command('CONFIG', 'SET', 'busy-reply-threshold', '20'), '+OK\r\n');
    const body = 'local t = redis.call("time") local start = t[1] * 1000000 + t[2] local n = 0 ' +
      'repeat n = n + 1 local u = redis.call("time") until (u[1] * 1000000 + u[2]) - start > 60000 return 1';
    assert.equal(await c.command('EVAL', body, '0'), ':1\r\n');
    await hk.waitFor(/Slow script detected: still in execution after \d+ milliseconds/, 5000);
    assert.equal(await c.command('CONFIG', 'SET', 'busy-reply-threshold', '5000'), '+OK\r\n');
  });

  it('EVALSHA works across HOTUPGRADE LOAD (the script cache is State)', async () => {
    const sha = decodeReply(await c.command('SCRIPT', 'LOAD', "return 'v1:' .. ARGV[1]"));
    assert.equal(typeof sha, 'string');
    assert.equal(await c.command('EVALSHA', String(sha), '0', 'x'), '$4\r\nv1:x\r\n');
    assert.equal((await load(c, 'logic-0.0.9-luab.cjs')).to, '0.0.9-luab');
    assert.equal(await c.command('EVALSHA', String(sha), '0', 'y'), '$4\r\nv1:y\r\n');
    assert.equal(await c.command('SCRIPT', 'EXISTS', String(sha)), '*1\r\n:1\r\n');
    assert.equal(await c.command('EVAL', 'return 2', '0'), ':2\r\n');
  });
});
