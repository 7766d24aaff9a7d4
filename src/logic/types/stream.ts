// The stream type, as plain data, laid out as Redis 7.0's t_stream.c lays it out: a sequence of nodes
// (the radix tree's listpacks), each holding up to stream-node-max-entries entries / about
// stream-node-max-bytes bytes. The node layout is observable (approximate trimming removes whole
// nodes only; an RDB saves the nodes as they are), so it is kept exactly: a node's "master" entry
// (the fields of its first entry, which later entries with the same fields share), entries deleted
// in place (XDEL/trimming inside a node only flag them), and the node's listpack size in bytes.
//
// Entry IDs are two unsigned 64-bit numbers (ms, seq). They are stored as 16-char latin1 keys: the
// 8 bytes of ms then the 8 bytes of seq, big-endian, as Redis's rax keys. A key needs no BigInt,
// compares with `<` (string order is numeric order), and is exact for all 2^64 values of each part.

import { cfgInt } from '../runtime';
import { isCanonicalInt64 } from './string';

/** One node: a listpack of Redis's stream rax. */
export interface StreamNode {
  /** master fields (the fields of the node's first entry) */
  mf: string[];
  /** entry ID keys in order, entries deleted in place included; ids[0] is the master ID (the rax key) */
  ids: string[];
  /** per entry: its fields and values, flat */
  fv: string[][];
  /** per entry: 1 when deleted in place */
  del: number[];
  /** valid entries and entries flagged deleted (the master entry's two counters) */
  live: number;
  dead: number;
  /** the listpack's bytes, less the two counters (which change size as they change) */
  rest: number;
}

/** A pending entry of a consumer group (kept for RDB round trips; phase 2 adds the commands). */
export interface StreamPending {
  id: string;
  /** delivery time, unix ms */
  time: number;
  count: number;
  consumer: string;
}

export interface StreamConsumer {
  name: string;
  seen: number;
  /** ID keys of its pending entries, in ID order */
  pel: string[];
}

export interface StreamGroup {
  name: string;
  lastId: string;
  /** entries_read, -1 when unknown (SCG_INVALID_ENTRIES_READ) */
  entriesRead: number;
  /** the group's pending entries in ID order */
  pel: StreamPending[];
  consumers: StreamConsumer[];
}

export interface StreamRecord {
  type: 'stream';
  enc: 'stream';
  nodes: StreamNode[];
  /** valid entries */
  length: number;
  lastId: string;
  firstId: string;
  maxDeletedId: string;
  /** entries ever added (XSETID ENTRIESADDED may set it); a JS number: exact up to 2^53 */
  entriesAdded: number;
  groups: StreamGroup[];
}

/** Groups and consumers in name order, as Redis's rax iterates them. */
export function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function isStream(v: unknown): v is StreamRecord {
  return typeof v === 'object' && v !== null && (v as { type?: string }).type === 'stream';
}

// ------------------------------------------------------------------------------------------------
// IDs
// ------------------------------------------------------------------------------------------------

export const ID_MIN = '\0'.repeat(16);
export const ID_MAX = '\xff'.repeat(16);
const TWO32 = 4294967296;

function u32Chars(n: number): string {
  return String.fromCharCode(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

function u32At(k: string, at: number): number {
  return ((k.charCodeAt(at) << 24) | (k.charCodeAt(at + 1) << 16) | (k.charCodeAt(at + 2) << 8) | k.charCodeAt(at + 3)) >>> 0;
}

/** An unsigned 64-bit number as [high 32 bits, low 32 bits]. */
export type U64 = [number, number];

export function idKey(ms: U64, seq: U64): string {
  return u32Chars(ms[0]) + u32Chars(ms[1]) + u32Chars(seq[0]) + u32Chars(seq[1]);
}

/** The ms (part 0) or seq (part 1) of an ID key. */
export function idPart(k: string, part: 0 | 1): U64 {
  const at = part * 8;
  return [u32At(k, at), u32At(k, at + 4)];
}

export function u64Text(v: U64): string {
  if (v[0] < 0x200000) return String(v[0] * TWO32 + v[1]);
  return ((BigInt(v[0]) << 32n) | BigInt(v[1])).toString();
}

export function u64FromBig(b: bigint): U64 {
  return [Number((b >> 32n) & 0xffffffffn), Number(b & 0xffffffffn)];
}

export function u64Big(v: U64): bigint {
  return (BigInt(v[0]) << 32n) | BigInt(v[1]);
}

export function u64FromNumber(n: number): U64 {
  return [Math.floor(n / TWO32), n >>> 0];
}

/** "<ms>-<seq>" of an ID key. */
export function idText(k: string): string {
  return u64Text(idPart(k, 0)) + '-' + u64Text(idPart(k, 1));
}

/** streamIncrID: the next ID, or null past the maximum. */
export function idIncr(k: string): string | null {
  if (k === ID_MAX) return null;
  const w = [u32At(k, 0), u32At(k, 4), u32At(k, 8), u32At(k, 12)];
  for (let i = 3; i >= 0; i--) {
    if (w[i] === 0xffffffff) w[i] = 0;
    else {
      w[i]++;
      break;
    }
  }
  return u32Chars(w[0]) + u32Chars(w[1]) + u32Chars(w[2]) + u32Chars(w[3]);
}

/** streamDecrID: the previous ID, or null below 0-0. */
export function idDecr(k: string): string | null {
  if (k === ID_MIN) return null;
  const w = [u32At(k, 0), u32At(k, 4), u32At(k, 8), u32At(k, 12)];
  for (let i = 3; i >= 0; i--) {
    if (w[i] === 0) w[i] = 0xffffffff;
    else {
      w[i]--;
      break;
    }
  }
  return u32Chars(w[0]) + u32Chars(w[1]) + u32Chars(w[2]) + u32Chars(w[3]);
}

/** (int64)(a - b) of two unsigned 64-bit numbers, as a bigint or, when small, a number. */
function deltaOf(a: U64, b: U64): number | bigint {
  if (a[0] === b[0]) return a[1] - b[1];
  return BigInt.asIntN(64, u64Big(a) - u64Big(b));
}

/** The ms and seq deltas of an entry to its node's master ID, as the listpack stores them. */
export function idDeltas(k: string, master: string): [number | bigint, number | bigint] {
  return [deltaOf(idPart(k, 0), idPart(master, 0)), deltaOf(idPart(k, 1), idPart(master, 1))];
}

// ------------------------------------------------------------------------------------------------
// listpack sizes (listpack.c), to split nodes where Redis splits them
// ------------------------------------------------------------------------------------------------

function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** Bytes of an integer element. */
export function lpIntSize(v: number | bigint): number {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) v = BigInt(v);
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** Bytes of an element appended as a string (lpAppend stores an integer-looking one as an integer). */
export function lpStrSize(s: string): number {
  if (s.length <= 20 && isCanonicalInt64(s)) return lpIntSize(s.length < 16 ? Number(s) : BigInt(s));
  const n = s.length;
  const l = (n < 64 ? 1 : n < 4096 ? 2 : 5) + n;
  return l + backlenSize(l);
}

/** lpBytes of a node. */
export function nodeBytes(n: StreamNode): number {
  return n.rest + lpIntSize(n.live) + lpIntSize(n.dead);
}

/** Bytes an entry takes in a node (flags, deltas, [num-fields, fields,] values, lp-count). */
function entryBytes(master: string, mf: string[] | null, id: string, fv: string[], same: boolean): number {
  const [dms, dseq] = idDeltas(id, master);
  const nf = fv.length / 2;
  let b = 2 + lpIntSize(dms) + lpIntSize(dseq);
  if (!same) b += lpIntSize(nf);
  for (let i = 0; i < fv.length; i += 2) {
    if (!same) b += lpStrSize(fv[i]);
    b += lpStrSize(fv[i + 1]);
  }
  b += lpIntSize(same ? nf + 3 : nf * 2 + 4);
  void mf;
  return b;
}

function sameFields(mf: string[], fv: string[]): boolean {
  if (mf.length * 2 !== fv.length) return false;
  for (let i = 0; i < mf.length; i++) if (mf[i] !== fv[i * 2]) return false;
  return true;
}

/** A new node whose master entry takes the fields of its first entry. */
function newNode(id: string, fv: string[]): StreamNode {
  const mf: string[] = [];
  for (let i = 0; i < fv.length; i += 2) mf.push(fv[i]);
  // header 6 + end byte 1, num-fields, fields, the master terminator 0
  let rest = 7 + lpIntSize(mf.length) + 2;
  for (const f of mf) rest += lpStrSize(f);
  return { mf, ids: [], fv: [], del: [], live: 0, dead: 0, rest };
}

/** Append an entry to a node (the ID above every ID in it). */
function nodeAppend(n: StreamNode, id: string, fv: string[], deleted: boolean): void {
  const master = n.ids.length === 0 ? id : n.ids[0];
  const same = sameFields(n.mf, fv);
  // the entry shares the master's field strings (as Redis's listpack stores them once): less memory
  if (same) for (let i = 0; i < n.mf.length; i++) fv[i * 2] = n.mf[i];
  n.rest += entryBytes(master, n.mf, id, fv, same);
  n.ids.push(id);
  n.fv.push(fv);
  n.del.push(deleted ? 1 : 0);
  if (deleted) n.dead++;
  else n.live++;
}

// ------------------------------------------------------------------------------------------------
// The stream
// ------------------------------------------------------------------------------------------------

export function streamCreate(): StreamRecord {
  return {
    type: 'stream', enc: 'stream', nodes: [], length: 0, lastId: ID_MIN, firstId: ID_MIN, maxDeletedId: ID_MIN,
    entriesAdded: 0, groups: [],
  };
}

/** STREAM_LISTPACK_MAX_SIZE */
const LISTPACK_MAX = 1 << 30;

/** streamAppendItem's node choice and append; the ID is known to be above lastId. */
export function streamAppend(s: StreamRecord, id: string, fv: string[]): void {
  let tail = s.nodes.length === 0 ? null : s.nodes[s.nodes.length - 1];
  if (tail !== null) {
    let total = 0;
    for (let i = 0; i < fv.length; i++) total += fv[i].length;
    let maxBytes = cfgInt('stream-node-max-bytes');
    if (maxBytes === 0 || maxBytes > LISTPACK_MAX) maxBytes = LISTPACK_MAX;
    const maxEntries = cfgInt('stream-node-max-entries');
    if (nodeBytes(tail) + total >= maxBytes) tail = null;
    else if (maxEntries !== 0 && tail.live + tail.dead >= maxEntries) tail = null;
  }
  if (tail === null) {
    tail = newNode(id, fv);
    s.nodes.push(tail);
  }
  nodeAppend(tail, id, fv, false);
  s.length++;
  s.lastId = id;
  s.entriesAdded++;
  if (s.length === 1) s.firstId = id;
}

/** Elements too large for a listpack (streamAppendItem's ERANGE). */
export function tooLarge(fv: readonly string[]): boolean {
  let total = 0;
  for (let i = 0; i < fv.length; i++) total += fv[i].length;
  return total > LISTPACK_MAX;
}

/** Index of the last node whose first ID is <= id (0 when none). */
function nodeFor(s: StreamRecord, id: string): number {
  const nodes = s.nodes;
  let lo = 0;
  let hi = nodes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (nodes[mid].ids[0] <= id) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** First index in a node's ids that is >= id. */
function lowerBound(ids: string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Valid entries with start <= id <= end, in order (or reversed), at most `count` (0: all). Each is
 *  [id key, fields and values]. */
export function streamRange(s: StreamRecord, start: string, end: string, count: number, rev: boolean): [string, string[]][] {
  const out: [string, string[]][] = [];
  if (start > end || s.nodes.length === 0) return out;
  const nodes = s.nodes;
  if (!rev) {
    for (let ni = nodeFor(s, start); ni < nodes.length; ni++) {
      const n = nodes[ni];
      if (n.ids[0] > end) break;
      for (let i = lowerBound(n.ids, start); i < n.ids.length; i++) {
        const id = n.ids[i];
        if (id > end) return out;
        if (n.del[i] === 1) continue;
        out.push([id, n.fv[i]]);
        if (out.length === count) return out;
      }
    }
  } else {
    for (let ni = nodeFor(s, end); ni >= 0; ni--) {
      const n = nodes[ni];
      let i = lowerBound(n.ids, end);
      if (i === n.ids.length || n.ids[i] > end) i--;
      for (; i >= 0; i--) {
        const id = n.ids[i];
        if (id < start) return out;
        if (n.del[i] === 1) continue;
        out.push([id, n.fv[i]]);
        if (out.length === count) return out;
      }
    }
  }
  return out;
}

/** The first (or last) valid entry's ID, null when empty (streamGetEdgeID). */
export function streamEdge(s: StreamRecord, first: boolean): string | null {
  const e = first ? streamRange(s, ID_MIN, ID_MAX, 1, false) : streamRange(s, ID_MIN, ID_MAX, 1, true);
  return e.length === 0 ? null : e[0][0];
}

/** streamLastValidID: the last valid entry's ID, or lastId... Redis's iterator gives 0-0 when empty. */
export function streamLastValid(s: StreamRecord): string {
  return streamEdge(s, false) ?? ID_MIN;
}

/** streamDeleteItem: flag one entry deleted (or drop its node when it was the node's last valid one). */
export function streamDelete(s: StreamRecord, id: string): boolean {
  if (s.nodes.length === 0) return false;
  const ni = nodeFor(s, id);
  const n = s.nodes[ni];
  const i = lowerBound(n.ids, id);
  if (i === n.ids.length || n.ids[i] !== id || n.del[i] === 1) return false;
  if (n.live === 1) s.nodes.splice(ni, 1);
  else {
    n.del[i] = 1;
    n.live--;
    n.dead++;
  }
  s.length--;
  return true;
}

export interface TrimArgs {
  strategy: 'maxlen' | 'minid';
  maxlen: number;
  minid: string;
  approx: boolean;
  /** 0: no limit */
  limit: number;
}

/** streamTrim: returns the number of entries removed. */
export function streamTrim(s: StreamRecord, a: TrimArgs): number {
  let deleted = 0;
  while (s.nodes.length > 0) {
    if (a.strategy === 'maxlen' && s.length <= a.maxlen) break;
    const n = s.nodes[0];
    const entries = n.live;
    if (a.limit !== 0 && deleted + entries > a.limit) break;
    const removeNode = a.strategy === 'maxlen' ? s.length - entries >= a.maxlen : n.ids[n.ids.length - 1] < a.minid;
    if (removeNode) {
      s.nodes.shift();
      s.length -= entries;
      deleted += entries;
      continue;
    }
    if (a.approx) break;
    let fromNode = 0;
    for (let i = 0; i < n.ids.length; i++) {
      const stop = a.strategy === 'maxlen' ? s.length <= a.maxlen : n.ids[i] >= a.minid;
      if (stop) break;
      if (n.del[i] === 0) {
        n.del[i] = 1;
        fromNode++;
        s.length--;
      }
    }
    n.live -= fromNode;
    n.dead += fromNode;
    deleted += fromNode;
    break;
  }
  s.firstId = s.length !== 0 ? (streamEdge(s, true) ?? ID_MIN) : ID_MIN;
  return deleted;
}

/** Every valid entry in order (AOF rewrite, digest). */
export function* streamEntries(s: StreamRecord): Generator<[string, string[]]> {
  for (const n of s.nodes) {
    for (let i = 0; i < n.ids.length; i++) if (n.del[i] === 0) yield [n.ids[i], n.fv[i]];
  }
}

/** A node rebuilt from its listpack's contents (RDB loading): entries with their deleted flags. */
export function nodeFromEntries(entries: { id: string; fv: string[]; deleted: boolean }[], mf: string[]): StreamNode {
  const n: StreamNode = { mf, ids: [], fv: [], del: [], live: 0, dead: 0, rest: 0 };
  let rest = 7 + lpIntSize(mf.length) + 2;
  for (const f of mf) rest += lpStrSize(f);
  n.rest = rest;
  for (const e of entries) nodeAppend(n, e.id, e.fv, e.deleted);
  return n;
}

/** streamEstimateDistanceFromFirstEverEntry: the entries_read of a group whose last ID is `id`
 *  (-1 when it cannot be known). */
export function streamEstimateDistance(s: StreamRecord, id: string): number {
  if (s.entriesAdded === 0) return 0;
  if (s.length === 0 && id <= s.lastId) return s.entriesAdded;
  if (id === s.lastId) return s.entriesAdded;
  if (id > s.lastId) return -1;
  if (s.maxDeletedId === ID_MIN || s.maxDeletedId < s.firstId) {
    if (id < s.firstId) return s.entriesAdded - s.length;
    if (id === s.firstId) return s.entriesAdded - s.length + 1;
  }
  return -1;
}

// ------------------------------------------------------------------------------------------------
// Consumer groups: groups and consumers are kept in name order (Redis's rax order), the group PEL and
// each consumer's PEL in ID order, so lookups are binary searches and replies need no sorting.
// ------------------------------------------------------------------------------------------------

/** Index of the first element whose `field` is >= x (the arrays are kept in that field's order). */
function lowerBoundOf<T, K extends keyof T>(a: T[], field: K, x: T[K]): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid][field] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function nameLowerBound<T extends { name: string }>(a: T[], name: string): number {
  return lowerBoundOf(a, 'name', name);
}

function findByName<T extends { name: string }>(a: T[], name: string): T | undefined {
  const i = nameLowerBound(a, name);
  return i < a.length && a[i].name === name ? a[i] : undefined;
}

/** Insert in name order; false when the name is taken. */
function insertByName<T extends { name: string }>(a: T[], x: T): boolean {
  const i = nameLowerBound(a, x.name);
  if (i < a.length && a[i].name === x.name) return false;
  a.splice(i, 0, x);
  return true;
}

export function groupFind(s: StreamRecord, name: string): StreamGroup | undefined {
  return findByName(s.groups, name);
}

/** streamCreateCG: null when a group of that name exists. */
export function groupCreate(s: StreamRecord, name: string, lastId: string, entriesRead: number): StreamGroup | null {
  const g: StreamGroup = { name, lastId, entriesRead, pel: [], consumers: [] };
  return insertByName(s.groups, g) ? g : null;
}

export function groupDestroy(s: StreamRecord, name: string): boolean {
  const i = nameLowerBound(s.groups, name);
  if (i >= s.groups.length || s.groups[i].name !== name) return false;
  s.groups.splice(i, 1);
  return true;
}

export function consumerFind(g: StreamGroup, name: string): StreamConsumer | undefined {
  return findByName(g.consumers, name);
}

/** A new consumer seen at `seen`; null when it exists. */
export function consumerCreate(g: StreamGroup, name: string, seen: number): StreamConsumer | null {
  const cs: StreamConsumer = { name, seen, pel: [] };
  return insertByName(g.consumers, cs) ? cs : null;
}

/** streamDelConsumer: the consumer and its pending entries go; returns how many were pending. */
export function consumerDelete(g: StreamGroup, name: string): number {
  const i = nameLowerBound(g.consumers, name);
  if (i >= g.consumers.length || g.consumers[i].name !== name) return 0;
  const cs = g.consumers[i];
  if (cs.pel.length > 0) {
    const at: number[] = [];
    for (const id of cs.pel) {
      const k = pelIndex(g.pel, id);
      if (k >= 0) at.push(k);
    }
    removeSorted(g.pel, at);
  }
  g.consumers.splice(i, 1);
  return cs.pel.length;
}

/** First index of the group PEL whose ID is >= id. */
export function pelLowerBound(pel: StreamPending[], id: string): number {
  return lowerBoundOf(pel, 'id', id);
}

/** Index of id in the group PEL, -1 when not pending. */
export function pelIndex(pel: StreamPending[], id: string): number {
  const i = pelLowerBound(pel, id);
  return i < pel.length && pel[i].id === id ? i : -1;
}

export function pelInsert(pel: StreamPending[], pe: StreamPending): void {
  const n = pel.length;
  if (n === 0 || pel[n - 1].id < pe.id) pel.push(pe);
  else pel.splice(pelLowerBound(pel, pe.id), 0, pe);
}

/** Add an ID to a consumer's PEL (kept in ID order, each once). */
export function idsInsert(ids: string[], id: string): void {
  const n = ids.length;
  if (n === 0 || ids[n - 1] < id) {
    ids.push(id);
    return;
  }
  const i = lowerBound(ids, id);
  if (ids[i] !== id) ids.splice(i, 0, id);
}

export function idsRemove(ids: string[], id: string): void {
  const i = lowerBound(ids, id);
  if (i < ids.length && ids[i] === id) removeAt(ids, i);
}

/** Remove one element. V8's splice(0, 1) of a large array moves every element (about 0.1 ms at 100k
 *  entries: acknowledging a long PEL oldest first was quadratic), shift() does not. */
function removeAt<T>(a: T[], i: number): void {
  if (i === 0) a.shift();
  else a.splice(i, 1);
}

/** Remove the elements at these indexes (ascending, distinct) with one splice per run of consecutive
 *  indexes, from the last run back (so the indexes stay valid). */
function removeSorted<T>(a: T[], at: number[]): void {
  let end = at.length;
  while (end > 0) {
    let start = end - 1;
    while (start > 0 && at[start - 1] === at[start] - 1) start--;
    if (start === end - 1) removeAt(a, at[start]);
    else a.splice(at[start], end - start);
    end = start;
  }
}

/** XACK: remove these IDs from the group PEL and their consumers' PELs; returns how many were pending.
 *  Batched: one splice per run of adjacent entries, per PEL, rather than one per ID. */
export function pelRemoveIds(g: StreamGroup, ids: string[]): number {
  const found = new Set<number>();
  const byConsumer = new Map<string, string[]>();
  for (const id of ids) {
    const at = pelIndex(g.pel, id);
    if (at < 0 || found.has(at)) continue;
    found.add(at);
    const name = g.pel[at].consumer;
    const list = byConsumer.get(name);
    if (list === undefined) byConsumer.set(name, [id]);
    else list.push(id);
  }
  if (found.size === 0) return 0;
  for (const [name, list] of byConsumer) {
    const cs = consumerFind(g, name);
    if (cs === undefined) continue;
    const at: number[] = [];
    for (const id of list) {
      const i = lowerBound(cs.pel, id);
      if (i < cs.pel.length && cs.pel[i] === id) at.push(i);
    }
    removeSorted(cs.pel, at.sort((x, y) => x - y));
  }
  removeSorted(g.pel, Array.from(found).sort((x, y) => x - y));
  return found.size;
}

export { lowerBound as idsLowerBound };

/** Remove a pending entry from the group PEL and its consumer's PEL (XACK, entries found deleted). */
export function pelRemoveAt(g: StreamGroup, at: number): void {
  const pe = g.pel[at];
  removeAt(g.pel, at);
  const cs = consumerFind(g, pe.consumer);
  if (cs !== undefined) idsRemove(cs.pel, pe.id);
}

/** The fields and values of a valid entry, null when there is none (streamEntryExists). */
export function streamEntry(s: StreamRecord, id: string): string[] | null {
  const e = streamRange(s, id, id, 1, false);
  return e.length === 0 ? null : e[0][1];
}
