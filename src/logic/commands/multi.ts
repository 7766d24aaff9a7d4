// Transactions: MULTI EXEC DISCARD WATCH UNWATCH, as Redis 7.0's multi.c, plus the command gates
// of processCommand that depend on a client's state (server.c, in Redis's order):
//   1. MULTI + a no-multi command        -> "Command not allowed inside a transaction"
//   2. RESP2 subscribed + a command other than (P|S)(UN)SUBSCRIBE / PING / QUIT / RESET -> "Can't execute"
//   3. MULTI + anything but EXEC DISCARD MULTI WATCH QUIT RESET -> queued, +QUEUED
// A refused command flags the transaction (EXEC then answers EXECABORT); a refused EXEC aborts it
// at once ("EXECABORT Transaction discarded because of: <reason>"), as rejectCommand does.
//
// State is plain data, so a transaction opened before a hot upgrade runs on EXEC after it:
// - c.ext.mstate: the queued argv arrays (looked up again at EXEC, in the then current table) and
//   the bytes they hold (CLIENT LIST multi-mem);
// - c.ext.watched: the client's WatchedKey records, in WATCH order; c.ext.dirtyCas: a watched key
//   was touched (the 'd' flag);
// - state.ext.watch: db id -> key -> the WatchedKey records of every client watching it.
// A WatchedKey remembers whether the key was already logically expired when WATCH ran; EXEC fails
// when a watched key has expired since (isWatchedKeyExpired), and expiry deletes touch the key.

import type { Db, StoredValue } from '../../abi';
import {
  CLIENT_DIRTY_EXEC, CLIENT_IN_EXEC, CLIENT_MULTI, CLIENT_PUBSUB, execute, gates, lookupCommand, unknownCommandText,
} from '../dispatch';
import { keyHooks } from '../keyspace';
import { lifecycleHooks } from '../lifecycle';
import { addArrayLen, addError, addNullArray, addOk, addRaw } from '../resp/reply';
import { now, state, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import { clientInfoHooks } from './client';
import { resetHooks } from './connection';
import type { CommandDef, CommandSpec } from './table';

interface WatchedKey {
  /** client id */
  id: number;
  db: number;
  key: string;
  /** the key was logically expired (but not yet deleted) when WATCH ran */
  expired: boolean;
}

interface MultiState {
  queue: string[][];
  /** Redis's mstate.argv_len_sums: argument bytes plus a pointer per argument */
  argvLenSums: number;
}

interface WatchState {
  /** db id -> key -> watchers in WATCH order */
  byDb: Map<number, Map<string, WatchedKey[]>>;
}

function watchState(): WatchState {
  let w = state.ext.watch as WatchState | undefined;
  if (w === undefined) {
    w = { byDb: new Map() };
    state.ext.watch = w;
  }
  return w;
}

function mstateOf(c: Client): MultiState {
  let m = c.ext.mstate as MultiState | undefined;
  if (m === undefined) {
    m = { queue: [], argvLenSums: 0 };
    c.ext.mstate = m;
  }
  return m;
}

// --- WATCH registry ----------------------------------------------------------------------------

/** Redis's keyIsExpired: has a TTL that has passed, whether or not the key was deleted yet. */
function keyIsExpired(db: Db, key: string): boolean {
  if (db.expires.size === 0) return false;
  const when = db.expires.get(key);
  return when !== undefined && when < now();
}

function watchForKey(c: Client, key: string): void {
  let mine = c.ext.watched as WatchedKey[] | undefined;
  if (mine === undefined) {
    mine = [];
    c.ext.watched = mine;
  }
  for (const wk of mine) if (wk.db === c.db && wk.key === key) return;
  const byDb = watchState().byDb;
  let keys = byDb.get(c.db);
  if (keys === undefined) {
    keys = new Map();
    byDb.set(c.db, keys);
  }
  const wk: WatchedKey = { id: c.id, db: c.db, key, expired: keyIsExpired(state.dbs[c.db], key) };
  const list = keys.get(key);
  if (list === undefined) keys.set(key, [wk]);
  else list.push(wk);
  mine.push(wk);
}

/** Redis's unwatchAllKeys (clearing the dirty flag is up to the caller). */
function unwatchAllKeys(c: Client): void {
  const mine = c.ext.watched as WatchedKey[] | undefined;
  if (mine === undefined) return;
  delete c.ext.watched;
  const byDb = (state.ext.watch as WatchState | undefined)?.byDb;
  if (byDb === undefined) return;
  for (const wk of mine) {
    const keys = byDb.get(wk.db);
    const list = keys?.get(wk.key);
    if (keys === undefined || list === undefined) continue;
    const i = list.indexOf(wk);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) {
      keys.delete(wk.key);
      if (keys.size === 0) byDb.delete(wk.db);
    }
  }
}

function markDirty(wk: WatchedKey): void {
  const c = state.clients.get(wk.id);
  if (c === undefined) return;
  c.ext.dirtyCas = true;
  // Dirty already: nothing more to watch for (Redis frees the watched keys here too).
  unwatchAllKeys(c);
}

/** Redis's touchWatchedKey: signalModifiedKey calls it for every write to a key. */
function touchWatchedKey(db: Db, key: string): void {
  const w = state.ext.watch as WatchState | undefined;
  if (w === undefined || w.byDb.size === 0) return;
  const list = w.byDb.get(db.id)?.get(key);
  if (list === undefined) return;
  for (const wk of list.slice()) {
    if (wk.expired) {
      // Watched while already expired: its deletion is no logical change. Redis 7.0 stops at such
      // a watcher when the key still exists (the loop breaks), so later watchers are not flagged.
      if (!db.dict.has(key)) {
        wk.expired = false;
        continue;
      }
      break;
    }
    markDirty(wk);
  }
}

/** Redis's touchAllWatchedKeysInDb: FLUSHDB/FLUSHALL emptied `db`, or SWAPDB gave it new content. */
function touchAllWatchedKeysInDb(db: Db, old: Map<string, StoredValue>): void {
  const w = state.ext.watch as WatchState | undefined;
  const keys = w?.byDb.get(db.id);
  if (keys === undefined) return;
  for (const [key, list] of [...keys]) {
    const existsInEmptied = old.has(key);
    const existsNow = db.dict.has(key);
    if (!existsInEmptied && !existsNow) continue;
    for (const wk of list.slice()) {
      if (wk.expired) {
        if (!existsNow) {
          wk.expired = false;
          continue;
        } else if (keyIsExpired(db, key)) {
          continue;
        }
      } else if (!existsInEmptied && keyIsExpired(db, key)) {
        wk.expired = true;
        continue;
      }
      markDirty(wk);
    }
  }
}

/** Redis's isWatchedKeyExpired: a watched key (not expired at WATCH time) has expired since. */
function isWatchedKeyExpired(c: Client): boolean {
  const mine = c.ext.watched as WatchedKey[] | undefined;
  if (mine === undefined) return false;
  for (const wk of mine) {
    if (!wk.expired && keyIsExpired(state.dbs[wk.db], wk.key)) return true;
  }
  return false;
}

// --- MULTI / EXEC / DISCARD --------------------------------------------------------------------

function discardTransaction(c: Client): void {
  delete c.ext.mstate;
  c.flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC);
  delete c.ext.dirtyCas;
  unwatchAllKeys(c);
}

/** Redis's flagTransaction: an error while queueing makes EXEC fail. */
function flagTransaction(c: Client): void {
  if (c.flags & CLIENT_MULTI) c.flags |= CLIENT_DIRTY_EXEC;
}

/** Redis's execCommandAbort: EXEC itself was refused before running. */
function execCommandAbort(c: Client, text: string): void {
  discardTransaction(c);
  addError(c, 'EXECABORT Transaction discarded because of: ' + (text.startsWith('ERR ') ? text.slice(4) : text));
}

function multi(c: Client): void {
  if (c.flags & CLIENT_MULTI) {
    addError(c, 'ERR MULTI calls can not be nested');
    return;
  }
  c.flags |= CLIENT_MULTI;
  mstateOf(c);
  addOk(c);
}

function discard(c: Client): void {
  if (!(c.flags & CLIENT_MULTI)) {
    addError(c, 'ERR DISCARD without MULTI');
    return;
  }
  discardTransaction(c);
  addOk(c);
}

function exec(c: Client): void {
  if (!(c.flags & CLIENT_MULTI)) {
    addError(c, 'ERR EXEC without MULTI');
    return;
  }
  if (isWatchedKeyExpired(c)) c.ext.dirtyCas = true;
  if (c.ext.dirtyCas === true || c.flags & CLIENT_DIRTY_EXEC) {
    if (c.flags & CLIENT_DIRTY_EXEC) addError(c, 'EXECABORT Transaction discarded because of previous errors.');
    else addNullArray(c);
    discardTransaction(c);
    return;
  }
  const queue = mstateOf(c).queue;
  unwatchAllKeys(c);
  const wasInExec = c.flags & CLIENT_IN_EXEC;
  c.flags |= CLIENT_IN_EXEC;
  addArrayLen(c, queue.length);
  try {
    for (const argv of queue) {
      // Looked up again: the queue may have been filled by the logic that ran before a hot upgrade.
      const def = lookupCommand(argv);
      if (def === undefined || def.fn === null) addError(c, unknownCommandText(argv));
      else execute(c, def, argv);
    }
  } finally {
    if (!wasInExec) c.flags &= ~CLIENT_IN_EXEC;
    discardTransaction(c);
  }
}

function watch(c: Client, argv: string[]): void {
  if (c.flags & CLIENT_MULTI) {
    addError(c, 'ERR WATCH inside MULTI is not allowed');
    return;
  }
  // No point in watching if the client is already dirty.
  if (c.ext.dirtyCas !== true) for (let j = 1; j < argv.length; j++) watchForKey(c, argv[j]);
  addOk(c);
}

function unwatch(c: Client): void {
  unwatchAllKeys(c);
  delete c.ext.dirtyCas;
  addOk(c);
}

// --- gates (processCommand's client-state checks) ----------------------------------------------

/** Commands a RESP2 client in subscribed mode may still run. */
const SUBSCRIBED_OK = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe',
  'punsubscribe', 'quit', 'reset']);
/** Commands that run at once inside MULTI instead of being queued. */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/** Redis's rejectCommand for a looked-up command: counts it, flags the transaction or aborts EXEC. */
function rejectCommand(c: Client, def: CommandDef, text: string): void {
  def.stats[2]++;
  flagTransaction(c);
  if (def.name === 'exec') execCommandAbort(c, text);
  else addError(c, text);
}

/** Replies of a command the gate handles itself follow CLIENT REPLY SKIP like any other command's. */
function gateReply(c: Client, def: CommandDef, reply: () => void): void {
  c.lastCmd = def.name;
  const skip = c.replyMode === 'skip';
  if (skip) {
    c.replyMode = 'on';
    c.skipThis = true;
  }
  reply();
  if (skip) c.skipThis = false;
}

function queueMultiCommand(c: Client, argv: string[]): void {
  // No sense in queueing for a transaction that is already aborted.
  if (c.ext.dirtyCas === true || c.flags & CLIENT_DIRTY_EXEC) return;
  const m = mstateOf(c);
  m.queue.push(argv);
  let n = 8 * argv.length;
  for (const a of argv) n += a.length;
  m.argvLenSums += n;
}

function beforeExecute(c: Client, def: CommandDef, argv: string[]): boolean {
  const flags = c.flags;
  if (flags & CLIENT_MULTI && def.flags.has('no_multi')) {
    gateReply(c, def, () => rejectCommand(c, def, 'ERR Command not allowed inside a transaction'));
    return true;
  }
  if (flags & CLIENT_PUBSUB && c.resp === 2 && !SUBSCRIBED_OK.has(def.name)) {
    gateReply(c, def, () => rejectCommand(c, def, `ERR Can't execute '${def.name}': only (P|S)SUBSCRIBE / ` +
      '(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context'));
    return true;
  }
  if (flags & CLIENT_MULTI && !(flags & CLIENT_IN_EXEC) && !NOT_QUEUED.has(def.name)) {
    gateReply(c, def, () => {
      queueMultiCommand(c, argv);
      addRaw(c, '+QUEUED\r\n');
    });
    return true;
  }
  return false;
}

/** Unknown command or arity error (dispatch): flags the transaction; a refused EXEC aborts it. */
function onReject(c: Client, text: string, def: CommandDef | null): boolean {
  // processCommand sets lastcmd to the lookup's result: NULL for an unknown command.
  c.lastCmd = def === null ? 'NULL' : def.name;
  flagTransaction(c);
  if (def !== null && def.name === 'exec') {
    execCommandAbort(c, text);
    return true;
  }
  return false;
}

gates.beforeExecute = beforeExecute;
gates.onReject = onReject;
keyHooks.modified.push(touchWatchedKey);
keyHooks.replaced.push(touchAllWatchedKeysInDb);
// RESET (clearClientConnectionState) and disconnects drop the transaction and the watched keys.
resetHooks.push(discardTransaction);
lifecycleHooks.clientClose.push(discardTransaction);
clientInfoHooks.push((c, info) => {
  if (c.flags & CLIENT_MULTI) {
    info.flags += 'x';
    const m = c.ext.mstate as MultiState | undefined;
    info.multi = m?.queue.length ?? 0;
    info.multiMem = m?.argvLenSums ?? 0;
  }
  if (c.ext.dirtyCas === true) info.flags += 'd';
});

selfTestCases.push(
  { send: 'MULTI\r\nSET st:m 1\r\nINCR st:m\r\nEXEC\r\n', expect: '+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:2\r\n' },
  { send: 'WATCH st:m\r\nSET st:m 5\r\nMULTI\r\nGET st:m\r\nEXEC\r\n', expect: '+OK\r\n+OK\r\n+OK\r\n+QUEUED\r\n*-1\r\n' },
  { send: 'MULTI\r\nSHUTDOWN\r\nEXEC\r\nEXEC x\r\n',
    expect: '+OK\r\n-ERR Command not allowed inside a transaction\r\n-EXECABORT Transaction discarded because of previous errors.\r\n' +
      "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n" },
);

export const commands: CommandSpec[] = [
  { name: 'multi', fn: multi },
  { name: 'exec', fn: exec },
  { name: 'discard', fn: discard },
  { name: 'watch', fn: watch },
  { name: 'unwatch', fn: unwatch },
];
