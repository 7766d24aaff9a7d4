// Connection commands and request framing, compared byte for byte with redis-server 7.0.
import { after, before, describe, it } from 'node:test';
import { startPair, type Pair } from './helpers/diff';

describe('connection commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });

  it('PING and ECHO, binary safe', async () => {
    await p.script([['PING'], ['PING', 'hello'], ['PING', 'a', 'b'], ['ECHO', 'a\x00b\r\nc\xff'], ['ECHO'], ['ECHO', 'a', 'b']]);
  });

  it('SELECT', async () => {
    await p.script([['SELECT', '1'], ['SELECT', '15'], ['SELECT', '16'], ['SELECT', '-1'], ['SELECT', 'x'], ['SELECT', '1.5'],
      ['SELECT', '99999999999999999999'], ['SELECT', '4294967296'], ['SELECT', '0']]);
  });

  it('HELLO and AUTH without a password', async () => {
    await p.script([['HELLO', '4'], ['HELLO', 'x'], ['HELLO', '1'], ['HELLO', '2', 'FOO'], ['HELLO', '2', 'SETNAME', 'a b'],
      ['AUTH', 'x'], ['AUTH', 'default', 'x'], ['AUTH', 'nobody', 'x'], ['AUTH', 'a', 'b', 'c'], ['AUTH']]);
    // HELLO replies differ only in the client id; compare the rest.
  });

  it('unknown commands and arity errors', async () => {
    await p.script([['NOSUCH'], ['NOSUCH', 'a', 'b'], ['nosuch', 'x'.repeat(300)], ['CONFIG'], ['CONFIG', 'NOSUCH'],
      ['HELLO', '3', 'AUTH', 'default']]);
  });

  it('inline commands, quoting and pipelines', async () => {
    await p.sameRaw('PING\r\n');
    await p.sameRaw('ECHO "a\\x41\\n" \'b\\\'c\'\r\n', { replies: 1 });
    await p.sameRaw('\r\n\r\nPING\n', { replies: 1 });
    await p.sameRaw('PING\r\n'.repeat(2000), { replies: 2000 });
    await p.sameRaw('*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n'.repeat(500) + 'PING\r\n', { replies: 501 });
    await p.sameRaw('*0\r\n*-1\r\nPING\r\n', { replies: 1 });
  });

  it('QUIT replies OK and closes', async () => {
    await p.sameRaw('QUIT\r\nPING\r\n', { untilClose: true });
  });
});
