// The sorted set command family, with Redis 7.0's semantics (t_zset.c): ZADD ZINCRBY ZREM ZCARD
// ZCOUNT ZLEXCOUNT ZSCORE ZMSCORE ZRANK ZREVRANK, the ZRANGE family and ZRANGESTORE, ZREMRANGEBY*,
// ZPOPMIN/ZPOPMAX/ZMPOP and their blocking forms, ZUNION/ZINTER/ZDIFF (+STORE, sets as inputs),
// ZINTERCARD, ZRANDMEMBER and ZSCAN. The data structure is in types/zset.ts.

import type { Db, StoredValue } from '../../abi';
import { blockClient, blockedServingKey, getTimeoutOrReply } from '../blocking';
import { dbAddRaw, dbDelete, dirty, lookupRead, lookupWrite, setKey, signalModifiedKey, WRONGTYPE } from '../keyspace';
import { notifyKeyspaceEvent, NOTIFY_GENERIC, NOTIFY_ZSET } from '../notify';
import { addArrayLen, addBulk, addError, addInt, addNull, addNullArray, addRaw, ERR_SYNTAX } from '../resp/reply';
import { dbOf, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import { isSet, setIsMember, setSize, type SetRecord } from '../types/set';
import {
  convertToListpackIfNeeded, deleteRangeByLex, deleteRangeByRank, deleteRangeByScore, firstInLexRange, firstInRange, isZset,
  lastInLexRange, lastInRange, lexGteMin, lexLteMax, listpackLimits, listpackScoreText, nodeEle, nodeRank, nodeScore,
  valueGteMin, valueLteMax, zaddResult, zsetAdd, zsetCreate, zsetDel, zsetRank, zslFirst, zslGetElementByRank, zslInsert,
  zslNext, zslPrev, ZADD_IN_GT, ZADD_IN_INCR, ZADD_IN_LT, ZADD_IN_NX, ZADD_IN_XX, ZADD_OUT_ADDED, ZADD_OUT_NAN,
  ZADD_OUT_NOP, ZADD_OUT_UPDATED, type LexRange, type ScoreRange, type ZsetRecord,
} from '../types/zset';
import { stringMatch } from '../util/glob';
import { ERR_NOT_FLOAT, ERR_NOT_INT, formatDouble17g, parseInt64, string2d, strtodPrefix } from '../util/numbers';
import { ERR_INVALID_CURSOR, parseScanCursor, parseScanOptions, scanStep } from '../util/scan';
import { getLong, getRangeLong } from './lists';
import { parseRandomCount } from './sets';
import type { CommandSpec } from './table';

const ERR_NAN = 'ERR resulting score is not a number (NaN)';
const ERR_MINMAX_FLOAT = 'ERR min or max is not a float';
const ERR_MINMAX_LEX = 'ERR min or max not valid string range item';
const ERR_POSITIVE = 'ERR value is out of range, must be positive';
const EMPTY_ARRAY = '*0\r\n';

const ZSET_MIN = 0;
const ZSET_MAX = 1;

// ------------------------------------------------------------------------------------------------
// Helpers
// ------------------------------------------------------------------------------------------------

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

/** addReplyDouble: "%.17g", a RESP3 double or a RESP2 bulk. */
function dbl(c: Client, d: number): string {
  const t = formatDouble17g(d);
  return c.resp === 3 ? ',' + t + '\r\n' : '$' + t.length + '\r\n' + t + '\r\n';
}

/** The zset under key, undefined when missing, null after replying WRONGTYPE. */
export function zsetOrReply(c: Client, v: StoredValue | undefined): ZsetRecord | undefined | null {
  if (v === undefined) return undefined;
  if (isZset(v)) return v;
  addError(c, WRONGTYPE);
  return null;
}

/** Delete an emptied zset key: the `del` event follows the command's own event. */
function deleteIfEmpty(db: Db, key: string, z: ZsetRecord): boolean {
  if (z.length !== 0) return false;
  dbDelete(db, key);
  return true;
}

// ------------------------------------------------------------------------------------------------
// Range parsing (zslParseRange, zslParseLexRange)
// ------------------------------------------------------------------------------------------------

/** One bound of a score range: strtod must stop at the end of the text or at a NUL byte. */
function parseScoreBound(s: string): { v: number; ex: boolean } | null {
  const ex = s.charCodeAt(0) === 40; // '('
  const r = strtodPrefix(s, ex ? 1 : 0);
  if ((r.end !== s.length && s.charCodeAt(r.end) !== 0) || r.value !== r.value) return null;
  return { v: r.value, ex };
}

export function parseScoreRange(minText: string, maxText: string): ScoreRange | null {
  const min = parseScoreBound(minText);
  if (min === null) return null;
  const max = parseScoreBound(maxText);
  if (max === null) return null;
  return { min: min.v, max: max.v, minex: min.ex, maxex: max.ex };
}

/** zslParseLexRangeItem: '-' / '+' alone (C string semantics: a NUL ends them), or '(' / '[' plus the string. */
function parseLexItem(s: string): { s: string; kind: number; ex: boolean } | null {
  switch (s.charCodeAt(0)) {
    case 43: // '+'
      return s.length === 1 || s.charCodeAt(1) === 0 ? { s: '', kind: 1, ex: true } : null;
    case 45: // '-'
      return s.length === 1 || s.charCodeAt(1) === 0 ? { s: '', kind: -1, ex: true } : null;
    case 40: // '('
      return { s: s.slice(1), kind: 0, ex: true };
    case 91: // '['
      return { s: s.slice(1), kind: 0, ex: false };
    default:
      return null;
  }
}

export function parseLexRange(minText: string, maxText: string): LexRange | null {
  const min = parseLexItem(minText);
  const max = parseLexItem(maxText);
  if (min === null || max === null) return null;
  return { min: min.s, max: max.s, minKind: min.kind, maxKind: max.kind, minex: min.ex, maxex: max.ex };
}

// ------------------------------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCOUNT, ZLEXCOUNT
// ------------------------------------------------------------------------------------------------

export function zaddGeneric(c: Client, argv: string[], inFlags: number): void {
  let flags = inFlags;
  let ch = false;
  let scoreidx = 2;
  for (; scoreidx < argv.length; scoreidx++) {
    const opt = argv[scoreidx].toLowerCase();
    if (opt === 'nx') flags |= ZADD_IN_NX;
    else if (opt === 'xx') flags |= ZADD_IN_XX;
    else if (opt === 'ch') ch = true;
    else if (opt === 'incr') flags |= ZADD_IN_INCR;
    else if (opt === 'gt') flags |= ZADD_IN_GT;
    else if (opt === 'lt') flags |= ZADD_IN_LT;
    else break;
  }
  const incr = (flags & ZADD_IN_INCR) !== 0;
  const nx = (flags & ZADD_IN_NX) !== 0;
  const xx = (flags & ZADD_IN_XX) !== 0;
  const gt = (flags & ZADD_IN_GT) !== 0;
  const lt = (flags & ZADD_IN_LT) !== 0;
  let elements = argv.length - scoreidx;
  if (elements % 2 !== 0 || elements === 0) {
    addError(c, ERR_SYNTAX);
    return;
  }
  elements /= 2;
  if (nx && xx) {
    addError(c, 'ERR XX and NX options at the same time are not compatible');
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    addError(c, 'ERR GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  if (incr && elements > 1) {
    addError(c, 'ERR INCR option supports a single increment-element pair');
    return;
  }
  const scores = new Array<number>(elements);
  for (let j = 0; j < elements; j++) {
    const s = string2d(argv[scoreidx + j * 2]);
    if (s !== s) {
      addError(c, ERR_NOT_FLOAT);
      return;
    }
    scores[j] = s;
  }
  const db = dbOf(c);
  const key = argv[1];
  let z = zsetOrReply(c, lookupWrite(db, key));
  if (z === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  if (z === undefined) {
    if (xx) {
      replyZadd(c, incr, processed, score, ch ? added + updated : added);
      return;
    }
    const lim = listpackLimits();
    z = zsetCreate(lim.entries === 0 || lim.value < argv[scoreidx + 1].length ? 'skiplist' : 'listpack');
    dbAddRaw(db, key, z);
  }
  let nanError = false;
  for (let j = 0; j < elements; j++) {
    const ret = zsetAdd(z, scores[j], argv[scoreidx + 1 + j * 2], flags);
    if (ret === ZADD_OUT_NAN) {
      nanError = true;
      break;
    }
    if ((ret & ZADD_OUT_ADDED) !== 0) added++;
    if ((ret & ZADD_OUT_UPDATED) !== 0) updated++;
    if ((ret & ZADD_OUT_NOP) === 0) processed++;
    score = zaddResult.newScore;
  }
  if (nanError) addError(c, ERR_NAN);
  else {
    dirty(added + updated);
    replyZadd(c, incr, processed, score, ch ? added + updated : added);
  }
  if (added !== 0 || updated !== 0) {
    signalModifiedKey(db, key);
    notifyKeyspaceEvent(NOTIFY_ZSET, incr ? 'zincr' : 'zadd', key, db.id);
  }
}

function replyZadd(c: Client, incr: boolean, processed: number, score: number, count: number): void {
  if (incr) {
    if (processed !== 0) addRaw(c, dbl(c, score));
    else addNull(c);
  } else {
    addInt(c, count);
  }
}

function zadd(c: Client, argv: string[]): void {
  zaddGeneric(c, argv, 0);
}

function zincrby(c: Client, argv: string[]): void {
  zaddGeneric(c, argv, ZADD_IN_INCR);
}

function zrem(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const key = argv[1];
  const z = zsetOrReply(c, lookupWrite(db, key));
  if (z === null) return;
  if (z === undefined) {
    addInt(c, 0);
    return;
  }
  let deleted = 0;
  let keyremoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (zsetDel(z, argv[j])) deleted++;
    if (z.length === 0) {
      keyremoved = true;
      break;
    }
  }
  if (deleted !== 0) {
    if (keyremoved) dbDelete(db, key);
    notifyKeyspaceEvent(NOTIFY_ZSET, 'zrem', key, db.id);
    if (keyremoved) notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
    else signalModifiedKey(db, key);
    dirty(deleted);
  }
  addInt(c, deleted);
}

function zcard(c: Client, argv: string[]): void {
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  addInt(c, z === undefined ? 0 : z.length);
}

function zscore(c: Client, argv: string[]): void {
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  const s = z === undefined ? undefined : z.dict.get(argv[2]);
  if (s === undefined) addNull(c);
  else addRaw(c, dbl(c, s));
}

function zmscore(c: Client, argv: string[]): void {
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  const nil = c.resp === 3 ? '_\r\n' : '$-1\r\n';
  let out = '*' + (argv.length - 2) + '\r\n';
  for (let j = 2; j < argv.length; j++) {
    const s = z === undefined ? undefined : z.dict.get(argv[j]);
    out += s === undefined ? nil : dbl(c, s);
  }
  addRaw(c, out);
}

function zrankGeneric(c: Client, argv: string[], reverse: boolean): void {
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  if (z === undefined) {
    addNull(c);
    return;
  }
  const r = zsetRank(z, argv[2], reverse);
  if (r >= 0) addInt(c, r);
  else addNull(c);
}

function zrank(c: Client, argv: string[]): void {
  zrankGeneric(c, argv, false);
}

function zrevrank(c: Client, argv: string[]): void {
  zrankGeneric(c, argv, true);
}

/** ZCOUNT / ZLEXCOUNT: the distance between the first and the last node of the range, by rank. */
function countInRange(c: Client, argv: string[], lex: boolean): void {
  const srange = lex ? null : parseScoreRange(argv[2], argv[3]);
  const lrange = lex ? parseLexRange(argv[2], argv[3]) : null;
  if (srange === null && lrange === null) {
    addError(c, lex ? ERR_MINMAX_LEX : ERR_MINMAX_FLOAT);
    return;
  }
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  const first = z === undefined ? 0 : srange !== null ? firstInRange(z, srange) : firstInLexRange(z, lrange!);
  if (z === undefined || first === 0) {
    addInt(c, 0);
    return;
  }
  if (lrange !== null && z.enc === 'listpack') {
    // a listpack counts forward from the first member in range (the same unless scores differ)
    let count = 0;
    for (let x = first; x !== 0 && lexLteMax(nodeEle(z, x), lrange); x = zslNext(z, x)) count++;
    addInt(c, count);
    return;
  }
  const last = srange !== null ? lastInRange(z, srange) : lastInLexRange(z, lrange!);
  addInt(c, last === 0 ? z.length - nodeRank(z, first) : nodeRank(z, last) - nodeRank(z, first) + 1);
}

function zcount(c: Client, argv: string[]): void {
  countInRange(c, argv, false);
}

function zlexcount(c: Client, argv: string[]): void {
  countInRange(c, argv, true);
}

// ------------------------------------------------------------------------------------------------
// ZRANGE family (zrangeGenericCommand) and ZRANGESTORE
// ------------------------------------------------------------------------------------------------

const RANGE_AUTO = 0;
const RANGE_RANK = 1;
const RANGE_SCORE = 2;
const RANGE_LEX = 3;
const DIR_AUTO = 0;
const DIR_FORWARD = 1;
const DIR_REVERSE = 2;

/** Node ids selected by a range, in reply order. */
function rangeByRank(z: ZsetRecord, start: number, end: number, reverse: boolean): number[] {
  const llen = z.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  const out: number[] = [];
  if (start > end || start >= llen) return out;
  if (end >= llen) end = llen - 1;
  let n = end - start + 1;
  let x = reverse ? zslGetElementByRank(z, llen - start) : start > 0 ? zslGetElementByRank(z, start + 1) : zslFirst(z);
  while (n-- > 0 && x !== 0) {
    out.push(x);
    x = reverse ? zslPrev(z, x) : zslNext(z, x);
  }
  return out;
}

/** Skip `offset` nodes from x in the walking direction, by rank (Redis walks; same result). */
function skipOffset(z: ZsetRecord, x: number, offset: number, reverse: boolean): number {
  if (x === 0 || offset === 0) return x;
  if (offset < 0) return 0; // Redis's `while (ln && offset--)` runs off the end
  const r = nodeRank(z, x) + (reverse ? -offset : offset);
  if (r < 0 || r >= z.length) return 0;
  return zslGetElementByRank(z, r + 1);
}

function rangeByScore(z: ZsetRecord, range: ScoreRange, offset: number, limit: number, reverse: boolean): number[] {
  const out: number[] = [];
  if (offset > 0 && offset >= z.length) return out;
  let x = reverse ? lastInRange(z, range) : firstInRange(z, range);
  x = skipOffset(z, x, offset, reverse);
  let left = limit < 0 ? Infinity : limit;
  while (x !== 0 && left-- > 0) {
    const s = nodeScore(z, x);
    if (reverse ? !valueGteMin(s, range) : !valueLteMax(s, range)) break;
    out.push(x);
    x = reverse ? zslPrev(z, x) : zslNext(z, x);
  }
  return out;
}

function rangeByLex(z: ZsetRecord, range: LexRange, offset: number, limit: number, reverse: boolean): number[] {
  const out: number[] = [];
  let x = reverse ? lastInLexRange(z, range) : firstInLexRange(z, range);
  x = skipOffset(z, x, offset, reverse);
  let left = limit < 0 ? Infinity : limit;
  while (x !== 0 && left-- > 0) {
    const e = nodeEle(z, x);
    if (reverse ? !lexGteMin(e, range) : !lexLteMax(e, range)) break;
    out.push(x);
    x = reverse ? zslPrev(z, x) : zslNext(z, x);
  }
  return out;
}

/** Reply members (and scores) of `ids`; RESP3 WITHSCORES nests [member, score] pairs. */
function replyNodes(c: Client, z: ZsetRecord, ids: number[], withscores: boolean): void {
  const n = ids.length;
  if (!withscores) {
    let out = '*' + n + '\r\n';
    for (let i = 0; i < n; i++) out += bulk(nodeEle(z, ids[i]));
    addRaw(c, out);
    return;
  }
  const resp3 = c.resp === 3;
  let out = '*' + (resp3 ? n : n * 2) + '\r\n';
  for (let i = 0; i < n; i++) {
    const x = ids[i];
    if (resp3) out += '*2\r\n';
    out += bulk(nodeEle(z, x)) + dbl(c, nodeScore(z, x));
  }
  addRaw(c, out);
}

/** zrangeResultFinalizeStore: store the result (or delete the destination when it is empty). */
function storeResult(c: Client, dstkey: string, dst: ZsetRecord | null, event: string): void {
  const db = dbOf(c);
  if (dst !== null && dst.length > 0) {
    setKey(db, dstkey, dst);
    addInt(c, dst.length);
    notifyKeyspaceEvent(NOTIFY_ZSET, event, dstkey, db.id);
    dirty(1);
  } else {
    addInt(c, 0);
    if (dbDelete(db, dstkey)) {
      notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', dstkey, db.id);
      dirty(1);
    }
  }
}

function zrangeGeneric(c: Client, argv: string[], argcStart: number, dstkey: string | null, rangetype0: number,
  direction0: number): void {
  const store = dstkey !== null;
  let rangetype = rangetype0;
  let direction = direction0;
  const key = argv[argcStart];
  let minidx = argcStart + 1;
  let maxidx = argcStart + 2;
  let withscores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argcStart + 3; j < argv.length; j++) {
    const leftargs = argv.length - j - 1;
    const opt = argv[j].toLowerCase();
    if (!store && opt === 'withscores') {
      withscores = true;
    } else if (opt === 'limit' && leftargs >= 2) {
      const o = getLong(c, argv[j + 1]);
      if (o === null) return;
      const l = getLong(c, argv[j + 2]);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (direction === DIR_AUTO && opt === 'rev') {
      direction = DIR_REVERSE;
    } else if (rangetype === RANGE_AUTO && opt === 'bylex') {
      rangetype = RANGE_LEX;
    } else if (rangetype === RANGE_AUTO && opt === 'byscore') {
      rangetype = RANGE_SCORE;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  if (direction === DIR_AUTO) direction = DIR_FORWARD;
  if (rangetype === RANGE_AUTO) rangetype = RANGE_RANK;
  if (limit !== -1 && rangetype === RANGE_RANK) {
    addError(c, 'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return;
  }
  if (withscores && rangetype === RANGE_LEX) {
    addError(c, 'ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return;
  }
  const reverse = direction === DIR_REVERSE;
  if (reverse && rangetype !== RANGE_RANK) {
    const t = maxidx;
    maxidx = minidx;
    minidx = t;
  }
  let start = 0;
  let end = 0;
  let srange: ScoreRange | null = null;
  let lrange: LexRange | null = null;
  if (rangetype === RANGE_RANK) {
    const s = getLong(c, argv[minidx]);
    if (s === null) return;
    const e = getLong(c, argv[maxidx]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (rangetype === RANGE_SCORE) {
    srange = parseScoreRange(argv[minidx], argv[maxidx]);
    if (srange === null) {
      addError(c, ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    lrange = parseLexRange(argv[minidx], argv[maxidx]);
    if (lrange === null) {
      addError(c, ERR_MINMAX_LEX);
      return;
    }
  }
  const z = zsetOrReply(c, lookupRead(dbOf(c), key));
  if (z === null) return;
  if (z === undefined) {
    if (store) storeResult(c, dstkey, null, 'zrangestore');
    else addRaw(c, EMPTY_ARRAY);
    return;
  }
  const ids = rangetype === RANGE_RANK ? rangeByRank(z, start, end, reverse)
    : rangetype === RANGE_SCORE ? rangeByScore(z, srange!, offset, limit, reverse)
      : rangeByLex(z, lrange!, offset, limit, reverse);
  if (!store) {
    replyNodes(c, z, ids, withscores);
    return;
  }
  // zrangeResultBeginStore: a rank range of known length picks the encoding up front; the others
  // start as listpack and convert while members are added.
  let dst: ZsetRecord | null = null;
  if (ids.length > 0) {
    const known = rangetype === RANGE_RANK ? ids.length : -1;
    dst = zsetCreate(known > listpackLimits().entries ? 'skiplist' : 'listpack');
    for (const x of ids) zsetAdd(dst, nodeScore(z, x), nodeEle(z, x), 0);
  }
  storeResult(c, dstkey, dst, 'zrangestore');
}

function zrange(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RANGE_AUTO, DIR_AUTO);
}
function zrangestore(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 2, argv[1], RANGE_AUTO, DIR_AUTO);
}
function zrevrange(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RANGE_RANK, DIR_REVERSE);
}
function zrangebyscore(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RANGE_SCORE, DIR_FORWARD);
}
function zrevrangebyscore(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RANGE_SCORE, DIR_REVERSE);
}
function zrangebylex(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RANGE_LEX, DIR_FORWARD);
}
function zrevrangebylex(c: Client, argv: string[]): void {
  zrangeGeneric(c, argv, 1, null, RANGE_LEX, DIR_REVERSE);
}

// ------------------------------------------------------------------------------------------------
// ZREMRANGEBYRANK / BYSCORE / BYLEX
// ------------------------------------------------------------------------------------------------

function zremrangeGeneric(c: Client, argv: string[], rangetype: number): void {
  let start = 0;
  let end = 0;
  let srange: ScoreRange | null = null;
  let lrange: LexRange | null = null;
  let event: string;
  if (rangetype === RANGE_RANK) {
    event = 'zremrangebyrank';
    const s = getLong(c, argv[2]);
    if (s === null) return;
    const e = getLong(c, argv[3]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (rangetype === RANGE_SCORE) {
    event = 'zremrangebyscore';
    srange = parseScoreRange(argv[2], argv[3]);
    if (srange === null) {
      addError(c, ERR_MINMAX_FLOAT);
      return;
    }
  } else {
    event = 'zremrangebylex';
    lrange = parseLexRange(argv[2], argv[3]);
    if (lrange === null) {
      addError(c, ERR_MINMAX_LEX);
      return;
    }
  }
  const db = dbOf(c);
  const key = argv[1];
  const z = zsetOrReply(c, lookupWrite(db, key));
  if (z === null) return;
  if (z === undefined) {
    addInt(c, 0);
    return;
  }
  let deleted: number;
  if (rangetype === RANGE_RANK) {
    const llen = z.length;
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
      addInt(c, 0);
      return;
    }
    if (end >= llen) end = llen - 1;
    deleted = deleteRangeByRank(z, start + 1, end + 1);
  } else if (rangetype === RANGE_SCORE) {
    deleted = deleteRangeByScore(z, srange!);
  } else {
    deleted = deleteRangeByLex(z, lrange!);
  }
  const keyremoved = deleted !== 0 && deleteIfEmpty(db, key, z);
  if (deleted !== 0) {
    if (!keyremoved) signalModifiedKey(db, key);
    notifyKeyspaceEvent(NOTIFY_ZSET, event, key, db.id);
    if (keyremoved) notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  }
  dirty(deleted);
  addInt(c, deleted);
}

function zremrangebyrank(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, RANGE_RANK);
}
function zremrangebyscore(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, RANGE_SCORE);
}
function zremrangebylex(c: Client, argv: string[]): void {
  zremrangeGeneric(c, argv, RANGE_LEX);
}

// ------------------------------------------------------------------------------------------------
// ZPOPMIN / ZPOPMAX / ZMPOP and the blocking forms
// ------------------------------------------------------------------------------------------------

/**
 * genericZpopCommand: pop from the first existing key of `keys`. count -1 means "no count given".
 * With emitkey the reply starts with the key; nested puts each [member, score] in its own array.
 */
function genericZpop(c: Client, keys: string[], where: number, emitkey: boolean, count: number, nested: boolean,
  nilWhenEmpty: boolean): void {
  const db = dbOf(c);
  let key = '';
  let z: ZsetRecord | undefined;
  for (const k of keys) {
    const found = zsetOrReply(c, lookupWrite(db, k));
    if (found === null) return;
    if (found === undefined) continue;
    key = k;
    z = found;
    break;
  }
  if (z === undefined) {
    if (nilWhenEmpty) addNullArray(c);
    else addRaw(c, EMPTY_ARRAY);
    return;
  }
  if (count === 0) {
    addRaw(c, EMPTY_ARRAY);
    return;
  }
  if (count === -1) count = 1;
  const llen = z.length;
  let rangelen = count > llen ? llen : count;
  let out: string;
  if (!nested && !emitkey) out = '*' + rangelen * 2 + '\r\n';
  else if (nested && !emitkey) out = '*' + rangelen + '\r\n';
  else if (!nested && emitkey) out = '*' + (rangelen * 2 + 1) + '\r\n' + bulk(key);
  else out = '*2\r\n' + bulk(key) + '*' + rangelen + '\r\n';
  const emptied = rangelen === llen;
  let first = true;
  do {
    const x = where === ZSET_MAX ? z.tail : zslFirst(z);
    const ele = nodeEle(z, x);
    const score = nodeScore(z, x);
    zsetDel(z, ele);
    dirty(1);
    if (first) {
      first = false;
      notifyKeyspaceEvent(NOTIFY_ZSET, where === ZSET_MAX ? 'zpopmax' : 'zpopmin', key, db.id);
      // an emptied key is signalled by its deletion below
      if (!emptied) signalModifiedKey(db, key);
    }
    if (nested) out += '*2\r\n';
    out += bulk(ele) + dbl(c, score);
  } while (--rangelen > 0);
  addRaw(c, out);
  if (z.length === 0) {
    dbDelete(db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  }
}

function zpopMinMax(c: Client, argv: string[], where: number): void {
  if (argv.length > 3) {
    addError(c, ERR_SYNTAX);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const n = getRangeLong(c, argv[2], 0, ERR_POSITIVE);
    if (n === null) return;
    count = n;
  }
  genericZpop(c, [argv[1]], where, false, count, c.resp > 2 && count !== -1, false);
}

function zpopmin(c: Client, argv: string[]): void {
  zpopMinMax(c, argv, ZSET_MIN);
}
function zpopmax(c: Client, argv: string[]): void {
  zpopMinMax(c, argv, ZSET_MAX);
}

/** blockingGenericZpopCommand: serve from the first non-empty key, or block on all of them. */
function blockingZpop(c: Client, argv: string[], keys: string[], where: number, timeoutIdx: number, count: number,
  nested: boolean): void {
  const timeoutAt = getTimeoutOrReply(c, argv[timeoutIdx]);
  if (timeoutAt === null) return;
  const db = dbOf(c);
  const serving = blockedServingKey(c);
  const candidates = serving !== null ? [serving] : keys;
  for (const key of candidates) {
    const z = zsetOrReply(c, lookupWrite(db, key));
    if (z === null) return;
    if (z === undefined || z.length === 0) continue;
    genericZpop(c, [key], where, true, count, nested, nested);
    return;
  }
  blockClient(c, keys, timeoutAt, 'nullarray', 'zset');
}

function bzpopmin(c: Client, argv: string[]): void {
  blockingZpop(c, argv, argv.slice(1, -1), ZSET_MIN, argv.length - 1, -1, false);
}
function bzpopmax(c: Client, argv: string[]): void {
  blockingZpop(c, argv, argv.slice(1, -1), ZSET_MAX, argv.length - 1, -1, false);
}

/** zmpopGenericCommand: numkeys key... MIN|MAX [COUNT n]. */
function zmpopGeneric(c: Client, argv: string[], numkeysIdx: number, block: boolean): void {
  const numkeys = getRangeLong(c, argv[numkeysIdx], 1, 'ERR numkeys should be greater than 0');
  if (numkeys === null) return;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) {
    addError(c, ERR_SYNTAX);
    return;
  }
  const w = argv[whereIdx].toLowerCase();
  let where: number;
  if (w === 'min') where = ZSET_MIN;
  else if (w === 'max') where = ZSET_MAX;
  else {
    addError(c, ERR_SYNTAX);
    return;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    if (count === -1 && argv[j].toLowerCase() === 'count' && moreargs > 0) {
      j++;
      const n = getRangeLong(c, argv[j], 1, 'ERR count should be greater than 0');
      if (n === null) return;
      count = n;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  if (block) blockingZpop(c, argv, keys, where, 1, count, true);
  else genericZpop(c, keys, where, true, count, true, true);
}

function zmpop(c: Client, argv: string[]): void {
  zmpopGeneric(c, argv, 1, false);
}
function bzmpop(c: Client, argv: string[]): void {
  zmpopGeneric(c, argv, 2, true);
}

// ------------------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF (+STORE), ZINTERCARD
// ------------------------------------------------------------------------------------------------

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;
const AGGR_SUM = 0;
const AGGR_MIN = 1;
const AGGR_MAX = 2;

/** One input of a set operation: a zset, a set (every score 1), or nothing (missing key). */
interface OpSource {
  subject: StoredValue | null;
  zset: ZsetRecord | null;
  /** the set (null unless the input is a set) */
  set: SetRecord | null;
  weight: number;
  size: number;
}

/** zunionInterAggregate */
function aggregate(target: number, val: number, aggr: number): number {
  if (aggr === AGGR_SUM) {
    const t = target + val;
    return t !== t ? 0 : t; // inf + -inf: Redis uses 0
  }
  if (aggr === AGGR_MIN) return val < target ? val : target;
  return val > target ? val : target;
}

/** Walk a source as zuiNext does (zsets from the highest score down, sets in their own order). */
function forEachMember(src: OpSource, fn: (member: string, score: number) => boolean | void): void {
  if (src.zset !== null) {
    const z = src.zset;
    for (let x = z.tail; x !== 0; x = zslPrev(z, x)) if (fn(nodeEle(z, x), nodeScore(z, x)) === false) return;
  } else if (src.set !== null) {
    // an intset in numeric order, a hashtable in slot order (Redis: dict order)
    const a = src.set.a;
    for (let i = 0; i < a.length; i++) if (fn(a[i], 1) === false) return;
  }
}

/** zuiFind: the member's score in a source, undefined when absent. */
function findScore(src: OpSource, member: string): number | undefined {
  if (src.zset !== null) return src.zset.dict.get(member);
  if (src.set !== null) return setIsMember(src.set, member) ? 1 : undefined;
  return undefined;
}

function zunionInterDiffGeneric(c: Client, argv: string[], dstkey: string | null, numkeysIndex: number, op: number,
  cardinalityOnly: boolean): void {
  const setnum = getLong(c, argv[numkeysIndex]);
  if (setnum === null) return;
  if (setnum < 1) {
    addError(c, `ERR at least 1 input key is needed for '${argv[0].toLowerCase()}' command`);
    return;
  }
  if (setnum > argv.length - (numkeysIndex + 1)) {
    addError(c, ERR_SYNTAX);
    return;
  }
  const db = dbOf(c);
  const src: OpSource[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const obj = lookupRead(db, argv[j]);
    const s: OpSource = { subject: null, zset: null, set: null, weight: 1, size: 0 };
    if (obj !== undefined) {
      if (isZset(obj)) {
        s.zset = obj;
        s.size = obj.length;
      } else if (isSet(obj)) {
        s.set = obj;
        s.size = setSize(obj);
      } else {
        addError(c, WRONGTYPE);
        return;
      }
      s.subject = obj;
    }
    src.push(s);
  }
  let aggr = AGGR_SUM;
  let withscores = false;
  let limit = 0;
  let remaining = argv.length - j;
  while (remaining > 0) {
    const opt = argv[j].toLowerCase();
    if (op !== OP_DIFF && !cardinalityOnly && remaining >= setnum + 1 && opt === 'weights') {
      j++;
      remaining--;
      for (let i = 0; i < setnum; i++, j++, remaining--) {
        const w = string2d(argv[j]);
        if (w !== w) {
          addError(c, 'ERR weight value is not a float');
          return;
        }
        src[i].weight = w;
      }
    } else if (op !== OP_DIFF && !cardinalityOnly && remaining >= 2 && opt === 'aggregate') {
      j++;
      remaining--;
      const a = argv[j].toLowerCase();
      if (a === 'sum') aggr = AGGR_SUM;
      else if (a === 'min') aggr = AGGR_MIN;
      else if (a === 'max') aggr = AGGR_MAX;
      else {
        addError(c, ERR_SYNTAX);
        return;
      }
      j++;
      remaining--;
    } else if (remaining >= 1 && dstkey === null && !cardinalityOnly && opt === 'withscores') {
      j++;
      remaining--;
      withscores = true;
    } else if (cardinalityOnly && remaining >= 2 && opt === 'limit') {
      j++;
      remaining--;
      const l = getRangeLong(c, argv[j], 0, "ERR LIMIT can't be negative");
      if (l === null) return;
      limit = l;
      j++;
      remaining--;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  // Smallest input first (a stable sort, as glibc's qsort is for these sizes).
  if (op !== OP_DIFF) src.sort((a, b) => a.size - b.size);

  const dst = zsetCreate('skiplist');
  let maxelelen = 0;
  let cardinality = 0;
  const add = (member: string, score: number): void => {
    zslInsert(dst, score, member);
    dst.dict.set(member, score);
    if (member.length > maxelelen) maxelelen = member.length;
  };
  if (op === OP_INTER) {
    const first = src[0];
    if (first.size > 0) {
      forEachMember(first, (member, s0) => {
        let score = first.weight * s0;
        if (score !== score) score = 0;
        let k = 1;
        for (; k < setnum; k++) {
          const other = src[k];
          let value: number | undefined;
          if (other.subject === first.subject) value = s0 * other.weight;
          else {
            value = findScore(other, member);
            if (value === undefined) break;
            value *= other.weight;
          }
          score = aggregate(score, value, aggr);
        }
        if (k !== setnum) return;
        if (cardinalityOnly) {
          cardinality++;
          if (limit !== 0 && cardinality >= limit) return false;
        } else {
          add(member, score);
        }
      });
    }
  } else if (op === OP_UNION) {
    const acc = new Map<string, number>();
    for (const s of src) {
      if (s.size === 0) continue;
      forEachMember(s, (member, sc) => {
        let score = s.weight * sc;
        if (score !== score) score = 0;
        const prev = acc.get(member);
        acc.set(member, prev === undefined ? score : aggregate(prev, score, aggr));
      });
    }
    for (const [member, score] of acc) add(member, score);
  } else {
    const first = src[0];
    if (first.size > 0) {
      forEachMember(first, (member, score) => {
        for (let k = 1; k < setnum; k++) {
          if (src[k].subject === first.subject || findScore(src[k], member) !== undefined) return;
        }
        add(member, score);
      });
    }
  }

  if (dstkey !== null) {
    if (dst.length > 0) convertToListpackIfNeeded(dst, maxelelen);
    storeResult(c, dstkey, dst, op === OP_UNION ? 'zunionstore' : op === OP_INTER ? 'zinterstore' : 'zdiffstore');
  } else if (cardinalityOnly) {
    addInt(c, cardinality);
  } else {
    const ids: number[] = [];
    for (let x = zslFirst(dst); x !== 0; x = zslNext(dst, x)) ids.push(x);
    replyNodes(c, dst, ids, withscores);
  }
}

function zunionstore(c: Client, argv: string[]): void {
  zunionInterDiffGeneric(c, argv, argv[1], 2, OP_UNION, false);
}
function zinterstore(c: Client, argv: string[]): void {
  zunionInterDiffGeneric(c, argv, argv[1], 2, OP_INTER, false);
}
function zdiffstore(c: Client, argv: string[]): void {
  zunionInterDiffGeneric(c, argv, argv[1], 2, OP_DIFF, false);
}
function zunion(c: Client, argv: string[]): void {
  zunionInterDiffGeneric(c, argv, null, 1, OP_UNION, false);
}
function zinter(c: Client, argv: string[]): void {
  zunionInterDiffGeneric(c, argv, null, 1, OP_INTER, false);
}
function zintercard(c: Client, argv: string[]): void {
  zunionInterDiffGeneric(c, argv, null, 1, OP_INTER, true);
}
function zdiff(c: Client, argv: string[]): void {
  zunionInterDiffGeneric(c, argv, null, 1, OP_DIFF, false);
}

// ------------------------------------------------------------------------------------------------
// ZRANDMEMBER, ZSCAN
// ------------------------------------------------------------------------------------------------

/** A uniformly random node (Redis: dictGetFairRandomKey / lpRandomPair). */
function randomNode(z: ZsetRecord): number {
  return zslGetElementByRank(z, 1 + Math.floor(Math.random() * z.length));
}

const LONG_MAX_HALF = 4611686018427387903n;

function zrandmemberWithCount(c: Client, argv: string[], l: number, withscores: boolean): void {
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  if (z === undefined) {
    addRaw(c, EMPTY_ARRAY);
    return;
  }
  const size = z.length;
  const uniq = l >= 0;
  let count = uniq ? l : -l;
  if (count === 0) {
    addRaw(c, EMPTY_ARRAY);
    return;
  }
  const resp3 = c.resp === 3;
  const item = (x: number): string =>
    withscores ? (resp3 ? '*2\r\n' : '') + bulk(nodeEle(z, x)) + dbl(c, nodeScore(z, x)) : bulk(nodeEle(z, x));
  const header = (n: number): string => '*' + (withscores && !resp3 ? n * 2 : n) + '\r\n';
  // Case 1: repetitions allowed (negative count), or a single member.
  if (!uniq || count === 1) {
    let out = header(count);
    while (count-- > 0) out += item(randomNode(z));
    addRaw(c, out);
    return;
  }
  // Case 2: the whole zset, from the highest score down (zuiNext's order).
  if (count >= size) {
    let out = header(size);
    for (let x = z.tail; x !== 0; x = zslPrev(z, x)) out += item(x);
    addRaw(c, out);
    return;
  }
  const picked: number[] = [];
  if (count * 3 > size) {
    // Case 3: copy everything, remove random members until count are left.
    const all: number[] = [];
    for (let x = z.tail; x !== 0; x = zslPrev(z, x)) all.push(x);
    let left = size;
    while (left > count) {
      const i = Math.floor(Math.random() * left);
      all[i] = all[left - 1];
      left--;
    }
    all.length = count;
    picked.push(...all);
  } else if (z.enc === 'listpack') {
    // Case 4, listpack: lpRandomPairsUnique picks in listpack order.
    const ranks = new Set<number>();
    while (ranks.size < count) ranks.add(1 + Math.floor(Math.random() * size));
    for (const r of Array.from(ranks).sort((a, b) => a - b)) picked.push(zslGetElementByRank(z, r));
  } else {
    // Case 4: random picks, skipping repeats.
    const seen = new Set<number>();
    while (picked.length < count) {
      const x = randomNode(z);
      if (seen.has(x)) continue;
      seen.add(x);
      picked.push(x);
    }
  }
  let out = header(picked.length);
  for (const x of picked) out += item(x);
  addRaw(c, out);
}

function zrandmember(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const big = parseRandomCount(c, argv[2]);
    if (big === null) return;
    const l = Number(big);
    let withscores = false;
    if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== 'withscores')) {
      addError(c, ERR_SYNTAX);
      return;
    } else if (argv.length === 4) {
      withscores = true;
      if (big < -LONG_MAX_HALF || big > LONG_MAX_HALF) {
        addError(c, 'ERR value is out of range');
        return;
      }
    }
    zrandmemberWithCount(c, argv, l, withscores);
    return;
  }
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  if (z === undefined) {
    addNull(c);
    return;
  }
  addBulk(c, nodeEle(z, randomNode(z)));
}

function zscan(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) {
    addError(c, ERR_INVALID_CURSOR);
    return;
  }
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  if (z === undefined) {
    addRaw(c, '*2\r\n$1\r\n0\r\n*0\r\n');
    return;
  }
  const opts = parseScanOptions(argv, 3, false);
  if (typeof opts === 'string') {
    addError(c, opts);
    return;
  }
  const pattern = opts.pattern;
  const items: string[] = [];
  let next = '0';
  if (z.enc === 'listpack') {
    // A listpack is returned whole, with the scores as the listpack holds them.
    for (let x = zslFirst(z); x !== 0; x = zslNext(z, x)) {
      const e = nodeEle(z, x);
      if (pattern !== null && !stringMatch(pattern, e)) continue;
      items.push(bulk(e), bulk(listpackScoreText(nodeScore(z, x))));
    }
  } else {
    const batch = scanStep(z.dict, cursor, opts.count);
    next = batch.cursor;
    for (const e of batch.names) {
      if (pattern !== null && !stringMatch(pattern, e)) continue;
      items.push(bulk(e), bulk(formatDouble17g(z.dict.get(e)!)));
    }
  }
  addArrayLen(c, 2);
  addBulk(c, next);
  addRaw(c, '*' + items.length + '\r\n' + items.join(''));
}

// ------------------------------------------------------------------------------------------------

export const commands: CommandSpec[] = [
  { name: 'zadd', fn: zadd },
  { name: 'zincrby', fn: zincrby },
  { name: 'zrem', fn: zrem },
  { name: 'zcard', fn: zcard },
  { name: 'zcount', fn: zcount },
  { name: 'zlexcount', fn: zlexcount },
  { name: 'zscore', fn: zscore },
  { name: 'zmscore', fn: zmscore },
  { name: 'zrank', fn: zrank },
  { name: 'zrevrank', fn: zrevrank },
  { name: 'zrange', fn: zrange },
  { name: 'zrangestore', fn: zrangestore },
  { name: 'zrevrange', fn: zrevrange },
  { name: 'zrangebyscore', fn: zrangebyscore },
  { name: 'zrevrangebyscore', fn: zrevrangebyscore },
  { name: 'zrangebylex', fn: zrangebylex },
  { name: 'zrevrangebylex', fn: zrevrangebylex },
  { name: 'zremrangebyrank', fn: zremrangebyrank },
  { name: 'zremrangebyscore', fn: zremrangebyscore },
  { name: 'zremrangebylex', fn: zremrangebylex },
  { name: 'zpopmin', fn: zpopmin },
  { name: 'zpopmax', fn: zpopmax },
  { name: 'zmpop', fn: zmpop },
  { name: 'bzpopmin', fn: bzpopmin },
  { name: 'bzpopmax', fn: bzpopmax },
  { name: 'bzmpop', fn: bzmpop },
  { name: 'zunion', fn: zunion },
  { name: 'zinter', fn: zinter },
  { name: 'zdiff', fn: zdiff },
  { name: 'zunionstore', fn: zunionstore },
  { name: 'zinterstore', fn: zinterstore },
  { name: 'zdiffstore', fn: zdiffstore },
  { name: 'zintercard', fn: zintercard },
  { name: 'zrandmember', fn: zrandmember },
  { name: 'zscan', fn: zscan },
];

// Self-test cases: idempotent (each starts from a deleted key), so they pass on every round.
selfTestCases.push(
  { send: 'DEL zt:a zt:b zt:d zt:l\r\n', expect: ':0\r\n' },
  { send: 'ZADD zt:a 1 x 2 y 0.1 z\r\n', expect: ':3\r\n' },
  { send: 'ZSCORE zt:a z\r\n', expect: '$19\r\n0.10000000000000001\r\n' },
  { send: 'ZADD zt:a GT CH 0 x 3 y\r\n', expect: ':1\r\n' },
  { send: 'ZADD zt:a NX GT 1 x\r\n', expect: '-ERR GT, LT, and/or NX options at the same time are not compatible\r\n' },
  { send: 'ZINCRBY zt:a 1.5 x\r\n', expect: '$3\r\n2.5\r\n' },
  { send: 'ZRANGE zt:a 0 -1 WITHSCORES\r\n',
    expect: '*6\r\n$1\r\nz\r\n$19\r\n0.10000000000000001\r\n$1\r\nx\r\n$3\r\n2.5\r\n$1\r\ny\r\n$1\r\n3\r\n' },
  { send: 'ZRANGE zt:a +inf (0.1 BYSCORE REV LIMIT 0 1\r\n', expect: '*1\r\n$1\r\ny\r\n' },
  { send: 'ZADD zt:l 0 a 0 b 0 c\r\n', expect: ':3\r\n' },
  { send: 'ZRANGEBYLEX zt:l (a +\r\n', expect: '*2\r\n$1\r\nb\r\n$1\r\nc\r\n' },
  { send: 'ZLEXCOUNT zt:l - [b\r\n', expect: ':2\r\n' },
  { send: 'ZRANK zt:a y\r\n', expect: ':2\r\n' },
  { send: 'ZCOUNT zt:a (0.1 3\r\n', expect: ':2\r\n' },
  { send: 'ZCOUNT zt:a x 3\r\n', expect: '-ERR min or max is not a float\r\n' },
  { send: 'ZADD zt:b 1 x 5 w\r\n', expect: ':2\r\n' },
  { send: 'ZUNIONSTORE zt:d 2 zt:a zt:b WEIGHTS 2 1 AGGREGATE MAX\r\n', expect: ':4\r\n' },
  { send: 'ZRANGE zt:d 0 -1 WITHSCORES\r\n',
    expect: '*8\r\n$1\r\nz\r\n$19\r\n0.20000000000000001\r\n$1\r\nw\r\n$1\r\n5\r\n$1\r\nx\r\n$1\r\n5\r\n$1\r\ny\r\n$1\r\n6\r\n' },
  { send: 'ZINTERCARD 2 zt:a zt:b\r\n', expect: ':1\r\n' },
  { send: 'ZPOPMIN zt:d 2\r\n', expect: '*4\r\n$1\r\nz\r\n$19\r\n0.20000000000000001\r\n$1\r\nw\r\n$1\r\n5\r\n' },
  { send: 'ZMPOP 2 zt:none zt:d MAX COUNT 5\r\n', expect: '*2\r\n$4\r\nzt:d\r\n*2\r\n*2\r\n$1\r\ny\r\n$1\r\n6\r\n*2\r\n$1\r\nx\r\n$1\r\n5\r\n' },
  { send: 'EXISTS zt:d\r\n', expect: ':0\r\n' },
  { send: 'ZREMRANGEBYSCORE zt:a -inf (3\r\n', expect: ':2\r\n' },
  { send: 'OBJECT ENCODING zt:a\r\n', expect: '$8\r\nlistpack\r\n' },
  { send: 'ZREM zt:a y\r\n', expect: ':1\r\n' },
  { send: 'BZPOPMIN zt:b 0\r\n', expect: '*3\r\n$4\r\nzt:b\r\n$1\r\nx\r\n$1\r\n1\r\n' },
  { send: 'DEL zt:a zt:b zt:d zt:l\r\n', expect: ':2\r\n' },
);
