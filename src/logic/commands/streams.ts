// Stream commands: XADD XLEN XRANGE XREVRANGE XDEL XTRIM XREAD (BLOCK included) XSETID XINFO STREAM,
// with Redis 7.0's semantics, replies, keyspace events and error texts (t_stream.c). The data
// structure is in types/stream.ts; the consumer-group commands are in streamgroups.ts.

import type { StoredValue } from '../../abi';
import { blockClient, blockedServingKey, getMsTimeoutOrReply, signalKeyAsReady } from '../blocking';
import { running } from '../dispatch';
import { dbAddRaw, dirty, lookupRead, lookupWrite, signalModifiedKey, WRONGTYPE } from '../keyspace';
import { notifyKeyspaceEvent, NOTIFY_STREAM } from '../notify';
import {
  addArrayLen, addBulk, addError, addHelp, addInt, addMapLen, addNull, addNullArray, addOk, addRaw, bulkProto, ERR_SYNTAX,
  addSubcommandSyntaxError,
} from '../resp/reply';
import { cfgInt, dbOf, now, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import {
  byName, ID_MAX, ID_MIN, idDecr, idIncr, idKey, idPart, idText, isStream, streamAppend, streamCreate, streamDelete, streamEdge,
  streamEstimateDistance, streamLastValid, streamRange, streamTrim, tooLarge, u64FromBig, u64FromNumber, type StreamGroup, type StreamRecord,
  type TrimArgs, type U64,
} from '../types/stream';
import { ERR_NOT_INT, parseInt64 } from '../util/numbers';
import type { CommandSpec } from './table';

export const ERR_INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';
const U64_MAX = (1n << 64n) - 1n;

/** The stream at a looked-up value: undefined when missing, null after a WRONGTYPE reply. */
export function streamOrReply(c: Client, v: StoredValue | undefined): StreamRecord | null | undefined {
  if (v === undefined) return undefined;
  if (isStream(v)) return v;
  addError(c, WRONGTYPE);
  return null;
}

// ------------------------------------------------------------------------------------------------
// ID parsing (streamGenericParseIDOrReply)
// ------------------------------------------------------------------------------------------------

/** C isspace */
function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\v' || ch === '\f' || ch === '\r';
}

/** Redis's string2ull: string2ll (a negative value is refused), else strtoull in base 10 (leading
 *  spaces and a sign accepted, a minus negates modulo 2^64, out of range refused). */
function string2ull(s: string): U64 | null {
  if (s.length > 0 && s.length <= 15 && /^(0|[1-9][0-9]*)$/.test(s)) return u64FromNumber(Number(s));
  const ll = parseInt64(s);
  if (ll !== null) return ll < 0n ? null : u64FromBig(ll);
  let i = 0;
  while (i < s.length && isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const digits = s.slice(i);
  if (!/^[0-9]+$/.test(digits)) return null;
  let v = BigInt(digits);
  if (v > U64_MAX) return null;
  if (neg) v = (U64_MAX + 1n - v) & U64_MAX;
  return u64FromBig(v);
}

export const ZERO: U64 = [0, 0];
export const MAXU: U64 = [0xffffffff, 0xffffffff];

/** A parsed ID: its key, and for XADD whether the sequence was given (false for `<ms>-*`). */
export interface ParsedId {
  key: string;
  seqGiven: boolean;
}

/**
 * streamGenericParseIDOrReply without the reply: `strict` refuses "-" and "+"; `missingSeq` is the sequence
 * of an ID given without one; `allowSeqStar` accepts `<ms>-*` (XADD). Null when invalid.
 */
export function idFromText(s: string, strict: boolean, missingSeq: U64, allowSeqStar = false): ParsedId | null {
  if (s.length > 127) return null;
  // a C string ends at its first NUL
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s === '-' || s === '+') {
    if (strict) return null;
    return { key: s === '-' ? ID_MIN : ID_MAX, seqGiven: true };
  }
  const dash = s.indexOf('-');
  const ms = string2ull(dash >= 0 ? s.slice(0, dash) : s);
  if (ms === null) return null;
  let seq: U64;
  let seqGiven = true;
  if (dash >= 0) {
    const rest = s.slice(dash + 1);
    if (allowSeqStar && rest === '*') {
      seq = ZERO;
      seqGiven = false;
    } else {
      const q = string2ull(rest);
      if (q === null) return null;
      seq = q;
    }
  } else seq = missingSeq;
  return { key: idKey(ms, seq), seqGiven };
}

/** streamGenericParseIDOrReply: idFromText, or null after the error reply. */
export function parseId(c: Client, s: string, strict: boolean, missingSeq: U64, allowSeqStar = false): ParsedId | null {
  const p = idFromText(s, strict, missingSeq, allowSeqStar);
  if (p === null) addError(c, ERR_INVALID_ID);
  return p;
}

/** streamParseIntervalIDOrReply with the exclusive "(" form applied (incremented or decremented). */
export function parseInterval(c: Client, s: string, missingSeq: U64, start: boolean): string | null {
  if (s.length > 1 && s[0] === '(') {
    const p = parseId(c, s.slice(1), true, missingSeq);
    if (p === null) return null;
    const k = start ? idIncr(p.key) : idDecr(p.key);
    if (k === null) {
      addError(c, start ? 'ERR invalid start ID for the interval' : 'ERR invalid end ID for the interval');
      return null;
    }
    return k;
  }
  const p = parseId(c, s, false, missingSeq);
  return p === null ? null : p.key;
}

/** getLongLongFromObjectOrReply */
export function longLongOrReply(c: Client, s: string): number | null {
  const n = parseInt64(s);
  if (n === null) {
    addError(c, ERR_NOT_INT);
    return null;
  }
  return Number(n);
}

/** A MAXLEN / LIMIT argument: an integer >= 0. */
function nonNegativeOrReply(c: Client, s: string, what: string): number | null {
  const n = longLongOrReply(c, s);
  if (n !== null && n < 0) {
    addError(c, `ERR The ${what} argument must be >= 0.`);
    return null;
  }
  return n;
}

// ------------------------------------------------------------------------------------------------
// Replies
// ------------------------------------------------------------------------------------------------

/** One entry: [id, [field, value, ...]] */
export function entryProto(id: string, fv: string[]): string {
  let out = '*2\r\n' + bulkProto(idText(id)) + '*' + fv.length + '\r\n';
  for (let i = 0; i < fv.length; i++) out += bulkProto(fv[i]);
  return out;
}

export function entriesProto(entries: [string, string[]][]): string {
  let out = '*' + entries.length + '\r\n';
  for (const [id, fv] of entries) out += entryProto(id, fv);
  return out;
}

// ------------------------------------------------------------------------------------------------
// XADD XTRIM
// ------------------------------------------------------------------------------------------------

interface AddTrimArgs {
  trim: TrimArgs | null;
  /** index in argv of the trim threshold (rewritten for propagation after an approximate trim) */
  trimArgAt: number;
  id: ParsedId | null;
  noMkStream: boolean;
  /** index of the ID (XADD) */
  at: number;
}

/** streamParseAddOrTrimArgsOrReply; null after the error reply. */
function parseAddTrim(c: Client, argv: string[], xadd: boolean): AddTrimArgs | null {
  let strategy: 'maxlen' | 'minid' | null = null;
  let approx = false;
  let maxlen = -1;
  let minid = ID_MIN;
  let limit = -1;
  let limitGiven = false;
  let trimArgAt = 0;
  let id: ParsedId | null = null;
  let noMkStream = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const opt = argv[i];
    const lower = opt.toLowerCase();
    if (xadd && opt === '*') break;
    if ((lower === 'maxlen' || lower === 'minid') && more > 0) {
      if (strategy !== null) {
        addError(c, 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return null;
      }
      approx = false;
      const next = argv[i + 1];
      if (more >= 2 && next === '~') {
        approx = true;
        i++;
      } else if (more >= 2 && next === '=') i++;
      if (lower === 'maxlen') {
        const n = nonNegativeOrReply(c, argv[i + 1], 'MAXLEN');
        if (n === null) return null;
        maxlen = n;
      } else {
        const p = parseId(c, argv[i + 1], true, ZERO);
        if (p === null) return null;
        minid = p.key;
      }
      i++;
      strategy = lower;
      trimArgAt = i;
    } else if (lower === 'limit' && more > 0) {
      const n = nonNegativeOrReply(c, argv[i + 1], 'LIMIT');
      if (n === null) return null;
      limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && lower === 'nomkstream') {
      noMkStream = true;
    } else if (xadd) {
      id = parseId(c, opt, true, ZERO, true);
      if (id === null) return null;
      break;
    } else {
      addError(c, ERR_SYNTAX);
      return null;
    }
  }
  if (limitGiven && strategy === null) {
    addError(c, 'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return null;
  }
  if (!xadd && strategy === null) {
    addError(c, 'ERR syntax error, XTRIM must be called with a trimming strategy');
    return null;
  }
  if (c.id < 0) {
    // the AOF's replay client (mustObeyClient): the threshold was rewritten, never limit
    limit = 0;
  } else if (limitGiven) {
    if (!approx) {
      addError(c, 'ERR syntax error, LIMIT cannot be used without the special ~ option');
      return null;
    }
  } else if (approx) {
    limit = 100 * cfgInt('stream-node-max-entries');
    if (limit <= 0 || limit > 1000000) limit = 10000;
  } else limit = 0;
  const trim = strategy === null ? null : { strategy, maxlen, minid, approx, limit };
  return { trim, trimArgAt, id, noMkStream, at: i };
}

/** After an approximate trim, the command propagates as an exact one with what it left
 *  (streamRewriteApproxSpecifier + streamRewriteTrimArgument): argv is changed in place. */
function rewriteTrim(argv: string[], s: StreamRecord, a: AddTrimArgs): void {
  argv[a.trimArgAt - 1] = '=';
  argv[a.trimArgAt] = a.trim!.strategy === 'maxlen' ? String(s.length) : idText(s.firstId);
}

function xadd(c: Client, argv: string[]): void {
  const a = parseAddTrim(c, argv, true);
  if (a === null) return;
  const fieldAt = a.at + 1;
  const nfv = argv.length - fieldAt;
  if (nfv < 2 || nfv % 2 === 1) {
    addError(c, "ERR wrong number of arguments for 'xadd' command");
    return;
  }
  if (a.id !== null && a.id.seqGiven && a.id.key === ID_MIN) {
    addError(c, 'ERR The ID specified in XADD must be greater than 0-0');
    return;
  }
  const db = dbOf(c);
  const key = argv[1];
  let s = streamOrReply(c, lookupWrite(db, key));
  if (s === null) return;
  let created = false;
  if (s === undefined) {
    if (a.noMkStream) {
      addNull(c);
      return;
    }
    s = streamCreate();
    created = true;
  }
  if (s.lastId === ID_MAX) {
    addError(c, 'ERR The stream has exhausted the last possible ID, unable to add more items');
    return;
  }
  // streamAppendItem's ID
  let id: string | null;
  if (a.id !== null) {
    if (a.id.seqGiven) id = a.id.key;
    else {
      const ms = a.id.key.slice(0, 8);
      if (s.lastId.slice(0, 8) === ms) {
        if (s.lastId.slice(8) === '\xff'.repeat(8)) {
          // Redis 7.0 fails here without setting errno, so xaddCommand answers its other error
          addError(c, 'ERR Elements are too large to be stored');
          return;
        }
        id = idIncr(s.lastId);
      } else id = a.id.key;
    }
  } else {
    const t = now();
    const lastMs = idPart(s.lastId, 0);
    const nowMs = u64FromNumber(t);
    if (nowMs[0] > lastMs[0] || (nowMs[0] === lastMs[0] && nowMs[1] > lastMs[1])) id = idKey(nowMs, ZERO);
    else id = idIncr(s.lastId);
  }
  if (id === null || id <= s.lastId) {
    addError(c, 'ERR The ID specified in XADD is equal or smaller than the target stream top item');
    return;
  }
  const fv = argv.slice(fieldAt);
  if (tooLarge(fv)) {
    addError(c, 'ERR Elements are too large to be stored');
    return;
  }
  if (created) dbAddRaw(db, key, s);
  streamAppend(s, id, fv);
  const idt = idText(id);
  addBulk(c, idt);
  signalModifiedKey(db, key);
  notifyKeyspaceEvent(NOTIFY_STREAM, 'xadd', key, db.id);
  dirty();
  if (a.trim !== null) {
    if (streamTrim(s, a.trim) > 0) notifyKeyspaceEvent(NOTIFY_STREAM, 'xtrim', key, db.id);
    if (a.trim.approx) rewriteTrim(argv, s, a);
  }
  // propagate the ID actually used
  if (a.id === null || !a.id.seqGiven) argv[a.at] = idt;
  // wakes clients blocked on the key, whether it was created or not
  signalKeyAsReady(db, key);
}

/** The stream to change (XTRIM, XDEL), or null after the reply (0 when there is none, or WRONGTYPE). */
function streamToChangeOrZero(c: Client, key: string): StreamRecord | null {
  const s = streamOrReply(c, lookupWrite(dbOf(c), key));
  if (s === undefined) addInt(c, 0);
  return s ?? null;
}

function xtrim(c: Client, argv: string[]): void {
  const a = parseAddTrim(c, argv, false);
  if (a === null) return;
  const db = dbOf(c);
  const key = argv[1];
  const s = streamToChangeOrZero(c, key);
  if (s === null) return;
  const deleted = streamTrim(s, a.trim!);
  if (deleted > 0) {
    notifyKeyspaceEvent(NOTIFY_STREAM, 'xtrim', key, db.id);
    if (a.trim!.approx) rewriteTrim(argv, s, a);
    signalModifiedKey(db, key);
    dirty(deleted);
  }
  addInt(c, deleted);
}

// ------------------------------------------------------------------------------------------------
// XLEN XRANGE XREVRANGE XDEL XSETID
// ------------------------------------------------------------------------------------------------

function xlen(c: Client, argv: string[]): void {
  const s = streamOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (s === null) return;
  addInt(c, s === undefined ? 0 : s.length);
}

function xrangeGeneric(c: Client, argv: string[], rev: boolean): void {
  const start = parseInterval(c, rev ? argv[3] : argv[2], ZERO, true);
  if (start === null) return;
  const end = parseInterval(c, rev ? argv[2] : argv[3], MAXU, false);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (argv[j].toLowerCase() === 'count' && j + 1 < argv.length) {
      const n = longLongOrReply(c, argv[j + 1]);
      if (n === null) return;
      count = n < 0 ? 0 : n;
      j++;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  const s = streamOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (s === null) return;
  if (s === undefined) {
    addRaw(c, '*0\r\n');
    return;
  }
  if (count === 0) {
    addNullArray(c);
    return;
  }
  addRaw(c, entriesProto(rev ? streamRange(s, start, end, count === -1 ? 0 : count, true) : streamRange(s, start, end, count === -1 ? 0 : count, false)));
}

function xrange(c: Client, argv: string[]): void {
  xrangeGeneric(c, argv, false);
}

function xrevrange(c: Client, argv: string[]): void {
  xrangeGeneric(c, argv, true);
}

function xdel(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const key = argv[1];
  const s = streamToChangeOrZero(c, key);
  if (s === null) return;
  const ids: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const p = parseId(c, argv[j], true, ZERO);
    if (p === null) return;
    ids.push(p.key);
  }
  let deleted = 0;
  let firstEntry = false;
  for (const id of ids) {
    if (!streamDelete(s, id)) continue;
    if (id === s.firstId) firstEntry = true;
    if (id > s.maxDeletedId) s.maxDeletedId = id;
    deleted++;
  }
  if (deleted > 0) {
    if (s.length === 0) s.firstId = ID_MIN;
    else if (firstEntry) s.firstId = streamEdge(s, true) ?? ID_MIN;
    signalModifiedKey(db, key);
    notifyKeyspaceEvent(NOTIFY_STREAM, 'xdel', key, db.id);
    dirty(deleted);
  }
  addInt(c, deleted);
}

function xsetid(c: Client, argv: string[]): void {
  const p = parseId(c, argv[2], true, ZERO);
  if (p === null) return;
  const id = p.key;
  let entriesAdded = -1;
  let maxDel = ID_MIN;
  for (let i = 3; i < argv.length;) {
    const more = argv.length - 1 - i;
    const opt = argv[i].toLowerCase();
    if (opt === 'entriesadded' && more > 0) {
      const n = longLongOrReply(c, argv[i + 1]);
      if (n === null) return;
      if (n < 0) {
        addError(c, 'ERR entries_added must be positive');
        return;
      }
      entriesAdded = n;
      i += 2;
    } else if (opt === 'maxdeletedid' && more > 0) {
      const q = parseId(c, argv[i + 1], true, ZERO);
      if (q === null) return;
      if (id < q.key) {
        addError(c, 'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      maxDel = q.key;
      i += 2;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  const db = dbOf(c);
  const key = argv[1];
  const s = streamOrReply(c, lookupWrite(db, key));
  if (s === null) return;
  if (s === undefined) {
    addError(c, 'ERR no such key');
    return;
  }
  if (s.length > 0) {
    if (id < streamLastValid(s)) {
      addError(c, 'ERR The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      addError(c, 'ERR The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  // (Redis 7.0 does not compare the ID with the stream's max_deleted_entry_id; 7.2 does.)
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (maxDel !== ID_MIN) s.maxDeletedId = maxDel;
  addOk(c);
  signalModifiedKey(db, key);
  notifyKeyspaceEvent(NOTIFY_STREAM, 'xsetid', key, db.id);
  dirty();
}

// ------------------------------------------------------------------------------------------------
// XREAD
// ------------------------------------------------------------------------------------------------

/** XREAD_BLOCKED_DEFAULT_COUNT: a blocked XREAD without COUNT is served at most this many entries. */
export const BLOCKED_DEFAULT_COUNT = 1000;

/** The script client (commands/scripting.ts) has this id. */
export const SCRIPT_CLIENT_ID = Number.MAX_SAFE_INTEGER;

/** The options of XREAD and XREADGROUP (xreadCommand's parsing). */
export interface ReadArgs {
  /** absolute unix ms, 0 forever, -1 without BLOCK */
  timeoutAt: number;
  /** 0: no limit */
  count: number;
  /** index of the first key */
  streamsAt: number;
  /** number of keys */
  n: number;
  group: string | null;
  consumer: string | null;
  noack: boolean;
}

/** xreadCommand's option parsing for XREAD (`xreadgroup` false) or XREADGROUP; null after the error reply. */
export function parseReadArgs(c: Client, argv: string[], xreadgroup: boolean): ReadArgs | null {
  const a: ReadArgs = { timeoutAt: -1, count: 0, streamsAt: 0, n: 0, group: null, consumer: null, noack: false };
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const o = argv[i].toLowerCase();
    if (o === 'block' && more > 0) {
      if (c.id === SCRIPT_CLIENT_ID) {
        addError(c, `ERR ${argv[0]} command is not allowed with BLOCK option from scripts`);
        return null;
      }
      i++;
      const t = getMsTimeoutOrReply(c, argv[i]);
      if (t === null) return null;
      a.timeoutAt = t;
    } else if (o === 'count' && more > 0) {
      i++;
      const k = longLongOrReply(c, argv[i]);
      if (k === null) return null;
      a.count = k < 0 ? 0 : k;
    } else if (o === 'streams' && more > 0) {
      a.streamsAt = i + 1;
      const n = argv.length - a.streamsAt;
      if (n % 2 !== 0) {
        // (XREADGROUP too: Redis 7.0 names XREAD and '$' in both)
        addError(c, "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.");
        return null;
      }
      a.n = n / 2;
      break;
    } else if (o === 'group' && more >= 2) {
      if (!xreadgroup) {
        addError(c, 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      a.group = argv[i + 1];
      a.consumer = argv[i + 2];
      i += 2;
    } else if (o === 'noack') {
      if (!xreadgroup) {
        addError(c, 'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return null;
      }
      a.noack = true;
    } else {
      addError(c, ERR_SYNTAX);
      return null;
    }
  }
  if (a.streamsAt === 0) {
    addError(c, ERR_SYNTAX);
    return null;
  }
  if (xreadgroup && a.group === null) {
    addError(c, 'ERR Missing GROUP option for XREADGROUP');
    return null;
  }
  return a;
}

function xread(c: Client, argv: string[]): void {
  const ra = parseReadArgs(c, argv, false);
  if (ra === null) return;
  const { timeoutAt, count, streamsAt, n } = ra;
  const db = dbOf(c);
  const ids: string[] = [];
  let dollar = false;
  const only = blockedServingKey(c);
  for (let i = streamsAt + n; i < argv.length; i++) {
    const key = argv[i - n];
    // serving a blocked client, Redis reads no key but the ready one (no hit/miss counted): "$" was resolved
    const s = only !== null ? undefined : streamOrReply(c, lookupRead(db, key));
    if (s === null) return;
    if (argv[i] === '$') {
      ids.push(s === undefined ? ID_MIN : s.lastId);
      dollar = true;
      continue;
    }
    if (argv[i] === '>') {
      addError(c, 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      return;
    }
    const p = parseId(c, argv[i], true, ZERO);
    if (p === null) return;
    ids.push(p.key);
  }
  if (only !== null) {
    // Serving a blocked client (serveClientsBlockedOnStreamKey): only the key that is ready, when its
    // last ID passed the one the client waits after; at most COUNT (or 1000) entries.
    for (let i = 0; i < n; i++) {
      const key = argv[streamsAt + i];
      if (key !== only) continue;
      const v = db.dict.get(key);
      const s = v !== undefined && isStream(v) ? v : undefined;
      if (s === undefined || !(s.lastId > ids[i])) break;
      const entries = streamRange(s, idIncr(ids[i]) ?? ID_MAX, ID_MAX, count === 0 ? BLOCKED_DEFAULT_COUNT : count, false);
      addRaw(c, c.resp === 2 ? '*1\r\n*2\r\n' : '%1\r\n');
      addRaw(c, bulkProto(key) + entriesProto(entries));
      return;
    }
    blockClient(c, [], 0, 'nullarray');
    return;
  }
  let replied = 0;
  let out = '';
  for (let i = 0; i < n; i++) {
    const key = argv[streamsAt + i];
    const s = streamOrReply(c, lookupRead(db, key));
    if (s === null || s === undefined || s.length === 0) continue;
    if (!(streamLastValid(s) > ids[i])) continue;
    const start = idIncr(ids[i]);
    if (start === null) continue;
    replied++;
    if (c.resp === 2) out += '*2\r\n';
    out += bulkProto(key) + entriesProto(streamRange(s, start, ID_MAX, count, false));
  }
  if (replied > 0) {
    if (c.resp === 2) addArrayLen(c, replied);
    else addMapLen(c, replied);
    addRaw(c, out);
    return;
  }
  if (timeoutAt !== -1) {
    // Block with "$" resolved to the IDs it meant now: the command re-run when a key is ready reads
    // after them (Redis keeps the IDs in the blocked client's state).
    if (dollar) {
      const resolved = argv.slice();
      for (let i = 0; i < n; i++) resolved[streamsAt + n + i] = idText(ids[i]);
      running.argv = resolved;
    }
    blockClient(c, argv.slice(streamsAt, streamsAt + n), timeoutAt, 'nullarray', 'stream');
    return;
  }
  addNullArray(c);
}

// ------------------------------------------------------------------------------------------------
// XINFO STREAM
// ------------------------------------------------------------------------------------------------

/** Nodes of a rax holding these keys (sorted): the root, every key, every prefix where keys branch,
 *  and every child of such a prefix, as a freshly compressed radix tree has them. */
function raxNodes(keys: string[]): number {
  const set = new Set<string>(['']);
  for (let i = 0; i < keys.length; i++) {
    set.add(keys[i]);
    if (i === 0) continue;
    const a = keys[i - 1];
    const b = keys[i];
    let l = 0;
    while (l < a.length && l < b.length && a[l] === b[l]) l++;
    set.add(a.slice(0, l));
    set.add(a.slice(0, l + 1));
    set.add(b.slice(0, l + 1));
  }
  return set.size;
}

function entryOrNull(c: Client, s: StreamRecord, first: boolean): string {
  const e = streamRange(s, ID_MIN, ID_MAX, 1, !first);
  if (e.length === 0) return c.resp === 2 ? '$-1\r\n' : '_\r\n';
  return entryProto(e[0][0], e[0][1]);
}

/** streamRangeHasTombstones from `start` to the end. */
export function tombstonesFrom(s: StreamRecord, start: string): boolean {
  if (s.length === 0 || s.maxDeletedId === ID_MIN) return false;
  if (s.firstId > s.maxDeletedId) return false;
  return start <= s.maxDeletedId;
}

/** streamReplyWithCGLag */
export function lagProto(c: Client, s: StreamRecord, g: StreamGroup): string {
  if (s.entriesAdded === 0) return ':0\r\n';
  if (g.entriesRead !== -1 && !tombstonesFrom(s, g.lastId)) return `:${s.entriesAdded - g.entriesRead}\r\n`;
  const read = streamEstimateDistance(s, g.lastId);
  if (read !== -1) return `:${s.entriesAdded - read}\r\n`;
  return nullProto(c);
}

export function nullProto(c: Client): string {
  return c.resp === 2 ? '$-1\r\n' : '_\r\n';
}

export function mapHead(c: Client, n: number): string {
  return c.resp === 2 ? `*${n * 2}\r\n` : `%${n}\r\n`;
}

/** XINFO STREAM key [FULL [COUNT count]] */
function xinfoStream(c: Client, argv: string[]): void {
  const v = lookupRead(dbOf(c), argv[2]);
  if (v === undefined) {
    addError(c, 'ERR no such key');
    return;
  }
  const s = streamOrReply(c, v);
  if (s === null || s === undefined) return;
  const optc = argv.length - 3;
  let full = false;
  let count = 10;
  if (optc !== 0) {
    if ((optc !== 1 && optc !== 3) || argv[3].toLowerCase() !== 'full') {
      addSubcommandSyntaxError(c, argv);
      return;
    }
    if (optc === 3) {
      if (argv[4].toLowerCase() !== 'count') {
        addSubcommandSyntaxError(c, argv);
        return;
      }
      const n = longLongOrReply(c, argv[5]);
      if (n === null) return;
      count = n < 0 ? 10 : n;
    }
    full = true;
  }
  const keys = s.nodes.map((x) => x.ids[0]);
  let out = mapHead(c, full ? 9 : 10)
    + bulkProto('length') + `:${s.length}\r\n`
    + bulkProto('radix-tree-keys') + `:${keys.length}\r\n`
    + bulkProto('radix-tree-nodes') + `:${raxNodes(keys)}\r\n`
    + bulkProto('last-generated-id') + bulkProto(idText(s.lastId))
    + bulkProto('max-deleted-entry-id') + bulkProto(idText(s.maxDeletedId))
    + bulkProto('entries-added') + `:${s.entriesAdded}\r\n`
    + bulkProto('recorded-first-entry-id') + bulkProto(idText(s.firstId));
  if (!full) {
    out += bulkProto('groups') + `:${s.groups.length}\r\n`
      + bulkProto('first-entry') + entryOrNull(c, s, true)
      + bulkProto('last-entry') + entryOrNull(c, s, false);
    addRaw(c, out);
    return;
  }
  out += bulkProto('entries') + entriesProto(streamRange(s, ID_MIN, ID_MAX, count, false));
  const groups = s.groups.slice().sort(byName);
  out += bulkProto('groups') + `*${groups.length}\r\n`;
  const limit = (n: number): number => (count === 0 ? n : Math.min(n, count));
  for (const g of groups) {
    out += mapHead(c, 7) + bulkProto('name') + bulkProto(g.name) + bulkProto('last-delivered-id') + bulkProto(idText(g.lastId))
      + bulkProto('entries-read') + (g.entriesRead !== -1 ? `:${g.entriesRead}\r\n` : nullProto(c))
      + bulkProto('lag') + lagProto(c, s, g) + bulkProto('pel-count') + `:${g.pel.length}\r\n` + bulkProto('pending');
    const pending = new Map(g.pel.map((pe) => [pe.id, pe]));
    const np = limit(g.pel.length);
    out += `*${np}\r\n`;
    for (let i = 0; i < np; i++) {
      const pe = g.pel[i];
      out += '*4\r\n' + bulkProto(idText(pe.id)) + bulkProto(pe.consumer) + `:${pe.time}\r\n:${pe.count}\r\n`;
    }
    const consumers = g.consumers.slice().sort(byName);
    out += bulkProto('consumers') + `*${consumers.length}\r\n`;
    for (const cs of consumers) {
      out += mapHead(c, 4) + bulkProto('name') + bulkProto(cs.name) + bulkProto('seen-time') + `:${cs.seen}\r\n`
        + bulkProto('pel-count') + `:${cs.pel.length}\r\n` + bulkProto('pending');
      const nc = limit(cs.pel.length);
      out += `*${nc}\r\n`;
      for (let i = 0; i < nc; i++) {
        const pe = pending.get(cs.pel[i])!;
        out += '*3\r\n' + bulkProto(idText(pe.id)) + `:${pe.time}\r\n:${pe.count}\r\n`;
      }
    }
  }
  addRaw(c, out);
}

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

function xinfoHelp(c: Client): void {
  addHelp(c, 'XINFO', XINFO_HELP);
}

export const commands: CommandSpec[] = [
  { name: 'xadd', fn: xadd },
  { name: 'xlen', fn: xlen },
  { name: 'xrange', fn: xrange },
  { name: 'xrevrange', fn: xrevrange },
  { name: 'xdel', fn: xdel },
  { name: 'xtrim', fn: xtrim },
  { name: 'xread', fn: xread },
  { name: 'xsetid', fn: xsetid },
  { name: 'xinfo|stream', fn: xinfoStream },
  { name: 'xinfo|help', fn: xinfoHelp },
];

selfTestCases.push(
  { send: 'XADD st:s 1-1 f v\r\n', expect: '$3\r\n1-1\r\n' },
  { send: 'XADD st:s 1-1 f v\r\n', expect: '-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n' },
  { send: 'XADD st:s 2-* a b\r\n', expect: '$3\r\n2-0\r\n' },
  { send: 'XLEN st:s\r\n', expect: ':2\r\n' },
  { send: 'XRANGE st:s - + COUNT 1\r\n', expect: '*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n' },
  { send: 'XREVRANGE st:s + (2-0\r\n', expect: '*0\r\n' },
  { send: 'XDEL st:s 1-1 9-9\r\n', expect: ':1\r\n' },
  { send: 'XTRIM st:s MAXLEN 0\r\n', expect: ':1\r\n' },
  { send: 'XREAD COUNT 1 STREAMS st:s 0\r\n', expect: '*-1\r\n' },
  { send: 'DEL st:s\r\n', expect: ':1\r\n' },
);
