// Hash commands: HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY
// HINCRBYFLOAT HRANDFIELD HSCAN, with Redis 7.0's semantics, replies, encodings, keyspace events and
// error texts (t_hash.c). The data structure is in types/hash.ts.

import type { StoredValue } from '../../abi';
import { dbAddRaw, dirty, lookupRead, lookupWrite, signalModifiedKey, WRONGTYPE } from '../keyspace';
import { notifyKeyspaceEvent, NOTIFY_HASH } from '../notify';
import {
  addArrayLen, addBulk, addBulkArrayOrNull, addError, addInt, addMapLen, addNull, addOk, addRaw, bulkProto, ERR_SYNTAX,
} from '../resp/reply';
import { dbOf, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import {
  hashCreate, hashDelete, hashGet, hashRandomSlot, hashSet, hashSize, hashTryConversion, isHash, type HashRecord,
} from '../types/hash';
import { distinctRandomSlots } from '../types/set';
import { stringMatch } from '../util/glob';
import { incrLongDoubleText, parseLongDouble, type LongDouble } from '../util/longdouble';
import { addInt64Text, ERR_NOT_FLOAT, ERR_NOT_INT, parseInt64, parseSafeInt } from '../util/numbers';
import { scanStep } from '../util/scan';
import { checkReplyCount, ERR_RANGE_LONG, parseRandomCount, removeMembers, scanArgsOrReply } from './sets';
import type { CommandSpec } from './table';

/** The hash at a looked-up value: undefined when missing, null after a WRONGTYPE reply. */
function hashOrReply(c: Client, v: StoredValue | undefined): HashRecord | null | undefined {
  if (v === undefined) return undefined;
  if (isHash(v)) return v;
  addError(c, WRONGTYPE);
  return null;
}

/** hashTypeLookupWriteOrCreate: the hash to write to (created and added when missing), or null
 *  after a WRONGTYPE reply. */
function lookupWriteOrCreate(c: Client, key: string): HashRecord | null {
  const db = dbOf(c);
  const h = hashOrReply(c, lookupWrite(db, key));
  if (h !== undefined) return h;
  const created = hashCreate();
  dbAddRaw(db, key, created);
  return created;
}

/** The hash of argv[1] for a read command, replying `missing` when the key does not exist. */
function readHash(c: Client, key: string, missing: string): HashRecord | null {
  const h = hashOrReply(c, lookupRead(dbOf(c), key));
  if (h === undefined) {
    addRaw(c, missing);
    return null;
  }
  return h;
}

const ZERO = ':0\r\n';
const EMPTY_ARRAY = '*0\r\n';

/** A written hash: Redis signals, notifies and counts after every HSET-like write. */
function written(c: Client, key: string, event: string, changes: number): void {
  const db = dbOf(c);
  signalModifiedKey(db, key);
  notifyKeyspaceEvent(NOTIFY_HASH, event, key, db.id);
  dirty(changes);
}

// ------------------------------------------------------------------------------------------------
// HSET HMSET HSETNX
// ------------------------------------------------------------------------------------------------

function hsetGeneric(c: Client, argv: string[], name: string): void {
  if (argv.length % 2 === 1) {
    addError(c, `ERR wrong number of arguments for '${name}' command`);
    return;
  }
  const key = argv[1];
  const h = lookupWriteOrCreate(c, key);
  if (h === null) return;
  hashTryConversion(h, argv, 2, argv.length - 1);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (!hashSet(h, argv[i], argv[i + 1])) created++;
  if (name === 'hset') addInt(c, created);
  else addOk(c);
  written(c, key, 'hset', (argv.length - 2) / 2);
}

function hset(c: Client, argv: string[]): void {
  hsetGeneric(c, argv, 'hset');
}

function hmset(c: Client, argv: string[]): void {
  hsetGeneric(c, argv, 'hmset');
}

function hsetnx(c: Client, argv: string[]): void {
  const key = argv[1];
  const h = lookupWriteOrCreate(c, key);
  if (h === null) return;
  if (h.m.has(argv[2])) {
    addRaw(c, ZERO);
    return;
  }
  hashTryConversion(h, argv, 2, 3);
  hashSet(h, argv[2], argv[3]);
  addInt(c, 1);
  written(c, key, 'hset', 1);
}

// ------------------------------------------------------------------------------------------------
// HGET HMGET HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL
// ------------------------------------------------------------------------------------------------

function hget(c: Client, argv: string[]): void {
  const h = hashOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (h === null) return;
  if (h === undefined) addNull(c);
  else addBulkOrNullValue(c, hashGet(h, argv[2]));
}

function addBulkOrNullValue(c: Client, v: string | undefined): void {
  if (v === undefined) addNull(c);
  else addBulk(c, v);
}

function hmget(c: Client, argv: string[]): void {
  // A missing key is an empty hash: a nil per field.
  const h = hashOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (h === null) return;
  const out = new Array<string | null>(argv.length - 2);
  for (let i = 2; i < argv.length; i++) out[i - 2] = h === undefined ? null : hashGet(h, argv[i]) ?? null;
  addBulkArrayOrNull(c, out);
}

function hlen(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1], ZERO);
  if (h !== null) addInt(c, hashSize(h));
}

function hstrlen(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1], ZERO);
  if (h !== null) addInt(c, hashGet(h, argv[2])?.length ?? 0);
}

function hexists(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1], ZERO);
  if (h !== null) addInt(c, h.m.has(argv[2]) ? 1 : 0);
}

const KEYS = 1;
const VALUES = 2;

/** genericHgetallCommand: fields and/or values in the hash's order; a map for HGETALL. */
function hgetallGeneric(c: Client, key: string, what: number): void {
  const both = what === (KEYS | VALUES);
  const h = hashOrReply(c, lookupRead(dbOf(c), key));
  if (h === null) return;
  if (h === undefined) {
    if (both) addMapLen(c, 0);
    else addRaw(c, EMPTY_ARRAY);
    return;
  }
  const { f, v } = h;
  const n = f.length;
  if (both) addMapLen(c, n);
  else addArrayLen(c, n);
  let out = '';
  for (let i = 0; i < n; i++) {
    if (what & KEYS) out += bulkProto(f[i]);
    if (what & VALUES) out += bulkProto(v[i]);
  }
  addRaw(c, out);
}

function hkeys(c: Client, argv: string[]): void {
  hgetallGeneric(c, argv[1], KEYS);
}

function hvals(c: Client, argv: string[]): void {
  hgetallGeneric(c, argv[1], VALUES);
}

function hgetall(c: Client, argv: string[]): void {
  hgetallGeneric(c, argv[1], KEYS | VALUES);
}

// ------------------------------------------------------------------------------------------------
// HDEL
// ------------------------------------------------------------------------------------------------

function hdel(c: Client, argv: string[]): void {
  const h = hashOrReply(c, lookupWrite(dbOf(c), argv[1]));
  if (h !== null) removeMembers(c, argv, h, hashDelete, hashSize, NOTIFY_HASH, 'hdel');
}

// ------------------------------------------------------------------------------------------------
// HINCRBY HINCRBYFLOAT
// ------------------------------------------------------------------------------------------------

function hincrby(c: Client, argv: string[]): void {
  const incText = argv[3];
  const inc = parseSafeInt(incText) ?? parseInt64(incText);
  if (inc === null) {
    addError(c, ERR_NOT_INT);
    return;
  }
  const key = argv[1];
  const h = lookupWriteOrCreate(c, key);
  if (h === null) return;
  const curText = hashGet(h, argv[2]);
  let cur: number | bigint = 0;
  if (curText !== undefined) {
    const parsed = parseSafeInt(curText) ?? parseInt64(curText);
    if (parsed === null) {
      addError(c, 'ERR hash value is not an integer');
      return;
    }
    cur = parsed;
  }
  const text = addInt64Text(cur, inc);
  if (text === null) {
    addError(c, 'ERR increment or decrement would overflow');
    return;
  }
  hashSet(h, argv[2], text);
  addRaw(c, ':' + text + '\r\n');
  written(c, key, 'hincrby', 1);
}

const LD_ZERO: LongDouble = { kind: 0, neg: false, m: 0n, e: 0 };

function hincrbyfloat(c: Client, argv: string[]): void {
  const inc = parseLongDouble(argv[3]);
  if (inc === null) {
    addError(c, ERR_NOT_FLOAT);
    return;
  }
  if (inc.kind !== 0) {
    addError(c, 'ERR value is NaN or Infinity');
    return;
  }
  const key = argv[1];
  const h = lookupWriteOrCreate(c, key);
  if (h === null) return;
  const curText = hashGet(h, argv[2]);
  const cur = curText === undefined ? LD_ZERO : parseLongDouble(curText);
  if (cur === null) {
    addError(c, 'ERR hash value is not a float');
    return;
  }
  const text = incrLongDoubleText(cur, inc);
  if (text === null) {
    addError(c, 'ERR increment would produce NaN or Infinity');
    return;
  }
  hashSet(h, argv[2], text);
  addBulk(c, text);
  written(c, key, 'hincrbyfloat', 1);
}

// ------------------------------------------------------------------------------------------------
// HRANDFIELD
// ------------------------------------------------------------------------------------------------

function hrandfieldWithCount(c: Client, key: string, l: number, withValues: boolean): void {
  const h = readHash(c, key, EMPTY_ARRAY);
  if (h === null) return;
  const size = hashSize(h);
  const uniq = l >= 0;
  const count = uniq ? l : -l;
  if (count === 0) {
    addRaw(c, EMPTY_ARRAY);
    return;
  }
  const { f, v } = h;
  const pairs = withValues && c.resp === 3;
  const item = (i: number): string =>
    withValues ? (pairs ? '*2\r\n' : '') + bulkProto(f[i]) + bulkProto(v[i]) : bulkProto(f[i]);
  const header = (n: number): string => '*' + (withValues && !pairs ? n * 2 : n) + '\r\n';
  let out: string;
  if (!uniq || count === 1) {
    // CASE 1: count picks with repetitions (also a single pick).
    if (!checkReplyCount(c, count)) return;
    out = header(count);
    for (let k = 0; k < count; k++) out += item(hashRandomSlot(h));
  } else if (count >= size) {
    // CASE 2: the whole hash, in its order.
    out = header(size);
    for (let i = 0; i < size; i++) out += item(i);
  } else {
    // CASE 3 / 4: count distinct fields in random order.
    const slots = distinctRandomSlots(size, count);
    if (h.enc === 'listpack' && count * 3 <= size) slots.sort((a, b) => a - b); // lpRandomPairsUnique: listpack order
    out = header(count);
    for (let k = 0; k < count; k++) out += item(slots[k]);
  }
  addRaw(c, out);
}

function hrandfield(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const l = parseRandomCount(c, argv[2]);
    if (l === null) return;
    if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== 'withvalues')) {
      addError(c, ERR_SYNTAX);
      return;
    }
    const withValues = argv.length === 4;
    if (withValues && (l < -LONG_MAX_HALF || l > LONG_MAX_HALF)) {
      addError(c, ERR_RANGE_LONG);
      return;
    }
    hrandfieldWithCount(c, argv[1], Number(l), withValues);
    return;
  }
  const h = hashOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (h === null) return;
  if (h === undefined) addNull(c);
  else addBulk(c, h.f[hashRandomSlot(h)]);
}

/** LONG_MAX / 2: the largest count HRANDFIELD accepts with WITHVALUES (the reply holds 2 * count). */
const LONG_MAX_HALF = 4611686018427387903n;

// ------------------------------------------------------------------------------------------------
// HSCAN
// ------------------------------------------------------------------------------------------------

function hscan(c: Client, argv: string[]): void {
  const args = scanArgsOrReply(c, argv, (v) => hashOrReply(c, v));
  if (args === null) return;
  const { coll: h, cursor, opts } = args;
  const pattern = opts.pattern;
  let out = '';
  let n = 0;
  let next = '0';
  const add = (field: string, value: string): void => {
    if (pattern !== null && !stringMatch(pattern, field)) return;
    out += bulkProto(field) + bulkProto(value);
    n += 2;
  };
  if (h.enc === 'listpack') {
    // A listpack is returned whole, whatever the cursor and COUNT.
    for (let i = 0; i < h.f.length; i++) add(h.f[i], h.v[i]);
  } else {
    const batch = scanStep(h.m, cursor, opts.count);
    next = batch.cursor;
    for (const field of batch.names) add(field, h.v[h.m.get(field)!]);
  }
  addRaw(c, '*2\r\n' + bulkProto(next) + '*' + n + '\r\n' + out);
}

// ------------------------------------------------------------------------------------------------

export const commands: CommandSpec[] = [
  { name: 'hset', fn: hset },
  { name: 'hmset', fn: hmset },
  { name: 'hsetnx', fn: hsetnx },
  { name: 'hget', fn: hget },
  { name: 'hmget', fn: hmget },
  { name: 'hdel', fn: hdel },
  { name: 'hlen', fn: hlen },
  { name: 'hstrlen', fn: hstrlen },
  { name: 'hexists', fn: hexists },
  { name: 'hkeys', fn: hkeys },
  { name: 'hvals', fn: hvals },
  { name: 'hgetall', fn: hgetall },
  { name: 'hincrby', fn: hincrby },
  { name: 'hincrbyfloat', fn: hincrbyfloat },
  { name: 'hrandfield', fn: hrandfield },
  { name: 'hscan', fn: hscan },
];

// Self-test cases: idempotent (they start from deleted keys), so they pass on every round.
selfTestCases.push(
  { send: 'DEL ht:a ht:b\r\n', expect: ':0\r\n' },
  { send: 'HSET ht:a f1 v1 f2 v2\r\n', expect: ':2\r\n' },
  { send: 'HSETNX ht:a f1 x\r\n', expect: ':0\r\n' },
  { send: 'HMSET ht:a f3 10\r\n', expect: '+OK\r\n' },
  { send: 'HINCRBY ht:a f3 5\r\n', expect: ':15\r\n' },
  { send: 'HINCRBYFLOAT ht:a f3 0.1\r\n', expect: '$4\r\n15.1\r\n' },
  { send: 'HGETALL ht:a\r\n', expect: '*6\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n$2\r\nf3\r\n$4\r\n15.1\r\n' },
  { send: 'HDEL ht:a f1 nosuch\r\n', expect: ':1\r\n' },
  { send: 'HMGET ht:a f2 f1\r\n', expect: '*2\r\n$2\r\nv2\r\n$-1\r\n' },
  { send: 'HSTRLEN ht:a f3\r\n', expect: ':4\r\n' },
  { send: 'HRANDFIELD ht:a 5 WITHVALUES\r\n', expect: '*4\r\n$2\r\nf2\r\n$2\r\nv2\r\n$2\r\nf3\r\n$4\r\n15.1\r\n' },
  { send: 'HSCAN ht:a 0 MATCH f2\r\n', expect: '*2\r\n$1\r\n0\r\n*2\r\n$2\r\nf2\r\n$2\r\nv2\r\n' },
  { send: 'OBJECT ENCODING ht:a\r\n', expect: '$8\r\nlistpack\r\n' },
  { send: `HSET ht:b f ${'x'.repeat(65)}\r\n`, expect: ':1\r\n' }, // longer than hash-max-listpack-value
  { send: 'OBJECT ENCODING ht:b\r\n', expect: '$9\r\nhashtable\r\n' },
  { send: 'HINCRBY ht:a f2 1\r\n', expect: '-ERR hash value is not an integer\r\n' },
  { send: 'HLEN ht:a\r\n', expect: ':2\r\n' },
  { send: 'HEXISTS ht:a f2\r\n', expect: ':1\r\n' },
  { send: 'DEL ht:a ht:b\r\n', expect: ':2\r\n' },
);
