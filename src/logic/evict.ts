// maxmemory: the OOM refusal and key eviction, as Redis 7.0's evict.c (performEvictions) and the maxmemory
// block of server.c processCommand.
//
// THE MEMORY FIGURE. INFO's used_memory is V8's used heap plus external memory (info.ts usedMemory). Reading it
// per command is too slow: process.memoryUsage() costs ~10 us (it also reads the RSS from /proc),
// v8.getHeapStatistics() ~0.7 us (used_heap_size + external_memory give the same figure), measured on this
// 2-core VM, 20,000 calls of each in a loop under Node 20; a pipelined GET's whole logic is ~0.2 us.
// And V8 frees nothing a deleted key held until its next GC (a major one, for values that lived long enough
// to be promoted), so a loop "evict one key, read the heap again" would empty the keyspace. Hence:
// - A heap reading (getHeapStatistics, plus getHeapSpaceStatistics for the old generation: ~2 us together) is
//   taken at most every READ_EVERY_COMMANDS (64) commands, when the event clock moved to another millisecond,
//   or once writes stored `readEveryInput` (limit/256, at least 64 KB) since the last one.
// - A full GC is recognised by the old generation (old_space + large_object_space) shrinking: only a
//   mark-compact does that; scavenges (every MB or so of allocation) free young garbage only. The reading
//   after a full GC is the `base`.
// - Since the base, `added` counts what denyoom commands may have stored (their argument bytes plus 64 per
//   command; EXEC's queue, a script's arguments) and `freed` the MEMORY USAGE estimate (commands/server.ts
//   keyMemoryUsage) of every key evicted or deleted (keyHooks.deleting: DEL, expiry, eviction) and of the
//   dicts FLUSHDB/FLUSHALL dropped (sampled). Those bytes still sit in the heap until the next full GC, so a
//   loop "evict a key, read the heap" would empty the keyspace; here they count as gone at once.
// - The estimate is base + added - freed, capped by the latest reading (plus what was added since), which is
//   never below the live data. A new full GC starts over from its reading. Overwrites of existing keys are not
//   credited: until the next full GC they make the estimate high by what was replaced (so does the reading).
// - Nothing evictable left (or noeviction) while the heap holds garbage V8 has not collected: under
//   --expose-gc a full GC is forced (at most every 5 s) before refusing; without it the OOM error stands until
//   V8 collects by itself.
// With maxmemory 0 nothing here runs: the gate sits in dispatch's `denials` only while maxmemory > 0, so the
// per-command cost of the feature when off is the `denials.length` branch dispatch already has.
//
// EVICTION. Policies as Redis's: noeviction refuses denyoom commands (and, inside MULTI, every command but
// EXEC DISCARD QUIT RESET) with the OOM error; the others evict until the estimate is under the limit.
// - Sampling: maxmemory-samples keys picked at random per db (sampleKey: from a copy of the key names, as
//   JS Maps have no random access; re-made after 25% growth) go into Redis's 16-entry eviction pool (kept
//   across calls, best candidate last); *-random policies take one random key, dbs in turn.
// - LRU scores the idle seconds of db.access (keyspace.ts lruClock); volatile-ttl the nearest expiry first.
// - LFU: hotkv keeps no LFU counter. The policies use the counter OBJECT FREQ derives (keys.ts derivedLfuFreq:
//   5 minus one per lfu-decay-time minutes idle), ties broken by idle time, so in effect a coarse LRU.
// - An evicted key: the AOF gets a DEL (through keyHooks.expired, the hook that already appends a DEL for a
//   deletion the server decided itself; Redis propagates UNLINK under lazyfree-lazy-eviction yes, hotkv DEL),
//   then the key is deleted (dbDelete: signalModifiedKey), evicted_keys counts it, the `evicted` event fires.
// - maxmemory-eviction-tenacity bounds the time per call as Redis's evictionTimeLimitUs (50 us per step up to
//   10, then +15% per step, unlimited at 100), checked every 16 keys; past it the command runs and the work
//   continues in the shell timer `evict` until the estimate is under the limit.
// - Nothing left to evict (volatile-* and no key with a TTL): the command gets the OOM error.
// Scripts: the result at the start of EVAL/EVALSHA/EXEC is kept (Redis's server.script_oom); a script's first
// write of a denyoom command is then refused (commands/scripting.ts scriptHooks); a shebang script without
// no-writes or allow-oom is denyoom itself, as Redis's scriptFlagsToCmdFlags makes it.

import type { Db, StoredValue } from '../abi';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { CLIENT_MULTI, denials, lookupCommand } from './dispatch';
import type { CommandDef } from './commands/table';
import { dbDelete, keyHooks } from './keyspace';
import { addInfoFields, type InfoValue } from './info';
import { lifecycleHooks } from './lifecycle';
import { notifyKeyspaceEvent, NOTIFY_EVICTED } from './notify';
import { cfg, cfgInt, host, now, state, type Client } from './runtime';
import { configChangeHooks } from './commands/config';
import { derivedLfuFreq, idleOf } from './commands/keys';
import { prepareBody, scriptHooks } from './commands/scripting';
import { functionDenyOom } from './commands/functions';
import { selfTestCases } from './selftest';
import { keyMemoryUsage } from './commands/server';

const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

const READ_EVERY_COMMANDS = 64;
/** Redis's EVPOOL_SIZE */
const POOL_SIZE = 16;
const TIMER_KEY = 'evict';

const enum Result { Ok, Running, Fail }
const enum Kind { None, Random, Lru, Lfu, Ttl }

// Configuration (refreshed on activate and CONFIG SET).
let limit = 0;
let kind = Kind.None;
let volatile = false;
let samples = 5;
let timeLimitUs = 500;
/** a reading is taken once writes stored this much since the last one */
let readEveryInput = 64 * 1024;

// Accounting (see the header). Disposable: a new bundle starts from a fresh reading.
/** the heap reading taken after the last full GC seen (or at the start) */
let base = 0;
/** estimated bytes stored by denyoom commands since `base` */
let added = 0;
/** estimated bytes of the keys evicted or deleted (and dicts flushed) since `base` */
let freed = 0;
/** the latest heap reading, and `added` when it was taken */
let reading = 0;
let addedAtReading = 0;
let readingCommands = 0;
let readingMs = 0;
/** old_space + large_object_space at the latest reading: they shrink only in a full GC */
let oldGeneration = 0;
let commands = 0;
let lastForcedGcMs = 0;

/** The OOM state seen at the start of the current EVAL/EXEC (Redis's server.script_oom). */
let scriptOom = false;
/** The `evict` timer is armed (Redis's isEvictionProcRunning). */
let timerArmed = false;

interface Candidate { score: number; db: Db; key: string }
let pool: Candidate[] = [];
/** Per db id: the copy of its key names sampleKey picks from, and the Map it was taken of (a FLUSHDB/SWAPDB replaces the Map). */
let keyCopies: ({ over: Map<string, unknown>; names: string[] } | undefined)[] = [];
let nextRandomDb = 0;

function takeReading(): void {
  const h = getHeapStatistics();
  let old = 0;
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'old_space' || s.space_name === 'large_object_space') old += s.space_used_size;
  reading = h.used_heap_size + h.external_memory;
  // Only a full GC (mark-compact) shrinks the old generation; a scavenge, which runs every MB or so of
  // allocation, frees young garbage (query buffers, replies) but not the evicted values, which were promoted.
  if (old < oldGeneration || base === 0) {
    base = reading;
    added = 0;
    freed = 0;
  }
  oldGeneration = old;
  addedAtReading = added;
  readingCommands = commands;
  readingMs = now();
}

/** Estimated used memory: what was stored and evicted since the last full GC, capped by the heap itself. */
function estimate(): number {
  if (commands - readingCommands >= READ_EVERY_COMMANDS || now() !== readingMs || added - addedAtReading > readEveryInput) takeReading();
  const accounted = base + added - freed;
  const heap = reading + added - addedAtReading;
  return accounted < heap ? accounted : heap;
}

/** What a write may store: its arguments plus a key's fixed overhead (MEMORY USAGE's dict entry and names). */
function countWrite(argv: string[]): void {
  let n = 64;
  for (let i = 1; i < argv.length; i++) n += argv[i].length;
  added += n;
}

/**
 * Nothing more can be evicted but the heap holds garbage V8 has not collected yet (nothing forces a full GC
 * while little is allocated): when the process has gc() (--expose-gc, as the tests and the benchmark run it),
 * collect, at most once every 5 s (a full GC of a large heap pauses the server), and read again before refusing.
 */
function collectBeforeRefusing(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  const t = Date.now();
  if (typeof gc !== 'function' || t - lastForcedGcMs < 5000) return false;
  lastForcedGcMs = t;
  gc();
  takeReading();
  return true;
}

/** Redis's evictionTimeLimitUs. */
function tenacityLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return 500 * Math.pow(1.15, tenacity - 10);
  return Infinity;
}

// --- picking a victim --------------------------------------------------------------------------------------

function sampleFrom(db: Db): Map<string, unknown> {
  return volatile ? db.expires : db.dict;
}

/**
 * A key of the db picked uniformly at random (Redis's dictGetRandomKey), or null when the Map is empty. Maps have
 * no random access, so the db's key names are copied into an array and sampled there; a sampled name that is
 * gone is dropped (swap with the last). The copy is made again once the Map has 25% more keys than it holds
 * (new keys are not candidates until then: they are the most recently used anyway), so its O(n) cost is spread
 * over about n/5 evictions or new keys.
 */
function sampleKey(db: Db): string | null {
  const over = sampleFrom(db);
  if (over.size === 0) return null;
  let k = keyCopies[db.id];
  if (k === undefined || k.over !== over || k.names.length === 0 || over.size > k.names.length * 1.25 + 16) {
    k = { over, names: Array.from(over.keys()) };
    keyCopies[db.id] = k;
  }
  const names = k.names;
  while (names.length > 0) {
    const i = Math.floor(Math.random() * names.length);
    const key = names[i];
    if (over.has(key)) return key;
    names[i] = names[names.length - 1];
    names.pop();
  }
  return null;
}

function score(db: Db, key: string): number {
  switch (kind) {
    case Kind.Ttl: return -(db.expires.get(key) ?? Infinity);
    case Kind.Lfu: {
      const idle = idleOf(db, key);
      return (255 - derivedLfuFreq(idle)) * 1e10 + idle;
    }
    default: return db.access.has(key) ? idleOf(db, key) : Infinity;
  }
}

/** Redis's evictionPoolPopulate: sample the db and keep the best POOL_SIZE candidates, ascending. */
function populate(db: Db): number {
  const n = Math.min(samples, sampleFrom(db).size);
  for (let i = 0; i < n; i++) {
    const key = sampleKey(db);
    if (key === null) break;
    const s = score(db, key);
    if (pool.length === POOL_SIZE && s <= pool[0].score) continue;
    let dup = false;
    for (const p of pool) if (p.db === db && p.key === key) { p.score = s; dup = true; break; }
    if (dup) continue;
    let at = pool.length;
    while (at > 0 && pool[at - 1].score > s) at--;
    pool.splice(at, 0, { score: s, db, key });
    if (pool.length > POOL_SIZE) pool.shift();
  }
  return n;
}

/** Some key can be evicted under the policy. */
function canEvict(): boolean {
  for (const db of state.dbs) if (sampleFrom(db).size !== 0) return true;
  return false;
}

function stillThere(db: Db, key: string): boolean {
  return volatile ? db.expires.has(key) : db.dict.has(key);
}

/** The key to evict next, or null when there is none. */
function pickVictim(): { db: Db; key: string } | null {
  const dbs = state.dbs;
  if (kind === Kind.Random) {
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[(nextRandomDb + i) % dbs.length];
      const key = sampleKey(db);
      if (key === null) continue;
      nextRandomDb = (db.id + 1) % dbs.length;
      return { db, key };
    }
    return null;
  }
  for (;;) {
    let sampled = 0;
    for (const db of dbs) sampled += populate(db);
    if (sampled === 0) return null;
    while (pool.length > 0) {
      const best = pool.pop()!;
      if (state.dbs[best.db.id] === best.db && stillThere(best.db, best.key)) return best;
    }
  }
}

/** Evict one key; returns the bytes credited as freed (by onDeleting, from dbDelete). */
function evictKey(db: Db, key: string): number {
  if (!db.dict.has(key)) return 0;
  const before = freed;
  // The AOF's DEL for a key the server removed itself (the same hook the expiry deletions use).
  for (const h of keyHooks.expired) h(db, key);
  dbDelete(db, key);
  state.stats.evictedKeys++;
  notifyKeyspaceEvent(NOTIFY_EVICTED, 'evicted', key, db.id);
  return freed - before;
}

/** keyHooks.deleting while maxmemory is on: a deleted key's estimated size counts as freed. */
function onDeleting(db: Db, key: string): void {
  const v = db.dict.get(key);
  if (v !== undefined) freed += keyMemoryUsage(db, key, v, 5);
}

/** keyHooks.replaced: FLUSHDB/FLUSHALL dropped a dict (SWAPDB only moved it: then another db holds it). */
function onReplaced(_db: Db, old: Map<string, StoredValue>): void {
  if (old.size === 0) return;
  for (const d of state.dbs) if (d.dict === old) return;
  // Sampled, as MEMORY USAGE samples a collection: up to 16 keys, scaled to the dict's size.
  let n = 0;
  let sum = 0;
  for (const [key, v] of old) {
    sum += keyMemoryUsage(EMPTY_EXPIRES, key, v, 5);
    if (++n === 16) break;
  }
  freed += (sum / n) * old.size;
}
const EMPTY_EXPIRES = { expires: new Map<string, number>() } as unknown as Db;

/** Redis's performEvictions. */
export function performEvictions(): Result {
  if (limit === 0 || state.ext.loading !== undefined) return Result.Ok;
  let used = estimate();
  if (used <= limit) return Result.Ok;
  if (kind === Kind.None || !canEvict()) {
    if (!collectBeforeRefusing()) return Result.Fail;
    used = estimate();
    if (used <= limit) return Result.Ok;
    if (kind === Kind.None) return Result.Fail;
  }
  const toFree = used - limit;
  const start = performance.now();
  let done = 0;
  let keys = 0;
  while (done < toFree) {
    const victim = pickVictim();
    if (victim === null) return collectBeforeRefusing() && estimate() <= limit ? Result.Ok : Result.Fail;
    const bytes = evictKey(victim.db, victim.key);
    done += bytes;
    keys++;
    if ((keys & 15) === 0 && (performance.now() - start) * 1000 > timeLimitUs) {
      armTimer();
      return Result.Running;
    }
  }
  return Result.Ok;
}

function armTimer(): void {
  if (timerArmed) return;
  timerArmed = true;
  host.timerAt(TIMER_KEY, Date.now());
}

lifecycleHooks.timer.push((key) => {
  if (key !== TIMER_KEY) return;
  timerArmed = false;
  if (performEvictions() === Result.Running) armTimer();
});

// --- the gate --------------------------------------------------------------------------------------------

const MULTI_ALLOWED = new Set(['exec', 'discard', 'quit', 'reset']);
const SCRIPT_START = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'exec']);

/** Redis's evalGetCommandFlags for the OOM part: a shebang script is denyoom unless no-writes or allow-oom. */
function scriptDenyOom(def: CommandDef, argv: string[]): boolean {
  if (def.name === 'exec' || argv.length < 2) return false;
  if (def.name === 'fcall' || def.name === 'fcall_ro') return functionDenyOom(argv[1]);
  const body = def.name === 'eval' || def.name === 'eval_ro' ? argv[1]
    : (state.ext.scripts as Map<string, string> | undefined)?.get(argv[1].toLowerCase());
  if (body === undefined || !body.startsWith('#!')) return false;
  const p = prepareBody(body);
  return typeof p !== 'string' && !p.allowOom && !p.noWrites;
}

function execDenyOom(c: Client): boolean {
  const m = c.ext.mstate as { queue: string[][] } | undefined;
  if (m === undefined) return false;
  for (const argv of m.queue) {
    const def = lookupCommand(argv);
    if (def !== undefined && def.flags.has('denyoom')) return true;
  }
  return false;
}

/** dispatch's denial while maxmemory > 0: evicts, then refuses what Redis refuses when memory stays over. */
function denyOom(c: Client, def: CommandDef, argv: string[]): string | null {
  if (c.id < 0) return null; // the AOF's replay client is obeyed (mustObeyClient)
  commands++;
  const result = performEvictions();
  if (result !== Result.Fail) {
    if (def.flags.has('denyoom')) countWrite(argv);
    else if (def.name === 'exec') for (const q of (c.ext.mstate as { queue: string[][] } | undefined)?.queue ?? []) countWrite(q);
    else if (SCRIPT_START.has(def.name)) countWrite(argv);
  }
  const oom = result === Result.Fail;
  if (SCRIPT_START.has(def.name)) scriptOom = oom;
  if (!oom) return null;
  if (def.flags.has('denyoom')) return OOM_ERROR;
  if ((c.flags & CLIENT_MULTI) !== 0 && !MULTI_ALLOWED.has(def.name)) return OOM_ERROR;
  if (def.name === 'exec' && execDenyOom(c)) return OOM_ERROR;
  if (SCRIPT_START.has(def.name) && scriptDenyOom(def, argv)) return OOM_ERROR;
  return null;
}

/** redis.call inside a script: Redis's scriptVerifyOOM (the caller checks allow-oom and earlier writes). */
function scriptOomText(caller: Client, def: CommandDef): string | null {
  return limit !== 0 && scriptOom && caller.id >= 0 && def.flags.has('denyoom') ? OOM_ERROR : null;
}

// --- configuration ------------------------------------------------------------------------------------------

/** Re-read the directives; with `evictNow`, a changed maxmemory is enforced at once (CONFIG SET). */
function refresh(evictNow: boolean): void {
  const before = limit;
  limit = cfgInt('maxmemory');
  const policy = cfg('maxmemory-policy');
  kind = policy === 'noeviction' ? Kind.None : policy.endsWith('-random') ? Kind.Random : policy.endsWith('-lru') ? Kind.Lru
    : policy.endsWith('-lfu') ? Kind.Lfu : Kind.Ttl;
  volatile = policy.startsWith('volatile-');
  samples = Math.max(1, cfgInt('maxmemory-samples'));
  timeLimitUs = tenacityLimitUs(cfgInt('maxmemory-eviction-tenacity'));
  readEveryInput = Math.max(64 * 1024, Math.floor(limit / 256));
  pool = [];
  keyCopies = [];
  const i = denials.indexOf(denyOom);
  if (limit !== 0) {
    // First: Redis checks maxmemory before MISCONF and LOADING.
    if (i < 0) denials.unshift(denyOom);
    scriptHooks.oomText = scriptOomText;
    if (!keyHooks.deleting.includes(onDeleting)) keyHooks.deleting.push(onDeleting);
    if (!keyHooks.replaced.includes(onReplaced)) keyHooks.replaced.push(onReplaced);
  } else {
    unhook();
  }
  if (evictNow && limit !== 0 && limit !== before) {
    // Redis's updateMaxmemory: warn when the new limit is already exceeded, and evict at once.
    base = 0; // nothing was counted while maxmemory was off: start from the heap as it is
    takeReading();
    const used = estimate();
    if (used > limit) {
      host.log('warning', `WARNING: the new maxmemory value set via CONFIG SET (${limit}) is smaller than the current memory usage (${used}). ` +
        'This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.');
    }
    performEvictions();
  }
}

const DIRECTIVES = new Set(['maxmemory', 'maxmemory-policy', 'maxmemory-samples', 'maxmemory-eviction-tenacity']);
configChangeHooks.push((name) => {
  if (DIRECTIVES.has(name)) refresh(true);
});
lifecycleHooks.activate.push(() => {
  base = 0;
  limit = 0;
  timerArmed = false;
  refresh(false);
});
function unhook(): void {
  const i = denials.indexOf(denyOom);
  if (i >= 0) denials.splice(i, 1);
  scriptHooks.oomText = null;
  const d = keyHooks.deleting.indexOf(onDeleting);
  if (d >= 0) keyHooks.deleting.splice(d, 1);
  const r = keyHooks.replaced.indexOf(onReplaced);
  if (r >= 0) keyHooks.replaced.splice(r, 1);
}

lifecycleHooks.deactivate.push(() => {
  unhook();
  pool = [];
  keyCopies = [];
});

/** INFO memory: what eviction counts as used (hotkv's own fields; see the header), while maxmemory is on. */
addInfoFields('memory', (): Record<string, InfoValue> => {
  if (limit === 0) return {};
  const used = estimate();
  return { maxmemory_used_estimate: Math.round(used), maxmemory_estimate_base: base, maxmemory_estimate_added: added, maxmemory_estimate_freed: Math.round(freed) };
});

// The gate on (a limit no heap reaches): writes and a transaction pass it; maxmemory 0 takes it out again.
selfTestCases.push({
  send: 'CONFIG SET maxmemory 1000000000000000\r\nSET evict:k v\r\nMULTI\r\nINCR evict:n\r\nEXEC\r\nCONFIG SET maxmemory 0\r\nDEL evict:k evict:n\r\n',
  expect: '+OK\r\n+OK\r\n+OK\r\n+QUEUED\r\n*1\r\n:1\r\n+OK\r\n:2\r\n',
});
