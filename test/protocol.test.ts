// Request framing and malformed input, compared with redis-server 7.0 byte for byte: the error text,
// what was answered before the bad frame, and that the connection is closed afterwards while other
// clients keep working. Also big pipelines and commands that arrive in many small pieces.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { show, startPair, type Pair } from './helpers/diff';
import { encodeCommand, RawClient } from './helpers/resp';

const MB = 1024 * 1024;
/** Redis's PROTO_INLINE_MAX_SIZE */
const INLINE_MAX = 64 * 1024;

const cmd = (...args: string[]) => encodeCommand(args).toString('latin1');

/** Write `bytes` in pieces of `size`, yielding to the event loop between writes so they leave as separate segments. */
async function sendInPieces(c: RawClient, bytes: string, size: number): Promise<void> {
  c.socket.setNoDelay(true);
  for (let i = 0; i < bytes.length; i += size) {
    c.write(bytes.slice(i, i + size));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

describe('protocol handling matches redis-server', () => {
  let p: Pair;
  before(async () => {
    // A smaller proto-max-bulk-len on both, so the "bulk too long" case needs only a little over 1 MB.
    p = await startPair({ args: ['--proto-max-bulk-len', '1mb'] }, ['--proto-max-bulk-len', '1mb']);
  });
  after(async () => { await p.stop(); });

  /** A malformed request: same bytes back, same close; the persistent connections still answer. */
  async function badFrame(bytes: string, expectError: string): Promise<void> {
    const got = await p.sameRaw(bytes, { untilClose: true });
    assert.ok(got.endsWith(`-ERR Protocol error: ${expectError}\r\n`), `${show(bytes.slice(0, 80))} answered ${show(got.slice(0, 200))}`);
    await p.same('PING');
  }

  it('both servers took proto-max-bulk-len 1mb', async () => {
    const got = await p.same('CONFIG', 'GET', 'proto-max-bulk-len');
    assert.equal(got, '*2\r\n$18\r\nproto-max-bulk-len\r\n$7\r\n1048576\r\n');
  });

  it('bad multibulk lengths', async () => {
    await badFrame('*abc\r\n', 'invalid multibulk length');
    await badFrame('*01\r\n', 'invalid multibulk length');
    await badFrame('*+1\r\n$4\r\nPING\r\n', 'invalid multibulk length');
    await badFrame('*3000000000\r\n', 'invalid multibulk length');
    await badFrame('*2147483648\r\n', 'invalid multibulk length');
    await badFrame('*99999999999999999999\r\n', 'invalid multibulk length');
    await badFrame('* 1\r\n', 'invalid multibulk length');
    // Negative and zero counts are empty requests, not errors.
    const fine = await p.sameRaw('*-5\r\n*0\r\n*-1\r\nPING\r\nQUIT\r\n', { untilClose: true });
    assert.equal(fine, '+PONG\r\n+OK\r\n');
  });

  it('bad bulk lengths', async () => {
    await badFrame('*1\r\n$abc\r\n', 'invalid bulk length');
    await badFrame('*1\r\n$-1\r\n', 'invalid bulk length');
    await badFrame('*2\r\n$4\r\nECHO\r\n$-1\r\n', 'invalid bulk length');
    await badFrame('*1\r\n$01\r\n', 'invalid bulk length');
    await badFrame('*1\r\n$+4\r\nPING\r\n', 'invalid bulk length');
    await badFrame('*1\r\n$\r\n', 'invalid bulk length');
  });

  it('bulk longer than proto-max-bulk-len', async () => {
    await badFrame(`*2\r\n$4\r\nECHO\r\n$${MB + 1}\r\n`, 'invalid bulk length');
    // Exactly the limit is accepted.
    const v = 'v'.repeat(MB);
    const got = await p.sameRaw(cmd('ECHO', v) + 'QUIT\r\n', { untilClose: true });
    assert.equal(got, `$${MB}\r\n${v}\r\n+OK\r\n`);
  });

  it("an argument that does not start with '$'", async () => {
    await badFrame('*1\r\n+PING\r\n', "expected '$', got '+'");
    await badFrame('*2\r\n$4\r\nECHO\r\n:1\r\n', "expected '$', got ':'");
    await badFrame('*1\r\nPING\r\n', "expected '$', got 'P'");
  });

  it('unbalanced quotes in inline requests', async () => {
    await badFrame('ECHO "abc\r\n', 'unbalanced quotes in request');
    await badFrame("ECHO 'abc\r\n", 'unbalanced quotes in request');
    // a closing quote must be followed by a space or the end of the line
    await badFrame('ECHO "abc"def\r\n', 'unbalanced quotes in request');
    await badFrame("ECHO 'abc'def\r\n", 'unbalanced quotes in request');
    const fine = await p.sameRaw('ECHO "abc" \'d e\'\r\nECHO "\\x41\\x4"\r\nQUIT\r\n', { untilClose: true });
    assert.ok(fine.endsWith('+OK\r\n'));
  });

  it('requests over 64 KB without a newline', async () => {
    // Exactly one byte over the limit, so both servers have read everything when they refuse it.
    await badFrame('A'.repeat(INLINE_MAX + 1), 'too big inline request');
    await badFrame('*' + '1'.repeat(INLINE_MAX), 'too big mbulk count string');
    await badFrame('*1\r\n$' + '1'.repeat(INLINE_MAX), 'too big bulk count string');
  });

  it('commands before the bad frame in the same packet are answered, nothing after it', async () => {
    const got = await p.sameRaw(`PING\r\n${cmd('ECHO', 'one')}ECHO two\r\n*abc\r\nPING\r\n${cmd('ECHO', 'never')}`, { untilClose: true });
    assert.equal(got, '+PONG\r\n$3\r\none\r\n$3\r\ntwo\r\n-ERR Protocol error: invalid multibulk length\r\n');
  });

  it('a protocol error closes only that connection', async () => {
    // Another client is connected on each server with half a command sent; it finishes after the error.
    const [ho, ro] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      const half = cmd('ECHO', 'still here');
      ho.write(half.slice(0, 12));
      ro.write(half.slice(0, 12));
      await badFrame('*1\r\n+PING\r\n', "expected '$', got '+'");
      ho.write(half.slice(12));
      ro.write(half.slice(12));
      const [hr, rr] = await Promise.all([ho.reply(), ro.reply()]);
      assert.equal(show(hr), show(rr));
      assert.equal(hr, '$10\r\nstill here\r\n');
      assert.equal(ho.closed, false);
    } finally {
      ho.close();
      ro.close();
    }
  });

  it('10,000 pipelined commands in one write', async () => {
    let bytes = '';
    for (let i = 0; i < 10000; i++) {
      switch (i % 5) {
        case 0: bytes += cmd('SET', `pipe:${i % 97}`, `value-${i}`); break;
        case 1: bytes += cmd('GET', `pipe:${(i - 1) % 97}`); break;
        case 2: bytes += cmd('INCR', 'pipe:counter'); break;
        case 3: bytes += `ECHO inline-${i}\r\n`; break;
        default: bytes += cmd('PING'); break;
      }
    }
    const got = await p.sameRaw(bytes + 'QUIT\r\n', { untilClose: true });
    assert.ok(got.includes(':2000\r\n'), 'the counter reached 2000');
    assert.ok(got.endsWith('+PONG\r\n+OK\r\n'));
    await p.same('GET', 'pipe:counter');
  });

  it('commands split byte by byte across many writes', async () => {
    const bytes = cmd('SET', 'split:k', 'a\r\nb\x00c\xff') + cmd('GET', 'split:k') + 'ECHO "in line"\r\n' +
      cmd('APPEND', 'split:k', 'xyz') + '*-1\r\n' + cmd('STRLEN', 'split:k') + 'PING\r\n';
    const [hc, rc] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      await Promise.all([sendInPieces(hc, bytes + 'QUIT\r\n', 1), sendInPieces(rc, bytes + 'QUIT\r\n', 1)]);
      const [hr, rr] = await Promise.all([hc.readUntilClose(5000), rc.readUntilClose(5000)]);
      assert.equal(show(hr.data), show(rr.data));
      assert.equal(hr.data, '+OK\r\n$7\r\na\r\nb\x00c\xff\r\n$7\r\nin line\r\n:10\r\n:10\r\n+PONG\r\n+OK\r\n');
      assert.ok(hr.closed && rr.closed);
    } finally {
      hc.close();
      rc.close();
    }
  });

  it('a large argument arriving in many pieces', async () => {
    const big = Array.from({ length: 300 * 1024 }, (_, i) => String.fromCharCode(i % 256)).join('');
    const bytes = cmd('SET', 'split:big', big) + cmd('STRLEN', 'split:big') + cmd('GETRANGE', 'split:big', '-5', '-1') + 'QUIT\r\n';
    const [hc, rc] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      await Promise.all([sendInPieces(hc, bytes, 997), sendInPieces(rc, bytes, 997)]);
      const [hr, rr] = await Promise.all([hc.readUntilClose(5000), rc.readUntilClose(5000)]);
      assert.equal(show(hr.data), show(rr.data));
      assert.equal(hr.data, `+OK\r\n:${big.length}\r\n$5\r\n${big.slice(-5)}\r\n+OK\r\n`);
    } finally {
      hc.close();
      rc.close();
    }
    await p.same('GET', 'split:big');
  });
});
