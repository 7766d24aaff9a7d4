// SORT and SORT_RO (Redis 7.0 sort.c semantics and error texts): lists, sets and sorted sets,
// sorted numerically or ALPHA, ASC/DESC, LIMIT, BY <pattern> (weights from string keys or hash
// fields, `*->field`; a pattern without '*' means "do not sort"), GET <pattern> (and GET #), STORE.
//
// Details that are visible in replies and are reproduced here:
// - Patterns are C strings where Redis reads them as such: '*' and '->' are searched up to the
//   first NUL byte, "#" followed by a NUL is "#".
// - Numeric weights are parsed with strtod: leading white space, hex, "inf" are accepted, "" is 0,
//   anything after a NUL byte is ignored; NaN, overflow and inexact underflow are an error.
// - Equal numeric weights are ordered by comparing the elements as binary strings.
// - ALPHA compares with strcoll (C.UTF-8 collation is strcmp: unsigned bytes up to the first NUL),
//   or as binary strings when STORE is given; missing BY weights sort first.
// - Without LIMIT (or without BY) Redis sorts with glibc's qsort, a stable merge sort, so elements
//   that compare equal keep their input order; with BY and LIMIT it uses its partial quicksort
//   (pqsort.c), whose order of equal elements is its own: util/pqsort.ts reproduces it.
// - SORT of a listpack sorted set converts it to a skiplist (OBJECT ENCODING shows it), as Redis
//   does, even for SORT_RO.

import type { Db, StoredValue } from '../../abi';
import { dbDelete, dirty, lookupRead, lookupWrite, setKey, WRONGTYPE } from '../keyspace';
import { notifyKeyspaceEvent, NOTIFY_GENERIC, NOTIFY_LIST } from '../notify';
import { addArrayLen, addBulk, addError, addInt, addNull, ERR_SYNTAX } from '../resp/reply';
import { dbOf, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import { hashGet, isHash } from '../types/hash';
import { listFromArray, listRange, type ListValue } from '../types/list';
import { isSet, type SetRecord } from '../types/set';
import { readString } from '../types/string';
import { isZset, nodeEle, zslGetElementByRank, zslNext, zslPrev, type ZsetRecord } from '../types/zset';
import { parseInt64, strtodPrefix } from '../util/numbers';
import { pqsort } from '../util/pqsort';
import type { CommandSpec } from './table';

const ERR_NOT_INT = 'ERR value is not an integer or out of range';
const ERR_SCORES = "ERR One or more scores can't be converted into double";

/** One element being sorted (Redis's redisSortObject). */
interface SortItem {
  obj: string;
  score: number;
  /** ALPHA BY: the weight text, null when the weight key (or field) is missing */
  cmp: string | null;
}

/** The text of s up to its first NUL byte (what C string functions see). */
function cString(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

/**
 * lookupKeyByPattern: the value a GET/BY pattern names for element `subst`, or null. "#" is the
 * element itself; the first '*' is replaced by the element; "key*->field" reads a hash field.
 */
function lookupByPattern(db: Db, pattern: string, subst: string): string | null {
  if (pattern.charCodeAt(0) === 35 && (pattern.length === 1 || pattern.charCodeAt(1) === 0)) return subst;
  const cpat = cString(pattern);
  const star = cpat.indexOf('*');
  if (star < 0) return null;
  const arrow = cpat.indexOf('->', star + 1);
  let field: string | null = null;
  let postfixEnd = pattern.length;
  if (arrow >= 0 && arrow + 2 < cpat.length) {
    field = pattern.slice(arrow + 2);
    postfixEnd = arrow;
  }
  const key = pattern.slice(0, star) + subst + pattern.slice(star + 1, postfixEnd);
  const v = lookupRead(db, key);
  if (v === undefined) return null;
  if (field !== null) return isHash(v) ? hashGet(v, field) ?? null : null;
  return readString(v);
}

/** The strtod weight of a text, as SORT accepts it; null when it is not a valid double. */
function weightOf(s: string): number | null {
  const r = strtodPrefix(s, 0);
  if ((r.end !== s.length && s.charCodeAt(r.end) !== 0) || r.erange || r.value !== r.value) return null;
  return r.value;
}

/** compareStringObjects: binary (memcmp, then length); latin1 JS strings compare that way. */
function binaryCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in C.UTF-8 (strcmp): unsigned bytes up to the first NUL. */
function collateCompare(a: string, b: string): number {
  return binaryCompare(cString(a), cString(b));
}

/** sortCompare, with the options Redis passes through globals. */
function makeCompare(alpha: boolean, byPattern: boolean, store: boolean, desc: boolean): (x: SortItem, y: SortItem) => number {
  const strCmp = store ? binaryCompare : collateCompare;
  let cmp: (x: SortItem, y: SortItem) => number;
  if (!alpha) {
    cmp = (x, y) => (x.score > y.score ? 1 : x.score < y.score ? -1 : binaryCompare(x.obj, y.obj));
  } else if (byPattern) {
    cmp = (x, y) => {
      if (x.cmp === null || y.cmp === null) return x.cmp === y.cmp ? 0 : x.cmp === null ? -1 : 1;
      return strCmp(x.cmp, y.cmp);
    };
  } else {
    cmp = (x, y) => strCmp(x.obj, y.obj);
  }
  return desc ? (x, y) => -cmp(x, y) : cmp;
}

// --- the command ---------------------------------------------------------------------------------

/** Clamp a parsed int64 into a safe number range (LIMIT arguments are clamped to the size anyway). */
function clampLong(v: bigint): number {
  const max = 2n ** 52n;
  return Number(v > max ? max : v < -max ? -max : v);
}

function sortGeneric(c: Client, argv: string[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontsort = false;
  let sortby: string | null = null;
  let storekey: string | null = null;
  const gets: string[] = [];
  const argc = argv.length;
  for (let j = 2; j < argc; j++) {
    const left = argc - j - 1;
    const opt = argv[j].toLowerCase();
    if (opt === 'asc') desc = false;
    else if (opt === 'desc') desc = true;
    else if (opt === 'alpha') alpha = true;
    else if (opt === 'limit' && left >= 2) {
      const s = parseInt64(argv[j + 1]);
      const n = s === null ? null : parseInt64(argv[j + 2]);
      if (s === null || n === null) {
        addError(c, ERR_NOT_INT);
        return;
      }
      limitStart = clampLong(s);
      limitCount = clampLong(n);
      j += 2;
    } else if (!readonly && opt === 'store' && left >= 1) {
      storekey = argv[++j];
    } else if (opt === 'by' && left >= 1) {
      sortby = argv[++j];
      // a pattern without '*' is constant: nothing to sort by (and it sticks, as in Redis)
      if (cString(sortby).indexOf('*') < 0) dontsort = true;
    } else if (opt === 'get' && left >= 1) {
      gets.push(argv[++j]);
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }

  const db = dbOf(c);
  const found = lookupRead(db, argv[1]);
  let value: ListValue | SetRecord | ZsetRecord | null = null;
  if (found !== undefined) {
    if (typeof found === 'string' || (found.type !== 'list' && !isSet(found) && !isZset(found))) {
      addError(c, WRONGTYPE);
      return;
    }
    value = found as ListValue | SetRecord | ZsetRecord;
  }
  const type = value === null ? 'list' : value.type;

  // A set has no order of its own: when storing, sort it (ALPHA) so the result is deterministic.
  if (dontsort && type === 'set' && storekey !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }
  if (value !== null && isZset(value) && value.enc === 'listpack') value.enc = 'skiplist';

  let vectorlen = value === null ? 0 : isZset(value) ? value.length : isSet(value) ? value.a.length : (value as ListValue).len;
  let start = Math.min(Math.max(limitStart, 0), vectorlen);
  const count = Math.min(Math.max(limitCount, -1), vectorlen);
  let end = count < 0 ? vectorlen - 1 : start + count - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  // Lists and sorted sets that need no sorting load only the wanted range.
  if (type !== 'set' && dontsort && (start !== 0 || end !== vectorlen - 1)) vectorlen = end - start + 1;

  const vector: SortItem[] = [];
  const item = (obj: string): void => {
    vector.push({ obj, score: 0, cmp: null });
  };
  if (value === null) {
    // an empty list
  } else if (value.type === 'list' && dontsort) {
    const l = value as ListValue;
    if (end >= start) {
      const from = desc ? l.len - start - 1 : start;
      const items = desc ? listRange(l, from - vectorlen + 1, from, true) : listRange(l, from, from + vectorlen - 1);
      for (const x of items) item(x);
      end -= start;
      start = 0;
    }
  } else if (value.type === 'list') {
    const l = value as ListValue;
    if (l.len > 0) for (const x of listRange(l, 0, l.len - 1)) item(x);
  } else if (isSet(value)) {
    for (const x of value.a) item(x);
  } else if (dontsort) {
    const z = value;
    let x = desc ? z.tail : zslGetElementByRank(z, 1);
    if (start > 0) x = zslGetElementByRank(z, desc ? z.length - start : start + 1);
    for (let k = 0; k < vectorlen; k++) {
      item(nodeEle(z, x));
      x = desc ? zslPrev(z, x) : zslNext(z, x);
    }
    end -= start;
    start = 0;
  } else {
    for (const x of value.dict.keys()) item(x);
  }

  let badWeight = false;
  if (!dontsort) {
    for (const it of vector) {
      let byval: string | null = it.obj;
      if (sortby !== null) {
        byval = lookupByPattern(db, sortby, it.obj);
        if (byval === null) continue;
      }
      if (alpha) {
        if (sortby !== null) it.cmp = byval;
      } else {
        const w = weightOf(byval);
        if (w === null) badWeight = true;
        else it.score = w;
      }
    }
    const cmp = makeCompare(alpha, sortby !== null, storekey !== null, desc);
    if (sortby !== null && (start !== 0 || end !== vectorlen - 1)) pqsort(vector, cmp, start, end);
    else vector.sort(cmp);
  }

  const n = Math.max(end - start + 1, 0);
  const outputlen = gets.length > 0 ? gets.length * n : n;
  if (badWeight) {
    addError(c, ERR_SCORES);
    return;
  }
  if (storekey === null) {
    addArrayLen(c, outputlen);
    for (let j = start; j <= end; j++) {
      const obj = vector[j].obj;
      if (gets.length === 0) addBulk(c, obj);
      for (const pattern of gets) {
        const v = lookupByPattern(db, pattern, obj);
        if (v === null) addNull(c);
        else addBulk(c, v);
      }
    }
    return;
  }
  const out: string[] = [];
  for (let j = start; j <= end; j++) {
    const obj = vector[j].obj;
    if (gets.length === 0) out.push(obj);
    for (const pattern of gets) out.push(lookupByPattern(db, pattern, obj) ?? '');
  }
  if (outputlen > 0) {
    lookupWrite(db, storekey); // setKey's lookupKeyWrite: an expired destination expires first
    setKey(db, storekey, listFromArray(out) as StoredValue);
    notifyKeyspaceEvent(NOTIFY_LIST, 'sortstore', storekey, db.id);
    dirty(outputlen);
  } else if (dbDelete(db, storekey)) {
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', storekey, db.id);
    dirty(1);
  }
  addInt(c, outputlen);
}

export const commands: CommandSpec[] = [
  { name: 'sort', fn: (c, argv) => sortGeneric(c, argv, false) },
  { name: 'sort_ro', fn: (c, argv) => sortGeneric(c, argv, true) },
];

selfTestCases.push(
  { send: 'DEL so:l so:w_a so:w_b so:w_c so:d\r\n', expect: ':0\r\n' },
  { send: 'RPUSH so:l c a b\r\n', expect: ':3\r\n' },
  { send: 'SORT so:l ALPHA DESC\r\n', expect: '*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n' },
  { send: 'MSET so:w_a 3 so:w_b 1 so:w_c 2\r\n', expect: '+OK\r\n' },
  { send: 'SORT so:l BY so:w_* GET # GET so:w_* LIMIT 1 1\r\n', expect: '*2\r\n$1\r\nc\r\n$1\r\n2\r\n' },
  { send: 'SORT so:l BY nosort DESC STORE so:d\r\n', expect: ':3\r\n' },
  { send: 'LRANGE so:d 0 -1\r\n', expect: '*3\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n' },
  { send: 'SORT so:l\r\n', expect: "-ERR One or more scores can't be converted into double\r\n" },
  { send: 'SORT_RO so:l STORE so:d\r\n', expect: '-ERR syntax error\r\n' },
  { send: 'DEL so:l so:w_a so:w_b so:w_c so:d\r\n', expect: ':5\r\n' },
);
