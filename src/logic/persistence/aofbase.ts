// An AOF base file in RESP, for aof-use-rdb-preamble no: the commands that rebuild every key, as
// Redis 7.0's rewriteAppendOnlyFileRio writes them. A SELECT opens each non-empty db; a string is
// one SET; a list, set, sorted set or hash is RPUSH / SADD / ZADD / HMSET with at most
// AOF_REWRITE_ITEMS_PER_CMD elements per command; a key with a TTL is followed by PEXPIREAT with the
// absolute time in ms. Scores print as "%.17g" (rioWriteBulkDouble).
//
// persistence/save.ts drives the file (the same copy-on-write snapshot job as BGSAVE); these are only
// the bytes of one db header and one key. A value a command is about to change while the job runs
// is turned into its commands right then (`AofPre`), as the RDB format keeps its bytes (PreSerialized).

import type { StoredValue } from '../../abi';
import { bulkProto } from '../resp/reply';
import { isHash } from '../types/hash';
import { listToArray, type ListValue } from '../types/list';
import { isSet } from '../types/set';
import { byName, idText, isStream, streamEntries, type StreamRecord } from '../types/stream';
import { readString } from '../types/string';
import { isZset, zsetEntries } from '../types/zset';
import { formatDouble17g } from '../util/numbers';
import { state } from '../runtime';
import type { FunctionsRecord } from '../scripting/library';

/** AOF_REWRITE_ITEMS_PER_CMD */
const ITEMS_PER_CMD = 64;

/** A value turned into its commands ahead of time (copy-on-write while a rewrite runs). */
export interface AofPre {
  type: 'aof-pre';
  body: string;
}

/** rewriteFunctions: a `FUNCTION LOAD <code>` per library, before the databases. */
export function respFunctions(): string {
  const f = state.ext.functions as FunctionsRecord | undefined;
  let out = '';
  if (f !== undefined) for (const lib of f.libs.values()) out += '*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n' + bulkProto(lib.code);
  return out;
}

/** `SELECT <id>` before a db's keys. */
export function respSelect(id: number): string {
  return '*2\r\n$6\r\nSELECT\r\n' + bulkProto(String(id));
}

/** `cmd key items...` in commands of at most ITEMS_PER_CMD elements of `width` arguments each. */
function batched(cmd: string, key: string, items: readonly string[], width: number): string {
  const n = items.length / width;
  const head = bulkProto(cmd) + bulkProto(key);
  let out = '';
  for (let i = 0; i < n; i += ITEMS_PER_CMD) {
    const k = Math.min(ITEMS_PER_CMD, n - i);
    out += `*${2 + k * width}\r\n` + head;
    for (let j = i * width; j < (i + k) * width; j++) out += bulkProto(items[j]);
  }
  return out;
}

/** The commands that rebuild `key` holding `v` (without its TTL). */
export function respValue(key: string, v: StoredValue): string {
  const s = readString(v);
  if (s !== null || typeof v === 'string') return '*3\r\n$3\r\nSET\r\n' + bulkProto(key) + bulkProto(s as string);
  if (v.type === 'aof-pre') return (v as AofPre).body;
  if (v.type === 'list') return batched('RPUSH', key, listToArray(v as ListValue), 1);
  if (isSet(v)) return batched('SADD', key, v.a, 1);
  if (isZset(v)) {
    const flat: string[] = [];
    for (const [member, score] of zsetEntries(v)) flat.push(formatDouble17g(score), member);
    return batched('ZADD', key, flat, 2);
  }
  if (isHash(v)) {
    const flat: string[] = [];
    for (let i = 0; i < v.f.length; i++) flat.push(v.f[i], v.v[i]);
    return batched('HMSET', key, flat, 2);
  }
  if (isStream(v)) return respStream(key, v);
  throw new Error(`cannot rewrite a value of type ${v.type}`);
}

function respArgs(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += bulkProto(a);
  return out;
}

/**
 * rewriteStreamObject: an XADD per entry (an empty stream: XADD key MAXLEN 0 0-1 x y), XSETID with the last
 * ID, entries added and max deleted ID, then per group XGROUP CREATE ... ENTRIESREAD, an XCLAIM ... JUSTID FORCE
 * per pending entry of each consumer, and XGROUP CREATECONSUMER for a consumer without pending entries.
 */
function respStream(key: string, s: StreamRecord): string {
  let out = '';
  if (s.length > 0) {
    for (const [id, fv] of streamEntries(s)) out += respArgs(['XADD', key, idText(id), ...fv]);
  } else {
    out += respArgs(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  out += respArgs(['XSETID', key, idText(s.lastId), 'ENTRIESADDED', String(s.entriesAdded), 'MAXDELETEDID', idText(s.maxDeletedId)]);
  for (const g of s.groups.slice().sort(byName)) {
    out += respArgs(['XGROUP', 'CREATE', key, g.name, idText(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
    const pending = new Map(g.pel.map((p) => [p.id, p]));
    for (const c of g.consumers.slice().sort(byName)) {
      if (c.pel.length === 0) {
        out += respArgs(['XGROUP', 'CREATECONSUMER', key, g.name, c.name]);
        continue;
      }
      for (const id of c.pel) {
        const p = pending.get(id)!;
        out += respArgs(['XCLAIM', key, g.name, c.name, '0', idText(id), 'TIME', String(p.time), 'RETRYCOUNT', String(p.count), 'JUSTID', 'FORCE']);
      }
    }
  }
  return out;
}

/** One key of the base: its commands, then PEXPIREAT when it has a TTL. */
export function respEntry(key: string, v: StoredValue, expireMs: number | undefined): string {
  const body = respValue(key, v);
  if (expireMs === undefined) return body;
  return body + '*3\r\n$9\r\nPEXPIREAT\r\n' + bulkProto(key) + bulkProto(String(expireMs));
}

/** Copy-on-write: the commands of a value about to change. */
export function respPreSerialize(key: string, v: StoredValue): AofPre {
  return { type: 'aof-pre', body: respValue(key, v) };
}
