// List commands (Redis 7.0 t_list.c semantics and error texts): LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP
// LLEN LRANGE LINDEX LSET LINSERT LREM LTRIM LPOS LMOVE RPOPLPUSH LMPOP, the blocking BLPOP BRPOP
// BLMOVE BRPOPLPUSH BLMPOP (over blocking.ts), and CLIENT UNBLOCK.

import type { Db, StoredValue } from '../../abi';
import { blockClient, blockedServingKey, getTimeoutOrReply, unblockClientById } from '../blocking';
import { dbAddRaw, dbDelete, dirty, lookupRead, lookupWrite, signalModifiedKey, WRONGTYPE } from '../keyspace';
import { notifyKeyspaceEvent, NOTIFY_GENERIC, NOTIFY_LIST } from '../notify';
import { addSubcommandSyntaxError, addArrayLen, addBulk, addBulkArray, addError, addInt, addNull, addNullArray, addOk, addRaw, ERR_SYNTAX } from '../resp/reply';
import { dbOf, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import {
  createList, listGet, listIndexOf, listInsertAt, listPop, listPush, listRange, listRemove, listSet,
  listTrim, type ListValue,
} from '../types/list';
import { parseInt64 } from '../util/numbers';
import type { CommandSpec } from './table';

const ERR_NOT_INT = 'ERR value is not an integer or out of range';
const EMPTY_ARRAY = '*0\r\n';

// --- argument parsing, as Redis's getLongFromObjectOrReply family -----------------------------

/** A C long (64-bit); `msg` replaces the default error text, as in Redis. null after replying. */
export function getLong(c: Client, s: string, msg: string = ERR_NOT_INT): number | null {
  const v = parseInt64(s);
  if (v === null) {
    addError(c, msg);
    return null;
  }
  return Number(v);
}

/** getRangeLongFromObjectOrReply(min, max, msg): one text for "not a number" and "out of range". */
export function getRangeLong(c: Client, s: string, min: number, msg: string): number | null {
  const v = parseInt64(s);
  if (v === null || v < BigInt(min)) {
    addError(c, msg);
    return null;
  }
  return Number(v);
}

/** LEFT -> head (true), RIGHT -> tail (false); null after a syntax error. */
function getPosition(c: Client, s: string): boolean | null {
  const w = s.toLowerCase();
  if (w === 'left') return true;
  if (w === 'right') return false;
  addError(c, ERR_SYNTAX);
  return null;
}

// --- shared pieces --------------------------------------------------------------------------------

/** The list a lookup found: null when missing, false after replying WRONGTYPE. */
function listOrReply(c: Client, v: StoredValue | undefined): ListValue | null | false {
  if (v === undefined) return null;
  if (!isList(v)) {
    addError(c, WRONGTYPE);
    return false;
  }
  return v;
}

function isList(v: StoredValue): v is ListValue {
  return typeof v !== 'string' && v.type === 'list';
}

/** Redis's listElementsRemoved: the pop event, the key deleted once empty, dirty. */
function elementsRemoved(db: Db, key: string, head: boolean, l: ListValue, count: number): boolean {
  notifyKeyspaceEvent(NOTIFY_LIST, head ? 'lpop' : 'rpop', key, db.id);
  let deleted = false;
  if (l.len === 0) {
    dbDelete(db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
    deleted = true;
  }
  signalModifiedKey(db, key);
  dirty(count);
  return deleted;
}

/** The elements a count-pop returns: from the head in order, or from the tail in reverse. */
function popRange(l: ListValue, head: boolean, count: number): string[] {
  const n = Math.min(count, l.len);
  const out = head ? listRange(l, 0, n - 1) : listRange(l, l.len - n, l.len - 1, true);
  for (let i = 0; i < n; i++) listPop(l, head);
  return out;
}

/** Redis's listPopRangeAndReplyWithKey: [key, [elements]] (LMPOP, BLMPOP). */
function popRangeWithKey(c: Client, db: Db, key: string, l: ListValue, head: boolean, count: number): void {
  const items = popRange(l, head, count);
  addArrayLen(c, 2);
  addBulk(c, key);
  addBulkArray(c, items);
  elementsRemoved(db, key, head, l, items.length);
}

// --- push -----------------------------------------------------------------------------------------

function pushGeneric(c: Client, argv: string[], head: boolean, xx: boolean): void {
  const db = dbOf(c);
  const key = argv[1];
  let l = listOrReply(c, lookupWrite(db, key));
  if (l === false) return;
  if (l === null) {
    if (xx) {
      addInt(c, 0);
      return;
    }
    l = createList();
    dbAddRaw(db, key, l);
  }
  for (let j = 2; j < argv.length; j++) listPush(l, argv[j], head);
  dirty(argv.length - 2);
  addInt(c, l.len);
  signalModifiedKey(db, key);
  notifyKeyspaceEvent(NOTIFY_LIST, head ? 'lpush' : 'rpush', key, db.id);
}

function linsert(c: Client, argv: string[]): void {
  const w = argv[2].toLowerCase();
  let after: boolean;
  if (w === 'after') after = true;
  else if (w === 'before') after = false;
  else {
    addError(c, ERR_SYNTAX);
    return;
  }
  const db = dbOf(c);
  const l = listOrReply(c, lookupWrite(db, argv[1]));
  if (l === false) return;
  if (l === null) {
    addInt(c, 0);
    return;
  }
  const i = listIndexOf(l, argv[3]);
  if (i < 0) {
    addInt(c, -1);
    return;
  }
  listInsertAt(l, after ? i + 1 : i, argv[4]);
  signalModifiedKey(db, argv[1]);
  notifyKeyspaceEvent(NOTIFY_LIST, 'linsert', argv[1], db.id);
  dirty(1);
  addInt(c, l.len);
}

// --- read -----------------------------------------------------------------------------------------

function llen(c: Client, argv: string[]): void {
  const l = listOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (l === false) return;
  addInt(c, l === null ? 0 : l.len);
}

function lindex(c: Client, argv: string[]): void {
  const l = listOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (l === false) return;
  if (l === null) {
    addNull(c);
    return;
  }
  let index = getLong(c, argv[2]);
  if (index === null) return;
  if (index < 0) index += l.len;
  if (index < 0 || index >= l.len) addNull(c);
  else addBulk(c, listGet(l, index));
}

/** Redis's addListRangeReply: clamp start/end (negative from the end), reply the slice. */
function rangeReply(c: Client, l: ListValue, start: number, end: number): void {
  const len = l.len;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) {
    addRaw(c, EMPTY_ARRAY);
    return;
  }
  if (end >= len) end = len - 1;
  addBulkArray(c, listRange(l, start, end));
}

function lrange(c: Client, argv: string[]): void {
  const start = getLong(c, argv[2]);
  if (start === null) return;
  const end = getLong(c, argv[3]);
  if (end === null) return;
  const l = listOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (l === false) return;
  if (l === null) addRaw(c, EMPTY_ARRAY);
  else rangeReply(c, l, start, end);
}

function lpos(c: Client, argv: string[]): void {
  const ele = argv[2];
  let rank = 1;
  let rankMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const more = j + 1 < argv.length;
    if (opt === 'rank' && more) {
      const r = getLong(c, argv[++j]);
      if (r === null) return;
      if (r === 0) {
        addError(c, "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... " +
          'or use negative to start from the end of the list');
        return;
      }
      rank = r;
      rankMin = argv[j] === '-9223372036854775808';
    } else if (opt === 'count' && more) {
      const n = getRangeLong(c, argv[++j], 0, "ERR COUNT can't be negative");
      if (n === null) return;
      count = n;
    } else if (opt === 'maxlen' && more) {
      const n = getRangeLong(c, argv[++j], 0, "ERR MAXLEN can't be negative");
      if (n === null) return;
      maxlen = n;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  const fromTail = rank < 0;
  // -LONG_MIN overflows in C and stays LONG_MIN: every match counts, and COUNT never stops the scan
  if (fromTail && !rankMin) rank = -rank;
  const l = listOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (l === false) return;
  if (l === null) {
    if (count !== -1) addRaw(c, EMPTY_ARRAY);
    else addNull(c);
    return;
  }
  const len = l.len;
  const found: number[] = [];
  let matches = 0;
  let single = -1;
  for (let index = 0; index < len && (maxlen === 0 || index < maxlen); index++) {
    const pos = fromTail ? len - index - 1 : index;
    if (listGet(l, pos) !== ele) continue;
    matches++;
    if (matches >= rank) {
      if (count === -1) {
        single = pos;
        break;
      }
      found.push(pos);
      if (count !== 0 && !rankMin && matches - rank + 1 >= count) break;
    }
  }
  if (count !== -1) {
    let s = '*' + found.length + '\r\n';
    for (const p of found) s += ':' + p + '\r\n';
    addRaw(c, s);
  } else if (single >= 0) addInt(c, single);
  else addNull(c);
}

// --- write ----------------------------------------------------------------------------------------

function lset(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const l = listOrReply(c, lookupWrite(db, argv[1]));
  if (l === false) return;
  if (l === null) {
    addError(c, 'ERR no such key');
    return;
  }
  let index = getLong(c, argv[2]);
  if (index === null) return;
  if (index < 0) index += l.len;
  if (index < 0 || index >= l.len) {
    addError(c, 'ERR index out of range');
    return;
  }
  listSet(l, index, argv[3]);
  addOk(c);
  signalModifiedKey(db, argv[1]);
  notifyKeyspaceEvent(NOTIFY_LIST, 'lset', argv[1], db.id);
  dirty(1);
}

function popGeneric(c: Client, argv: string[], head: boolean): void {
  if (argv.length > 3) {
    addError(c, `ERR wrong number of arguments for '${head ? 'lpop' : 'rpop'}' command`);
    return;
  }
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const n = getRangeLong(c, argv[2], 0, 'ERR value is out of range, must be positive');
    if (n === null) return;
    count = n;
  }
  const db = dbOf(c);
  const key = argv[1];
  const l = listOrReply(c, lookupWrite(db, key));
  if (l === false) return;
  if (l === null) {
    if (hasCount) addNullArray(c);
    else addNull(c);
    return;
  }
  if (hasCount && count === 0) {
    addRaw(c, EMPTY_ARRAY);
    return;
  }
  if (!hasCount) {
    addBulk(c, listPop(l, head)!);
    elementsRemoved(db, key, head, l, 1);
    return;
  }
  const items = popRange(l, head, count);
  addBulkArray(c, items);
  elementsRemoved(db, key, head, l, items.length);
}

function lrem(c: Client, argv: string[]): void {
  const count = getLong(c, argv[2]);
  if (count === null) return;
  const db = dbOf(c);
  const key = argv[1];
  const l = listOrReply(c, lookupWrite(db, key));
  if (l === false) return;
  if (l === null) {
    addInt(c, 0);
    return;
  }
  const removed = listRemove(l, argv[3], count);
  if (removed > 0) {
    signalModifiedKey(db, key);
    notifyKeyspaceEvent(NOTIFY_LIST, 'lrem', key, db.id);
  }
  if (l.len === 0) {
    dbDelete(db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  }
  dirty(removed);
  addInt(c, removed);
}

function ltrim(c: Client, argv: string[]): void {
  let start = getLong(c, argv[2]);
  if (start === null) return;
  let end = getLong(c, argv[3]);
  if (end === null) return;
  const db = dbOf(c);
  const key = argv[1];
  const l = listOrReply(c, lookupWrite(db, key));
  if (l === false) return;
  if (l === null) {
    addOk(c);
    return;
  }
  const len = l.len;
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  let left: number;
  let right: number;
  if (start > end || start >= len) {
    left = len;
    right = 0;
  } else {
    if (end >= len) end = len - 1;
    left = start;
    right = len - end - 1;
  }
  listTrim(l, left, right);
  notifyKeyspaceEvent(NOTIFY_LIST, 'ltrim', key, db.id);
  if (l.len === 0) {
    dbDelete(db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  }
  signalModifiedKey(db, key);
  dirty(left + right);
  addOk(c);
}

// --- moves ----------------------------------------------------------------------------------------

/** Redis's lmoveHandlePush: create the destination if needed, push, notify, reply the element. */
function moveHandlePush(c: Client, db: Db, dstkey: string, dst: ListValue | null, value: string, head: boolean): void {
  if (dst === null) {
    dst = createList();
    dbAddRaw(db, dstkey, dst);
  }
  signalModifiedKey(db, dstkey);
  listPush(dst, value, head);
  notifyKeyspaceEvent(NOTIFY_LIST, head ? 'lpush' : 'rpush', dstkey, db.id);
  addBulk(c, value);
}

/** Redis's lmoveGenericCommand over argv[1] (source) and argv[2] (destination). */
function lmoveGeneric(c: Client, argv: string[], fromHead: boolean, toHead: boolean): void {
  const db = dbOf(c);
  const src = listOrReply(c, lookupWrite(db, argv[1]));
  if (src === false) return;
  if (src === null || src.len === 0) {
    addNull(c);
    return;
  }
  const dst = listOrReply(c, lookupWrite(db, argv[2]));
  if (dst === false) return;
  const value = listPop(src, fromHead)!;
  moveHandlePush(c, db, argv[2], dst, value, toHead);
  notifyKeyspaceEvent(NOTIFY_LIST, fromHead ? 'lpop' : 'rpop', argv[1], db.id);
  if (src.len === 0) {
    dbDelete(db, argv[1]);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', argv[1], db.id);
  }
  signalModifiedKey(db, argv[1]);
  dirty(1);
}

function lmove(c: Client, argv: string[]): void {
  const from = getPosition(c, argv[3]);
  if (from === null) return;
  const to = getPosition(c, argv[4]);
  if (to === null) return;
  lmoveGeneric(c, argv, from, to);
}

function blmoveGeneric(c: Client, argv: string[], fromHead: boolean, toHead: boolean, timeoutAt: number): void {
  const db = dbOf(c);
  const src = listOrReply(c, lookupWrite(db, argv[1]));
  if (src === false) return;
  if (src === null) blockClient(c, [argv[1]], timeoutAt, 'null');
  else lmoveGeneric(c, argv, fromHead, toHead);
}

function blmove(c: Client, argv: string[]): void {
  const from = getPosition(c, argv[3]);
  if (from === null) return;
  const to = getPosition(c, argv[4]);
  if (to === null) return;
  const timeoutAt = getTimeoutOrReply(c, argv[5]);
  if (timeoutAt === null) return;
  blmoveGeneric(c, argv, from, to, timeoutAt);
}

function brpoplpush(c: Client, argv: string[]): void {
  const timeoutAt = getTimeoutOrReply(c, argv[3]);
  if (timeoutAt === null) return;
  blmoveGeneric(c, argv, false, true, timeoutAt);
}

// --- multi-key pops -------------------------------------------------------------------------------

/**
 * Redis's blockingPopGenericCommand: pop from the first non-empty key (count -1: BLPOP's
 * [key, element] reply; otherwise BLMPOP's [key, [elements]]), or block. While serving a blocked
 * client only the key that became ready is considered, as Redis 7.0 serves it.
 */
function blockingPop(c: Client, keys: string[], head: boolean, count: number, timeoutAt: number): void {
  const db = dbOf(c);
  const only = blockedServingKey(c);
  for (const key of keys) {
    if (only !== null && key !== only) continue;
    const l = listOrReply(c, lookupWrite(db, key));
    if (l === false) return;
    if (l === null || l.len === 0) continue;
    if (count !== -1) {
      popRangeWithKey(c, db, key, l, head, count);
      return;
    }
    const value = listPop(l, head)!;
    addBulkArray(c, [key, value]);
    elementsRemoved(db, key, head, l, 1);
    return;
  }
  blockClient(c, keys, timeoutAt, 'nullarray');
}

function bpop(c: Client, argv: string[], head: boolean): void {
  const timeoutAt = getTimeoutOrReply(c, argv[argv.length - 1]);
  if (timeoutAt === null) return;
  blockingPop(c, argv.slice(1, -1), head, -1, timeoutAt);
}

/** Redis's lmpopGenericCommand: numkeys at argv[numkeysIdx], then keys, LEFT|RIGHT, [COUNT n]. */
function lmpopGeneric(c: Client, argv: string[], numkeysIdx: number, block: boolean): void {
  const numkeys = getRangeLong(c, argv[numkeysIdx], 1, 'ERR numkeys should be greater than 0');
  if (numkeys === null) return;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) {
    addError(c, ERR_SYNTAX);
    return;
  }
  const head = getPosition(c, argv[whereIdx]);
  if (head === null) return;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    if (count === -1 && argv[j].toLowerCase() === 'count' && j + 1 < argv.length) {
      const n = getRangeLong(c, argv[++j], 1, 'ERR count should be greater than 0');
      if (n === null) return;
      count = n;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  if (block) {
    const timeoutAt = getTimeoutOrReply(c, argv[1]);
    if (timeoutAt === null) return;
    blockingPop(c, keys, head, count, timeoutAt);
    return;
  }
  const db = dbOf(c);
  for (const key of keys) {
    const l = listOrReply(c, lookupWrite(db, key));
    if (l === false) return;
    if (l === null || l.len === 0) continue;
    popRangeWithKey(c, db, key, l, head, count);
    return;
  }
  addNullArray(c);
}

// --- CLIENT UNBLOCK -------------------------------------------------------------------------------

function clientUnblock(c: Client, argv: string[]): void {
  if (argv.length > 4) {
    addSubcommandSyntaxError(c, argv);
    return;
  }
  let error = false;
  if (argv.length === 4) {
    const r = argv[3].toLowerCase();
    if (r === 'error') error = true;
    else if (r !== 'timeout') {
      addError(c, 'ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  }
  const id = parseInt64(argv[2]);
  if (id === null) {
    addError(c, ERR_NOT_INT);
    return;
  }
  addInt(c, unblockClientById(Number(id), error) ? 1 : 0);
}

export const commands: CommandSpec[] = [
  { name: 'lpush', fn: (c, a) => pushGeneric(c, a, true, false) },
  { name: 'rpush', fn: (c, a) => pushGeneric(c, a, false, false) },
  { name: 'lpushx', fn: (c, a) => pushGeneric(c, a, true, true) },
  { name: 'rpushx', fn: (c, a) => pushGeneric(c, a, false, true) },
  { name: 'linsert', fn: linsert },
  { name: 'llen', fn: llen },
  { name: 'lindex', fn: lindex },
  { name: 'lset', fn: lset },
  { name: 'lrange', fn: lrange },
  { name: 'ltrim', fn: ltrim },
  { name: 'lpos', fn: lpos },
  { name: 'lrem', fn: lrem },
  { name: 'lpop', fn: (c, a) => popGeneric(c, a, true) },
  { name: 'rpop', fn: (c, a) => popGeneric(c, a, false) },
  { name: 'lmove', fn: lmove },
  { name: 'rpoplpush', fn: (c, a) => lmoveGeneric(c, a, false, true) },
  { name: 'lmpop', fn: (c, a) => lmpopGeneric(c, a, 1, false) },
  { name: 'blpop', fn: (c, a) => bpop(c, a, true) },
  { name: 'brpop', fn: (c, a) => bpop(c, a, false) },
  { name: 'blmove', fn: blmove },
  { name: 'brpoplpush', fn: brpoplpush },
  { name: 'blmpop', fn: (c, a) => lmpopGeneric(c, a, 2, true) },
  { name: 'client|unblock', fn: clientUnblock },
];

selfTestCases.push(
  { send: 'DEL lt:a lt:b\r\n', expect: ':0\r\n' },
  { send: 'RPUSH lt:a 1 2 3 4 5\r\n', expect: ':5\r\n' },
  { send: 'LPUSH lt:a 0\r\n', expect: ':6\r\n' },
  { send: 'LRANGE lt:a 1 -2\r\n', expect: '*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n' },
  { send: 'LINSERT lt:a BEFORE 3 x\r\n', expect: ':7\r\n' },
  { send: 'LPOS lt:a x\r\n', expect: ':3\r\n' },
  { send: 'LSET lt:a -1 y\r\n', expect: '+OK\r\n' },
  { send: 'LINDEX lt:a -1\r\n', expect: '$1\r\ny\r\n' },
  { send: 'LREM lt:a 0 x\r\n', expect: ':1\r\n' },
  { send: 'RPOP lt:a 2\r\n', expect: '*2\r\n$1\r\ny\r\n$1\r\n4\r\n' },
  { send: 'LMOVE lt:a lt:b LEFT RIGHT\r\n', expect: '$1\r\n0\r\n' },
  { send: 'LMPOP 2 lt:x lt:a RIGHT COUNT 9\r\n', expect: '*2\r\n$4\r\nlt:a\r\n*3\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n' },
  { send: 'OBJECT ENCODING lt:b\r\n', expect: '$9\r\nquicklist\r\n' },
  { send: 'BLPOP lt:a lt:b 0\r\n', expect: '*2\r\n$4\r\nlt:b\r\n$1\r\n0\r\n' },
  { send: 'EXISTS lt:a lt:b\r\n', expect: ':0\r\n' },
  { send: 'LPOP lt:a 0\r\n', expect: '*-1\r\n' },
  { send: 'BRPOP lt:a -1\r\n', expect: '-ERR timeout is negative\r\n' },
  { send: 'MULTI\r\nBLPOP lt:a 0\r\nEXEC\r\n', expect: '+OK\r\n+QUEUED\r\n*1\r\n*-1\r\n' },
  { send: 'CLIENT UNBLOCK 0 x\r\n', expect: '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n' },
);
