// Clients blocked on keys (BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP, BZPOPMIN BZPOPMAX BZMPOP), as
// Redis 7.0's blocked.c does it:
// - a blocking command that cannot be served calls blockClient(); the client waits in a FIFO per
//   (db, key) and its further (pipelined) input waits too (c.pausedFor = 'blocked');
// - a key that may serve waiters (created as a list/zset by dbAdd, SWAPDB) is signalled with
//   signalKeyAsReady(); after the current top-level command (or after EXEC as a whole) the ready
//   keys are served in signal order, each key's waiters in the order they blocked, as Redis's
//   handleClientsBlockedOnKeys does;
// - serving a waiter re-runs its blocked command (execute()) restricted to the ready key: a command
//   consults blockedServingKey(c) and only considers that key while it is non-null (Redis 7.0 serves
//   BLPOP a b from the key that became ready, not from the first non-empty one). If the command
//   still cannot be served it calls blockClient() again, which keeps its place and timeout;
// - a waiter is only re-run when the ready key holds the type it waits for (list for @list
//   commands, zset for @sortedset ones; see blockedTypeOf), as Redis serves by blocking type;
// - a blocked XREADGROUP is also re-run when its key is deleted or changes type (it answers an error);
// - timeouts are shell timers (`block:<client id>`) that survive hot upgrades and call whichever
//   logic is active then; CLIENT UNBLOCK, disconnects and timeouts unblock.
// Everything is plain data in state.ext.blocking and c.ext.blocked, so it survives a logic swap.

import type { Db, StoredValue } from '../abi';
import { isGone } from './commands/client';
import type { CommandDef } from './commands/table';
import { afterCommand, CLIENT_BLOCKED, CLIENT_IN_EXEC, discardCommandTiming, execute, lookupCommand, processInput, reexecution, running } from './dispatch';
import { addInfoFields } from './info';
import { expireIfNeeded, keyHooks, noteWrite, typeOf } from './keyspace';
import { lifecycleHooks } from './lifecycle';
import { addError, addInt, addNull, addNullArray } from './resp/reply';
import { host, now, state, type Client } from './runtime';
import { parseLongDouble, type LongDouble } from './util/longdouble';
import { parseInt64 } from './util/numbers';

/** What a blocking command answers when it may not block (inside MULTI/EXEC): BLMOVE/BRPOPLPUSH a
 *  null bulk, the others a null array. A timeout (or CLIENT UNBLOCK) always answers a null array,
 *  whatever the command, as Redis 7.0's replyToBlockedClientTimedOut does. */
export type TimeoutReply = 'nullarray' | 'null';

const TWO63 = 1n << 63n;

/** (long long) ceill(v * 1000.0L): the product rounded to 64 mantissa bits (x87), then ceil; out of
 *  range converts to LLONG_MIN, as x86 does. */
function secondsToMs(v: LongDouble): bigint {
  if (v.kind !== 0) return -TWO63;
  let p = v.m * 1000n;
  let e = v.e;
  const bits = p.toString(2).length;
  if (bits > 64) {
    const sh = BigInt(bits - 64);
    const q = p >> sh;
    const rem = p - (q << sh);
    const half = 1n << (sh - 1n);
    p = rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
    e += bits - 64;
  }
  let mag = e >= 0 ? p << BigInt(e) : p >> BigInt(-e);
  // ceil: a positive value with a fraction goes up, a negative one toward zero
  if (!v.neg && e < 0 && mag << BigInt(-e) !== p) mag++;
  if (mag >= TWO63) return -TWO63;
  return v.neg ? -mag : mag;
}

/**
 * Redis's getTimeoutFromObjectOrReply(UNIT_SECONDS) as 7.0.15 behaves: a long double (strtold
 * syntax: hex and inf accepted, no spaces), times 1000 rounded up to whole ms ("inf" and huge
 * values convert to LLONG_MIN, hence "timeout is negative"). Returns the absolute timeout in unix
 * ms (0 = wait forever), or null after replying the error.
 */
export function getTimeoutOrReply(c: Client, text: string): number | null {
  const ld = parseLongDouble(text);
  if (ld === null || ld.kind === 2) {
    addError(c, 'ERR timeout is not a float or out of range');
    return null;
  }
  const ms = secondsToMs(ld);
  if (ms < 0n) {
    addError(c, 'ERR timeout is negative');
    return null;
  }
  return deadlineAfter(ms);
}

/** Redis's getTimeoutFromObjectOrReply(UNIT_MILLISECONDS): absolute unix ms (0 = wait forever), or null
 *  after replying the error. */
export function getMsTimeoutOrReply(c: Client, text: string): number | null {
  const n = parseInt64(text);
  if (n === null) {
    addError(c, 'ERR timeout is not an integer or out of range');
    return null;
  }
  if (n < 0n) {
    addError(c, 'ERR timeout is negative');
    return null;
  }
  return deadlineAfter(n);
}

/** The absolute unix ms `ms` (>= 0) from now; 0 (forever) for 0. Redis adds the time without an overflow
 *  check; a wrapped deadline is never reached. */
export function deadlineAfter(ms: bigint): number {
  if (ms === 0n) return 0;
  const at = BigInt.asIntN(64, ms + BigInt(now()));
  return at <= 0n ? 0 : Number(at);
}

/** What a blocked client waits for (c.ext.blocked). */
export interface BlockedRecord {
  db: number;
  /** distinct keys, in argument order */
  keys: string[];
  /** absolute unix ms, 0 = forever */
  timeoutAt: number;
  /** the blocked command, re-run when one of its keys is ready */
  argv: string[];
  /** value type the command pops from ('list' | 'zset' | 'stream'), or 'wait' for WAIT (no keys) */
  btype: string;
  /** the command was preceded by CLIENT REPLY SKIP: its eventual reply is skipped too */
  skip: boolean;
}

interface BlockingState {
  /** `${db}\0${key}` -> ids of the clients blocked on it, in the order they blocked */
  waiters: Map<string, number[]>;
  /** ready keys (`${db}\0${key}`) in the order they were signalled, each once */
  ready: string[];
  readySet: Set<string>;
  /** clients unblocked during the current command, whose pending input runs after it */
  unblocked: number[];
}

function bs(): BlockingState {
  let b = state.ext.blocking as BlockingState | undefined;
  if (b === undefined) {
    b = { waiters: new Map(), ready: [], readySet: new Set(), unblocked: [] };
    state.ext.blocking = b;
  }
  return b;
}

const SEP = '\u0000';

function slot(db: number, key: string): string {
  return db + SEP + key;
}

export function blockedRecord(c: Client): BlockedRecord | null {
  return (c.flags & CLIENT_BLOCKED) !== 0 ? (c.ext.blocked as BlockedRecord) : null;
}

/** Value type a blocking command waits for, from its ACL categories (@list, @sortedset, @stream). */
export function blockedTypeOf(def: CommandDef | null | undefined): string {
  const cats = def?.meta.info[6];
  const items = cats && typeof cats === 'object' && 'set' in cats ? cats.set : [];
  for (const x of items) {
    if (x && typeof x === 'object' && 's' in x) {
      if (x.s === '@sortedset') return 'zset';
      if (x.s === '@stream') return 'stream';
    }
  }
  return 'list';
}

// --- re-processing a blocked client (module-level, only set during one serve; disposable) ---
let reprocessing: Client | null = null;
let servingKey: string | null = null;
let stillBlocked = false;

/**
 * While a blocked client's command is being re-run to serve it, the key that became ready: the
 * command must only consider that key. null otherwise (normal execution: consider every key).
 */
export function blockedServingKey(c: Client): string | null {
  return reprocessing === c ? servingKey : null;
}

/**
 * Block `c` on `keys` (a blocking command that cannot be served now). timeoutAtMs is absolute unix
 * ms, 0 to wait forever. Inside EXEC the command does not block: it replies `notBlockingReply`.
 * Called again while the client is being re-processed, it keeps the client's place and timeout.
 */
export function blockClient(c: Client, keys: string[], timeoutAtMs: number, notBlockingReply: TimeoutReply, btype?: string): void {
  if (reprocessing === c) {
    stillBlocked = true;
    // Blocked again, as a first block sets it: execute() then neither logs the re-run as slow nor treats it as served.
    c.flags |= CLIENT_BLOCKED;
    return;
  }
  if ((c.flags & CLIENT_IN_EXEC) !== 0) {
    replyNotBlocking(c, notBlockingReply);
    return;
  }
  const def = running.def;
  const distinct = Array.from(new Set(keys));
  const b = bs();
  for (const k of distinct) {
    const s = slot(c.db, k);
    const list = b.waiters.get(s);
    if (list === undefined) b.waiters.set(s, [c.id]);
    else list.push(c.id);
  }
  const rec: BlockedRecord = {
    db: c.db,
    keys: distinct,
    timeoutAt: timeoutAtMs,
    argv: running.argv.slice(),
    btype: btype ?? blockedTypeOf(def),
    skip: c.skipThis,
  };
  c.ext.blocked = rec;
  c.flags |= CLIENT_BLOCKED;
  c.pausedFor = 'blocked';
  if (timeoutAtMs > 0) armTimer(c, timeoutAtMs);
}

/** Node's timers overflow past 2^31-1 ms: far timeouts are re-armed when the timer fires early. */
function armTimer(c: Client, at: number): void {
  host.timerAt(timerKey(c), Math.min(at, Date.now() + 0x7fffffff));
}

function timerKey(c: Client): string {
  return 'block:' + c.id;
}

/** Remove c from every queue and clear its blocked state (no reply). */
function detach(c: Client): BlockedRecord | null {
  const rec = c.ext.blocked as BlockedRecord | undefined;
  c.flags &= ~CLIENT_BLOCKED;
  if (c.pausedFor === 'blocked') c.pausedFor = '';
  delete c.ext.blocked;
  if (rec === undefined) return null;
  const b = bs();
  for (const k of rec.keys) {
    const s = slot(rec.db, k);
    const list = b.waiters.get(s);
    if (list === undefined) continue;
    const i = list.indexOf(c.id);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) b.waiters.delete(s);
  }
  if (rec.timeoutAt > 0 && host !== null) host.clearTimer(timerKey(c));
  return rec;
}

function replyNotBlocking(c: Client, r: TimeoutReply): void {
  if (r === 'null') addNull(c);
  else addNullArray(c);
}

/** Reply to a blocked client as Redis does when its time is up (or CLIENT UNBLOCK ... TIMEOUT), and unblock it. */
function timeOut(c: Client, error: boolean): void {
  const rec = detach(c);
  if (rec === null) return;
  const skipBefore = c.skipThis;
  c.skipThis = rec.skip;
  if (error) addError(c, 'UNBLOCKED client unblocked via CLIENT UNBLOCK');
  else if (rec.btype === 'wait') addInt(c, 0); // WAIT: the replicas that acknowledged (hotkv has none)
  else addNullArray(c);
  c.skipThis = skipBefore;
  // Redis 7.0 counted the call when it blocked; updateStatsOnUnblock only adds a failure.
  if (error) {
    const def = lookupCommand(rec.argv);
    if (def !== undefined) def.stats[3]++;
  }
}

/**
 * A key that clients may wait for was created or grew. Records it; the waiters are served after
 * the current command (or EXEC). Cheap when nobody waits for it.
 */
export function signalKeyAsReady(db: Db, key: string): void {
  const b = state.ext.blocking as BlockingState | undefined;
  if (b === undefined || b.waiters.size === 0) return;
  const s = slot(db.id, key);
  if (!b.waiters.has(s) || b.readySet.has(s)) return;
  b.readySet.add(s);
  b.ready.push(s);
  afterCommand.pending = true;
}

/** Current value of a ready key, expiring it first (Redis's lookupKeyReadWithFlags NONOTIFY|NOSTATS). */
function readyValue(db: Db, key: string): StoredValue | undefined {
  if (db.expires.size !== 0 && expireIfNeeded(db, key)) return undefined;
  const v = db.dict.get(key);
  noteWrite(v); // served clients pop from it
  return v;
}

let serving = false;

/** Redis's handleClientsBlockedOnKeys, then the input of every client unblocked meanwhile. */
function serveReady(): void {
  if (serving) return;
  serving = true;
  const b = bs();
  try {
    while (b.ready.length > 0) {
      const batch = b.ready;
      b.ready = [];
      for (const s of batch) {
        b.readySet.delete(s);
        const sep = s.indexOf(SEP);
        const db = state.dbs[Number(s.slice(0, sep))];
        const key = s.slice(sep + 1);
        if (db !== undefined) serveKey(b, db, key, s);
      }
    }
    afterCommand.pending = false;
  } finally {
    serving = false;
  }
  while (b.unblocked.length > 0) {
    const id = b.unblocked.shift()!;
    const c = state.clients.get(id);
    if (c !== undefined && !c.closed && c.pausedFor === '') processInput(c);
  }
}

/** Blocked commands re-run when the key they wait on is gone or holds another type: Redis 7.0 unblocks a
 *  blocked XREADGROUP with an error then (its consumer group went with the stream). */
const RERUN_WHEN_GONE = new Set(['xreadgroup']);

function serveKey(b: BlockingState, db: Db, key: string, s: string): void {
  const queue = b.waiters.get(s);
  if (queue === undefined) return;
  // Serve in FIFO order; clients that stay blocked keep their place.
  const ids = queue.slice();
  for (const id of ids) {
    const v = readyValue(db, key);
    const c = state.clients.get(id);
    if (c === undefined || isGone(c)) {
      if (c !== undefined) detach(c);
      else removeId(b, s, id);
      continue;
    }
    const rec = blockedRecord(c);
    if (rec === null) {
      removeId(b, s, id);
      continue;
    }
    if (v === undefined || typeOf(v) !== rec.btype) {
      if (!RERUN_WHEN_GONE.has(rec.argv[0].toLowerCase())) continue;
    }
    reprocess(b, c, rec, key);
  }
}

function removeId(b: BlockingState, s: string, id: number): void {
  const list = b.waiters.get(s);
  if (list === undefined) return;
  const i = list.indexOf(id);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) b.waiters.delete(s);
}

/** Re-run a blocked client's command for the ready key; unblock it if it was served. */
function reprocess(b: BlockingState, c: Client, rec: BlockedRecord, key: string): void {
  const def = lookupCommand(rec.argv);
  if (def === undefined || def.fn === null) {
    timeOut(c, false);
    b.unblocked.push(c.id);
    return;
  }
  const st = state.stats;
  const totalBefore = st.totalCommands;
  const callsBefore = def.stats[0];
  const usBefore = def.stats[1];
  const processedBefore = c.commandsProcessed;
  const replyMode = c.replyMode;
  if (rec.skip && replyMode === 'on') c.replyMode = 'skip';
  reprocessing = c;
  servingKey = key;
  stillBlocked = false;
  c.flags &= ~CLIENT_BLOCKED;
  reexecution.active = true;
  try {
    execute(c, def, rec.argv);
  } finally {
    reexecution.active = false;
    reprocessing = null;
    servingKey = null;
  }
  // Redis 7.0 counted the call when the client blocked: a re-run is not another call.
  st.totalCommands = totalBefore;
  def.stats[0] = callsBefore;
  c.commandsProcessed = processedBefore;
  if (stillBlocked) {
    // Not served after all: stays blocked where it was.
    c.flags |= CLIENT_BLOCKED;
    c.replyMode = replyMode;
    def.stats[1] = usBefore;
    discardCommandTiming(def.stats);
    return;
  }
  c.flags |= CLIENT_BLOCKED; // so detach() sees a blocked client
  detach(c);
  b.unblocked.push(c.id);
}

/** CLIENT UNBLOCK: true when the client was blocked (and is now unblocked with a timeout or an error reply). */
export function unblockClientById(id: number, error: boolean): boolean {
  const c = state.clients.get(id);
  if (c === undefined || isGone(c) || blockedRecord(c) === null) return false;
  timeOut(c, error);
  bs().unblocked.push(c.id);
  afterCommand.pending = true;
  return true;
}

function onTimer(key: string): void {
  if (!key.startsWith('block:')) return;
  const c = state.clients.get(Number(key.slice(6)));
  if (c === undefined || isGone(c)) return;
  const rec = blockedRecord(c);
  if (rec === null || rec.timeoutAt === 0) return;
  if (rec.timeoutAt > Date.now()) {
    // Fired early (a far timeout, or clock adjustments): wait for the rest.
    armTimer(c, rec.timeoutAt);
    return;
  }
  timeOut(c, false);
  processInput(c);
}

function onClientClose(c: Client): void {
  if ((c.flags & CLIENT_BLOCKED) !== 0 || c.ext.blocked !== undefined) detach(c);
}

/** SWAPDB (and FLUSHDB/FLUSHALL): keys waited for that now exist in the db are ready (scanDatabaseForReadyKeys). */
function onReplaced(db: Db): void {
  const b = state.ext.blocking as BlockingState | undefined;
  if (b === undefined || b.waiters.size === 0) return;
  const prefix = db.id + SEP;
  for (const s of b.waiters.keys()) {
    if (!s.startsWith(prefix)) continue;
    const key = s.slice(prefix.length);
    if (db.dict.has(key)) signalKeyAsReady(db, key);
  }
}

/** A key was written: when a blocked XREADGROUP waits on it and it is no longer a stream (deleted, or
 *  replaced by another type), it is ready, so that the waiter is unblocked with its error (Redis 7.0's
 *  signalDeletedKeyAsReady). */
function onModified(db: Db, key: string): void {
  const b = state.ext.blocking as BlockingState | undefined;
  if (b === undefined || b.waiters.size === 0) return;
  const list = b.waiters.get(slot(db.id, key));
  if (list === undefined) return;
  const v = db.dict.get(key);
  if (v !== undefined && typeOf(v) === 'stream') return;
  for (const id of list) {
    const c = state.clients.get(id);
    const rec = c === undefined ? null : blockedRecord(c);
    if (rec !== null && RERUN_WHEN_GONE.has(rec.argv[0].toLowerCase())) {
      signalKeyAsReady(db, key);
      return;
    }
  }
}

function onAdded(db: Db, key: string, value: StoredValue): void {
  const t = typeOf(value);
  if (t === 'list' || t === 'zset' || t === 'stream') signalKeyAsReady(db, key);
}

/** After activation (first start or a swap): re-arm the timers of clients already blocked. */
function onActivate(): void {
  const b = state.ext.blocking as BlockingState | undefined;
  if (b === undefined) return;
  for (const c of state.clients.values()) {
    const rec = blockedRecord(c);
    if (rec !== null && rec.timeoutAt > 0) armTimer(c, rec.timeoutAt);
  }
}

/** Number of blocked clients, and those with a timeout (INFO clients). */
function infoClients(): Record<string, number> {
  let blocked = 0;
  let timed = 0;
  for (const c of state.clients.values()) {
    if (c.pausedFor === 'postponed' && !isGone(c)) {
      blocked++; // postponed by CLIENT PAUSE: Redis counts it as blocked
      continue;
    }
    const rec = blockedRecord(c);
    if (rec === null || isGone(c)) continue;
    blocked++;
    if (rec.timeoutAt > 0) timed++;
  }
  return { blocked_clients: blocked, clients_in_timeout_table: timed };
}

/** Keys made ready outside a command (the active expire cycle deleted a stream a blocked XREADGROUP waits
 *  on) are served in the same tick, as Redis serves them before it sleeps. */
function onCron(): void {
  if (afterCommand.pending) serveReady();
}

afterCommand.run = serveReady;
lifecycleHooks.cron.push(onCron);
keyHooks.added.push(onAdded);
keyHooks.modified.push(onModified);
keyHooks.replaced.push(onReplaced);
lifecycleHooks.timer.push(onTimer);
lifecycleHooks.clientClose.push(onClientClose);
lifecycleHooks.activate.push(onActivate);
addInfoFields('clients', infoClients);
