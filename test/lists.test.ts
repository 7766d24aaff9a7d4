// The list command family, compared with redis-server 7.0 byte for byte: every command, option and
// error (WRONGTYPE against strings included), RESP3 null forms, keyspace notifications, the
// non-blocking paths of the blocking commands, and a seeded random mix over a few keys.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { Duo } from './helpers/duo';
import { prng } from './helpers/unordered';

const SEED = Number(process.env.HOTKV_TEST_SEED ?? 20240611);

describe('list commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });

  it('push, length, range and index, binary safe', async () => {
    await p.reset();
    await p.script([
      ['LPUSH', 'l', 'a'], ['LPUSH', 'l', 'b', 'c'], ['RPUSH', 'l', 'x', 'y', 'z'], ['LLEN', 'l'], ['LLEN', 'none'],
      ['LRANGE', 'l', '0', '-1'], ['LRANGE', 'l', '1', '2'], ['LRANGE', 'l', '-2', '-1'], ['LRANGE', 'l', '-100', '100'],
      ['LRANGE', 'l', '5', '1'], ['LRANGE', 'l', '6', '10'], ['LRANGE', 'l', '-1', '-2'], ['LRANGE', 'none', '0', '-1'],
      ['LRANGE', 'l', '0', '9223372036854775807'], ['LRANGE', 'l', '-9223372036854775808', '0'],
      ['LRANGE', 'l', 'a', '1'], ['LRANGE', 'l', '0', '1.5'], ['LRANGE', 'l', '0', '9223372036854775808'],
      ['LINDEX', 'l', '0'], ['LINDEX', 'l', '-1'], ['LINDEX', 'l', '5'], ['LINDEX', 'l', '6'], ['LINDEX', 'l', '-6'],
      ['LINDEX', 'l', '-7'], ['LINDEX', 'none', '0'], ['LINDEX', 'none', 'x'], ['LINDEX', 'l', 'x'], ['LINDEX', 'l', ' 1'],
      ['RPUSH', 'bin', 'a\x00b', '\r\n', '', '\xff\xfe'], ['LRANGE', 'bin', '0', '-1'], ['LINDEX', 'bin', '2'],
      ['LPUSHX', 'l', 'p1', 'p2'], ['RPUSHX', 'l', 'r1'], ['LPUSHX', 'none', 'a'], ['RPUSHX', 'none', 'a', 'b'],
      ['EXISTS', 'none'], ['LRANGE', 'l', '0', '-1'], ['TYPE', 'l'], ['OBJECT', 'ENCODING', 'l'],
      ['lpush', 'l', 'lower'], ['LpOp', 'l'],
    ]);
  });

  it('arity and WRONGTYPE errors for every command', async () => {
    await p.reset();
    await p.same('SET', 's', 'string');
    await p.same('RPUSH', 'l', 'a', 'b');
    const wrong: string[][] = [
      ['LPUSH', 's', 'a'], ['RPUSH', 's', 'a'], ['LPUSHX', 's', 'a'], ['RPUSHX', 's', 'a'], ['LLEN', 's'],
      ['LRANGE', 's', '0', '-1'], ['LINDEX', 's', '0'], ['LSET', 's', '0', 'x'], ['LINSERT', 's', 'BEFORE', 'a', 'b'],
      ['LREM', 's', '0', 'a'], ['LTRIM', 's', '0', '1'], ['LPOS', 's', 'a'], ['LPOS', 's', 'a', 'COUNT', '0'],
      ['LPOP', 's'], ['RPOP', 's'], ['LPOP', 's', '2'], ['RPOP', 's', '0'], ['LMOVE', 's', 'l', 'LEFT', 'RIGHT'],
      ['LMOVE', 'l', 's', 'LEFT', 'RIGHT'], ['LMOVE', 'none', 's', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 's', 'l'], ['RPOPLPUSH', 'l', 's'],
      ['LMPOP', '2', 'none', 's', 'LEFT'], ['LMPOP', '2', 's', 'l', 'LEFT'], ['BLPOP', 's', '0'], ['BRPOP', 'none', 's', '0'],
      ['BLMOVE', 's', 'l', 'LEFT', 'LEFT', '0'], ['BLMOVE', 'l', 's', 'LEFT', 'LEFT', '0'], ['BRPOPLPUSH', 's', 'l', '0'],
      ['BLMPOP', '0', '1', 's', 'RIGHT'], ['LRANGE', 'l', '0', '-1'],
    ];
    await p.script(wrong);
    const arity: string[][] = [
      ['LPUSH', 'l'], ['RPUSH'], ['LPUSHX', 'l'], ['RPUSHX'], ['LLEN'], ['LLEN', 'a', 'b'], ['LRANGE', 'l', '0'],
      ['LINDEX', 'l'], ['LSET', 'l', '0'], ['LINSERT', 'l', 'BEFORE', 'a'], ['LREM', 'l', '0'], ['LTRIM', 'l', '0'],
      ['LPOS', 'l'], ['LPOP'], ['RPOP'], ['LPOP', 'l', '1', '2'], ['RPOP', 'l', '1', '2'], ['LMOVE', 'a', 'b', 'LEFT'],
      ['RPOPLPUSH', 'a'], ['LMPOP', '1', 'a'], ['LMPOP', '1'], ['BLPOP', 'a'], ['BRPOP'], ['BLMOVE', 'a', 'b', 'LEFT', 'LEFT'],
      ['BRPOPLPUSH', 'a', 'b'], ['BLMPOP', '0', '1', 'a'], ['CLIENT', 'UNBLOCK'],
    ];
    await p.script(arity);
  });

  it('LSET, LINSERT, LREM, LTRIM', async () => {
    await p.reset();
    await p.script([
      ['RPUSH', 'l', 'a', 'b', 'c', 'b', 'a', 'b'],
      ['LSET', 'l', '0', 'A'], ['LSET', 'l', '-1', 'B'], ['LSET', 'l', '6', 'x'], ['LSET', 'l', '-7', 'x'],
      ['LSET', 'l', 'x', 'y'], ['LSET', 'none', '0', 'x'], ['LSET', 'none', 'x', 'y'], ['LRANGE', 'l', '0', '-1'],
      ['LINSERT', 'l', 'BEFORE', 'b', 'pre'], ['LINSERT', 'l', 'after', 'b', 'post'], ['LINSERT', 'l', 'AFTER', 'B', 'end'],
      ['LINSERT', 'l', 'BEFORE', 'A', 'start'], ['LINSERT', 'l', 'BEFORE', 'nope', 'x'], ['LINSERT', 'none', 'BEFORE', 'a', 'x'],
      ['LINSERT', 'l', 'MIDDLE', 'a', 'x'], ['LINSERT', 'none', 'MIDDLE', 'a', 'x'], ['LRANGE', 'l', '0', '-1'],
      ['LREM', 'l', '1', 'b'], ['LREM', 'l', '-1', 'b'], ['LRANGE', 'l', '0', '-1'], ['LREM', 'l', '0', 'nope'],
      ['RPUSH', 'r', 'x', 'y', 'x', 'y', 'x', 'y', 'x'], ['LREM', 'r', '-2', 'x'], ['LRANGE', 'r', '0', '-1'],
      ['LREM', 'r', '0', 'y'], ['LRANGE', 'r', '0', '-1'], ['LREM', 'r', '0', 'x'], ['EXISTS', 'r'],
      ['LREM', 'r', 'x', 'a'], ['LREM', 'none', '0', 'a'], ['LREM', 'l', '1.0', 'a'],
      ['RPUSH', 't', '1', '2', '3', '4', '5', '6', '7'], ['LTRIM', 't', '1', '-2'], ['LRANGE', 't', '0', '-1'],
      ['LTRIM', 't', '-100', '100'], ['LRANGE', 't', '0', '-1'], ['LTRIM', 't', '1', '1'], ['LRANGE', 't', '0', '-1'],
      ['LTRIM', 't', '5', '10'], ['EXISTS', 't'], ['LTRIM', 'none', '0', '1'], ['LTRIM', 't', 'a', '1'], ['LTRIM', 't', '0', 'b'],
      ['RPUSH', 't', 'a', 'b'], ['LTRIM', 't', '1', '0'], ['EXISTS', 't'],
    ]);
  });

  it('LPOS with RANK, COUNT and MAXLEN', async () => {
    await p.reset();
    await p.same('RPUSH', 'l', 'a', 'b', 'c', '1', '2', '3', 'c', 'c', 'a', 'c');
    const steps: string[][] = [
      ['LPOS', 'l', 'c'], ['LPOS', 'l', 'c', 'RANK', '2'], ['LPOS', 'l', 'c', 'RANK', '-1'], ['LPOS', 'l', 'c', 'RANK', '-4'],
      ['LPOS', 'l', 'c', 'RANK', '5'], ['LPOS', 'l', 'c', 'RANK', '-5'], ['LPOS', 'l', 'c', 'COUNT', '0'],
      ['LPOS', 'l', 'c', 'COUNT', '2'], ['LPOS', 'l', 'c', 'COUNT', '2', 'RANK', '2'], ['LPOS', 'l', 'c', 'RANK', '-2', 'COUNT', '0'],
      ['LPOS', 'l', 'c', 'MAXLEN', '3'], ['LPOS', 'l', 'c', 'MAXLEN', '2'], ['LPOS', 'l', 'c', 'COUNT', '0', 'MAXLEN', '7'],
      ['LPOS', 'l', 'c', 'RANK', '-1', 'MAXLEN', '1'], ['LPOS', 'l', 'c', 'RANK', '-1', 'MAXLEN', '2', 'COUNT', '0'],
      ['LPOS', 'l', 'nope'], ['LPOS', 'l', 'nope', 'COUNT', '0'], ['LPOS', 'none', 'a'], ['LPOS', 'none', 'a', 'COUNT', '1'],
      ['LPOS', 'l', '1'], ['LPOS', 'l', '01'], ['lpos', 'l', 'a', 'rank', '1', 'count', '1', 'maxlen', '0'],
      ['LPOS', 'l', 'c', 'RANK', '0'], ['LPOS', 'l', 'c', 'RANK', 'x'], ['LPOS', 'l', 'c', 'COUNT', '-1'],
      ['LPOS', 'l', 'c', 'COUNT', 'x'], ['LPOS', 'l', 'c', 'MAXLEN', '-1'], ['LPOS', 'l', 'c', 'MAXLEN', 'x'],
      ['LPOS', 'l', 'c', 'RANK'], ['LPOS', 'l', 'c', 'FOO', '1'], ['LPOS', 'none', 'c', 'RANK', '0'],
      ['LPOS', 'l', 'c', 'RANK', '-9223372036854775807'], ['LPOS', 'l', 'c', 'RANK', '-9223372036854775808'],
      ['LPOS', 'l', 'c', 'RANK', '-9223372036854775808', 'COUNT', '1'], ['LPOS', 'l', 'c', 'RANK', '-9223372036854775808', 'COUNT', '0'],
      ['LPOS', 'l', 'c', 'RANK', '9223372036854775807'],
      ['LPOS', 'l', 'c', 'COUNT', '9223372036854775807'], ['LPOS', 'l', 'c', 'RANK', '1', 'RANK', '-1'],
    ];
    await p.script(steps);
  });

  it('LPOP and RPOP with and without count, RESP2 and RESP3 nulls', async () => {
    await p.reset();
    const steps: string[][] = [
      ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'], ['LPOP', 'l'], ['RPOP', 'l'], ['LPOP', 'l', '2'], ['RPOP', 'l', '0'],
      ['LPOP', 'l', '0'], ['RPOP', 'l', '5'], ['EXISTS', 'l'], ['LPOP', 'l'], ['RPOP', 'l', '1'], ['LPOP', 'l', '0'],
      ['LPOP', 'l', '-1'], ['LPOP', 'l', 'x'], ['RPOP', 'none', '-1'], ['LPOP', 'none', '9223372036854775808'],
      ['RPUSH', 'l', '1', '2', '3'], ['RPOP', 'l', '2'], ['LPOP', 'l', '9223372036854775807'], ['LMOVE', 'none', 'x', 'LEFT', 'LEFT'],
      ['LMPOP', '1', 'none', 'LEFT'], ['LINDEX', 'none', '0'], ['LPOS', 'none', 'x'],
    ];
    await p.script(steps);
    await Promise.all([p.h.command('HELLO', '3'), p.r.command('HELLO', '3')]);
    try {
      await p.script(steps);
    } finally {
      await Promise.all([p.h.command('HELLO', '2'), p.r.command('HELLO', '2')]);
    }
  });

  it('LMOVE and RPOPLPUSH, same and different keys', async () => {
    await p.reset();
    await p.script([
      ['RPUSH', 'src', '1', '2', '3', '4'], ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'], ['LMOVE', 'src', 'dst', 'RIGHT', 'LEFT'],
      ['LMOVE', 'src', 'dst', 'left', 'left'], ['LMOVE', 'src', 'dst', 'RIGHT', 'RIGHT'], ['EXISTS', 'src'],
      ['LRANGE', 'dst', '0', '-1'], ['LMOVE', 'dst', 'dst', 'LEFT', 'RIGHT'], ['LRANGE', 'dst', '0', '-1'],
      ['LMOVE', 'dst', 'dst', 'RIGHT', 'LEFT'], ['LRANGE', 'dst', '0', '-1'], ['RPOPLPUSH', 'dst', 'dst'],
      ['LRANGE', 'dst', '0', '-1'], ['RPOPLPUSH', 'dst', 'other'], ['RPOPLPUSH', 'none', 'other'], ['EXISTS', 'none'],
      ['LMOVE', 'dst', 'x', 'UP', 'LEFT'], ['LMOVE', 'dst', 'x', 'LEFT', 'DOWN'], ['LMOVE', 'none', 'x', 'UP', 'LEFT'],
      ['RPUSH', 'one', 'z'], ['LMOVE', 'one', 'one', 'LEFT', 'LEFT'], ['LRANGE', 'one', '0', '-1'],
      ['RPOPLPUSH', 'one', 'two'], ['EXISTS', 'one'], ['LRANGE', 'two', '0', '-1'],
    ]);
  });

  it('LMPOP and BLMPOP argument parsing and pops', async () => {
    await p.reset();
    await p.script([
      ['RPUSH', 'a', '1', '2', '3'], ['RPUSH', 'b', 'x', 'y'],
      ['LMPOP', '2', 'none', 'a', 'LEFT'], ['LMPOP', '2', 'a', 'b', 'RIGHT', 'COUNT', '10'], ['EXISTS', 'a'],
      ['LMPOP', '3', 'x', 'y', 'b', 'left', 'count', '1'], ['LMPOP', '1', 'b', 'RIGHT', 'COUNT', '1'], ['LMPOP', '1', 'b', 'LEFT'],
      ['LMPOP', '0', 'a', 'LEFT'], ['LMPOP', '-1', 'a', 'LEFT'], ['LMPOP', 'x', 'a', 'LEFT'], ['LMPOP', '2', 'a', 'LEFT'],
      ['LMPOP', '1', 'a', 'MIDDLE'], ['LMPOP', '1', 'a', 'LEFT', 'COUNT'], ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '0'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '-1'], ['LMPOP', '1', 'a', 'LEFT', 'COUNT', 'x'], ['LMPOP', '1', 'a', 'LEFT', 'FOO'],
      ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '1'], ['LMPOP', '9223372036854775807', 'a', 'LEFT'],
      ['LMPOP', '9223372036854775806', 'a', 'LEFT'], ['LMPOP', '1', 'a', 'b', 'LEFT'],
      ['RPUSH', 'c', 'p', 'q'], ['BLMPOP', '0', '2', 'none', 'c', 'RIGHT', 'COUNT', '5'],
      ['BLMPOP', '0', '0', 'c', 'LEFT'], ['BLMPOP', '-1', '1', 'c', 'LEFT'], ['BLMPOP', 'x', '1', 'c', 'LEFT'],
      ['BLMPOP', '-1', '1', 'c', 'LEFT', 'COUNT', '0'], ['BLMPOP', '-1', '1', 'c', 'MIDDLE'], ['BLMPOP', '-1', '2', 'c', 'LEFT'],
      ['BLMPOP', 'x', '1', 'c', 'LEFT', 'FOO'],
    ]);
  });

  it('blocking commands answer at once when they can, and parse their timeouts as Redis does', async () => {
    await p.reset();
    await p.script([
      ['RPUSH', 'a', '1', '2', '3'], ['RPUSH', 'b', 'x'],
      ['BLPOP', 'none', 'b', 'a', '0'], ['BRPOP', 'a', 'b', '0'], ['BLPOP', 'a', 'a', '1'], ['BRPOP', 'none', 'b', 'a', '1.5'],
      ['RPUSH', 'a', '4', '5'], ['BLMOVE', 'a', 'd', 'LEFT', 'RIGHT', '0'], ['BRPOPLPUSH', 'a', 'd', '0'], ['LRANGE', 'd', '0', '-1'],
      ['BLPOP', 'a', '-1'], ['BLPOP', 'a', '-0.5'], ['BLPOP', 'a', 'abc'], ['BLPOP', 'a', ''], ['BLPOP', 'a', ' 1'],
      ['BLPOP', 'a', '1 '], ['BLPOP', 'a', 'nan'], ['BLPOP', 'a', 'inf'], ['BLPOP', 'a', '-inf'], ['BLPOP', 'a', '1e400'],
      ['BLPOP', 'a', '9223372036854775807'], ['RPUSH', 'a', '6', '7', '8'], ['BLPOP', 'a', '9223372036854775.807'],
      ['BLPOP', 'a', '0x10'],
      ['BRPOP', 'a', '-1'], ['BLMOVE', 'a', 'd', 'LEFT', 'RIGHT', '-1'], ['BLMOVE', 'a', 'd', 'UP', 'RIGHT', '-1'],
      ['BLMOVE', 'a', 'd', 'LEFT', 'UP', 'x'], ['BRPOPLPUSH', 'a', 'd', 'x'], ['BRPOPLPUSH', 'a', 'd', '-1'],
      ['RPUSH', 'd', 'p', 'q', 'r'], ['BLPOP', 'd', '1e-400'], ['BLPOP', 'd', '0x1p-3'], ['BLPOP', 'd', '+0'], ['BLPOP', 'd', '.5'],
    ]);
  });

  it('CLIENT UNBLOCK argument errors and unknown ids', async () => {
    await p.script([
      ['CLIENT', 'UNBLOCK', '999999'], ['CLIENT', 'UNBLOCK', '999999', 'TIMEOUT'], ['CLIENT', 'UNBLOCK', '999999', 'error'],
      ['CLIENT', 'UNBLOCK', 'x'], ['CLIENT', 'UNBLOCK', 'x', 'FOO'], ['CLIENT', 'UNBLOCK', '1', 'FOO'],
      ['CLIENT', 'UNBLOCK', '1', 'TIMEOUT', 'x'], ['client', 'unblock', '-1'], ['CLIENT', 'UNBLOCK', '9223372036854775808'],
    ]);
  });

  it('large lists: ranges, inserts and removals in the middle, trims', async () => {
    await p.reset();
    const n = 3000;
    const vals: string[] = [];
    for (let i = 0; i < n; i++) vals.push(`v${i % 97}`);
    await p.same('RPUSH', 'big', ...vals);
    await p.same('LPUSH', 'big', ...vals.slice(0, 500));
    await p.script([
      ['LLEN', 'big'], ['LRANGE', 'big', '0', '-1'], ['LRANGE', 'big', '1000', '1100'], ['LINDEX', 'big', '1777'],
      ['LINSERT', 'big', 'BEFORE', 'v50', 'ins1'], ['LINSERT', 'big', 'AFTER', 'v96', 'ins2'], ['LPOS', 'big', 'ins2'],
      ['LPOS', 'big', 'v3', 'RANK', '-3', 'COUNT', '10'], ['LREM', 'big', '7', 'v3'], ['LREM', 'big', '-7', 'v4'],
      ['LREM', 'big', '0', 'v5'], ['LSET', 'big', '2000', 'set'], ['LTRIM', 'big', '100', '-100'], ['LLEN', 'big'],
      ['LRANGE', 'big', '0', '-1'], ['LPOP', 'big', '1000'], ['RPOP', 'big', '1000'], ['LRANGE', 'big', '0', '-1'],
    ]);
  });

  it('keyspace notifications carry Redis\'s event names', async () => {
    await p.reset();
    const duo = new Duo(p);
    try {
      await duo.cmd('ctl', 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
      await duo.cmdN('sub', 1, 'PSUBSCRIBE', '__key*@0__:*');
      const steps: string[][] = [
        ['RPUSH', 'n', 'a', 'b', 'c'], ['LPUSH', 'n', 'z'], ['LPUSHX', 'n', 'y'], ['RPUSHX', 'n', 'q'], ['RPUSHX', 'nx', 'q'],
        ['LINSERT', 'n', 'BEFORE', 'a', 'i'], ['LINSERT', 'n', 'BEFORE', 'nope', 'i'], ['LSET', 'n', '0', 's'],
        ['LREM', 'n', '0', 'i'], ['LREM', 'n', '0', 'nope'], ['LTRIM', 'n', '0', '-1'], ['LTRIM', 'n', '1', '-1'],
        ['LPOP', 'n'], ['RPOP', 'n', '2'], ['LMOVE', 'n', 'm', 'LEFT', 'RIGHT'], ['RPOPLPUSH', 'n', 'm'],
        ['LMPOP', '1', 'm', 'LEFT', 'COUNT', '1'], ['BLPOP', 'm', '0'], ['RPUSH', 'n2', 'x'], ['BLMOVE', 'n2', 'm2', 'RIGHT', 'LEFT', '0'],
        ['BLMPOP', '0', '1', 'm2', 'RIGHT'], ['RPUSH', 't', 'x'], ['LTRIM', 't', '1', '0'], ['RPUSH', 'r', 'x'], ['LREM', 'r', '1', 'x'],
        ['RPUSH', 'p', 'x', 'y'], ['RPOP', 'p', '0'], ['RPOP', 'p', '5'],
      ];
      for (const s of steps) {
        await duo.cmd('ctl', ...s);
        await duo.drain('sub');
      }
      await duo.cmd('ctl', 'CONFIG', 'SET', 'notify-keyspace-events', '');
    } finally {
      duo.close();
    }
  });

  it('a seeded random mix of list commands', async () => {
    await p.reset();
    const rnd = prng(SEED);
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
    const keys = ['r1', 'r2', 'r3', 'rs'];
    const vals = ['a', 'b', 'c', '1', '2', '', 'a\x00b'];
    const idx = () => String(Math.floor(rnd() * 14) - 7);
    await p.same('SET', 'rs', 'str');
    const gens: (() => string[])[] = [
      () => ['LPUSH', pick(keys), pick(vals), pick(vals)],
      () => ['RPUSH', pick(keys), pick(vals)],
      () => ['LPUSHX', pick(keys), pick(vals)],
      () => ['RPUSHX', pick(keys), pick(vals)],
      () => ['LPOP', pick(keys)],
      () => ['RPOP', pick(keys), String(Math.floor(rnd() * 4))],
      () => ['LLEN', pick(keys)],
      () => ['LRANGE', pick(keys), idx(), idx()],
      () => ['LINDEX', pick(keys), idx()],
      () => ['LSET', pick(keys), idx(), pick(vals)],
      () => ['LINSERT', pick(keys), pick(['BEFORE', 'AFTER']), pick(vals), pick(vals)],
      () => ['LREM', pick(keys), idx(), pick(vals)],
      () => ['LTRIM', pick(keys), idx(), idx()],
      () => ['LPOS', pick(keys), pick(vals), 'RANK', pick(['1', '2', '-1', '-2']), 'COUNT', pick(['0', '1', '2'])],
      () => ['LMOVE', pick(keys), pick(keys), pick(['LEFT', 'RIGHT']), pick(['LEFT', 'RIGHT'])],
      () => ['RPOPLPUSH', pick(keys), pick(keys)],
      () => ['LMPOP', '2', pick(keys), pick(keys), pick(['LEFT', 'RIGHT']), 'COUNT', String(1 + Math.floor(rnd() * 3))],
      () => ['BLPOP', pick(keys), pick(keys), '0.01'],
      () => ['BLMOVE', pick(keys), pick(keys), pick(['LEFT', 'RIGHT']), pick(['LEFT', 'RIGHT']), '0.01'],
    ];
    for (let i = 0; i < 400; i++) {
      const args = pick(gens)();
      // a blocking command on keys without data would wait; run it only when it can be served
      if (args[0].startsWith('BL')) {
        const ks = args[0] === 'BLPOP' ? args.slice(1, -1) : [args[1]];
        const lens = await Promise.all(ks.map((k) => p.h.command('LLEN', k)));
        if (!lens.some((l) => /^:[1-9]/.test(l))) continue;
      }
      await p.same(...args);
    }
    for (const k of keys) await p.same('LRANGE', k, '0', '-1');
  });

  it('the stats count each list command once', async () => {
    await p.reset();
    await Promise.all([p.h.command('CONFIG', 'RESETSTAT'), p.r.command('CONFIG', 'RESETSTAT')]);
    await p.script([['RPUSH', 'x', 'a', 'b'], ['BLPOP', 'x', '0'], ['BLPOP', 'none', '0.01'], ['LPOP', 'x']]);
    const [h, r] = await Promise.all([p.h.command('INFO', 'commandstats'), p.r.command('INFO', 'commandstats')]);
    const calls = (s: string) => s.split('\r\n').filter((l) => /^cmdstat_(bl|br|l|r)/.test(l)).map((l) => l.replace(/usec=[^,]*,usec_per_call=[^,]*,/, '')).sort();
    assert.deepEqual(calls(h), calls(r), `commandstats: ${show(h)} vs ${show(r)}`);
  });
});
