// The set type, as plain data: the members in an array (a uniformly random member is one index, for
// SPOP / SRANDMEMBER) plus, for the hashtable encoding, a Map member -> slot.
//
// Encodings (OBJECT ENCODING), as Redis 7.0's t_set.c converts them, one way:
// - 'intset' while every member is the canonical text of a signed 64-bit integer (what string2ll
//   accepts) and there are at most set-max-intset-entries members (capped at 2^30, as Redis caps
//   it). An intset is sorted, and Redis iterates it in order (SMEMBERS, SSCAN, SPOP/SRANDMEMBER of
//   the whole set ...), so `a` is kept sorted numerically; lookups are binary searches and inserts
//   and deletes shift the array (O(n), as Redis's intset memmove). `m` is null.
// - 'hashtable' beyond that: `a` in no particular order (Redis's dict order cannot be reproduced),
//   `m` maps each member to its slot, a delete moves the last slot into the hole (O(1)).

import { cfgInt } from '../runtime';
import { isCanonicalInt64 } from './string';

export interface SetRecord {
  type: 'set';
  enc: 'intset' | 'hashtable';
  /** members: sorted numerically for an intset, by slot for a hashtable */
  a: string[];
  /** hashtable: member -> slot in `a`; intset: null */
  m: Map<string, number> | null;
}

export function isSet(v: unknown): v is SetRecord {
  return typeof v === 'object' && v !== null && (v as { type?: string }).type === 'set';
}

/** createIntsetObject. */
export function setCreateIntset(): SetRecord {
  return { type: 'set', enc: 'intset', a: [], m: null };
}

/** createSetObject. */
export function setCreateHashtable(): SetRecord {
  return { type: 'set', enc: 'hashtable', a: [], m: new Map() };
}

/** setTypeCreate: a set that can hold `first` (an intset when it is an integer). */
export function setCreateFor(first: string): SetRecord {
  return isCanonicalInt64(first) ? setCreateIntset() : setCreateHashtable();
}

/** A set of `members` (duplicates ignored) built as SADD would build it, or with `enc` when given
 *  (RDB loading keeps the saved encoding; an intset must then hold integers only). */
export function setFromMembers(members: readonly string[], enc?: 'intset' | 'hashtable'): SetRecord {
  const s = enc === 'hashtable' ? setCreateHashtable() : setCreateIntset();
  for (const x of members) setAdd(s, x);
  return s;
}

export function setSize(s: SetRecord): number {
  return s.a.length;
}

/**
 * Order of two canonical int64 texts, as numbers (negative, zero or positive): a shorter text is
 * closer to zero, texts of one length compare like their digits.
 */
export function compareIntText(x: string, y: string): number {
  const xn = x.charCodeAt(0) === 45;
  const yn = y.charCodeAt(0) === 45;
  if (xn !== yn) return xn ? -1 : 1;
  let d = x.length - y.length;
  if (d === 0) d = x < y ? -1 : x > y ? 1 : 0;
  return xn ? -d : d;
}

/** Slot of `x` in an intset, or -(insertion point) - 1 when absent. `x` must be canonical. */
function intsetSearch(a: readonly string[], x: string): number {
  let lo = 0;
  let hi = a.length - 1;
  // intsetSearch's shortcut: past either end
  if (hi >= 0) {
    if (compareIntText(x, a[hi]) > 0) return -(hi + 1) - 1;
    if (compareIntText(x, a[0]) < 0) return -1;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const d = compareIntText(a[mid], x);
    if (d < 0) lo = mid + 1;
    else if (d > 0) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** setTypeConvert(OBJ_ENCODING_HT): keeps the members where they are. */
export function setConvert(s: SetRecord): void {
  if (s.enc !== 'intset') return;
  const m = new Map<string, number>();
  for (let i = 0; i < s.a.length; i++) m.set(s.a[i], i);
  s.m = m;
  s.enc = 'hashtable';
}

function maxIntsetEntries(): number {
  return Math.min(cfgInt('set-max-intset-entries'), 1 << 30);
}

/** setTypeAdd: true when `x` was not a member yet. */
export function setAdd(s: SetRecord, x: string): boolean {
  if (s.enc === 'intset') {
    if (isCanonicalInt64(x)) {
      const at = intsetSearch(s.a, x);
      if (at >= 0) return false;
      s.a.splice(-at - 1, 0, x);
      if (s.a.length > maxIntsetEntries()) setConvert(s);
      return true;
    }
    setConvert(s);
  }
  const m = s.m!;
  if (m.has(x)) return false;
  m.set(x, s.a.length);
  s.a.push(x);
  return true;
}

/** Slot of a member, or -1. */
export function setIndexOf(s: SetRecord, x: string): number {
  if (s.enc === 'intset') {
    if (!isCanonicalInt64(x)) return -1;
    const at = intsetSearch(s.a, x);
    return at >= 0 ? at : -1;
  }
  const i = s.m!.get(x);
  return i === undefined ? -1 : i;
}

export function setIsMember(s: SetRecord, x: string): boolean {
  return setIndexOf(s, x) >= 0;
}

/** Remove the member in slot `i`. */
export function setRemoveAt(s: SetRecord, i: number): void {
  const a = s.a;
  if (s.enc === 'intset') {
    a.splice(i, 1);
    return;
  }
  const m = s.m!;
  m.delete(a[i]);
  const last = a.length - 1;
  if (i !== last) {
    a[i] = a[last];
    m.set(a[i], i);
  }
  a.pop();
}

/** setTypeRemove: true when `x` was a member. */
export function setRemove(s: SetRecord, x: string): boolean {
  const i = setIndexOf(s, x);
  if (i < 0) return false;
  setRemoveAt(s, i);
  return true;
}

/** A uniformly random slot of a non-empty set. */
export function setRandomSlot(s: SetRecord): number {
  return Math.floor(Math.random() * s.a.length);
}

/**
 * `count` distinct slots out of 0..size-1 in random order (a partial Fisher-Yates shuffle over a
 * virtual array, so the cost is O(count) whatever the size). Shared by SRANDMEMBER, SPOP and
 * HRANDFIELD.
 */
export function distinctRandomSlots(size: number, count: number): number[] {
  const out = new Array<number>(count);
  if (count * 4 > size) {
    // a large share of the slots: a real array is cheaper than the Map of moves
    const slots = new Uint32Array(size);
    for (let i = 0; i < size; i++) slots[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      out[i] = slots[j];
      slots[j] = slots[i];
    }
    return out;
  }
  const moved = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (size - i));
    const atJ = moved.get(j) ?? j;
    out[i] = atJ;
    moved.set(j, moved.get(i) ?? i);
  }
  return out;
}
