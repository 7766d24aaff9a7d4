// requirepass: unauthenticated clients get NOAUTH (and Redis's tighter protocol limits) until AUTH or
// HELLO ... AUTH succeeds; compared byte for byte with redis-server 7.0 started with the same password.
import { after, before, describe, it } from 'node:test';
import { startPair, type Pair } from './helpers/diff';

describe('requirepass matches redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair({ args: ['--requirepass', 'pw'] }, ['--requirepass', 'pw']); });
  after(async () => { await p.stop(); });

  it('commands before AUTH get NOAUTH; unknown commands are still reported as unknown', async () => {
    await p.sameRaw('GET a\r\nFOO x\r\nMULTI\r\nPING\r\nAUTH nope\r\nAUTH default nope\r\nAUTH pw\r\nGET a\r\n', { replies: 8 });
  });

  it('RESET drops the authentication; HELLO needs it or its AUTH option', async () => {
    await p.sameRaw('AUTH pw\r\nSET k v\r\nRESET\r\nGET k\r\nHELLO 3\r\nHELLO 3 AUTH default wrong\r\nGET k\r\n', { replies: 7 });
  });

  it('AUTH inside a pipeline unlocks the commands after it', async () => {
    await p.sameRaw('*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nQUIT\r\n', { untilClose: true });
  });

  it('unauthenticated clients may not send more than 10 arguments or bulks over 16 KB', async () => {
    await p.sameRaw('*11\r\n', { untilClose: true });
    await p.sameRaw('*1\r\n$16385\r\n', { untilClose: true });
    await p.sameRaw('*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n*11\r\n$1\r\na\r\n', { replies: 1 });
  });
});
