// String commands: GET SET SETNX SETEX PSETEX MGET MSET MSETNX GETSET GETDEL GETEX APPEND STRLEN
// INCR DECR INCRBY DECRBY INCRBYFLOAT SETRANGE GETRANGE SUBSTR LCS, with Redis 7.0's semantics,
// option parsing and error texts (t_string.c). Values are read and stored through types/string.ts, so
// state schema 3's Buffer records work too; `__HOTKV_STRING_BUFFERS__ ? storedString(v) : v` is the
// literal `false ? ... : v` in the production bundle, which V8 compiles to plain `v`.

import { constants } from 'node:buffer';
import type { StoredValue } from '../../abi';
import {
  dbDelete, dirty, lookupRead, lookupWrite, removeExpire, setExpire, setKey, signalModifiedKey, WRONGTYPE,
} from '../keyspace';
import { addArrayLen, addBulk, addBulkArrayOrNull, addError, addInt, addMapLen, addNull, addOk, addRaw, ERR_SYNTAX } from '../resp/reply';
import { notifyKeyspaceEvent, NOTIFY_GENERIC, NOTIFY_STRING } from '../notify';
import { cfgInt, dbOf, now, type Client } from '../runtime';
import { createdString, isStringValue, rawString, readString, storedString } from '../types/string';
import { incrLongDoubleText, parseLongDouble } from '../util/longdouble';
import { addInt64Text, ERR_NOT_FLOAT, ERR_NOT_INT, LLONG_MAX, LLONG_MIN, parseInt64, parseSafeInt } from '../util/numbers';
import type { CommandSpec } from './table';

const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;
const ERR_TOO_BIG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/**
 * The text of a string value for a command that needs a string: replies WRONGTYPE and returns null
 * when the value is of another type.
 */
export function stringOrReply(c: Client, v: StoredValue): string | null {
  if (typeof v === 'string') return v;
  if (v.type === 'string') return readString(v);
  addError(c, WRONGTYPE);
  return null;
}

/** An option as C code sees it: the argument up to its first NUL byte (Redis compares C strings). */
export function optName(a: string): string {
  const nul = a.indexOf('\0');
  return (nul < 0 ? a : a.slice(0, nul)).toLowerCase();
}

/** getLongLongFromObject: a safe-integer number, a bigint beyond that, or null when not an int64. */
function parseLL(s: string): number | bigint | null {
  const n = parseSafeInt(s);
  if (n !== null) return n;
  return parseInt64(s);
}

/** getLongLongFromObjectOrReply: the parsed argument, or null after the "not an integer" error reply. */
export function intArgOrReply(c: Client, s: string): number | bigint | null {
  const n = parseLL(s);
  if (n === null) addError(c, ERR_NOT_INT);
  return n;
}

/**
 * The number held by a key for INCR-like commands, parsed by `parse`: `missing` when the key does
 * not exist, null after a WRONGTYPE or `err` reply.
 */
function numberValueOrReply<T>(c: Client, v: StoredValue | undefined, parse: (s: string) => T | null, err: string,
  missing: T): T | null {
  if (v === undefined) return missing;
  const s = stringOrReply(c, v);
  if (s === null) return null;
  const n = parse(s);
  if (n === null) addError(c, err);
  return n;
}

/**
 * Redis's checkStringLength: the sum must fit proto-max-bulk-len (overflow-safe in JS). A value is
 * a JS string, so the sum must also fit V8's longest string (2^29 - 24 chars, a little under the
 * default 512mb limit): beyond it hotkv answers the same error where Redis would still succeed.
 */
function checkStringLength(c: Client, size: number, append: number): boolean {
  const total = size + append;
  if (total > (cfgInt('proto-max-bulk-len') || 512 * 1024 * 1024) || total > MAX_STRING_LENGTH) {
    addError(c, ERR_TOO_BIG);
    return false;
  }
  return true;
}

/** getGenericCommand: reply with the value (or null); false after a WRONGTYPE error. */
function getGeneric(c: Client, key: string): boolean {
  const v = lookupRead(dbOf(c), key);
  if (v === undefined) {
    addNull(c);
    return true;
  }
  const s = stringOrReply(c, v);
  if (s === null) return false;
  addBulk(c, s);
  return true;
}

// ---------------------------------------------------------------------------------------------
// SET and friends
// ---------------------------------------------------------------------------------------------

const F_NX = 1;
const F_XX = 2;
const F_EX = 4;
const F_PX = 8;
const F_KEEPTTL = 16;
const F_GET = 32;
const F_EXAT = 64;
const F_PXAT = 128;
const F_PERSIST = 256;
const F_ANY_EXPIRE = F_EX | F_PX | F_EXAT | F_PXAT;
const EXPIRE_OPTS = new Map([['ex', F_EX], ['px', F_PX], ['exat', F_EXAT], ['pxat', F_PXAT]]);

interface ExtendedArgs {
  flags: number;
  /** index of the expire argument in argv, 0 when none */
  expireAt: number;
  unitSeconds: boolean;
}

/**
 * parseExtendedStringArgumentsOrReply: SET options from argv[3], GETEX options from argv[2].
 * Replies a syntax error and returns null on a bad or conflicting option.
 */
function parseExtended(c: Client, argv: string[], isSet: boolean): ExtendedArgs | null {
  let flags = 0;
  let expireAt = 0;
  let unitSeconds = true;
  for (let j = isSet ? 3 : 2; j < argv.length; j++) {
    const opt = optName(argv[j]);
    const hasNext = j < argv.length - 1;
    if (opt === 'nx' && isSet && !(flags & F_XX)) {
      flags |= F_NX;
    } else if (opt === 'xx' && isSet && !(flags & F_NX)) {
      flags |= F_XX;
    } else if (opt === 'get' && isSet) {
      flags |= F_GET;
    } else if (opt === 'keepttl' && isSet && !(flags & (F_PERSIST | F_ANY_EXPIRE))) {
      flags |= F_KEEPTTL;
    } else if (opt === 'persist' && !isSet && !(flags & (F_ANY_EXPIRE | F_KEEPTTL))) {
      flags |= F_PERSIST;
    } else if (EXPIRE_OPTS.has(opt) && hasNext && !(flags & (F_KEEPTTL | F_PERSIST | (F_ANY_EXPIRE & ~EXPIRE_OPTS.get(opt)!)))) {
      // One expire option, which may be repeated (the last value wins).
      const bit = EXPIRE_OPTS.get(opt)!;
      flags |= bit;
      unitSeconds = bit === F_EX || bit === F_EXAT;
      expireAt = ++j;
    } else {
      addError(c, ERR_SYNTAX);
      return null;
    }
  }
  return { flags, expireAt, unitSeconds };
}

/**
 * getExpireMillisecondsOrReply: the absolute expiry time in ms, or -1 after an error reply.
 * `relative` adds the current time (EX, PX, SETEX, PSETEX).
 */
function expireMsOrReply(c: Client, arg: string, unitSeconds: boolean, relative: boolean, cmd: string): number {
  const v = intArgOrReply(c, arg);
  if (v === null) return -1;
  if (typeof v === 'number' && v > 0 && v <= 1e12) {
    // Far from any overflow: plain numbers are exact here.
    let ms = unitSeconds ? v * 1000 : v;
    if (relative) ms += now();
    return ms;
  }
  const big = BigInt(v);
  if (big <= 0n || (unitSeconds && big > LLONG_MAX / 1000n)) {
    addError(c, `ERR invalid expire time in '${cmd}' command`);
    return -1;
  }
  let ms = unitSeconds ? big * 1000n : big;
  if (relative) ms += BigInt(now());
  if (ms > LLONG_MAX) {
    // Redis detects the signed overflow as a non-positive result.
    addError(c, `ERR invalid expire time in '${cmd}' command`);
    return -1;
  }
  return Number(ms);
}

/**
 * setGenericCommand. `okReply`/`abortReply` are raw protocol ('' means +OK / the null reply).
 * expireAt is the argv index of the expire argument (0 for none).
 */
function setGeneric(c: Client, argv: string[], flags: number, key: string, val: string, expireAt: number,
  unitSeconds: boolean, okReply: string, abortReply: string): void {
  const db = dbOf(c);
  let when = -1;
  if (expireAt !== 0) {
    when = expireMsOrReply(c, argv[expireAt], unitSeconds, (flags & (F_EX | F_PX)) !== 0, cmdName(argv));
    if (when < 0) return;
  }
  if (flags & F_GET) {
    if (!getGeneric(c, key)) return;
  }
  if (flags & (F_NX | F_XX)) {
    const found = lookupWrite(db, key) !== undefined;
    if (((flags & F_NX) && found) || ((flags & F_XX) && !found)) {
      if (!(flags & F_GET)) {
        if (abortReply === '') addNull(c);
        else addRaw(c, abortReply);
      }
      return;
    }
  } else if (db.expires.size !== 0) {
    // Redis's lookupKeyWrite expires a stale key first (it counts as expired, then is replaced).
    lookupWrite(db, key);
  }
  setKey(db, key, __HOTKV_STRING_BUFFERS__ ? storedString(val) : val, (flags & F_KEEPTTL) !== 0 || when >= 0);
  dirty(1);
  notifyKeyspaceEvent(NOTIFY_STRING, 'set', key, db.id);
  if (when >= 0) {
    setExpire(db, key, when);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'expire', key, db.id);
  }
  if (!(flags & F_GET)) {
    if (okReply === '') addOk(c);
    else addRaw(c, okReply);
  }
}

/** The command's full lowercase name, as Redis prints it in "invalid expire time in '...'". */
function cmdName(argv: string[]): string {
  return argv[0].toLowerCase();
}

function get(c: Client, argv: string[]): void {
  const v = lookupRead(dbOf(c), argv[1]);
  if (v === undefined) {
    addNull(c);
    return;
  }
  if (typeof v === 'string') {
    addBulk(c, v);
    return;
  }
  const s = stringOrReply(c, v);
  if (s !== null) addBulk(c, s);
}

function set(c: Client, argv: string[]): void {
  if (argv.length === 3) {
    // Plain SET: no options to parse.
    const db = dbOf(c);
    if (db.expires.size !== 0) lookupWrite(db, argv[1]);
    setKey(db, argv[1], __HOTKV_STRING_BUFFERS__ ? storedString(argv[2]) : argv[2]);
    dirty(1);
    notifyKeyspaceEvent(NOTIFY_STRING, 'set', argv[1], db.id);
    addOk(c);
    return;
  }
  const ext = parseExtended(c, argv, true);
  if (ext === null) return;
  setGeneric(c, argv, ext.flags, argv[1], argv[2], ext.expireAt, ext.unitSeconds, '', '');
}

function setnx(c: Client, argv: string[]): void {
  setGeneric(c, argv, F_NX, argv[1], argv[2], 0, true, ':1\r\n', ':0\r\n');
}

function setex(c: Client, argv: string[]): void {
  setGeneric(c, argv, F_EX, argv[1], argv[3], 2, true, '', '');
}

function psetex(c: Client, argv: string[]): void {
  setGeneric(c, argv, F_PX, argv[1], argv[3], 2, false, '', '');
}

function getset(c: Client, argv: string[]): void {
  if (!getGeneric(c, argv[1])) return;
  const db = dbOf(c);
  setKey(db, argv[1], __HOTKV_STRING_BUFFERS__ ? storedString(argv[2]) : argv[2]);
  dirty(1);
  notifyKeyspaceEvent(NOTIFY_STRING, 'set', argv[1], db.id);
}

function getdel(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const v = lookupRead(db, argv[1]);
  if (v === undefined) {
    addNull(c);
    return;
  }
  const s = stringOrReply(c, v);
  if (s === null) return;
  addBulk(c, s);
  dbDelete(db, argv[1]);
  dirty(1);
  notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', argv[1], db.id);
}

function getex(c: Client, argv: string[]): void {
  const ext = parseExtended(c, argv, false);
  if (ext === null) return;
  const db = dbOf(c);
  const key = argv[1];
  const v = lookupRead(db, key);
  if (v === undefined) {
    addNull(c);
    return;
  }
  const s = stringOrReply(c, v);
  if (s === null) return;
  let when = -1;
  if (ext.expireAt !== 0) {
    when = expireMsOrReply(c, argv[ext.expireAt], ext.unitSeconds, (ext.flags & (F_EX | F_PX)) !== 0, 'getex');
    if (when < 0) return;
  }
  addBulk(c, s);
  if ((ext.flags & (F_EXAT | F_PXAT)) && when <= now()) {
    // An absolute time already in the past deletes the key (checkAlreadyExpired).
    dbDelete(db, key);
    dirty(1);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  } else if (when >= 0) {
    setExpire(db, key, when);
    signalModifiedKey(db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'expire', key, db.id);
    dirty(1);
  } else if (ext.flags & F_PERSIST) {
    if (removeExpire(db, key)) {
      signalModifiedKey(db, key);
      notifyKeyspaceEvent(NOTIFY_GENERIC, 'persist', key, db.id);
      dirty(1);
    }
  }
}

function mget(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const out: (string | null)[] = new Array(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const v = lookupRead(db, argv[j]);
    out[j - 1] = v === undefined ? null : typeof v === 'string' ? v : readString(v);
  }
  addBulkArrayOrNull(c, out);
}

function msetGeneric(c: Client, argv: string[], nx: boolean): void {
  if (argv.length % 2 === 0) {
    addError(c, `ERR wrong number of arguments for '${nx ? 'msetnx' : 'mset'}' command`);
    return;
  }
  const db = dbOf(c);
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (lookupWrite(db, argv[j]) !== undefined) {
        addRaw(c, ':0\r\n');
        return;
      }
    }
  } else if (db.expires.size !== 0) {
    for (let j = 1; j < argv.length; j += 2) lookupWrite(db, argv[j]);
  }
  for (let j = 1; j < argv.length; j += 2) {
    setKey(db, argv[j], __HOTKV_STRING_BUFFERS__ ? storedString(argv[j + 1]) : argv[j + 1]);
    notifyKeyspaceEvent(NOTIFY_STRING, 'set', argv[j], db.id);
  }
  dirty((argv.length - 1) / 2);
  if (nx) addRaw(c, ':1\r\n');
  else addOk(c);
}

function mset(c: Client, argv: string[]): void {
  msetGeneric(c, argv, false);
}

function msetnx(c: Client, argv: string[]): void {
  msetGeneric(c, argv, true);
}

// ---------------------------------------------------------------------------------------------
// APPEND STRLEN SETRANGE GETRANGE
// ---------------------------------------------------------------------------------------------

function append(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const key = argv[1];
  const v = lookupWrite(db, key);
  let total: number;
  if (v === undefined) {
    // A new key gets the argument as SET would store it.
    setKey(db, key, __HOTKV_STRING_BUFFERS__ ? storedString(argv[2]) : argv[2]);
    total = argv[2].length;
  } else {
    const s = stringOrReply(c, v);
    if (s === null) return;
    if (!checkStringLength(c, s.length, argv[2].length)) return;
    const next = s + argv[2];
    setKey(db, key, rawString(next), true);
    total = next.length;
  }
  dirty(1);
  notifyKeyspaceEvent(NOTIFY_STRING, 'append', key, db.id);
  addInt(c, total);
}

function strlen(c: Client, argv: string[]): void {
  const v = lookupRead(dbOf(c), argv[1]);
  if (v === undefined) {
    addRaw(c, ':0\r\n');
    return;
  }
  const s = stringOrReply(c, v);
  if (s !== null) addInt(c, s.length);
}

function setrange(c: Client, argv: string[]): void {
  const off = intArgOrReply(c, argv[2]);
  if (off === null) return;
  if (off < 0) {
    addError(c, 'ERR offset is out of range');
    return;
  }
  const offset = Number(off);
  const value = argv[3];
  const db = dbOf(c);
  const key = argv[1];
  const v = lookupWrite(db, key);
  let next: string;
  if (v === undefined) {
    if (value.length === 0) {
      addRaw(c, ':0\r\n');
      return;
    }
    if (!checkStringLength(c, offset, value.length)) return;
    next = '\0'.repeat(offset) + value;
    setKey(db, key, rawString(next));
  } else {
    const s = stringOrReply(c, v);
    if (s === null) return;
    if (value.length === 0) {
      addInt(c, s.length);
      return;
    }
    if (!checkStringLength(c, offset, value.length)) return;
    const head = offset <= s.length ? s.slice(0, offset) : s + '\0'.repeat(offset - s.length);
    next = head + value + s.slice(offset + value.length);
    setKey(db, key, rawString(next), true);
  }
  dirty(1);
  notifyKeyspaceEvent(NOTIFY_STRING, 'setrange', key, db.id);
  addInt(c, next.length);
}

/** Clamp an int64 index parsed by parseLL to a safe number, keeping its meaning for any string length. */
export function clampIndex(v: number | bigint): number {
  if (typeof v === 'number') return v;
  return v < 0n ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
}

function getrange(c: Client, argv: string[]): void {
  const a = intArgOrReply(c, argv[2]);
  if (a === null) return;
  const b = intArgOrReply(c, argv[3]);
  if (b === null) return;
  const v = lookupRead(dbOf(c), argv[1]);
  if (v === undefined) {
    addRaw(c, '$0\r\n\r\n');
    return;
  }
  const s = stringOrReply(c, v);
  if (s === null) return;
  // Both negative with start after end: empty, decided on the exact 64-bit values.
  if (a < 0 && b < 0 && a > b) {
    addRaw(c, '$0\r\n\r\n');
    return;
  }
  const len = s.length;
  let start = clampIndex(a);
  let end = clampIndex(b);
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) addRaw(c, '$0\r\n\r\n');
  else addBulk(c, s.slice(start, end + 1));
}

// ---------------------------------------------------------------------------------------------
// INCR DECR INCRBY DECRBY INCRBYFLOAT
// ---------------------------------------------------------------------------------------------

/** incrDecrCommand: add `incr` (a number within the safe range, or a bigint) to the key's integer. */
function incrDecr(c: Client, key: string, incr: number | bigint): void {
  const db = dbOf(c);
  const cur = numberValueOrReply<number | bigint>(c, lookupWrite(db, key), parseLL, ERR_NOT_INT, 0);
  if (cur === null) return;
  const text = addInt64Text(cur, incr);
  if (text === null) {
    addError(c, 'ERR increment or decrement would overflow');
    return;
  }
  setKey(db, key, __HOTKV_STRING_BUFFERS__ ? storedString(text) : text, true);
  dirty(1);
  notifyKeyspaceEvent(NOTIFY_STRING, 'incrby', key, db.id);
  addRaw(c, ':' + text + '\r\n');
}

function incr(c: Client, argv: string[]): void {
  incrDecr(c, argv[1], 1);
}

function decr(c: Client, argv: string[]): void {
  incrDecr(c, argv[1], -1);
}

function incrby(c: Client, argv: string[]): void {
  const n = intArgOrReply(c, argv[2]);
  if (n === null) return;
  incrDecr(c, argv[1], n);
}

function decrby(c: Client, argv: string[]): void {
  const n = intArgOrReply(c, argv[2]);
  if (n === null) return;
  if (n === LLONG_MIN) {
    addError(c, 'ERR decrement would overflow');
    return;
  }
  incrDecr(c, argv[1], -n);
}

const LD_ZERO = parseLongDouble('0')!;

function incrbyfloat(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const key = argv[1];
  const cur = numberValueOrReply(c, lookupWrite(db, key), parseLongDouble, ERR_NOT_FLOAT, LD_ZERO);
  if (cur === null) return;
  const inc = parseLongDouble(argv[2]);
  if (inc === null) {
    addError(c, ERR_NOT_FLOAT);
    return;
  }
  const text = incrLongDoubleText(cur, inc);
  if (text === null) {
    addError(c, 'ERR increment would produce NaN or Infinity');
    return;
  }
  setKey(db, key, createdString(text), true);
  dirty(1);
  notifyKeyspaceEvent(NOTIFY_STRING, 'incrbyfloat', key, db.id);
  addBulk(c, text);
}

// ---------------------------------------------------------------------------------------------
// LCS
// ---------------------------------------------------------------------------------------------

function lcs(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const va = lookupRead(db, argv[1]);
  const vb = lookupRead(db, argv[2]);
  if ((va !== undefined && !isStringValue(va)) || (vb !== undefined && !isStringValue(vb))) {
    addError(c, 'ERR The specified keys must contain string values');
    return;
  }
  const a = va === undefined ? '' : readString(va)!;
  const b = vb === undefined ? '' : readString(vb)!;
  let getlen = false;
  let getidx = false;
  let withmatchlen = false;
  let minmatchlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = optName(argv[j]);
    const moreargs = argv.length - 1 - j;
    if (opt === 'idx') {
      getidx = true;
    } else if (opt === 'len') {
      getlen = true;
    } else if (opt === 'withmatchlen') {
      withmatchlen = true;
    } else if (opt === 'minmatchlen' && moreargs > 0) {
      const n = intArgOrReply(c, argv[j + 1]);
      if (n === null) return;
      minmatchlen = n < 0 ? 0 : clampIndex(n);
      j++;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  if (getidx && getlen) {
    addError(c, 'ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  const alen = a.length;
  const blen = b.length;
  const cells = (alen + 1) * (blen + 1);
  if (cells * 4 > (cfgInt('proto-max-bulk-len') || 512 * 1024 * 1024)) {
    addError(c, 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  if (getlen) {
    addInt(c, lcsLength(a, b));
    return;
  }
  // The dynamic programming table of LCS lengths of every pair of prefixes, row i for a[0..i).
  const w = blen + 1;
  const t = new Uint32Array(cells);
  for (let i = 1; i <= alen; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b.charCodeAt(j - 1)) t[row + j] = t[prev + j - 1] + 1;
      else {
        const up = t[prev + j];
        const left = t[row + j - 1];
        t[row + j] = up > left ? up : left;
      }
    }
  }
  const total = t[alen * w + blen];
  // Walk back from the end, collecting the LCS bytes and (for IDX) the matching ranges, in
  // the order Redis emits them (from the end of the strings towards their start).
  const chars: number[] = new Array(total);
  let idx = total;
  const ranges: number[][] = [];
  let aStart = alen;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      chars[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === alen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      if (t[(i - 1) * w + j] > t[i * w + j - 1]) i--;
      else j--;
      if (aStart !== alen) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (getidx && (minmatchlen === 0 || matchLen >= minmatchlen)) {
        ranges.push(withmatchlen ? [aStart, aEnd, bStart, bEnd, matchLen] : [aStart, aEnd, bStart, bEnd]);
      }
      aStart = alen;
    }
  }
  if (!getidx) {
    addBulk(c, charsToString(chars));
    return;
  }
  addMapLen(c, 2);
  addBulk(c, 'matches');
  addArrayLen(c, ranges.length);
  for (const r of ranges) {
    addArrayLen(c, r.length === 5 ? 3 : 2);
    addArrayLen(c, 2);
    addInt(c, r[0]);
    addInt(c, r[1]);
    addArrayLen(c, 2);
    addInt(c, r[2]);
    addInt(c, r[3]);
    if (r.length === 5) addInt(c, r[4]);
  }
  addBulk(c, 'len');
  addInt(c, total);
}

function charsToString(chars: number[]): string {
  let s = '';
  for (let k = 0; k < chars.length; k += 8192) s += String.fromCharCode.apply(null, chars.slice(k, k + 8192));
  return s;
}

/** LCS length only: two rows of the table are enough. */
function lcsLength(a: string, b: string): number {
  const blen = b.length;
  let prev = new Uint32Array(blen + 1);
  let cur = new Uint32Array(blen + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= blen; j++) {
      if (ai === b.charCodeAt(j - 1)) cur[j] = prev[j - 1] + 1;
      else cur[j] = prev[j] > cur[j - 1] ? prev[j] : cur[j - 1];
    }
    const tmp = prev;
    prev = cur;
    cur = tmp;
  }
  return prev[blen];
}

export const commands: CommandSpec[] = [
  { name: 'get', fn: get },
  { name: 'set', fn: set },
  { name: 'setnx', fn: setnx },
  { name: 'setex', fn: setex },
  { name: 'psetex', fn: psetex },
  { name: 'getset', fn: getset },
  { name: 'getdel', fn: getdel },
  { name: 'getex', fn: getex },
  { name: 'mget', fn: mget },
  { name: 'mset', fn: mset },
  { name: 'msetnx', fn: msetnx },
  { name: 'append', fn: append },
  { name: 'strlen', fn: strlen },
  { name: 'setrange', fn: setrange },
  { name: 'getrange', fn: getrange },
  { name: 'substr', fn: getrange },
  { name: 'incr', fn: incr },
  { name: 'decr', fn: decr },
  { name: 'incrby', fn: incrby },
  { name: 'decrby', fn: decrby },
  { name: 'incrbyfloat', fn: incrbyfloat },
  { name: 'lcs', fn: lcs },
];
