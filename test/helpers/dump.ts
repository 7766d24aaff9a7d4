// Every key of a server, for comparing datasets (persistence tests: what was written vs what a
// restart, or redis-server on a copy of the files, loaded).
import assert from 'node:assert/strict';
import { decodeReply as decode, RawClient, type ReplyValue } from './resp';

export interface KeyDump {
  type: ReplyValue;
  /** OBJECT ENCODING, when asked for */
  enc?: ReplyValue;
  /** the contents; sets and hashes sorted (their order is a hash order) */
  content: ReplyValue;
  pttl: number;
}

export type Dump = Record<string, KeyDump>;

/** Every key of the given dbs as `<db>:<key>` -> TYPE, contents, PTTL (and OBJECT ENCODING with `encodings`). */
export async function dumpAll(port: number, dbs: readonly number[], encodings = false): Promise<Dump> {
  const c = await RawClient.connect(port);
  const q = async (...args: string[]) => decode(await c.command(...args));
  const out: Dump = {};
  for (const db of dbs) {
    await q('SELECT', String(db));
    for (const k of (await q('KEYS', '*')) as string[]) {
      const type = await q('TYPE', k);
      let content: ReplyValue;
      if (type === 'string') content = await q('GET', k);
      else if (type === 'list') content = await q('LRANGE', k, '0', '-1');
      else if (type === 'set') content = ((await q('SMEMBERS', k)) as string[]).sort();
      else if (type === 'zset') content = await q('ZRANGE', k, '0', '-1', 'WITHSCORES');
      else if (type === 'stream') content = [await q('XRANGE', k, '-', '+'), await q('XINFO', 'STREAM', k)];
      else {
        const flat = (await q('HGETALL', k)) as string[];
        const pairs: string[] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push(`${flat[i]}=${flat[i + 1]}`);
        content = pairs.sort();
      }
      const d: KeyDump = { type, content, pttl: (await q('PTTL', k)) as number };
      if (encodings) d.enc = await q('OBJECT', 'ENCODING', k);
      out[`${db}:${k}`] = d;
    }
  }
  c.close();
  return out;
}

/** Same keys, types, contents (and encodings when both have them); TTLs within `ttlSlackMs` of each other. */
export function assertSameData(got: Dump, want: Dump, ttlSlackMs = 10000): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  for (const k of Object.keys(want)) {
    const [g, w] = [got[k], want[k]];
    assert.deepEqual([g.type, g.content], [w.type, w.content], k);
    if (g.enc !== undefined && w.enc !== undefined) assert.equal(g.enc, w.enc, `${k}: encoding`);
    if (w.pttl < 0) assert.equal(g.pttl, w.pttl, `${k}: pttl`);
    else assert.ok(g.pttl > 0 && Math.abs(g.pttl - w.pttl) < ttlSlackMs, `${k}: pttl ${g.pttl} vs ${w.pttl}`);
  }
}
