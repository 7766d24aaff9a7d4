// INFO commandstats while hotkv reads the clock only when the command changes within an input event
// (dispatch.ts `timing`): the calls match redis-server's for pipelines of mixed commands, RESETSTAT and
// INFO in the middle of a pipeline and MULTI/EXEC; the time of a slow command in a pipeline is its own, not
// spread over the fast ones around it; a pipeline of one command accounts all its time to that command.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startPair, type Pair } from './helpers/diff';
import { decodeReply, encodeCommand, RawClient } from './helpers/resp';

const DEBUG = ['--enable-debug-command', 'yes'];
const pipeline = (...cmds: string[][]) => Buffer.concat(cmds.map((a) => encodeCommand(a))).toString('latin1');

/** cmdstat_<name> -> { calls, usec, rest } from an INFO commandstats text. */
function cmdstats(info: string): Map<string, { calls: number; usec: number; rest: string }> {
  const out = new Map<string, { calls: number; usec: number; rest: string }>();
  for (const l of info.split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+),usec_per_call=[\d.]+,(.*)$/.exec(l);
    if (m) out.set(m[1], { calls: Number(m[2]), usec: Number(m[3]), rest: m[4] });
  }
  return out;
}

/** The last reply of a pipeline sent in one write (an INFO), decoded, from a fresh connection. */
async function lastReply(port: number, bytes: string, replies: number): Promise<string> {
  const c = await RawClient.connect(port);
  try {
    c.write(bytes);
    let last = '';
    for (let i = 0; i < replies; i++) last = await c.reply();
    return String(decodeReply(last));
  } finally {
    c.close();
  }
}

describe('INFO commandstats with per-run timing', () => {
  let p: Pair;
  before(async () => { p = await startPair({ args: DEBUG }, DEBUG); });
  after(async () => { await p.stop(); });

  /** Send the pipeline to both servers; the calls and rejected/failed counts of every command must match. */
  async function sameCalls(cmds: string[][]): Promise<Map<string, { calls: number; usec: number; rest: string }>> {
    await p.same('CONFIG', 'RESETSTAT');
    const bytes = pipeline(...cmds, ['INFO', 'commandstats']);
    const [h, r] = await Promise.all([lastReply(p.hotkv.port, bytes, cmds.length + 1), lastReply(p.redis.port, bytes, cmds.length + 1)]);
    const hs = cmdstats(h);
    const rs = cmdstats(r);
    const view = (m: typeof hs) => [...m].map(([k, v]) => `${k} calls=${v.calls} ${v.rest}`).sort();
    assert.deepEqual(view(hs), view(rs));
    return hs;
  }

  it('mixed pipelines, RESETSTAT and INFO in the middle, MULTI/EXEC: the same calls as redis-server', async () => {
    await sameCalls([['SET', 'a', '1'], ...Array.from({ length: 9 }, () => ['GET', 'a']), ['PING'], ['INCR', 'n'], ['GET', 'a']]);
    await sameCalls([...Array.from({ length: 5 }, () => ['GET', 'a']), ['CONFIG', 'RESETSTAT'], ...Array.from({ length: 3 }, () => ['GET', 'a'])]);
    await sameCalls([['GET', 'a'], ['INFO', 'commandstats'], ['GET', 'a'], ['NOSUCH'], ['GET']]);
    await sameCalls([['MULTI'], ['SET', 'a', '2'], ['INCR', 'n'], ['GET', 'a'], ['EXEC'], ['GET', 'a']]);
  });

  it('a slow command in a pipeline keeps its own time', async () => {
    const stats = await sameCalls([['PING'], ['PING'], ['DEBUG', 'SLEEP', '0.1'], ['PING'], ['PING'], ['PING']]);
    const debug = stats.get('debug')!;
    const ping = stats.get('ping')!;
    assert.ok(debug.usec >= 90000, `DEBUG SLEEP 0.1 took ${debug.usec} us`);
    assert.ok(ping.usec < 20000, `5 PINGs around it were charged ${ping.usec} us`);
  });

  it('a pipeline of one command accounts the whole run to it', async () => {
    const stats = await sameCalls([['DEBUG', 'SLEEP', '0.02'], ['DEBUG', 'SLEEP', '0.02'], ['DEBUG', 'SLEEP', '0.02']]);
    const debug = stats.get('debug')!;
    assert.ok(debug.usec >= 55000 && debug.usec < 1000000, `3 x DEBUG SLEEP 0.02: ${debug.usec} us`);
  });
});
