// The sorted set type: Redis's skiplist with spans (t_zset.c's zsl* functions) plus a Map
// member -> score, as plain data so it survives a logic swap and copies with cloneValue.
//
// Layout: all nodes live in one flat number array `n`. A node is the run of slots starting at its id
//   n[x] score, n[x+1] backward node, n[x+2] member slot (in `ele`), n[x+3] level,
//   then per level i: n[x+4+2i] forward node, n[x+5+2i] span (level-0 steps the link skips).
// Node 0 is the header (32 levels); 0 as a link means "none" (the header is never a link target).
// One array of unboxed doubles keeps a node's score next to its links, so a step of a search touches
// one place in memory, and the record has no object references at all: no cycles, and COPY and
// MEMORY USAGE walk it flat. Freed nodes are reused by the next node of the same level; the array
// is compacted when most of it is free.
//
// Order: score, then member bytewise (members are latin1 strings, one char per byte, so JS string
// comparison is memcmp-then-length, as Redis's sdscmp). Rank and range by index are O(log n).
//
// Encodings: 'listpack' below zset-max-listpack-entries / zset-max-listpack-value, 'skiplist'
// above, one way, at the points Redis converts (zsetAdd on a new member; ZUNIONSTORE and friends
// convert their result down when it is small). The structure is the same for both; the encoding
// only decides what OBJECT ENCODING says and one visible detail of Redis's listpack: scores that
// are integers are stored as integers there, so a score of -0 reads back as 0 (see lpScore).

import { cfg } from '../runtime';
import { formatDouble17g } from '../util/numbers';

export const ZSKIPLIST_MAXLEVEL = 32;
const ZSKIPLIST_P = 0.25;

// node fields
const BK = 1;
const EL = 2;
const LV = 3;
const LK = 4;
const HEADER_SLOTS = LK + 2 * ZSKIPLIST_MAXLEVEL;

export interface ZsetRecord {
  type: 'zset';
  enc: 'listpack' | 'skiplist';
  /** member -> score */
  dict: Map<string, number>;
  /** the nodes (layout above) */
  n: number[];
  /** members by member slot ('' in free slots) */
  ele: string[];
  /** levels in use (1..32) */
  level: number;
  length: number;
  /** last node (0 = empty) */
  tail: number;
  /** free node ids by level (free[level]) */
  free: number[][];
  /** free member slots */
  eleFree: number[];
  /** slots of `n` held by free nodes */
  wasted: number;
}

export function isZset(v: unknown): v is ZsetRecord {
  return typeof v === 'object' && v !== null && (v as { type?: string }).type === 'zset';
}

export function zsetCreate(enc: 'listpack' | 'skiplist'): ZsetRecord {
  const n: number[] = [];
  for (let i = 0; i < HEADER_SLOTS; i++) n.push(0); // packed, not holey
  n[LV] = ZSKIPLIST_MAXLEVEL;
  return { type: 'zset', enc, dict: new Map(), n, ele: [''], level: 1, length: 0, tail: 0, free: [], eleFree: [], wasted: 0 };
}

/** Current encoding thresholds (zset-max-listpack-entries / -value). */
export function listpackLimits(): { entries: number; value: number } {
  limits.entries = Number(cfg('zset-max-listpack-entries'));
  limits.value = Number(cfg('zset-max-listpack-value'));
  return limits;
}
const limits = { entries: 128, value: 64 };

/** The score a listpack keeps: Redis stores integral scores as integers, so -0 becomes 0. */
export function lpScore(score: number): number {
  return score === 0 ? 0 : score;
}

/** What Redis's listpack holds for a score, as ZSCAN of a listpack zset prints it (double2ll, else d2string). */
export function listpackScoreText(score: number): string {
  if (Number.isInteger(score) && score >= -4611686018427387904 && score <= 4611686018427387904) {
    return Number.isSafeInteger(score) ? (score === 0 ? '0' : String(score)) : BigInt(score).toString();
  }
  return formatDouble17g(score);
}

// --- node access -------------------------------------------------------------------------------

/** First node (0 when empty). */
export function zslFirst(z: ZsetRecord): number {
  return z.n[LK];
}
/** Next node (0 at the end). */
export function zslNext(z: ZsetRecord, x: number): number {
  return z.n[x + LK];
}
/** Previous node (0 at the start). */
export function zslPrev(z: ZsetRecord, x: number): number {
  return z.n[x + BK];
}
export function nodeScore(z: ZsetRecord, x: number): number {
  return z.n[x];
}
export function nodeEle(z: ZsetRecord, x: number): string {
  return z.ele[z.n[x + EL]];
}

// --- skiplist -----------------------------------------------------------------------------------

function randomLevel(): number {
  let level = 1;
  while (level < ZSKIPLIST_MAXLEVEL && Math.random() < ZSKIPLIST_P) level++;
  return level;
}

// Scratch arrays for one operation at a time (disposable module state).
const update = new Int32Array(ZSKIPLIST_MAXLEVEL);
const rank = new Float64Array(ZSKIPLIST_MAXLEVEL);

function newNode(z: ZsetRecord, level: number, score: number, ele: string): number {
  let slot: number;
  if (z.eleFree.length > 0) {
    slot = z.eleFree.pop()!;
    z.ele[slot] = ele;
  } else {
    slot = z.ele.length;
    z.ele.push(ele);
  }
  const n = z.n;
  const fl = z.free[level];
  let x: number;
  if (fl !== undefined && fl.length > 0) {
    x = fl.pop()!;
    z.wasted -= LK + 2 * level;
    n[x] = score;
    n[x + BK] = 0;
    n[x + EL] = slot;
    const end = x + LK + 2 * level;
    for (let i = x + LK; i < end; i++) n[i] = 0;
  } else {
    x = n.length;
    n.push(score, 0, slot, level);
    for (let i = 0; i < level; i++) n.push(0, 0);
  }
  return x;
}

function freeNode(z: ZsetRecord, x: number): void {
  const n = z.n;
  const level = n[x + LV];
  const slot = n[x + EL];
  z.ele[slot] = '';
  z.eleFree.push(slot);
  (z.free[level] ??= []).push(x);
  z.wasted += LK + 2 * level;
}

/** Insert a member known not to be present (zslInsert). Returns its node id. */
export function zslInsert(z: ZsetRecord, score: number, ele: string): number {
  const n = z.n;
  const el = z.ele;
  let x = 0;
  for (let i = z.level - 1; i >= 0; i--) {
    const li = LK + 2 * i;
    rank[i] = i === z.level - 1 ? 0 : rank[i + 1];
    let nx = n[x + li];
    while (nx !== 0) {
      const s = n[nx];
      if (s < score || (s === score && el[n[nx + EL]] < ele)) {
        rank[i] += n[x + li + 1];
        x = nx;
        nx = n[x + li];
      } else break;
    }
    update[i] = x;
  }
  const level = randomLevel();
  if (level > z.level) {
    for (let i = z.level; i < level; i++) {
      rank[i] = 0;
      update[i] = 0;
      n[LK + 2 * i + 1] = z.length;
    }
    z.level = level;
  }
  const id = newNode(z, level, score, ele);
  for (let i = 0; i < level; i++) {
    const uf = update[i] + LK + 2 * i;
    const xf = id + LK + 2 * i;
    n[xf] = n[uf];
    n[uf] = id;
    n[xf + 1] = n[uf + 1] - (rank[0] - rank[i]);
    n[uf + 1] = rank[0] - rank[i] + 1;
  }
  for (let i = level; i < z.level; i++) n[update[i] + LK + 2 * i + 1]++;
  n[id + BK] = update[0];
  const next = n[id + LK];
  if (next !== 0) n[next + BK] = id;
  else z.tail = id;
  z.length++;
  return id;
}

/** Unlink node x given update[] filled by a search (zslDeleteNode). */
function deleteNode(z: ZsetRecord, x: number): void {
  const n = z.n;
  for (let i = 0; i < z.level; i++) {
    const uf = update[i] + LK + 2 * i;
    if (n[uf] === x) {
      n[uf + 1] += n[x + LK + 2 * i + 1] - 1;
      n[uf] = n[x + LK + 2 * i];
    } else {
      n[uf + 1] -= 1;
    }
  }
  const next = n[x + LK];
  if (next !== 0) n[next + BK] = n[x + BK];
  else z.tail = n[x + BK];
  while (z.level > 1 && n[LK + 2 * (z.level - 1)] === 0) z.level--;
  z.length--;
}

/** Fill update[] with the last node before (score, ele) at every level; returns the level-0 one. */
function seek(z: ZsetRecord, score: number, ele: string): number {
  const n = z.n;
  const el = z.ele;
  let x = 0;
  for (let i = z.level - 1; i >= 0; i--) {
    const li = LK + 2 * i;
    let nx = n[x + li];
    while (nx !== 0) {
      const s = n[nx];
      if (s < score || (s === score && el[n[nx + EL]] < ele)) {
        x = nx;
        nx = n[x + li];
      } else break;
    }
    update[i] = x;
  }
  return x;
}

/**
 * Walk from the header, at every level going forward while `before(next)` holds; fills update[]
 * with the last node passed at each level and returns the level-0 one (0 = the header).
 */
function walkWhile(z: ZsetRecord, before: (x: number) => boolean): number {
  const n = z.n;
  let x = 0;
  for (let i = z.level - 1; i >= 0; i--) {
    const li = LK + 2 * i;
    let nx = n[x + li];
    while (nx !== 0 && before(nx)) {
      x = nx;
      nx = n[x + li];
    }
    update[i] = x;
  }
  return x;
}

/** Remove (score, ele) from the skiplist only (zslDelete). */
function zslDelete(z: ZsetRecord, score: number, ele: string): boolean {
  const n = z.n;
  const x = n[seek(z, score, ele) + LK];
  if (x !== 0 && n[x] === score && z.ele[n[x + EL]] === ele) {
    deleteNode(z, x);
    freeNode(z, x);
    return true;
  }
  return false;
}

/** Change the score of a present member (zslUpdateScore): in place when its position holds. */
function zslUpdateScore(z: ZsetRecord, cur: number, ele: string, score: number): void {
  const n = z.n;
  const x = n[seek(z, cur, ele) + LK];
  const b = n[x + BK];
  const f = n[x + LK];
  if ((b === 0 || n[b] < score) && (f === 0 || n[f] > score)) {
    n[x] = score;
    return;
  }
  deleteNode(z, x);
  freeNode(z, x);
  zslInsert(z, score, ele);
}

/** 1-based rank of (score, ele), 0 when absent (zslGetRank). */
export function zslGetRank(z: ZsetRecord, score: number, ele: string): number {
  const n = z.n;
  const el = z.ele;
  let r = 0;
  let x = 0;
  for (let i = z.level - 1; i >= 0; i--) {
    const li = LK + 2 * i;
    let nx = n[x + li];
    while (nx !== 0) {
      const s = n[nx];
      if (s < score || (s === score && el[n[nx + EL]] <= ele)) {
        r += n[x + li + 1];
        x = nx;
        nx = n[x + li];
      } else break;
    }
    if (x !== 0 && n[x] === score && el[n[x + EL]] === ele) return r;
  }
  return 0;
}

/** Node at a 1-based rank, 0 when out of range (zslGetElementByRank). */
export function zslGetElementByRank(z: ZsetRecord, r: number): number {
  const n = z.n;
  let traversed = 0;
  let x = 0;
  for (let i = z.level - 1; i >= 0; i--) {
    const li = LK + 2 * i;
    let nx = n[x + li];
    while (nx !== 0 && traversed + n[x + li + 1] <= r) {
      traversed += n[x + li + 1];
      x = nx;
      nx = n[x + li];
    }
    if (traversed === r) return x;
  }
  return 0;
}

/** 0-based rank of node x (present). */
export function nodeRank(z: ZsetRecord, x: number): number {
  return zslGetRank(z, z.n[x], z.ele[z.n[x + EL]]) - 1;
}

// ------------------------------------------------------------------------------------------------
// Ranges
// ------------------------------------------------------------------------------------------------

export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** A lex range bound: kind -1 is "-" (below everything), 1 is "+" (above everything), 0 a string. */
export interface LexRange {
  min: string;
  max: string;
  minKind: number;
  maxKind: number;
  minex: boolean;
  maxex: boolean;
}

export function valueGteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}
export function valueLteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
/** sdscmplex(value, bound) for a real value. */
function cmpLex(v: string, bound: string, kind: number): number {
  return kind === 0 ? cmpStr(v, bound) : -kind;
}
export function lexGteMin(v: string, r: LexRange): boolean {
  const c = cmpLex(v, r.min, r.minKind);
  return r.minex ? c > 0 : c >= 0;
}
export function lexLteMax(v: string, r: LexRange): boolean {
  const c = cmpLex(v, r.max, r.maxKind);
  return r.maxex ? c < 0 : c <= 0;
}

/** zslIsInRange: some part of the zset may be in the range. */
function isInRange(z: ZsetRecord, r: ScoreRange): boolean {
  if (r.min > r.max || (r.min === r.max && (r.minex || r.maxex))) return false;
  if (z.tail === 0 || !valueGteMin(z.n[z.tail], r)) return false;
  const first = z.n[LK];
  return first !== 0 && valueLteMax(z.n[first], r);
}

/** zslIsInLexRange */
function isInLexRange(z: ZsetRecord, r: LexRange): boolean {
  let c: number;
  if (r.minKind !== 0 && r.minKind === r.maxKind) c = 0;
  else if (r.minKind === -1 || r.maxKind === 1) c = -1;
  else if (r.minKind === 1 || r.maxKind === -1) c = 1;
  else c = cmpStr(r.min, r.max);
  if (c > 0 || (c === 0 && (r.minex || r.maxex))) return false;
  if (z.tail === 0 || !lexGteMin(nodeEle(z, z.tail), r)) return false;
  const first = z.n[LK];
  return first !== 0 && lexLteMax(nodeEle(z, first), r);
}

/** First node of the range (zslFirstInRange), 0 when none. */
export function firstInRange(z: ZsetRecord, r: ScoreRange): number {
  if (!isInRange(z, r)) return 0;
  const n = z.n;
  const x = n[walkWhile(z, (y) => !valueGteMin(n[y], r)) + LK];
  return x !== 0 && valueLteMax(n[x], r) ? x : 0;
}

/** Last node of the range (zslLastInRange), 0 when none. */
export function lastInRange(z: ZsetRecord, r: ScoreRange): number {
  if (!isInRange(z, r)) return 0;
  const n = z.n;
  const x = walkWhile(z, (y) => valueLteMax(n[y], r));
  return x !== 0 && valueGteMin(n[x], r) ? x : 0;
}

// Lex ranges assume equal scores. When scores differ the members are not in lex order, and the
// answer depends on how the range is searched: Redis's listpack scans from the head (or tail), its
// skiplist descends the levels (random, so not reproducible). A listpack zset is scanned here too.

export function firstInLexRange(z: ZsetRecord, r: LexRange): number {
  if (!isInLexRange(z, r)) return 0;
  let x: number;
  if (z.enc === 'listpack') {
    x = z.n[LK];
    while (x !== 0 && !lexGteMin(nodeEle(z, x), r)) x = z.n[x + LK];
  } else x = z.n[walkWhile(z, (y) => !lexGteMin(nodeEle(z, y), r)) + LK];
  return x !== 0 && lexLteMax(nodeEle(z, x), r) ? x : 0;
}

export function lastInLexRange(z: ZsetRecord, r: LexRange): number {
  if (!isInLexRange(z, r)) return 0;
  let x: number;
  if (z.enc === 'listpack') {
    x = z.tail;
    while (x !== 0 && !lexLteMax(nodeEle(z, x), r)) x = z.n[x + BK];
  } else x = walkWhile(z, (y) => lexLteMax(nodeEle(z, y), r));
  return x !== 0 && lexGteMin(nodeEle(z, x), r) ? x : 0;
}

/** Delete consecutive nodes from the one after update[0] while `inRange` holds; returns how many. */
function deleteRun(z: ZsetRecord, inRange: (x: number) => boolean): number {
  const n = z.n;
  let x = n[update[0] + LK];
  let removed = 0;
  while (x !== 0 && inRange(x)) {
    const next = n[x + LK];
    z.dict.delete(nodeEle(z, x));
    deleteNode(z, x);
    freeNode(z, x);
    removed++;
    x = next;
  }
  if (removed > 0) maybeCompact(z);
  return removed;
}

/** zslDeleteRangeByScore */
export function deleteRangeByScore(z: ZsetRecord, r: ScoreRange): number {
  const n = z.n;
  walkWhile(z, (y) => !valueGteMin(n[y], r));
  return deleteRun(z, (y) => valueLteMax(n[y], r));
}

/** zslDeleteRangeByLex (zzlDeleteRangeByLex for a listpack: from its first member in range) */
export function deleteRangeByLex(z: ZsetRecord, r: LexRange): number {
  if (z.enc === 'listpack') {
    const first = firstInLexRange(z, r);
    if (first === 0) return 0;
    seek(z, z.n[first], nodeEle(z, first));
  } else walkWhile(z, (y) => !lexGteMin(nodeEle(z, y), r));
  return deleteRun(z, (y) => lexLteMax(nodeEle(z, y), r));
}

/** zslDeleteRangeByRank: 1-based, inclusive. */
export function deleteRangeByRank(z: ZsetRecord, start: number, end: number): number {
  const n = z.n;
  let traversed = 0;
  let x = 0;
  for (let i = z.level - 1; i >= 0; i--) {
    const li = LK + 2 * i;
    let nx = n[x + li];
    while (nx !== 0 && traversed + n[x + li + 1] < start) {
      traversed += n[x + li + 1];
      x = nx;
      nx = n[x + li];
    }
    update[i] = x;
  }
  let count = end - start + 1;
  return deleteRun(z, () => count-- > 0);
}

// ------------------------------------------------------------------------------------------------
// Members
// ------------------------------------------------------------------------------------------------

export const ZADD_IN_INCR = 1;
export const ZADD_IN_NX = 2;
export const ZADD_IN_XX = 4;
export const ZADD_IN_GT = 8;
export const ZADD_IN_LT = 16;

export const ZADD_OUT_NOP = 1;
export const ZADD_OUT_NAN = 2;
export const ZADD_OUT_ADDED = 4;
export const ZADD_OUT_UPDATED = 8;

/** The score zsetAdd computed (before any listpack normalization), as Redis's *newscore. */
export const zaddResult = { newScore: 0 };

/**
 * Redis's zsetAdd: add or update a member under the ZADD_IN_* flags; returns ZADD_OUT_* flags
 * (ZADD_OUT_NAN alone when the score is or becomes NaN). Converts a listpack zset to skiplist when
 * a new member crosses the thresholds.
 */
export function zsetAdd(z: ZsetRecord, score: number, ele: string, flags: number): number {
  if (score !== score) return ZADD_OUT_NAN;
  const cur = z.dict.get(ele);
  if (cur !== undefined) {
    if ((flags & ZADD_IN_NX) !== 0) return ZADD_OUT_NOP;
    if ((flags & ZADD_IN_INCR) !== 0) {
      score += cur;
      if (score !== score) return ZADD_OUT_NAN;
    }
    if (((flags & ZADD_IN_LT) !== 0 && score >= cur) || ((flags & ZADD_IN_GT) !== 0 && score <= cur)) return ZADD_OUT_NOP;
    zaddResult.newScore = score;
    if (score !== cur) {
      const stored = z.enc === 'listpack' ? lpScore(score) : score;
      zslUpdateScore(z, cur, ele, stored);
      z.dict.set(ele, stored);
      return ZADD_OUT_UPDATED;
    }
    return 0;
  }
  if ((flags & ZADD_IN_XX) !== 0) return ZADD_OUT_NOP;
  let stored = score;
  if (z.enc === 'listpack') {
    const lim = listpackLimits();
    if (z.length + 1 > lim.entries || ele.length > lim.value) z.enc = 'skiplist';
    else stored = lpScore(score);
  }
  zslInsert(z, stored, ele);
  z.dict.set(ele, stored);
  zaddResult.newScore = score;
  return ZADD_OUT_ADDED;
}

/** Redis's zsetDel. */
export function zsetDel(z: ZsetRecord, ele: string): boolean {
  const cur = z.dict.get(ele);
  if (cur === undefined) return false;
  z.dict.delete(ele);
  zslDelete(z, cur, ele);
  maybeCompact(z);
  return true;
}

/** 0-based rank (from the end when reverse), -1 when absent (zsetRank). */
export function zsetRank(z: ZsetRecord, ele: string, reverse: boolean): number {
  const cur = z.dict.get(ele);
  if (cur === undefined) return -1;
  const r = zslGetRank(z, cur, ele);
  return reverse ? z.length - r : r - 1;
}

/**
 * zsetConvertToListpackIfNeeded (ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE results): a skiplist small
 * enough becomes a listpack, whose integral scores lose their sign of zero.
 */
export function convertToListpackIfNeeded(z: ZsetRecord, maxelelen: number): void {
  if (z.enc === 'listpack') return;
  const lim = listpackLimits();
  if (z.length > lim.entries || maxelelen > lim.value) return;
  z.enc = 'listpack';
  const n = z.n;
  for (let x = n[LK]; x !== 0; x = n[x + LK]) {
    if (n[x] === 0) {
      n[x] = 0;
      z.dict.set(nodeEle(z, x), 0);
    }
  }
}

/**
 * Rebuild the node array without free nodes when most of it is free (after many deletions), so a
 * zset that shrank does not keep the memory of its peak. O(n log n), amortized over the deletions.
 * The dict (the Map object ZSCAN cursors refer to) is kept.
 */
function maybeCompact(z: ZsetRecord): void {
  if (z.wasted < 4096 || z.wasted * 2 < z.n.length) return;
  const fresh = zsetCreate(z.enc);
  const n = z.n;
  for (let x = n[LK]; x !== 0; x = n[x + LK]) zslInsert(fresh, n[x], nodeEle(z, x));
  z.n = fresh.n;
  z.ele = fresh.ele;
  z.level = fresh.level;
  z.length = fresh.length;
  z.tail = fresh.tail;
  z.free = fresh.free;
  z.eleFree = fresh.eleFree;
  z.wasted = 0;
}

/** Members and scores in order (for persistence and tests). */
export function zsetEntries(z: ZsetRecord): [string, number][] {
  const out: [string, number][] = [];
  const n = z.n;
  for (let x = n[LK]; x !== 0; x = n[x + LK]) out.push([nodeEle(z, x), n[x]]);
  return out;
}

/**
 * Build a zset from members and scores in any order (persistence: RDB/RESTORE), with the encoding
 * Redis gives a loaded zset of that size. Later duplicates are ignored.
 */
export function zsetFromEntries(entries: readonly (readonly [string, number])[], enc?: 'listpack' | 'skiplist'): ZsetRecord {
  let maxlen = 0;
  for (const [ele] of entries) if (ele.length > maxlen) maxlen = ele.length;
  const lim = listpackLimits();
  const e = enc ?? (entries.length <= lim.entries && maxlen <= lim.value ? 'listpack' : 'skiplist');
  const z = zsetCreate(e);
  for (const [ele, score] of entries) {
    if (z.dict.has(ele)) continue;
    const s = e === 'listpack' ? lpScore(score) : score;
    zslInsert(z, s, ele);
    z.dict.set(ele, s);
  }
  return z;
}
