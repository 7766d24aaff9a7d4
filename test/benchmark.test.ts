// Debian's redis-tools against hotkv: redis-benchmark's default tests (plain and pipelined) run
// without a single error, redis-cli --pipe mass insertion of 50,000 commands, and redis-cli's
// interactive mode and one-shot commands (output compared with the same session on redis-server).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run } from '../bench/lib/tools';
import { show, startPair, type Pair } from './helpers/diff';

const TESTS = 'set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,lrange_100,lrange_300,lrange_500,lrange_600,mset';
/** The CSV "test" column redis-benchmark 7.0 prints for each of TESTS. */
const EXPECTED_ROWS = [
  'SET', 'GET', 'INCR', 'LPUSH', 'RPUSH', 'LPOP', 'RPOP', 'SADD', 'HSET', 'SPOP', 'ZADD', 'ZPOPMIN',
  'LPUSH (needed to benchmark LRANGE)', 'LRANGE_100 (first 100 elements)', 'LRANGE_300 (first 300 elements)',
  'LRANGE_500 (first 500 elements)', 'LRANGE_600 (first 600 elements)', 'MSET (10 keys)',
];

/** Parse redis-benchmark --csv output; every line must be the header or a result row. */
function parseCsv(stdout: string): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  const lines = stdout.split('\n').filter((l) => l.length > 0);
  assert.equal(lines[0], '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
    `unexpected first line in ${show(stdout.slice(0, 300))}`);
  for (const line of lines.slice(1)) {
    const m = /^"([^"]+)",((?:"[0-9.]+",?)+)$/.exec(line);
    assert.ok(m, `not a result row: ${show(line)}`);
    const nums = m[2].split(',').map((x) => Number(x.replace(/"/g, '')));
    assert.equal(nums.length, 7, `row ${show(line)}`);
    rows.set(m[1], nums);
  }
  return rows;
}

describe('redis-benchmark and redis-cli against hotkv', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });

  for (const pipeline of [1, 16]) {
    it(`redis-benchmark -t ${TESTS} -n 2000 -c 10 -P ${pipeline}: every test runs, no error`, async () => {
      await p.reset();
      const r = await run('redis-benchmark', ['-h', '127.0.0.1', '-p', String(p.hotkv.port), '-n', '2000', '-c', '10',
        '-P', String(pipeline), '-t', TESTS, '--csv']);
      assert.equal(r.code, 0, `redis-benchmark exited with ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.doesNotMatch(r.stdout + r.stderr, /error|warning|unexpected/i, `redis-benchmark reported a problem:\n${r.stdout}\n${r.stderr}`);
      const rows = parseCsv(r.stdout);
      assert.deepEqual([...rows.keys()], EXPECTED_ROWS);
      for (const [name, nums] of rows) {
        assert.ok(nums[0] > 0, `${name}: rps ${nums[0]}`);
        assert.ok(nums.every((x) => Number.isFinite(x) && x >= 0), `${name}: ${nums.join(',')}`);
      }
      // what the benchmark left behind is what its commands write
      assert.equal(await p.h.command('STRLEN', 'key:__rand_int__'), ':3\r\n');
      assert.equal(await p.h.command('GET', 'counter:__rand_int__'), '$4\r\n2000\r\n');
      assert.equal(await p.h.command('TYPE', 'mylist'), '+list\r\n');
      const value = await p.h.command('HGET', 'myhash', 'element:__rand_int__');
      assert.match(value, /^\$3\r\n...\r\n$/);
      assert.equal(await p.h.command('GET', 'key:__rand_int__'), value); // MSET wrote the same 3 bytes
      assert.equal(await p.h.command('ZCARD', 'myzset'), ':0\r\n'); // ZPOPMIN took what ZADD added
      assert.equal(await p.h.command('EXISTS', 'myset'), ':0\r\n'); // SPOP took what SADD added
      assert.equal(await p.h.command('LLEN', 'mylist'), ':2000\r\n'); // the pops emptied it, then LPUSH for LRANGE
      assert.equal(await p.h.command('DBSIZE'), ':4\r\n');
    });
  }

  it('redis-cli --pipe: mass insertion of 50,000 commands', async () => {
    await p.reset();
    const parts: string[] = [];
    const cmd = (...args: string[]) => {
      let s = `*${args.length}\r\n`;
      for (const a of args) s += `$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`;
      parts.push(s);
    };
    for (let i = 0; i < 50000; i++) {
      switch (i % 5) {
        case 0: case 1: case 2: cmd('SET', `pipe:s:${i}`, `value-${i}\r\n\x00\xff`); break;
        case 3: cmd('HSET', `pipe:h:${i % 97}`, `f${i}`, String(i)); break;
        default: cmd('RPUSH', `pipe:l:${i % 13}`, String(i)); break;
      }
    }
    const input = Buffer.from(parts.join(''), 'latin1');
    const [hr, rr] = await Promise.all([
      run('redis-cli', ['-h', '127.0.0.1', '-p', String(p.hotkv.port), '--pipe'], input),
      run('redis-cli', ['-h', '127.0.0.1', '-p', String(p.redis.port), '--pipe'], input),
    ]);
    assert.equal(hr.code, 0, `redis-cli --pipe exited with ${hr.code}: ${hr.stdout} ${hr.stderr}`);
    assert.match(hr.stdout, /errors: 0, replies: 50000\s*$/, hr.stdout);
    assert.equal(hr.stdout, rr.stdout);
    await p.same('DBSIZE');
    assert.equal(await p.h.command('DBSIZE'), `:${30000 + 97 + 13}\r\n`);
    await p.script([['GET', 'pipe:s:49997'], ['HLEN', 'pipe:h:5'], ['HGET', 'pipe:h:5', 'f49963'], ['LLEN', 'pipe:l:4'],
      ['LRANGE', 'pipe:l:4', '0', '3'], ['LINDEX', 'pipe:l:4', '-1']]);

    // a reply error is counted and reported, the rest still runs
    const bad = Buffer.from('*2\r\n$3\r\nGET\r\n$1\r\na\r\n*1\r\n$4\r\nINCR\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n', 'latin1');
    const [hb, rb] = await Promise.all([
      run('redis-cli', ['-h', '127.0.0.1', '-p', String(p.hotkv.port), '--pipe'], bad),
      run('redis-cli', ['-h', '127.0.0.1', '-p', String(p.redis.port), '--pipe'], bad),
    ]);
    assert.match(hb.stdout, /errors: 2, replies: 4/, hb.stdout);
    assert.equal(hb.stdout, rb.stdout);
  });

  /** The same redis-cli invocation against both servers; stdout and exit code must match. */
  async function sameCli(args: string[], input?: string): Promise<string> {
    await p.reset();
    const [hr, rr] = await Promise.all([
      run('redis-cli', ['-h', '127.0.0.1', '-p', String(p.hotkv.port), ...args], input),
      run('redis-cli', ['-h', '127.0.0.1', '-p', String(p.redis.port), ...args], input),
    ]);
    assert.equal(show(hr.stdout), show(rr.stdout), `redis-cli ${args.join(' ')} output differs`);
    assert.equal(hr.code, rr.code);
    return hr.stdout;
  }

  it('redis-cli interactive session from stdin', async () => {
    const session = [
      'PING', 'SET greeting "hello world"', 'GET greeting', 'APPEND greeting "\\x00\\xff"', 'GET greeting', 'INCR n', 'INCRBYFLOAT n 0.5',
      'RPUSH l a b "c d"', 'LRANGE l 0 -1', 'HSET h f1 v1 f2 v2', 'HGET h f2', 'SADD s 3 1 2', 'SMEMBERS s', 'ZADD z 1 a 2.5 b',
      'ZRANGE z 0 -1 WITHSCORES', 'SORT l ALPHA DESC', 'EXPIRE l 1000', 'TTL l', 'TYPE z', 'NOSUCHCOMMAND x', 'GET', 'LPUSH greeting x',
      'MULTI', 'INCR n2', 'INCR n2', 'EXEC', 'SELECT 1', 'SET k v', 'DBSIZE', 'SELECT 0', 'DBSIZE', 'HGETALL h', 'ZSCORE z b',
      'SMISMEMBER s 1 9', 'GET nosuch', 'LPOP nosuch 2', 'ZRANGE nosuch 0 -1', 'MULTI', 'GET', 'EXEC', 'DISCARD',
      'DEL greeting l h s z n n2', 'KEYS *',
    ].join('\n') + '\n';
    const formatted = await sameCli(['--no-raw'], session);
    assert.match(formatted, /"hello world"/);
    assert.match(formatted, /\(error\) ERR unknown command 'NOSUCHCOMMAND'/);
    assert.match(formatted, /\(error\) WRONGTYPE/);
    assert.match(formatted, /\(error\) EXECABORT/);
    const raw = await sameCli([], session);
    assert.match(raw, /^PONG\nOK\nhello world\n/);
    // RESP3 (redis-cli -3 says HELLO 3 when it connects): maps, doubles, nulls
    const resp3 = await sameCli(['-3', '--no-raw'], session);
    assert.match(resp3, /1# "f1" => "v1"/);
    assert.match(resp3, /\(double\) 2\.5/);
  });

  it('redis-cli one-shot commands, -x, -r, --scan', async () => {
    await sameCli(['SET', 'a', 'b c']);
    const out = await sameCli(['--no-raw', 'RPUSH', 'l', '1', '2', '3']);
    assert.equal(out, '(integer) 3\n');
    await sameCli(['-r', '3', 'INCR', 'c']);
    await sameCli(['-x', 'SET', 'k'], 'from stdin\n');
    await sameCli(['--no-raw', 'HGETALL', 'nosuch']);
    await sameCli(['--no-raw', 'LPOP', 'nosuch', '2']);
    await sameCli(['--no-raw', 'ZRANGE', 'nosuch', '0', '-1']);
    await sameCli(['--no-raw', 'SORT', 'nosuch']);
    await sameCli(['--no-raw', 'NOSUCH']);
    await p.reset();
    for (let i = 0; i < 30; i++) await p.same('SET', `scan:${i}`, 'x');
    const [hr, rr] = await Promise.all([
      run('redis-cli', ['-h', '127.0.0.1', '-p', String(p.hotkv.port), '--scan', '--pattern', 'scan:1*']),
      run('redis-cli', ['-h', '127.0.0.1', '-p', String(p.redis.port), '--scan', '--pattern', 'scan:1*']),
    ]);
    assert.equal(hr.code, 0);
    const sorted = (s: string) => s.split('\n').filter(Boolean).sort().join('\n');
    assert.equal(sorted(hr.stdout), sorted(rr.stdout));
    assert.equal(sorted(hr.stdout).split('\n').length, 11);
  });
});
