// Cursor machinery shared by SCAN, HSCAN, SSCAN and ZSCAN.
//
// Redis's cursor is stateless: it is a position in the hash table walked in reverse-binary order,
// which keeps SCAN's guarantee (every element present for the whole scan is returned at least once)
// across inserts, deletes and rehashing. A JS Map cannot be walked from a position: it has no
// bucket array and no random access, and a plain "skip the first N entries" cursor both costs
// O(N) per call and loses elements when entries before the cursor are deleted (everything after
// them shifts left, past the cursor).
//
// Design: snapshot cursors.
// - A scan that starts at cursor 0 on a collection with at most COUNT elements is answered in one
//   call with cursor "0" (as Redis does for small collections); no state is kept.
// - Otherwise the element names are copied into a plain array (one pass over the Map's keys,
//   8 bytes per element; the strings themselves are shared, not copied) and kept in
//   state.ext.scanCursors under a fresh id together with a reference to the collection it came
//   from. The returned cursor encodes (id, offset) as id * 2^32 + offset, which stays below 2^53
//   so clients that parse cursors as JS numbers keep them exact.
// - A later call serves the next elements of the snapshot from its offset, skipping names that are
//   no longer in the collection (examining at most 10 * COUNT names, as Redis bounds its bucket
//   walk). An element present for the whole scan was in the snapshot and is still present when its
//   turn comes, so it is returned exactly once: the guarantee holds, without duplicates. Elements
//   added after the scan started may or may not be returned, as in Redis.
// - Because the offset travels in the cursor, repeating a call (a client retrying) returns the
//   same batch. The call that reaches the end of the snapshot returns "0" and frees it.
// - If the collection object itself was replaced (FLUSHDB, SWAPDB, the key deleted and re-created)
//   the elements of the scan are gone, so the scan ends: "0" and an empty batch. Unknown, expired
//   or forged cursors end the same way; text that is not an unsigned 64-bit number is
//   "ERR invalid cursor".
// - Memory is bounded: at most MAX_CURSORS snapshots and MAX_TOTAL_ELEMENTS names in all are kept;
//   a snapshot not used for IDLE_MS is dropped. The oldest (least recently used) snapshots go
//   first; a client coming back with a dropped cursor gets the end of its scan.
//
// Cost: O(n) time and 8n bytes when a scan of n > COUNT elements starts (Redis: O(1)), then
// O(COUNT) per call. Everything is plain data in State, so scans continue across logic upgrades.

import { now, state } from '../runtime';
import { ERR_NOT_INT, parseInt64 } from './numbers';
import { lifecycleHooks } from '../lifecycle';
import { ERR_SYNTAX } from '../resp/reply';

export const ERR_INVALID_CURSOR = 'ERR invalid cursor';

const MAX_CURSORS = 1024;
const MAX_TOTAL_ELEMENTS = 32 * 1024 * 1024;
const IDLE_MS = 10 * 60 * 1000;
const OFFSET_SPAN = 4294967296; // 2^32
const MAX_ID = 2097151; // 2^21 - 1: id * 2^32 + offset < 2^53

/** What a snapshot needs from a collection: Map and Set both fit. */
export interface ScanCollection {
  readonly size: number;
  has(name: string): boolean;
  keys(): IterableIterator<string>;
}

interface ScanSnapshot {
  /** the collection the names came from (identity check) */
  owner: ScanCollection;
  names: string[];
  lastUsedMs: number;
}

interface ScanCursors {
  nextId: number;
  /** id -> snapshot, least recently used first */
  live: Map<number, ScanSnapshot>;
  totalNames: number;
}

function cursors(): ScanCursors {
  let sc = state.ext.scanCursors as ScanCursors | undefined;
  if (sc === undefined) {
    sc = { nextId: 1, live: new Map(), totalNames: 0 };
    state.ext.scanCursors = sc;
  }
  return sc;
}

function drop(sc: ScanCursors, id: number, snap: ScanSnapshot): void {
  sc.live.delete(id);
  sc.totalNames -= snap.names.length;
}

/** Drop idle snapshots, then the least recently used ones while over the caps (room for `adding`). */
function evict(sc: ScanCursors, adding: number): void {
  const t = now();
  for (const [id, snap] of sc.live) {
    const over = sc.live.size + (adding > 0 ? 1 : 0) > MAX_CURSORS || sc.totalNames + adding > MAX_TOTAL_ELEMENTS;
    if (!over && t - snap.lastUsedMs < IDLE_MS) break;
    drop(sc, id, snap);
  }
}

/** Idle snapshots are also dropped in the background so a forgotten scan does not pin memory. */
lifecycleHooks.cron.push(() => {
  const sc = state.ext.scanCursors as ScanCursors | undefined;
  if (sc !== undefined && sc.live.size > 0) evict(sc, 0);
});

/**
 * Redis 7.0's parseScanCursorOrReply: strtoul() in base 10 that must consume the whole text, with
 * no leading whitespace and no overflow. strtoul accepts a sign ("-1" wraps to 2^64-1) and the
 * empty string (cursor 0). Returns null for "ERR invalid cursor".
 */
export function parseScanCursor(text: string): bigint | null {
  if (text.length === 0) return 0n;
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (m === null) return null;
  const v = BigInt(m[2]);
  if (v > 0xffffffffffffffffn) return null; // ERANGE
  return m[1] === '-' ? (0x10000000000000000n - v) & 0xffffffffffffffffn : v;
}

export interface ScanBatch {
  /** the cursor to reply ("0" when the scan is complete) */
  cursor: string;
  /** names present in the collection, in snapshot order, before any MATCH/TYPE filtering */
  names: string[];
}

/** The end of a scan with nothing more to return. */
function done(): ScanBatch {
  return { cursor: '0', names: [] };
}

/** One SCAN step over `coll` from `cursor`, returning about `count` names (see the design above). */
export function scanStep(coll: ScanCollection, cursor: bigint, count: number): ScanBatch {
  const sc = cursors();
  if (cursor === 0n) {
    if (coll.size <= count) return { cursor: '0', names: Array.from(coll.keys()) };
    const all = Array.from(coll.keys());
    evict(sc, all.length);
    let id = sc.nextId;
    // Skip ids still in use (only possible after 2^21 scans with a very old one still alive).
    while (sc.live.has(id)) id = id >= MAX_ID ? 1 : id + 1;
    sc.nextId = id >= MAX_ID ? 1 : id + 1;
    const snap: ScanSnapshot = { owner: coll, names: all, lastUsedMs: now() };
    sc.live.set(id, snap);
    sc.totalNames += all.length;
    return serve(sc, id, snap, 0, count);
  }
  if (cursor >= BigInt(MAX_ID) * BigInt(OFFSET_SPAN) + BigInt(OFFSET_SPAN)) return done();
  const c = Number(cursor);
  const id = Math.floor(c / OFFSET_SPAN);
  const offset = c % OFFSET_SPAN;
  const snap = sc.live.get(id);
  if (snap === undefined) return done();
  if (snap.owner !== coll) {
    // The collection was replaced (flushed, swapped, deleted): nothing of the scan is left.
    drop(sc, id, snap);
    return done();
  }
  if (offset >= snap.names.length) return done();
  // Most recently used goes last, so eviction drops the coldest scans first.
  sc.live.delete(id);
  sc.live.set(id, snap);
  snap.lastUsedMs = now();
  return serve(sc, id, snap, offset, count);
}

function serve(sc: ScanCursors, id: number, snap: ScanSnapshot, offset: number, count: number): ScanBatch {
  const names = snap.names;
  const coll = snap.owner;
  const out: string[] = [];
  const limit = Math.min(names.length, offset + count * 10);
  let i = offset;
  while (i < limit && out.length < count) {
    const name = names[i++];
    if (coll.has(name)) out.push(name);
  }
  if (i >= names.length) {
    drop(sc, id, snap);
    return { cursor: '0', names: out };
  }
  return { cursor: String(id * OFFSET_SPAN + i), names: out };
}

export interface ScanOptions {
  count: number;
  /** null when there is no MATCH or it is "*" */
  pattern: string | null;
  /** the TYPE filter (SCAN only), null when absent */
  type: string | null;
}

/**
 * Parse COUNT / MATCH (and TYPE when `allowType`, i.e. for SCAN) from argv[start..], as Redis's
 * scanGenericCommand. Returns an error text or the options.
 */
export function parseScanOptions(argv: string[], start: number, allowType: boolean): ScanOptions | string {
  const opts: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = start; i < argv.length; i += 2) {
    const left = argv.length - i;
    const opt = argv[i].toLowerCase();
    if (opt === 'count' && left >= 2) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) return ERR_NOT_INT;
      if (n < 1n) return ERR_SYNTAX;
      opts.count = n > 0x7fffffffn ? 0x7fffffff : Number(n);
    } else if (opt === 'match' && left >= 2) {
      const p = argv[i + 1];
      opts.pattern = p === '*' ? null : p;
    } else if (opt === 'type' && allowType && left >= 2) {
      opts.type = argv[i + 1];
    } else {
      return ERR_SYNTAX;
    }
  }
  return opts;
}
