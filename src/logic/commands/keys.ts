// Generic keyspace commands: DEL UNLINK EXISTS TYPE KEYS SCAN RENAME RENAMENX MOVE COPY SWAPDB
// the EXPIRE family, TTL family, PERSIST, RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL, TOUCH and OBJECT,
// with Redis 7.0's semantics (db.c, expire.c, object.c).

import type { Db, StoredValue } from '../../abi';
import { lifecycleHooks } from '../lifecycle';
import { notifyKeyspaceEvent, NOTIFY_GENERIC, NOTIFY_KEY_MISS } from '../notify';
import {
  cloneValue, dbAddRaw, dbDelete, dirty, expireIfNeeded, getExpire, keyHooks, lookupRead, lookupWrite,
  lruClock, removeExpire, setExpire, signalModifiedKey, typeOf,
} from '../keyspace';
import { addArrayLen, addBulk, addBulkArray, addError, addHelp, addInt, addNull, addOk, addStatus, ERR_SYNTAX } from '../resp/reply';
import { cfg, cfgInt, dbOf, now, state, type Client } from '../runtime';
import { isUnsharedInt, readString, stringEncoding, unsharedString } from '../types/string';
import { stringMatch } from '../util/glob';
import { ERR_NOT_INT, LLONG_MAX, LLONG_MIN, parseCInt, parseInt64 } from '../util/numbers';
import { ERR_INVALID_CURSOR, parseScanCursor, parseScanOptions, scanStep } from '../util/scan';
import type { CommandSpec } from './table';

const ERR_NO_SUCH_KEY = 'ERR no such key';
const ERR_SAME_OBJECT = 'ERR source and destination objects are the same';
const ERR_DB_RANGE = 'ERR DB index is out of range';

/** Redis shares the integer objects 0..9999 (OBJ_SHARED_INTEGERS); OBJECT REFCOUNT shows INT_MAX for them. */
const OBJ_SHARED_INTEGERS = 10000;
const OBJ_SHARED_REFCOUNT = 2147483647;
const LFU_INIT_VAL = 5;

/**
 * lookupKeyReadWithFlags(LOOKUP_NOTOUCH): expires the key if due and counts a keyspace hit or
 * miss, but leaves the access time alone (EXISTS, TYPE, TTL, OBJECT, SCAN TYPE). A miss is a
 * `keymiss` event unless `notify` is false (OBJECT adds LOOKUP_NONOTIFY).
 */
export function lookupNoTouch(db: Db, key: string, notify = true): StoredValue | undefined {
  const v = db.expires.size !== 0 && expireIfNeeded(db, key) ? undefined : db.dict.get(key);
  if (v === undefined) {
    state.stats.keyspaceMisses++;
    if (notify) notifyKeyspaceEvent(NOTIFY_KEY_MISS, 'keymiss', key, db.id);
  } else {
    state.stats.keyspaceHits++;
  }
  return v;
}

/** Integer reply for values that may exceed 2^53 (expire times near LLONG_MAX). */
function addLong(c: Client, n: number): void {
  addInt(c, Number.isSafeInteger(n) ? n : BigInt(n));
}


function dbIndexValid(id: number): boolean {
  return id >= 0 && id < state.dbs.length;
}

/** The db a MOVE/COPY argument names, or null after replying the error. */
function targetDb(c: Client, text: string): Db | null {
  const id = parseCInt(text);
  if (typeof id === 'string' || !dbIndexValid(id)) {
    addError(c, typeof id === 'string' ? id : ERR_DB_RANGE);
    return null;
  }
  return state.dbs[id];
}

// --- DEL / UNLINK / EXISTS / TOUCH / TYPE / DBSIZE -------------------------------------------

function del(c: Client, argv: string[]): void {
  const db = dbOf(c);
  let n = 0;
  for (let j = 1; j < argv.length; j++) {
    const key = argv[j];
    if (db.expires.size !== 0 && expireIfNeeded(db, key)) continue;
    if (dbDelete(db, key)) {
      notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
      n++;
    }
  }
  dirty(n);
  addInt(c, n);
}

function exists(c: Client, argv: string[]): void {
  const db = dbOf(c);
  let n = 0;
  for (let j = 1; j < argv.length; j++) if (lookupNoTouch(db, argv[j]) !== undefined) n++;
  addInt(c, n);
}

function touch(c: Client, argv: string[]): void {
  const db = dbOf(c);
  let n = 0;
  for (let j = 1; j < argv.length; j++) if (lookupRead(db, argv[j]) !== undefined) n++;
  addInt(c, n);
}

function type(c: Client, argv: string[]): void {
  const v = lookupNoTouch(dbOf(c), argv[1]);
  addStatus(c, v === undefined ? 'none' : typeOf(v));
}

function dbsize(c: Client): void {
  addInt(c, dbOf(c).dict.size);
}

// --- KEYS / SCAN / RANDOMKEY -----------------------------------------------------------------

/** Redis's keyIsExpired: logically expired, without deleting (KEYS must not modify the db). */
function isExpired(db: Db, key: string): boolean {
  if (db.expires.size === 0) return false;
  const when = db.expires.get(key);
  return when !== undefined && when < now();
}

function keys(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const pattern = argv[1];
  const all = pattern === '*';
  const out: string[] = [];
  for (const key of db.dict.keys()) {
    if ((all || stringMatch(pattern, key)) && !isExpired(db, key)) out.push(key);
  }
  addBulkArray(c, out);
}

function scan(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) {
    addError(c, ERR_INVALID_CURSOR);
    return;
  }
  const opts = parseScanOptions(argv, 2, true);
  if (typeof opts === 'string') {
    addError(c, opts);
    return;
  }
  const db = dbOf(c);
  const batch = scanStep(db.dict, cursor, opts.count);
  const out: string[] = [];
  const { pattern, type: wanted } = opts;
  for (const key of batch.names) {
    // Same filters in the same order as scanGenericCommand: pattern, type (a NOTOUCH lookup, which
    // also expires the key), then expiry.
    if (pattern !== null && !stringMatch(pattern, key)) continue;
    if (wanted !== null) {
      const v = lookupNoTouch(db, key);
      if (wanted.toLowerCase() !== (v === undefined ? 'none' : typeOf(v))) continue;
    }
    if (db.expires.size !== 0 && expireIfNeeded(db, key)) continue;
    out.push(key);
  }
  addArrayLen(c, 2);
  addBulk(c, batch.cursor);
  addBulkArray(c, out);
}

/**
 * RANDOMKEY. A Map has no random access, so each db keeps a cached array of its key names
 * (module-level, disposable; 8 bytes per key): a pick is O(1) while the cache is fresh. The cache
 * is rebuilt (O(n)) when the db's dict object changed, when the db has more keys than the cache
 * (keys were added since it was built), when it has run dry, or when it is older than one second
 * (so keys added while others were deleted are soon eligible too). Names deleted since the build
 * are dropped from the cache as they are picked; expired keys are deleted and another key is
 * picked, as Redis's dbRandomKey does on a master, so an expired key is never returned and a db
 * whose keys have all expired answers nil. Worst case (writes between every call) O(n) per call.
 */
interface RandomKeyCache {
  dict: Map<string, StoredValue>;
  names: string[];
  builtMs: number;
}
let randomCache: (RandomKeyCache | undefined)[] = [];
lifecycleHooks.deactivate.push(() => {
  randomCache = [];
});

function randomKeyOf(db: Db): string | null {
  for (;;) {
    const dict = db.dict;
    if (dict.size === 0) return null;
    let cache = randomCache[db.id];
    if (cache === undefined || cache.dict !== dict || cache.names.length === 0 || dict.size > cache.names.length ||
      now() - cache.builtMs >= 1000) {
      cache = { dict, names: Array.from(dict.keys()), builtMs: now() };
      randomCache[db.id] = cache;
    }
    const names = cache.names;
    const i = Math.floor(Math.random() * names.length);
    const key = names[i];
    if (dict.has(key) && !(db.expires.size !== 0 && expireIfNeeded(db, key))) return key;
    names[i] = names[names.length - 1];
    names.pop();
  }
}

function randomkey(c: Client): void {
  const key = randomKeyOf(dbOf(c));
  if (key === null) addNull(c);
  else addBulk(c, key);
}

// --- RENAME / RENAMENX / MOVE / COPY / SWAPDB ------------------------------------------------

function renameGeneric(c: Client, argv: string[], nx: boolean): void {
  const db = dbOf(c);
  const src = argv[1];
  const dst = argv[2];
  const v = lookupWrite(db, src);
  if (v === undefined) {
    addError(c, ERR_NO_SUCH_KEY);
    return;
  }
  if (src === dst) {
    if (nx) addInt(c, 0);
    else addOk(c);
    return;
  }
  const expire = getExpire(db, src);
  if (lookupWrite(db, dst) !== undefined) {
    if (nx) {
      addInt(c, 0);
      return;
    }
    dbDelete(db, dst);
  }
  dbAddRaw(db, dst, v);
  if (expire !== -1) setExpire(db, dst, expire);
  dbDelete(db, src);
  signalModifiedKey(db, dst);
  notifyKeyspaceEvent(NOTIFY_GENERIC, 'rename_from', src, db.id);
  notifyKeyspaceEvent(NOTIFY_GENERIC, 'rename_to', dst, db.id);
  dirty(1);
  if (nx) addInt(c, 1);
  else addOk(c);
}

function move(c: Client, argv: string[]): void {
  const src = dbOf(c);
  const dst = targetDb(c, argv[2]);
  if (dst === null) return;
  if (src === dst) {
    addError(c, ERR_SAME_OBJECT);
    return;
  }
  const key = argv[1];
  const v = lookupWrite(src, key);
  if (v === undefined || lookupWrite(dst, key) !== undefined) {
    addInt(c, 0);
    return;
  }
  const expire = getExpire(src, key);
  dbAddRaw(dst, key, v);
  if (expire !== -1) setExpire(dst, key, expire);
  dbDelete(src, key);
  signalModifiedKey(dst, key);
  notifyKeyspaceEvent(NOTIFY_GENERIC, 'move_from', key, src.id);
  notifyKeyspaceEvent(NOTIFY_GENERIC, 'move_to', key, dst.id);
  dirty(1);
  addInt(c, 1);
}

function copy(c: Client, argv: string[]): void {
  const src = dbOf(c);
  let dst = src;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'db' && j + 1 < argv.length) {
      const db = targetDb(c, argv[++j]);
      if (db === null) return;
      dst = db;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  const key = argv[1];
  const newkey = argv[2];
  if (src === dst && key === newkey) {
    addError(c, ERR_SAME_OBJECT);
    return;
  }
  const v = lookupRead(src, key);
  if (v === undefined) {
    addInt(c, 0);
    return;
  }
  const expire = getExpire(src, key);
  const existing = lookupWrite(dst, newkey) !== undefined;
  if (existing && !replace) {
    addInt(c, 0);
    return;
  }
  const copyOf = unsharedString(cloneValue(v));
  if (existing) dbDelete(dst, newkey);
  dbAddRaw(dst, newkey, copyOf);
  if (expire !== -1) setExpire(dst, newkey, expire);
  signalModifiedKey(dst, newkey);
  notifyKeyspaceEvent(NOTIFY_GENERIC, 'copy_to', newkey, dst.id);
  dirty(1);
  addInt(c, 1);
}

/** Move the content of a db out (and in), leaving its id; returns the previous dict. */
function replaceContent(db: Db, from: Db | null): Map<string, StoredValue> {
  const old = db.dict;
  if (from === null) {
    db.dict = new Map();
    db.expires = new Map();
    db.access = new Map();
    db.expireHeapWhen = [];
    db.expireHeapKey = [];
  } else {
    db.dict = from.dict;
    db.expires = from.expires;
    db.access = from.access;
    db.expireHeapWhen = from.expireHeapWhen;
    db.expireHeapKey = from.expireHeapKey;
  }
  return old;
}

function signalReplaced(db: Db, old: Map<string, StoredValue>): void {
  const hooks = keyHooks.replaced;
  for (let i = 0; i < hooks.length; i++) hooks[i](db, old);
}

function swapdb(c: Client, argv: string[]): void {
  const id1 = parseCInt(argv[1]);
  if (typeof id1 === 'string') {
    addError(c, 'ERR invalid first DB index');
    return;
  }
  const id2 = parseCInt(argv[2]);
  if (typeof id2 === 'string') {
    addError(c, 'ERR invalid second DB index');
    return;
  }
  if (!dbIndexValid(id1) || !dbIndexValid(id2)) {
    addError(c, ERR_DB_RANGE);
    return;
  }
  if (id1 !== id2) {
    const db1 = state.dbs[id1];
    const db2 = state.dbs[id2];
    const tmp = { ...db1 };
    const old1 = replaceContent(db1, db2);
    const old2 = replaceContent(db2, tmp);
    signalReplaced(db1, old1);
    signalReplaced(db2, old2);
  }
  dirty(1);
  addOk(c);
}

// --- FLUSHDB / FLUSHALL ----------------------------------------------------------------------

/**
 * Persistence registers here what FLUSHALL does after emptying: with save points configured, Redis
 * 7.0 saves an RDB synchronously right away (which leaves rdb_changes_since_last_save at 0).
 */
export const flushAllHooks: (() => void)[] = [];

/** Empty a db (emptyData for one db): returns the number of keys removed. */
export function flushDb(db: Db): number {
  const n = db.dict.size;
  const old = replaceContent(db, null);
  signalReplaced(db, old);
  return n;
}

/** getFlushCommandFlags: no argument, SYNC or ASYNC. Both modes empty at once here: the old Maps are dropped whole and
 *  freed by the garbage collector, which is what ASYNC buys in Redis. */
function flushArgsOk(c: Client, argv: string[]): boolean {
  if (argv.length === 1) return true;
  if (argv.length === 2) {
    const opt = argv[1].toLowerCase();
    if (opt === 'sync' || opt === 'async') return true;
  }
  addError(c, ERR_SYNTAX);
  return false;
}

function flushdb(c: Client, argv: string[]): void {
  if (!flushArgsOk(c, argv)) return;
  dirty(flushDb(dbOf(c)));
  addOk(c);
}

function flushall(c: Client, argv: string[]): void {
  if (!flushArgsOk(c, argv)) return;
  let n = 0;
  for (const db of state.dbs) n += flushDb(db);
  dirty(n);
  for (const h of flushAllHooks) h();
  addOk(c);
}

// --- EXPIRE family, TTL family, PERSIST --------------------------------------------------------

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

function expireGeneric(c: Client, argv: string[], basetime: number, unitSeconds: boolean): void {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === 'nx') flags |= EXPIRE_NX;
    else if (opt === 'xx') flags |= EXPIRE_XX;
    else if (opt === 'gt') flags |= EXPIRE_GT;
    else if (opt === 'lt') flags |= EXPIRE_LT;
    else {
      addError(c, `ERR Unsupported option ${argv[j]}`);
      return;
    }
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) {
    addError(c, 'ERR NX and XX, GT or LT options at the same time are not compatible');
    return;
  }
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) {
    addError(c, 'ERR GT and LT options at the same time are not compatible');
    return;
  }
  let when = parseInt64(argv[2]);
  if (when === null) {
    addError(c, ERR_NOT_INT);
    return;
  }
  const errTime = `ERR invalid expire time in '${argv[0].toLowerCase()}' command`;
  if (unitSeconds) {
    if (when > LLONG_MAX / 1000n || when < LLONG_MIN / 1000n) {
      addError(c, errTime);
      return;
    }
    when *= 1000n;
  }
  const base = BigInt(basetime);
  if (when > LLONG_MAX - base) {
    addError(c, errTime);
    return;
  }
  const whenMs = Number(when + base);

  const db = dbOf(c);
  const key = argv[1];
  if (lookupWrite(db, key) === undefined) {
    addInt(c, 0);
    return;
  }
  if (flags !== 0) {
    const current = getExpire(db, key);
    // A key without a TTL counts as an infinite TTL: GT never passes, LT always does.
    if ((flags & EXPIRE_NX && current !== -1) || (flags & EXPIRE_XX && current === -1) ||
      (flags & EXPIRE_GT && (current === -1 || whenMs <= current)) ||
      (flags & EXPIRE_LT && current !== -1 && whenMs >= current)) {
      addInt(c, 0);
      return;
    }
  }
  if (whenMs <= now()) {
    // Already expired: Redis 7.0 deletes the key (and propagates a DEL) and replies 1.
    dbDelete(db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
  } else {
    setExpire(db, key, whenMs);
    signalModifiedKey(db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'expire', key, db.id);
  }
  dirty(1);
  addInt(c, 1);
}

function expire(c: Client, argv: string[]): void {
  expireGeneric(c, argv, now(), true);
}
function pexpire(c: Client, argv: string[]): void {
  expireGeneric(c, argv, now(), false);
}
function expireat(c: Client, argv: string[]): void {
  expireGeneric(c, argv, 0, true);
}
function pexpireat(c: Client, argv: string[]): void {
  expireGeneric(c, argv, 0, false);
}

function ttlGeneric(c: Client, argv: string[], ms: boolean, absolute: boolean): void {
  const db = dbOf(c);
  if (lookupNoTouch(db, argv[1]) === undefined) {
    addInt(c, -2);
    return;
  }
  const when = getExpire(db, argv[1]);
  if (when === -1) {
    addInt(c, -1);
    return;
  }
  let ttl = absolute ? when : when - now();
  if (ttl < 0) ttl = 0;
  addLong(c, ms ? ttl : Math.floor((ttl + 500) / 1000));
}

function ttl(c: Client, argv: string[]): void {
  ttlGeneric(c, argv, false, false);
}
function pttl(c: Client, argv: string[]): void {
  ttlGeneric(c, argv, true, false);
}
function expiretime(c: Client, argv: string[]): void {
  ttlGeneric(c, argv, false, true);
}
function pexpiretime(c: Client, argv: string[]): void {
  ttlGeneric(c, argv, true, true);
}

function persist(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const key = argv[1];
  if (lookupWrite(db, key) !== undefined && removeExpire(db, key)) {
    signalModifiedKey(db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'persist', key, db.id);
    dirty(1);
    addInt(c, 1);
  } else {
    addInt(c, 0);
  }
}

// --- OBJECT ----------------------------------------------------------------------------------

export function lfuPolicy(): boolean {
  return cfg('maxmemory-policy').endsWith('-lfu');
}

/** Redis does not share integer objects when maxmemory is set with an LRU/LFU policy (they need per-key access data). */
function sharedIntegersAllowed(): boolean {
  const policy = cfg('maxmemory-policy');
  return cfgInt('maxmemory') === 0 || !(policy.endsWith('-lru') || policy.endsWith('-lfu'));
}

function objectLookup(c: Client, key: string): StoredValue | undefined {
  const v = lookupNoTouch(dbOf(c), key, false);
  if (v === undefined) addNull(c);
  return v;
}

/** OBJECT ENCODING of a value. */
export function encodingOf(v: StoredValue): string {
  return typeOf(v) === 'string' ? stringEncoding(v) : (v as { enc?: string }).enc ?? 'unknown';
}

function objectEncoding(c: Client, argv: string[]): void {
  const v = objectLookup(c, argv[2]);
  if (v === undefined) return;
  addBulk(c, encodingOf(v));
}

/** The refcount Redis's object for this value has (OBJECT REFCOUNT, DEBUG OBJECT): shared integers, else 1. */
export function refcountOf(v: StoredValue): number {
  const text = typeOf(v) === 'string' && stringEncoding(v) === 'int' && !isUnsharedInt(v) ? readString(v)! : null;
  const shared = text !== null && sharedIntegersAllowed() && text.charCodeAt(0) !== 45 && Number(text) < OBJ_SHARED_INTEGERS;
  return shared ? OBJ_SHARED_REFCOUNT : 1;
}

function objectRefcount(c: Client, argv: string[]): void {
  const v = objectLookup(c, argv[2]);
  if (v === undefined) return;
  addInt(c, refcountOf(v));
}

function idleSeconds(c: Client, key: string): number {
  return idleOf(dbOf(c), key);
}

/** Seconds since the key was last accessed (0 when not recorded). */
export function idleOf(db: Db, key: string): number {
  const at = db.access.get(key);
  const idle = at === undefined ? 0 : lruClock() - at;
  return idle > 0 ? idle : 0;
}

/**
 * The LFU counter hotkv derives (no per-key counter is kept): LFUDecrAndReturn applied to a counter that stays
 * at LFU_INIT_VAL, so 5 minus one per lfu-decay-time minutes idle (OBJECT FREQ, and the LFU eviction policies).
 */
export function derivedLfuFreq(idle: number): number {
  const decay = cfgInt('lfu-decay-time');
  const periods = decay > 0 ? Math.floor(idle / 60 / decay) : 0;
  return periods > LFU_INIT_VAL ? 0 : LFU_INIT_VAL - periods;
}

function objectIdletime(c: Client, argv: string[]): void {
  if (objectLookup(c, argv[2]) === undefined) return;
  if (lfuPolicy()) {
    addError(c, 'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  addInt(c, idleSeconds(c, argv[2]));
}

/**
 * OBJECT FREQ. hotkv's keyspace records the last access time of each key, not Redis's
 * probabilistic LFU counter, so the frequency reported is LFUDecrAndReturn applied to a counter
 * that stays at its initial value (LFU_INIT_VAL): 5, minus one per lfu-decay-time minutes idle.
 */
function objectFreq(c: Client, argv: string[]): void {
  if (objectLookup(c, argv[2]) === undefined) return;
  if (!lfuPolicy()) {
    addError(c, 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.');
    return;
  }
  addInt(c, derivedLfuFreq(idleSeconds(c, argv[2])));
}

function objectHelp(c: Client): void {
  addHelp(c, 'OBJECT', [
    'ENCODING <key>',
    '    Return the kind of internal representation used in order to store the value',
    '    associated with a <key>.',
    'FREQ <key>',
    '    Return the access frequency index of the <key>. The returned integer is',
    '    proportional to the logarithm of the recent access frequency of the key.',
    'IDLETIME <key>',
    '    Return the idle time of the <key>, that is the approximated number of',
    '    seconds elapsed since the last access to the key.',
    'REFCOUNT <key>',
    '    Return the number of references of the value associated with the specified',
    '    <key>.',
  ]);
}

export const commands: CommandSpec[] = [
  { name: 'del', fn: del },
  { name: 'unlink', fn: del },
  { name: 'exists', fn: exists },
  { name: 'touch', fn: touch },
  { name: 'type', fn: type },
  { name: 'dbsize', fn: dbsize },
  { name: 'keys', fn: keys },
  { name: 'scan', fn: scan },
  { name: 'randomkey', fn: randomkey },
  { name: 'rename', fn: (c, argv) => renameGeneric(c, argv, false) },
  { name: 'renamenx', fn: (c, argv) => renameGeneric(c, argv, true) },
  { name: 'move', fn: move },
  { name: 'copy', fn: copy },
  { name: 'swapdb', fn: swapdb },
  { name: 'flushdb', fn: flushdb },
  { name: 'flushall', fn: flushall },
  { name: 'expire', fn: expire },
  { name: 'pexpire', fn: pexpire },
  { name: 'expireat', fn: expireat },
  { name: 'pexpireat', fn: pexpireat },
  { name: 'ttl', fn: ttl },
  { name: 'pttl', fn: pttl },
  { name: 'expiretime', fn: expiretime },
  { name: 'pexpiretime', fn: pexpiretime },
  { name: 'persist', fn: persist },
  { name: 'object|encoding', fn: objectEncoding },
  { name: 'object|refcount', fn: objectRefcount },
  { name: 'object|idletime', fn: objectIdletime },
  { name: 'object|freq', fn: objectFreq },
  { name: 'object|help', fn: objectHelp },
];
