// The string command family, compared with redis-server 7.0 byte for byte: every command, option and
// error, binary and large values, RESP3 nulls, TTL effects, OBJECT ENCODING, INCRBYFLOAT's long double
// arithmetic, and a seeded random mix of all the commands.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { prng } from './helpers/unordered';


const SEED = Number(process.env.HOTKV_TEST_SEED ?? 20240607);

/**
 * TTL on both servers. Values <= 0 must be equal; positive TTLs may differ by one second, because the
 * two servers read their clocks a fraction of a millisecond apart and TTL rounds to the nearest second.
 */
async function sameTtl(p: Pair, key: string, what = ''): Promise<void> {
  const [h, r] = await Promise.all([p.h.command('TTL', key), p.r.command('TTL', key)]);
  const hv = Number(h.slice(1, -2));
  const rv = Number(r.slice(1, -2));
  const ok = h === r || (h[0] === ':' && r[0] === ':' && hv > 0 && rv > 0 && Math.abs(hv - rv) <= 1);
  assert.ok(ok, `TTL ${show(key)} ${what}: hotkv ${show(h)} vs redis ${show(r)}`);
}

/** Poll one server until GET answers nil (the key expired), for at most 3 s. */
async function waitExpired(c: Pair['h'], key: string): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const r = await c.command('GET', key);
    if (r === '$-1\r\n') return;
    assert.ok(Date.now() < deadline, `${show(key)} did not expire: ${show(r)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('string commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });

  it('GET and SET, binary safe', async () => {
    await p.script([
      ['SET', 'b:a', 'hello'], ['GET', 'b:a'], ['GET', 'b:none'],
      ['SET', 'b:bin', 'a\x00b\r\nc\xff\xfe'], ['GET', 'b:bin'], ['STRLEN', 'b:bin'],
      ['SET', 'b:empty', ''], ['GET', 'b:empty'], ['STRLEN', 'b:empty'],
      ['SET', 'b:\x00k\r\n', 'v'], ['GET', 'b:\x00k\r\n'],
      ['SET', 'b:a', 'again'], ['GET', 'b:a'],
      ['set', 'b:lower', '1'], ['gEt', 'b:lower'],
      ['GET'], ['GET', 'a', 'b'], ['SET', 'a'], ['SET'], ['SETNX', 'a'], ['SETEX', 'a', '1'], ['PSETEX', 'a'],
      ['GETSET', 'a'], ['GETDEL'], ['GETEX'], ['MGET'], ['MSET', 'a'], ['MSETNX'], ['APPEND', 'a'], ['STRLEN'],
      ['INCR'], ['DECR', 'a', 'b'], ['INCRBY', 'a'], ['DECRBY', 'a'], ['INCRBYFLOAT', 'a'], ['SETRANGE', 'a', '1'],
      ['GETRANGE', 'a', '1'], ['SUBSTR', 'a'], ['LCS', 'a'],
    ]);
  });

  it('SET option combinations on existing and missing keys', async () => {
    const exat = String(Math.floor(Date.now() / 1000) + 3000);
    const pxat = String(Date.now() + 4000 * 1000);
    const tokens: string[][] = [['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['EX', '1000'], ['PX', '2000000'], ['EXAT', exat], ['PXAT', pxat]];
    const seqs: string[][][] = [];
    for (let i = 0; i < tokens.length; i++) {
      seqs.push([tokens[i]]);
      for (let j = 0; j < tokens.length; j++) {
        seqs.push([tokens[i], tokens[j]]);
        for (let k = 0; k < tokens.length; k++) seqs.push([tokens[i], tokens[j], tokens[k]]);
      }
    }
    let n = 0;
    for (const seq of seqs) {
      const opts = seq.flat();
      for (const state of ['missing', 'plain', 'ttl'] as const) {
        if (state === 'ttl' && (n++ % 3) !== 0) continue; // a third of them, to keep the test short
        const key = 'o:k';
        await p.same('GETDEL', key);
        if (state === 'plain') await p.same('SET', key, 'old');
        if (state === 'ttl') await p.same('SET', key, 'old', 'EX', '500');
        await p.same('SET', key, 'new', ...opts);
        await p.same('GET', key);
        await sameTtl(p, key, `after SET ${opts.join(' ')} (${state})`);
      }
    }
  });

  it('SET syntax errors', async () => {
    await p.script([
      ['SET', 's:k', 'v', 'NX', 'XX'], ['SET', 's:k', 'v', 'XX', 'NX'], ['SET', 's:k', 'v', 'EX'], ['SET', 's:k', 'v', 'PX'],
      ['SET', 's:k', 'v', 'EXAT'], ['SET', 's:k', 'v', 'PXAT'], ['SET', 's:k', 'v', 'EX', '10', 'PX', '100'],
      ['SET', 's:k', 'v', 'KEEPTTL', 'EX', '10'], ['SET', 's:k', 'v', 'EX', '10', 'KEEPTTL'], ['SET', 's:k', 'v', 'PERSIST'],
      ['SET', 's:k', 'v', 'FOO'], ['SET', 's:k', 'v', 'NX', 'FOO'], ['SET', 's:k', 'v', 'EXAT', '1', 'PXAT', '1'],
      ['SET', 's:k', 'v', 'nx\x00junk'], ['SET', 's:k', 'v', 'NXX'], ['SET', 's:k', 'v', 'E'], ['SET', 's:k', 'v', ''],
      ['SET', 's:k', 'v', 'EX', '10', 'EX', '20'], ['TTL', 's:k'], ['SET', 's:k', 'v', 'NX', 'NX'], ['SET', 's:k', 'v', 'XX', 'XX', 'GET', 'GET'],
      ['SET', 's:k', 'v', 'ex', '5', 'get', 'xx'], ['SET', 's:k', 'v', 'keepttl', 'keepttl'],
      ['SET', 's:k', 'v', 'EX', 'x'], ['SET', 's:k', 'v', 'FOO', 'EX', 'x'], ['SET', 's:k', 'v', 'EX', 'x', 'FOO'],
      ['GET', 's:k'],
    ]);
  });

  it('expire arguments: invalid, overflowing and huge', async () => {
    const bad = ['0', '-1', 'x', '1.5', '', ' 1', '1 ', '+1', '01', '9223372036854775807', '9223372036854775808',
      '-9223372036854775808', '9223372036854775', '9223372036854776', '9223372036854775806', '99999999999999999999'];
    for (const v of bad) {
      for (const opt of ['EX', 'PX', 'EXAT', 'PXAT']) {
        await p.same('SET', 'e:k', 'v', opt, v);
        await p.same('GET', 'e:k');
        await p.same('GETDEL', 'e:k');
        await p.same('SET', 'e:k', 'v', 'GET', opt, v);
      }
      await p.same('SETEX', 'e:k', v, 'v');
      await p.same('PSETEX', 'e:k', v, 'v');
      await p.same('GETDEL', 'e:k');
      for (const opt of ['EX', 'PX', 'EXAT', 'PXAT']) {
        await p.same('GETEX', 'e:missing', opt, v);
        await p.same('SET', 'e:k', 'v');
        await p.same('GETEX', 'e:k', opt, v);
        await p.same('GET', 'e:k');
      }
    }
    await p.same('GETDEL', 'e:k');
  });

  it('EXAT and PXAT in the past', async () => {
    await p.script([
      ['SET', 'x:k', 'v', 'EXAT', '1'], ['GET', 'x:k'], ['STRLEN', 'x:k'],
      ['SET', 'x:k', 'v', 'PXAT', '1000'], ['SET', 'x:k', 'w', 'PXAT', '1', 'GET'], ['GET', 'x:k'],
      ['SET', 'x:k', 'v'], ['GETEX', 'x:k', 'EXAT', '1'], ['GET', 'x:k'],
      ['SET', 'x:k', 'v'], ['GETEX', 'x:k', 'PXAT', String(Date.now() - 1000)], ['GET', 'x:k'],
      ['SET', 'x:k', 'v', 'XX', 'EXAT', '1'], ['GET', 'x:k'],
      ['SET', 'x:k', 'v'], ['SET', 'x:k', 'w', 'XX', 'PXAT', '5', 'GET'], ['GET', 'x:k'],
    ]);
  });

  it('TTL effects of every writing command', async () => {
    const steps: string[][] = [
      ['SET', 't:k', '1', 'EX', '100'], ['INCR', 't:k'], ['TTL'], ['DECRBY', 't:k', '5'], ['TTL'],
      ['INCRBYFLOAT', 't:k', '1.5'], ['TTL'], ['APPEND', 't:k', 'x'], ['TTL'], ['SETRANGE', 't:k', '0', 'yy'], ['TTL'],
      ['SETRANGE', 't:k', '0', ''], ['TTL'], ['GETEX', 't:k'], ['TTL'], ['GET', 't:k'], ['TTL'],
      ['SET', 't:k', 'v', 'KEEPTTL'], ['TTL'], ['SET', 't:k', 'v', 'XX', 'KEEPTTL', 'GET'], ['TTL'],
      ['SET', 't:k', 'v', 'NX', 'EX', '5'], ['TTL'], ['SET', 't:k', 'v'], ['TTL'],
      ['SETEX', 't:k', '200', 'v'], ['TTL'], ['GETSET', 't:k', 'w'], ['TTL'],
      ['PSETEX', 't:k', '300000', 'v'], ['TTL'], ['MSET', 't:k', 'x'], ['TTL'],
      ['SETEX', 't:k', '200', 'v'], ['SETNX', 't:k', 'z'], ['TTL'], ['MSETNX', 't:k', 'x', 't:o', 'y'], ['TTL'],
      ['GETEX', 't:k', 'EX', '400'], ['TTL'], ['GETEX', 't:k', 'PX', '500000'], ['TTL'],
      ['GETEX', 't:k', 'EXAT', String(Math.floor(Date.now() / 1000) + 600)], ['TTL'],
      ['GETEX', 't:k', 'PXAT', String(Date.now() + 700000)], ['TTL'],
      ['GETEX', 't:k', 'PERSIST'], ['TTL'], ['GETEX', 't:k', 'PERSIST'], ['TTL'],
      ['GETEX', 't:k', 'EX', '10', 'EX', '800'], ['TTL'], ['GETEX', 't:k', 'PERSIST', 'PERSIST'], ['TTL'],
      ['GETEX', 't:k', 'PERSIST', 'EX', '10'], ['GETEX', 't:k', 'EX', '10', 'PERSIST'], ['GETEX', 't:k', 'NX'],
      ['GETEX', 't:k', 'KEEPTTL'], ['GETEX', 't:k', 'GET'], ['GETEX', 't:k', 'EX'], ['GETEX', 't:k', 'PX', '1', 'PXAT', '1'],
      ['GETEX', 't:missing', 'FOO'], ['GETEX', 't:missing', 'EX', '10'], ['GETEX', 't:missing', 'PERSIST'],
      ['GETDEL', 't:k'], ['TTL'], ['GETDEL', 't:k'], ['GETDEL', 't:o'],
    ];
    for (let i = 0; i < steps.length; i++) {
      if (steps[i][0] === 'TTL') await sameTtl(p, 't:k', `after step ${i - 1} ${show(steps[i - 1].join(' '))}`);
      else await p.same(...steps[i]);
    }
  });

  it('keys with a TTL expire', async () => {
    await p.script([
      ['PSETEX', 'w:a', '400', 'v'], ['SET', 'w:b', 'v', 'PX', '400'], ['SET', 'w:c', 'v'], ['GETEX', 'w:c', 'PX', '400'],
      ['SET', 'w:d', 'v', 'PX', '400'], ['SET', 'w:d', 'x', 'KEEPTTL'], ['SET', 'w:e', '5', 'PX', '400'], ['INCR', 'w:e'],
      ['SET', 'w:f', 'v', 'PXAT', String(Date.now() + 400)],
    ]);
    for (const k of ['w:a', 'w:b', 'w:c', 'w:d', 'w:e', 'w:f']) {
      await Promise.all([waitExpired(p.h, k), waitExpired(p.r, k)]);
    }
    await p.script([['SET', 'w:a', 'new', 'XX'], ['GET', 'w:a'], ['APPEND', 'w:b', 'x'], ['GET', 'w:b'], ['INCR', 'w:c'],
      ['STRLEN', 'w:d'], ['MGET', 'w:d', 'w:e', 'w:f'], ['GETDEL', 'w:b'], ['GETDEL', 'w:c']]);
  });

  it('SETNX SETEX PSETEX GETSET GETDEL', async () => {
    await p.script([
      ['SETNX', 'n:k', 'a'], ['SETNX', 'n:k', 'b'], ['GET', 'n:k'],
      ['SETEX', 'n:e', '100', 'v'], ['GET', 'n:e'], ['PSETEX', 'n:p', '100000', 'v'], ['GET', 'n:p'],
      ['GETSET', 'n:k', 'c'], ['GETSET', 'n:new', 'x'], ['GET', 'n:new'], ['GETSET', 'n:k', ''], ['GET', 'n:k'],
      ['GETDEL', 'n:k'], ['GETDEL', 'n:k'], ['GET', 'n:k'], ['GETDEL', 'n:none'],
      ['GETDEL', 'n:e'], ['GETDEL', 'n:p'], ['GETDEL', 'n:new'],
    ]);
  });

  it('MGET MSET MSETNX', async () => {
    await p.script([
      ['MSET', 'm:a', '1', 'm:b', '2', 'm:c', 'x\x00y'], ['MGET', 'm:a', 'm:b', 'm:c', 'm:none', 'm:a'],
      ['MSET', 'm:a', '1', 'm:b'], ['MSETNX', 'm:a', '1', 'm:b'], ['MSET', 'm:a', '10', 'm:a', '11'], ['GET', 'm:a'],
      ['MSETNX', 'm:n1', 'a', 'm:a', 'b'], ['MGET', 'm:n1', 'm:a'],
      ['MSETNX', 'm:n1', 'a', 'm:n2', 'b'], ['MGET', 'm:n1', 'm:n2'],
      ['MSETNX', 'm:n3', 'a', 'm:n3', 'b'], ['GET', 'm:n3'], ['MGET', 'm:none'],
      ['MGET', 'm:a', 'm:b', 'm:c', 'm:n1', 'm:n2', 'm:n3'],
    ]);
    await p.script([['GETDEL', 'm:a'], ['GETDEL', 'm:b'], ['GETDEL', 'm:c'], ['GETDEL', 'm:n1'], ['GETDEL', 'm:n2'], ['GETDEL', 'm:n3']]);
  });

  it('APPEND and STRLEN', async () => {
    await p.script([
      ['APPEND', 'a:k', 'hello'], ['APPEND', 'a:k', ' world'], ['GET', 'a:k'], ['STRLEN', 'a:k'],
      ['APPEND', 'a:k', ''], ['APPEND', 'a:new', ''], ['GET', 'a:new'], ['STRLEN', 'a:none'],
      ['SET', 'a:i', '12'], ['APPEND', 'a:i', '34'], ['GET', 'a:i'], ['INCR', 'a:i'], ['APPEND', 'a:i', '\x00\xff'],
      ['GET', 'a:i'], ['STRLEN', 'a:i'], ['INCR', 'a:i'],
      ['GETDEL', 'a:k'], ['GETDEL', 'a:new'], ['GETDEL', 'a:i'],
    ]);
  });

  it('INCR DECR INCRBY DECRBY', async () => {
    const steps: string[][] = [
      ['INCR', 'i:k'], ['INCR', 'i:k'], ['DECR', 'i:k'], ['DECR', 'i:new'], ['INCRBY', 'i:k', '100'], ['DECRBY', 'i:k', '-50'],
      ['INCRBY', 'i:k', '-9223372036854775808'], ['INCRBY', 'i:k', 'x'], ['INCRBY', 'i:k', '1.0'], ['INCRBY', 'i:k', ''],
      ['INCRBY', 'i:k', '9223372036854775808'], ['DECRBY', 'i:k', '-9223372036854775808'], ['DECRBY', 'i:k', '9223372036854775807'],
      ['GET', 'i:k'],
      ['SET', 'i:k', '9223372036854775806'], ['INCR', 'i:k'], ['INCR', 'i:k'], ['GET', 'i:k'], ['INCRBY', 'i:k', '0'],
      ['SET', 'i:k', '-9223372036854775807'], ['DECR', 'i:k'], ['DECR', 'i:k'], ['INCRBY', 'i:k', '-1'],
      ['INCRBY', 'i:k', '9223372036854775807'], ['INCRBY', 'i:k', '9223372036854775807'],
      ['SET', 'i:k', '9007199254740991'], ['INCR', 'i:k'], ['INCR', 'i:k'], ['INCRBY', 'i:k', '9007199254740993'],
      ['SET', 'i:k', '-9007199254740991'], ['DECR', 'i:k'], ['DECRBY', 'i:k', '9007199254740993'],
      ['SET', 'i:k', '4611686018427387904'], ['INCRBY', 'i:k', '4611686018427387903'], ['INCR', 'i:k'],
      ['SET', 'i:k', '1.5'], ['INCR', 'i:k'], ['SET', 'i:k', ' 1'], ['INCR', 'i:k'], ['SET', 'i:k', '1 '], ['INCR', 'i:k'],
      ['SET', 'i:k', '+1'], ['INCR', 'i:k'], ['SET', 'i:k', '01'], ['INCR', 'i:k'], ['SET', 'i:k', '-0'], ['INCR', 'i:k'],
      ['SET', 'i:k', ''], ['INCR', 'i:k'], ['SET', 'i:k', '9223372036854775808'], ['INCR', 'i:k'],
      ['SET', 'i:k', '00000000000000000000001'], ['INCR', 'i:k'], ['SET', 'i:k', '1\x00'], ['INCR', 'i:k'],
      ['SET', 'i:k', '0'], ['DECR', 'i:k'], ['INCRBY', 'i:k', '-0'], ['INCRBY', 'i:k', '+5'], ['DECRBY', 'i:k', '007'],
      ['INCRBY', 'i:k', '9223372036854775807'], ['DECRBY', 'i:k', '1'], ['GET', 'i:k'],
      ['GETDEL', 'i:k'], ['GETDEL', 'i:new'],
    ];
    await p.script(steps);
  });

  it('INCRBYFLOAT inputs and errors', async () => {
    const inputs = ['0.1', '0.2', '1e400', '-1e400', '1e4932', '1.1e4932', '1e4933', '1e5000', '1e-4940', '1e-4950', '1e-4951',
      '1e-5000', 'inf', '-inf', '+inf', 'INF', 'infinity', 'Infinity', 'infinit', 'nan', 'NaN', '-nan', ' 1', '1 ', '\t1', '',
      '1e', '1e+', 'e5', '.5', '5.', '.', '-.5', '+.5', '0x10', '0x1p-2', '0X1.8P1', '0x', '0x.8', '0xg', '1_000', '1,5',
      '00001.50000', '-0', '-0.0', '+0', '1e+02', '1E-2', '1.e2', '12345678901234567890123456789', '9223372036854775807',
      '-9223372036854775808', '0.1\x00', '1' + '0'.repeat(5100), '0.' + '0'.repeat(5100) + '1', '3' + '0'.repeat(4933),
      '1e0000000000000000000000000000002', '1e-99999999999999999999', '0e99999999999', '0.000000000000000001',
      '-0.000000000000000001', '0.000003814697265625', '0.000011444091796875', '123.456', '-123.456'];
    for (const inc of inputs) {
      await p.same('SET', 'f:k', '10.5');
      await p.same('INCRBYFLOAT', 'f:k', inc);
      await p.same('GET', 'f:k');
      await p.same('GETDEL', 'f:missing');
      await p.same('INCRBYFLOAT', 'f:missing', inc);
      await p.same('SET', 'f:v', inc);
      await p.same('INCRBYFLOAT', 'f:v', '0');
      await p.same('INCRBYFLOAT', 'f:v', '-1.25');
    }
    await p.script([['SET', 'f:k', '1.7976931348623157e308'], ['INCRBYFLOAT', 'f:k', '1.7976931348623157e308'],
      ['SET', 'f:k', '1e4932'], ['INCRBYFLOAT', 'f:k', '1e4932'], ['INCRBYFLOAT', 'f:k', '-1e4932'],
      ['SET', 'f:k', 'inf'], ['INCRBYFLOAT', 'f:k', '-inf'], ['INCRBYFLOAT', 'f:k', '1'],
      ['SET', 'f:k', '5'], ['INCRBYFLOAT', 'f:k', '-5'], ['GET', 'f:k'], ['INCRBYFLOAT', 'f:k', '-0.0'],
      ['SET', 'f:k', 'abc'], ['INCRBYFLOAT', 'f:k', 'x'], ['INCRBYFLOAT', 'f:k', '1'],
      ['GETDEL', 'f:k'], ['GETDEL', 'f:v'], ['GETDEL', 'f:missing']]);
  });

  it('INCRBYFLOAT matches long double arithmetic (300 seeded random increments)', async () => {
    const rnd = prng(SEED);
    const int = (n: number) => Math.floor(rnd() * n);
    const digits = (n: number) => { let s = String(1 + int(9)); for (let i = 1; i < n; i++) s += String(int(10)); return s; };
    const decimal = (): string => {
      const sign = rnd() < 0.3 ? '-' : '';
      switch (int(6)) {
        case 0: return sign + String(int(1000));
        case 1: return sign + digits(1 + int(6)) + '.' + digits(1 + int(18));
        case 2: return sign + '0.' + '0'.repeat(int(6)) + digits(1 + int(20));
        case 3: return sign + digits(1 + int(20)) + 'e' + (rnd() < 0.5 ? '-' : '') + int(40);
        case 4: return sign + digits(1 + int(4)) + '.' + digits(1 + int(4)) + 'e' + (rnd() < 0.5 ? '-' : '+') + int(400);
        default: return sign + digits(15 + int(10));
      }
    };
    const keys = ['lf:0', 'lf:1', 'lf:2', 'lf:3'];
    for (let i = 0; i < 300; i++) {
      const key = keys[int(keys.length)];
      const args = rnd() < 0.1 ? ['SET', key, decimal()] : ['INCRBYFLOAT', key, decimal()];
      const [h, r] = await Promise.all([p.h.command(...args), p.r.command(...args)]);
      assert.equal(show(h), show(r), `seed ${SEED} step ${i} ${show(args.join(' '))}`);
    }
    for (const k of keys) await p.same('GETDEL', k);
  });

  it('SETRANGE GETRANGE SUBSTR', async () => {
    await p.script([
      ['SETRANGE', 'r:k', '0', 'Hello World'], ['SETRANGE', 'r:k', '6', 'Redis'], ['GET', 'r:k'],
      ['SETRANGE', 'r:k', '20', 'tail\x00'], ['GET', 'r:k'], ['SETRANGE', 'r:k', '3', ''], ['SETRANGE', 'r:k', '100', ''],
      ['SETRANGE', 'r:new', '5', ''], ['GET', 'r:new'], ['SETRANGE', 'r:new', '5', 'x'], ['GET', 'r:new'],
      ['SETRANGE', 'r:k', '-1', 'x'], ['SETRANGE', 'r:k', 'x', 'x'], ['SETRANGE', 'r:k', '1.5', 'x'], ['SETRANGE', 'r:k', '-1', ''],
      ['SETRANGE', 'r:k', '9223372036854775807', 'x'], ['SETRANGE', 'r:k', '9223372036854775808', 'x'],
      ['SETRANGE', 'r:k', '536870911', 'xx'], ['SETRANGE', 'r:none', '536870912', 'x'], ['SETRANGE', 'r:none', '9223372036854775807', ''],
      ['SET', 'r:i', '1234'], ['SETRANGE', 'r:i', '1', '9'], ['GET', 'r:i'], ['INCR', 'r:i'],
      ['GETRANGE', 'r:k', '0', '4'], ['GETRANGE', 'r:k', '-5', '-1'], ['GETRANGE', 'r:k', '0', '-1'], ['GETRANGE', 'r:k', '5', '3'],
      ['GETRANGE', 'r:k', '-1', '-5'], ['GETRANGE', 'r:k', '-100', '2'], ['GETRANGE', 'r:k', '2', '100'], ['GETRANGE', 'r:k', '100', '200'],
      ['GETRANGE', 'r:k', '-100', '-90'], ['GETRANGE', 'r:k', '0', '0'], ['GETRANGE', 'r:none', '0', '-1'], ['GETRANGE', 'r:k', 'x', '1'],
      ['GETRANGE', 'r:k', '1', 'x'], ['GETRANGE', 'r:none', 'x', '1'],
      ['GETRANGE', 'r:k', '-9223372036854775808', '9223372036854775807'], ['GETRANGE', 'r:k', '-9223372036854775807', '-9223372036854775808'],
      ['GETRANGE', 'r:k', '-9223372036854775808', '-9223372036854775807'], ['GETRANGE', 'r:k', '9223372036854775807', '-1'],
      ['GETRANGE', 'r:k', '-9007199254740993', '-9007199254740992'], ['GETRANGE', 'r:k', '-9007199254740992', '-9007199254740993'],
      ['GETRANGE', 'r:k', '3', '9223372036854775808'],
      ['SET', 'r:e', ''], ['GETRANGE', 'r:e', '0', '-1'], ['GETRANGE', 'r:e', '0', '0'], ['GETRANGE', 'r:e', '-1', '0'],
      ['GETRANGE', 'r:i', '0', '1'], ['GETRANGE', 'r:i', '-2', '-1'],
      ['SUBSTR', 'r:k', '0', '4'], ['SUBSTR', 'r:k', '-3', '-1'], ['SUBSTR', 'r:none', '0', '1'], ['SUBSTR', 'r:k', 'a', 'b'],
      ['GETDEL', 'r:k'], ['GETDEL', 'r:new'], ['GETDEL', 'r:i'], ['GETDEL', 'r:e'],
    ]);
  });

  it('LCS', async () => {
    await p.script([
      ['MSET', 'l:a', 'ohmytext', 'l:b', 'mynewtext'], ['LCS', 'l:a', 'l:b'], ['LCS', 'l:a', 'l:b', 'LEN'],
      ['LCS', 'l:a', 'l:b', 'IDX'], ['LCS', 'l:a', 'l:b', 'IDX', 'MINMATCHLEN', '4'], ['LCS', 'l:a', 'l:b', 'IDX', 'WITHMATCHLEN'],
      ['LCS', 'l:a', 'l:b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'], ['LCS', 'l:a', 'l:b', 'idx', 'minmatchlen', '-5'],
      ['LCS', 'l:a', 'l:b', 'LEN', 'IDX'], ['LCS', 'l:a', 'l:b', 'IDX', 'LEN'], ['LCS', 'l:a', 'l:b', 'MINMATCHLEN'],
      ['LCS', 'l:a', 'l:b', 'MINMATCHLEN', 'x'], ['LCS', 'l:a', 'l:b', 'FOO'], ['LCS', 'l:a', 'l:b', 'WITHMATCHLEN'],
      ['LCS', 'l:a', 'l:b', 'LEN', 'WITHMATCHLEN', 'MINMATCHLEN', '2'], ['LCS', 'l:a', 'l:b', 'MINMATCHLEN', '99999999999999999999'],
      ['LCS', 'l:a', 'l:b', 'IDX', 'MINMATCHLEN', '9223372036854775807'],
      ['LCS', 'l:a', 'l:none'], ['LCS', 'l:none', 'l:b', 'IDX'], ['LCS', 'l:none', 'l:none2', 'LEN'], ['LCS', 'l:a', 'l:a', 'IDX'],
      ['MSET', 'l:c', 'a\x00b\xffc', 'l:d', '\xffa\x00c'], ['LCS', 'l:c', 'l:d'], ['LCS', 'l:c', 'l:d', 'IDX', 'WITHMATCHLEN'],
      ['SET', 'l:i', '12345'], ['SET', 'l:j', '2345'], ['LCS', 'l:i', 'l:j', 'IDX'],
    ]);
    const rnd = prng(SEED + 1);
    for (let i = 0; i < 60; i++) {
      const gen = () => { let s = ''; const n = Math.floor(rnd() * 40); for (let k = 0; k < n; k++) s += 'abc\x00'[Math.floor(rnd() * 4)]; return s; };
      await p.same('MSET', 'l:x', gen(), 'l:y', gen());
      await p.same('LCS', 'l:x', 'l:y');
      await p.same('LCS', 'l:x', 'l:y', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', String(Math.floor(rnd() * 4)));
      await p.same('LCS', 'l:y', 'l:x', 'LEN');
    }
    for (const k of ['l:a', 'l:b', 'l:c', 'l:d', 'l:i', 'l:j', 'l:x', 'l:y']) await p.same('GETDEL', k);
  });

  it('WRONGTYPE on hash and set keys, and the commands that replace or ignore them', async () => {
    await p.script([['HSET', 'w:h', 'f', '1'], ['SADD', 'w:s', '1']]);
    for (const k of ['w:h', 'w:s']) {
      await p.script([
        ['GET', k], ['GETSET', k, 'x'], ['GETDEL', k], ['GETEX', k], ['GETEX', k, 'EX', '100'], ['APPEND', k, 'x'], ['STRLEN', k],
        ['INCR', k], ['DECR', k], ['INCRBY', k, '2'], ['DECRBY', k, '2'], ['INCRBYFLOAT', k, '1.5'], ['SETRANGE', k, '0', 'x'],
        ['SETRANGE', k, '0', ''], ['GETRANGE', k, '0', '-1'], ['SUBSTR', k, '0', '1'], ['SET', k, 'v', 'GET'], ['SET', k, 'v', 'NX', 'GET'],
        ['LCS', k, 'w:none'], ['LCS', 'w:none', k], ['MGET', k, 'w:none', k], ['SETNX', k, 'v'], ['MSETNX', k, 'v', 'w:n2', 'v'],
        ['SET', k, 'v', 'XX', 'GET'], ['TYPE', k], ['SET', k, 'v', 'NX'], ['TYPE', k],
      ]);
    }
    await p.script([
      ['SET', 'w:h', 'plain'], ['TYPE', 'w:h'], ['GET', 'w:h'], ['SADD', 'w:s2', 'm'], ['MSET', 'w:s2', 'v'], ['GET', 'w:s2'],
      ['HSET', 'w:h3', 'f', 'v'], ['SETEX', 'w:h3', '100', 'v'], ['GET', 'w:h3'], ['SADD', 'w:s3', 'm'], ['GETSET', 'w:s3', 'x'],
      ['DEL', 'w:h', 'w:s', 'w:s2', 'w:h3', 'w:s3', 'w:n2'],
    ]);
  });

  it('large values', async () => {
    const mb = 'x'.repeat(512 * 1024) + '\x00\r\n\xff'.repeat(128 * 1024);
    await p.same('SET', 'big:k', mb);
    await p.same('GET', 'big:k');
    await p.script([['STRLEN', 'big:k'], ['GETRANGE', 'big:k', '524280', '524300'], ['APPEND', 'big:k', 'end'], ['STRLEN', 'big:k'],
      ['SETRANGE', 'big:k', '2000000', 'far'], ['STRLEN', 'big:k'], ['GETRANGE', 'big:k', '-10', '-1'],
      ['SETRANGE', 'big:n', '1048576', 'x'], ['STRLEN', 'big:n'], ['GETRANGE', 'big:n', '1048570', '-1']]);
    await p.same('GET', 'big:k');
    await p.same('MGET', 'big:k', 'big:none', 'big:n');
    await p.same('GETSET', 'big:k', 'small');
    await p.script([['GETDEL', 'big:k'], ['GETDEL', 'big:n']]);
  });

  it('RESP3 replies', async () => {
    await Promise.all([p.h.command('HELLO', '3'), p.r.command('HELLO', '3')]);
    try {
      await p.script([
        ['GET', 'p3:none'], ['MGET', 'p3:none', 'p3:none2'], ['SET', 'p3:k', 'v'], ['SET', 'p3:k', 'w', 'NX'], ['SET', 'p3:n', 'w', 'XX'],
        ['SET', 'p3:n', 'w', 'XX', 'GET'], ['SET', 'p3:k', 'z', 'GET'], ['MGET', 'p3:k', 'p3:none'], ['GETDEL', 'p3:none'],
        ['GETEX', 'p3:none'], ['GETSET', 'p3:none', 'x'], ['INCRBYFLOAT', 'p3:f', '1.5'], ['INCR', 'p3:i'],
        ['MSET', 'p3:a', 'ohmytext', 'p3:b', 'mynewtext'], ['LCS', 'p3:a', 'p3:b', 'IDX', 'WITHMATCHLEN'], ['LCS', 'p3:a', 'p3:b', 'LEN'],
        ['SETNX', 'p3:k', 'x'], ['MSETNX', 'p3:k', 'x'], ['GETRANGE', 'p3:none', '0', '1'], ['STRLEN', 'p3:none'],
        ['GETDEL', 'p3:k'], ['GETDEL', 'p3:none'], ['GETDEL', 'p3:f'], ['GETDEL', 'p3:i'], ['GETDEL', 'p3:a'], ['GETDEL', 'p3:b'],
      ]);
    } finally {
      await Promise.all([p.h.command('HELLO', '2'), p.r.command('HELLO', '2')]);
    }
  });

  it('OBJECT ENCODING after each way of writing a string', async () => {
    const long = 'y'.repeat(45);
    const steps: string[][] = [
      ['SET', 'enc:k', '1'], ['SET', 'enc:k', '-9223372036854775808'], ['SET', 'enc:k', '9223372036854775808'],
      ['SET', 'enc:k', '01'], ['SET', 'enc:k', '1.5'], ['SET', 'enc:k', 'x'.repeat(44)], ['SET', 'enc:k', long],
      ['SET', 'enc:k', ''], ['SET', 'enc:k', '12345678901234567890'], ['SET', 'enc:k', '-0'],
      ['SET', 'enc:k', '5'], ['INCR', 'enc:k'], ['INCRBYFLOAT', 'enc:k', '1'], ['INCRBYFLOAT', 'enc:k', '0.5'], ['INCR', 'enc:k'],
      ['SET', 'enc:k', '5'], ['APPEND', 'enc:k', ''], ['SET', 'enc:k', 'ab'], ['APPEND', 'enc:k', 'c'], ['INCRBY', 'enc:k', '1'],
      ['GETDEL', 'enc:k'], ['APPEND', 'enc:k', '12'], ['APPEND', 'enc:k', long],
      ['GETDEL', 'enc:k'], ['SETRANGE', 'enc:k', '0', '5'], ['GETDEL', 'enc:k'], ['SETRANGE', 'enc:k', '0', long],
      ['SET', 'enc:k', '7'], ['SETRANGE', 'enc:k', '0', ''], ['SETRANGE', 'enc:k', '0', '8'], ['INCR', 'enc:k'],
      ['GETSET', 'enc:k', '42'], ['MSET', 'enc:k', 'abc'], ['MSET', 'enc:k', '77'], ['SETNX', 'enc:n', '1'], ['SETEX', 'enc:k', '100', '3'],
      ['PSETEX', 'enc:k', '100000', 'abc'], ['GETEX', 'enc:k', 'PERSIST'], ['SET', 'enc:k', '1', 'GET'],
      ['SET', 'enc:k', long, 'KEEPTTL'], ['INCRBYFLOAT', 'enc:f', '12345678901234567890123456789012345678901234567890'],
      ['INCRBYFLOAT', 'enc:g', '1e30'],
    ];
    for (let i = 0; i < steps.length; i++) {
      await p.same(...steps[i]);
      await p.same('OBJECT', 'ENCODING', steps[i][1]);
    }
    for (const k of ['enc:k', 'enc:n', 'enc:f', 'enc:g']) await p.same('GETDEL', k);
  });

  it('changes, keyspace hits and misses, expired keys counted as Redis counts them', async () => {
    const fields = ['rdb_changes_since_last_save', 'keyspace_hits', 'keyspace_misses', 'expired_keys'];
    const counters = async (c: Pair['h']): Promise<number[]> => {
      const info = await c.command('INFO');
      return fields.map((f) => {
        const m = new RegExp(`\\r\\n${f}:(\\d+)\\r\\n`).exec(info);
        assert.ok(m, `INFO has no ${f}`);
        return Number(m[1]);
      });
    };
    const steps: string[][] = [
      ['SET', 'c:k', '1'], ['SET', 'c:k', '2', 'NX'], ['SET', 'c:k', '3', 'XX', 'GET'], ['SET', 'c:n', '3', 'XX', 'GET'],
      ['SETNX', 'c:k', '1'], ['SETNX', 'c:n', '1'], ['SETEX', 'c:e', '100', 'v'], ['PSETEX', 'c:e', '100000', 'v'],
      ['GET', 'c:k'], ['GET', 'c:none'], ['MGET', 'c:k', 'c:none', 'c:n'], ['MSET', 'c:a', '1', 'c:b', '2', 'c:c', '3'],
      ['MSETNX', 'c:a', '1', 'c:z', '2'], ['MSETNX', 'c:y', '1', 'c:z', '2'], ['GETSET', 'c:k', '5'], ['GETSET', 'c:g', '5'],
      ['GETDEL', 'c:g'], ['GETDEL', 'c:g'], ['GETEX', 'c:k'], ['GETEX', 'c:k', 'EX', '100'], ['GETEX', 'c:k', 'PERSIST'],
      ['GETEX', 'c:k', 'PERSIST'], ['GETEX', 'c:none', 'EX', '5'], ['GETEX', 'c:k', 'EXAT', '1'], ['SET', 'c:k', '1'],
      ['APPEND', 'c:k', 'x'], ['APPEND', 'c:k', ''], ['APPEND', 'c:new', 'x'], ['STRLEN', 'c:k'], ['STRLEN', 'c:none'],
      ['INCR', 'c:i'], ['DECR', 'c:i'], ['INCRBY', 'c:i', '5'], ['DECRBY', 'c:i', '2'], ['INCR', 'c:k'], ['INCRBYFLOAT', 'c:i', '1.5'],
      ['INCRBYFLOAT', 'c:i', 'x'], ['SETRANGE', 'c:k', '0', ''], ['SETRANGE', 'c:k', '0', 'y'], ['SETRANGE', 'c:r', '3', ''],
      ['SETRANGE', 'c:r', '3', 'z'], ['GETRANGE', 'c:k', '0', '1'], ['GETRANGE', 'c:none', '0', '1'], ['SUBSTR', 'c:k', '0', '1'],
      ['LCS', 'c:k', 'c:none'], ['LCS', 'c:k', 'c:r', 'LEN'],
      ['SET', 'c:x', 'v', 'PXAT', '1'], ['GET', 'c:x'], ['SET', 'c:x', 'v', 'PXAT', '1'], ['SET', 'c:x', 'w'],
      ['SET', 'c:x', 'v', 'PXAT', '1'], ['INCR', 'c:x'], ['SET', 'c:x', 'v', 'PXAT', '1'], ['MSETNX', 'c:x', '1'],
      ['SET', 'c:x', 'v', 'PXAT', '1'], ['APPEND', 'c:x', 'a'], ['SET', 'c:x', 'v', 'PXAT', '1'], ['SET', 'c:x', 'w', 'NX', 'GET'],
      ['SET', 'c:x', 'v', 'PXAT', '1'], ['MGET', 'c:x', 'c:x'], ['SET', 'c:x', 'v', 'PXAT', '1'], ['GETDEL', 'c:x'],
    ];
    // Per step: changes, hits and misses. The active expire cycle may delete a PXAT 1 key between two
    // steps on one server only, so expired_keys is compared over the whole script (each such key is
    // touched by the next step, so it expires exactly once either way).
    const [h0, r0] = await Promise.all([counters(p.h), counters(p.r)]);
    for (let i = 0; i < steps.length; i++) {
      const [hb, rb] = await Promise.all([counters(p.h), counters(p.r)]);
      await p.same(...steps[i]);
      const [ha, ra] = await Promise.all([counters(p.h), counters(p.r)]);
      assert.deepEqual(ha.slice(0, 3).map((v, j) => v - hb[j]), ra.slice(0, 3).map((v, j) => v - rb[j]),
        `counter changes (${fields.slice(0, 3).join(', ')}) after step ${i} ${show(steps[i].join(' '))}`);
    }
    const [h1, r1] = await Promise.all([counters(p.h), counters(p.r)]);
    assert.equal(h1[3] - h0[3], r1[3] - r0[3], 'expired_keys over the script');
    for (const k of ['c:k', 'c:n', 'c:e', 'c:a', 'c:b', 'c:c', 'c:y', 'c:z', 'c:new', 'c:i', 'c:r', 'c:x']) await p.same('GETDEL', k);
  });

  it(`a seeded random mix of string commands (seed ${SEED})`, async () => {
    const rnd = prng(SEED + 2);
    const int = (n: number) => Math.floor(rnd() * n);
    const pick = <T>(a: readonly T[]): T => a[int(a.length)];
    const keys = ['z:0', 'z:1', 'z:2', 'z:3', 'z:4'];
    const value = (): string => {
      switch (int(8)) {
        case 0: return String(int(201) - 100);
        case 1: return pick(['9223372036854775806', '-9223372036854775807', '9223372036854775808', '007', '-0', '1e3']);
        case 2: return pick(['1.5', '0.1', '-2.25', '3e2', 'inf', '0x10']);
        case 3: return pick(['', 'a\x00b', '\r\n', '\xff\xfe', ' 1']);
        case 4: { let s = ''; const n = int(60); for (let k = 0; k < n; k++) s += pick(['a', 'b', '\x00', '\xff', '0', '1']); return s; }
        case 5: return 'v'.repeat(int(100));
        default: return String(int(1000));
      }
    };
    const setOpts = (): string[] => {
      const out: string[] = [];
      const n = int(3);
      for (let k = 0; k < n; k++) out.push(...pick([['NX'], ['XX'], ['GET'], ['KEEPTTL'], ['EX', '1000'], ['PX', '1000000']]));
      return out;
    };
    const gen = (): string[] => {
      const k = pick(keys);
      switch (int(24)) {
        case 0: return ['GET', k];
        case 1: return ['SET', k, value(), ...setOpts()];
        case 2: return ['SETNX', k, value()];
        case 3: return ['SETEX', k, String(100 + int(1000)), value()];
        case 4: return ['PSETEX', k, String(100000 + int(1000000)), value()];
        case 5: return ['MGET', k, pick(keys), pick(keys)];
        case 6: return ['MSET', k, value(), pick(keys), value()];
        case 7: return ['MSETNX', k, value(), pick(keys), value()];
        case 8: return ['GETSET', k, value()];
        case 9: return ['GETDEL', k];
        case 10: return ['GETEX', k, ...pick([[], ['EX', '2000'], ['PX', '3000000'], ['PERSIST']])];
        case 11: return ['APPEND', k, value()];
        case 12: return ['STRLEN', k];
        case 13: return ['INCR', k];
        case 14: return ['DECR', k];
        case 15: return ['INCRBY', k, String(int(2001) - 1000)];
        case 16: return ['DECRBY', k, pick(['1', '-5', '9223372036854775807', '100'])];
        case 17: return ['INCRBYFLOAT', k, pick(['0.1', '-1.5', '2.5e3', '1', '0.001', 'x'])];
        case 18: return ['SETRANGE', k, String(int(70)), value()];
        case 19: return ['GETRANGE', k, String(int(161) - 80), String(int(161) - 80)];
        case 20: return ['SUBSTR', k, String(int(20)), String(int(41) - 20)];
        case 21: return ['LCS', k, pick(keys), ...pick([[], ['LEN'], ['IDX'], ['IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '2']])];
        case 22: return ['OBJECT', 'ENCODING', k];
        default: return ['TTL', k];
      }
    };
    for (let i = 0; i < 3000; i++) {
      const args = gen();
      if (args[0] === 'TTL') {
        await sameTtl(p, args[1], `seed ${SEED + 2} step ${i}`);
        continue;
      }
      const [h, r] = await Promise.all([p.h.command(...args), p.r.command(...args)]);
      assert.equal(show(h), show(r), `seed ${SEED + 2} step ${i} ${show(args.join(' '))}: hotkv vs redis`);
    }
    for (const k of keys) await p.same('GETDEL', k);
  });
});

describe('string size limits match redis-server (proto-max-bulk-len 1mb)', () => {
  let p: Pair;
  before(async () => {
    p = await startPair({ args: ['--proto-max-bulk-len', '1mb'] }, ['--proto-max-bulk-len', '1mb']);
  });
  after(async () => { await p.stop(); });

  it('SETRANGE, APPEND and LCS respect proto-max-bulk-len', async () => {
    const half = 'h'.repeat(512 * 1024);
    await p.script([
      ['SETRANGE', 'q:k', '1048570', '0123456789'], ['SETRANGE', 'q:k', '1048566', '0123456789'], ['STRLEN', 'q:k'],
      ['SETRANGE', 'q:k', '1048575', 'ab'], ['SETRANGE', 'q:k', '1048575', 'a'], ['SETRANGE', 'q:k', '1048576', ''],
      ['SETRANGE', 'q:k', '9223372036854775807', 'a'], ['APPEND', 'q:k', 'x'], ['APPEND', 'q:k', ''], ['STRLEN', 'q:k'],
      ['SET', 'q:a', half], ['APPEND', 'q:a', half], ['APPEND', 'q:a', 'x'], ['STRLEN', 'q:a'],
      ['SET', 'q:l1', 'a'.repeat(600)], ['SET', 'q:l2', 'b'.repeat(600)], ['LCS', 'q:l1', 'q:l2'], ['LCS', 'q:l1', 'q:l2', 'LEN'],
      ['SET', 'q:l1', 'a'.repeat(400)], ['LCS', 'q:l1', 'q:l2', 'LEN'], ['LCS', 'q:l1', 'q:none'],
      ['SET', 'q:l2', 'ab'.repeat(200)], ['LCS', 'q:l1', 'q:l2', 'IDX', 'MINMATCHLEN', '1'],
    ]);
  });
});
