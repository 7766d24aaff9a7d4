// Key lookup, writes, deletes and expiry over the plain-data databases in State.
// Expired keys never answer: every lookup checks the expiry first (lazy expiry, as Redis's
// expireIfNeeded), and the active cycle in expire.ts samples keys in the background.

import type { Db, StoredValue } from '../abi';
import { heapPush } from './expire';
import { notifyKeyspaceEvent, notifyWanted, NOTIFY_EXPIRED, NOTIFY_KEY_MISS, NOTIFY_NEW } from './notify';
import { addError } from './resp/reply';
import { now, state, type Client } from './runtime';

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** LRU clock in seconds, the resolution OBJECT IDLETIME reports. */
export function lruClock(): number {
  return Math.floor(now() / 1000);
}

/** Hooks other families register (WATCH invalidation, keyspace notifications). Rebuilt on activate. */
export const keyHooks = {
  modified: [] as ((db: Db, key: string) => void)[],
  /** a db's whole content was replaced (FLUSHDB/FLUSHALL emptied it, SWAPDB swapped it); `old` is
   *  the dict it had before, so WATCH/blocking can look at the keys of both */
  replaced: [] as ((db: Db, old: Map<string, StoredValue>) => void)[],
  /** a collection value was stored under a key that did not exist (Redis's dbAdd signals blocked
   *  clients: blocking.ts); not called for string values */
  added: [] as ((db: Db, key: string, value: StoredValue) => void)[],
  /** a stored value is about to be changed in place (lookupWrite, blocked-client serving): a
   *  BGSAVE in progress serializes it first (copy-on-write, persistence/bgsave.ts) */
  beforeWrite: [] as ((v: StoredValue) => void)[],
  /** a key was deleted because its time passed, or evicted by maxmemory (the AOF appends a DEL) */
  expired: [] as ((db: Db, key: string) => void)[],
  /** a key is about to be deleted (dbDelete, expiry): maxmemory counts its size as freed (evict.ts) */
  deleting: [] as ((db: Db, key: string) => void)[],
  /** a key's value or expiry is about to be replaced, deleted or changed (not in place): a background
   *  save or rewrite keeps what the key had at its start (copy-on-write, persistence/save.ts) */
  beforeKeyChange: [] as ((db: Db, key: string) => void)[],
};

function keyChanging(db: Db, key: string): void {
  const hooks = keyHooks.beforeKeyChange;
  for (let i = 0; i < hooks.length; i++) hooks[i](db, key);
}

/** While the AOF is loaded keys do not expire (Redis's keyIsExpired returns 0 while loading). */
/** suspended: no key expires (AOF loading); paused: a key past its time reads as missing but is not deleted
 *  (CLIENT PAUSE, pause.ts). */
export const expireGate = { suspended: false, paused: false };

/** Call before changing a stored collection in place outside lookupWrite. */
export function noteWrite(v: StoredValue | undefined): void {
  const hooks = keyHooks.beforeWrite;
  if (v !== undefined && hooks.length !== 0) for (let i = 0; i < hooks.length; i++) hooks[i](v);
}

function signalAdded(db: Db, key: string, value: StoredValue): void {
  const hooks = keyHooks.added;
  for (let i = 0; i < hooks.length; i++) hooks[i](db, key, value);
}

/** Redis's signalModifiedKey: every write to a key calls this. */
export function signalModifiedKey(db: Db, key: string): void {
  const hooks = keyHooks.modified;
  for (let i = 0; i < hooks.length; i++) hooks[i](db, key);
}

/** Delete the key if its time has passed. Returns true when the key is (now) gone because it expired. */
export function expireIfNeeded(db: Db, key: string): boolean {
  const when = db.expires.get(key);
  // Redis's keyIsExpired: expired once now is past the time (now > when), not at it.
  if (when === undefined || when >= now() || expireGate.suspended) return false;
  if (!expireGate.paused) deleteExpired(db, key);
  return true;
}

function keyDeleting(db: Db, key: string): void {
  const hooks = keyHooks.deleting;
  for (let i = 0; i < hooks.length; i++) hooks[i](db, key);
}

export function deleteExpired(db: Db, key: string): void {
  if (keyHooks.beforeKeyChange.length !== 0) keyChanging(db, key);
  if (keyHooks.deleting.length !== 0) keyDeleting(db, key);
  db.dict.delete(key);
  db.expires.delete(key);
  db.access.delete(key);
  state.stats.expiredKeys++;
  for (const h of keyHooks.expired) h(db, key);
  notifyKeyspaceEvent(NOTIFY_EXPIRED, 'expired', key, db.id);
  signalModifiedKey(db, key);
}

/**
 * While a lazy state-schema migration runs (migration.ts): converts the value found under a key to the
 * current schema on its first touch (storing it back) and returns what the caller gets. Null otherwise,
 * so the lookups, the hottest paths, pay one predictable branch when no migration runs.
 */
let touchConvert: ((db: Db, key: string, v: StoredValue) => StoredValue) | null = null;

export function setTouchConvert(f: typeof touchConvert): void {
  touchConvert = f;
}

/** Lookup for a read command: counts hits/misses and touches the access time. */
export function lookupRead(db: Db, key: string): StoredValue | undefined {
  if (db.expires.size !== 0 && expireIfNeeded(db, key)) {
    state.stats.keyspaceMisses++;
    notifyKeyspaceEvent(NOTIFY_KEY_MISS, 'keymiss', key, db.id);
    return undefined;
  }
  const v = db.dict.get(key);
  if (v === undefined) {
    state.stats.keyspaceMisses++;
    notifyKeyspaceEvent(NOTIFY_KEY_MISS, 'keymiss', key, db.id);
    return undefined;
  }
  state.stats.keyspaceHits++;
  db.access.set(key, lruClock());
  return touchConvert === null ? v : touchConvert(db, key, v);
}

/** Lookup for a write command: no hit/miss accounting. */
export function lookupWrite(db: Db, key: string): StoredValue | undefined {
  if (db.expires.size !== 0 && expireIfNeeded(db, key)) return undefined;
  let v = db.dict.get(key);
  if (v !== undefined) {
    if (touchConvert !== null) v = touchConvert(db, key, v);
    db.access.set(key, lruClock());
    if (keyHooks.beforeWrite.length !== 0) noteWrite(v);
  }
  return v;
}

/** Existence check without touching access time or stats (EXISTS uses lookupRead semantics itself). */
export function keyExists(db: Db, key: string): boolean {
  if (db.expires.size !== 0 && expireIfNeeded(db, key)) return false;
  return db.dict.has(key);
}

/** Redis's setKey: overwrite (or add) the value; drops the TTL unless keepTtl. */
export function setKey(db: Db, key: string, value: StoredValue, keepTtl = false): void {
  if (keyHooks.beforeKeyChange.length !== 0) keyChanging(db, key);
  const added = typeof value !== 'string' && keyHooks.added.length !== 0 && !db.dict.has(key);
  const fresh = notifyWanted(NOTIFY_NEW) && !db.dict.has(key);
  db.dict.set(key, value);
  if (added) signalAdded(db, key, value);
  if (fresh) notifyKeyspaceEvent(NOTIFY_NEW, 'new', key, db.id);
  if (!keepTtl && db.expires.size !== 0) db.expires.delete(key);
  db.access.set(key, lruClock());
  signalModifiedKey(db, key);
}

/** Store a value for a key known to be new or being replaced, without signalling (callers signal). */
export function dbAddRaw(db: Db, key: string, value: StoredValue): void {
  if (keyHooks.beforeKeyChange.length !== 0) keyChanging(db, key);
  const added = typeof value !== 'string' && keyHooks.added.length !== 0 && !db.dict.has(key);
  const fresh = notifyWanted(NOTIFY_NEW) && !db.dict.has(key);
  db.dict.set(key, value);
  if (added) signalAdded(db, key, value);
  if (fresh) notifyKeyspaceEvent(NOTIFY_NEW, 'new', key, db.id);
  db.access.set(key, lruClock());
}

/** Delete a key. Returns true if it existed. Signals the modification. */
export function dbDelete(db: Db, key: string): boolean {
  if (keyHooks.beforeKeyChange.length !== 0) keyChanging(db, key);
  if (keyHooks.deleting.length !== 0) keyDeleting(db, key);
  if (!db.dict.delete(key)) return false;
  if (db.expires.size !== 0) db.expires.delete(key);
  db.access.delete(key);
  signalModifiedKey(db, key);
  return true;
}

/** Expiry time in unix ms, or -1 when the key has none. */
export function getExpire(db: Db, key: string): number {
  const t = db.expires.get(key);
  return t === undefined ? -1 : t;
}

export function setExpire(db: Db, key: string, whenMs: number): void {
  if (keyHooks.beforeKeyChange.length !== 0) keyChanging(db, key);
  db.expires.set(key, whenMs);
  heapPush(db, whenMs, key);
}

export function removeExpire(db: Db, key: string): boolean {
  if (keyHooks.beforeKeyChange.length !== 0) keyChanging(db, key);
  return db.expires.delete(key);
}

/** Count a change for persistence (save points, INFO rdb_changes_since_last_save). */
export function dirty(n = 1): void {
  state.stats.dirty += n;
}

/** Reply WRONGTYPE and return true when the value exists and is not of the wanted type. */
export function wrongType(c: Client, v: StoredValue | undefined, type: string): boolean {
  if (v === undefined) return false;
  if (typeOf(v) === type) return false;
  addError(c, WRONGTYPE);
  return true;
}

/** Redis type name of a stored value (TYPE command). Strings are JS strings or {type:'string'} records. */
export function typeOf(v: StoredValue): string {
  return typeof v === 'string' ? 'string' : v.type;
}

/**
 * Deep copy of a stored value (COPY). String values are immutable and shared as they are; other
 * records are copied with their arrays, Maps, Sets and Buffers, keeping shared references and
 * cycles (structuredClone would turn Buffers into plain Uint8Arrays). Iterative, so long linked
 * structures (skiplist levels, list nodes) cannot overflow the stack.
 */
export function cloneValue(v: StoredValue): StoredValue {
  if (typeof v === 'string' || v.type === 'string') return v;
  const seen = new Map<object, unknown>();
  const work: [object, unknown][] = [];
  const copyOf = (x: unknown): unknown => {
    if (typeof x !== 'object' || x === null) return x;
    let out = seen.get(x);
    if (out !== undefined) return out;
    if (Buffer.isBuffer(x)) out = Buffer.from(x);
    else if (ArrayBuffer.isView(x)) out = (x as unknown as Uint8Array).slice();
    else {
      out = Array.isArray(x) ? new Array<unknown>(x.length) : x instanceof Map ? new Map() : x instanceof Set ? new Set()
        : Object.create(Object.getPrototypeOf(x));
      work.push([x, out]);
    }
    seen.set(x, out);
    return out;
  };
  const top = copyOf(v) as StoredValue;
  while (work.length > 0) {
    const [src, dst] = work.pop()!;
    if (Array.isArray(src)) for (let i = 0; i < src.length; i++) (dst as unknown[])[i] = copyOf(src[i]);
    else if (src instanceof Map) for (const [k, val] of src) (dst as Map<unknown, unknown>).set(copyOf(k), copyOf(val));
    else if (src instanceof Set) for (const m of src) (dst as Set<unknown>).add(copyOf(m));
    else for (const k of Object.keys(src)) (dst as Record<string, unknown>)[k] = copyOf((src as Record<string, unknown>)[k]);
  }
  return top;
}

export function emptyDb(id: number): Db {
  return { id, dict: new Map(), expires: new Map(), access: new Map(), expireHeapWhen: [], expireHeapKey: [] };
}
