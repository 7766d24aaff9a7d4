// Active expiry. Redis samples random keys with a TTL; a JS Map cannot be sampled in O(1), so each
// db keeps a binary min-heap of (time, key) instead: the cycle pops exactly the keys whose time has
// come. Entries go stale when a TTL changes or a key is deleted; a popped entry counts only if
// `expires` still holds the same time, and the heap is rebuilt when stale entries dominate.

import type { Db } from '../abi';
import { deleteExpired, expireGate } from './keyspace';
import { now, state } from './runtime';

export function heapPush(db: Db, when: number, key: string): void {
  const w = db.expireHeapWhen;
  const k = db.expireHeapKey;
  let i = w.length;
  w.push(when);
  k.push(key);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (w[parent] <= when) break;
    w[i] = w[parent];
    k[i] = k[parent];
    i = parent;
  }
  w[i] = when;
  k[i] = key;
  if (w.length > 2 * db.expires.size + 1024) rebuildHeap(db);
}

function heapPop(db: Db): void {
  const w = db.expireHeapWhen;
  const k = db.expireHeapKey;
  const lastW = w.pop()!;
  const lastK = k.pop()!;
  const n = w.length;
  if (n === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const m = r < n && w[r] < w[l] ? r : l;
    if (w[m] >= lastW) break;
    w[i] = w[m];
    k[i] = k[m];
    i = m;
  }
  w[i] = lastW;
  k[i] = lastK;
}

/** Drop stale entries: rebuild from the authoritative `expires` map. */
export function rebuildHeap(db: Db): void {
  db.expireHeapWhen = [];
  db.expireHeapKey = [];
  const entries = [...db.expires].sort((a, b) => a[1] - b[1]);
  for (const [key, when] of entries) {
    db.expireHeapWhen.push(when);
    db.expireHeapKey.push(key);
  }
}

/** DEBUG SET-ACTIVE-EXPIRE (Redis's server.active_expire_enabled): a plain flag in State, so a hot upgrade keeps it. */
export function setActiveExpire(on: boolean): void {
  if (on) delete state.ext.activeExpireOff;
  else state.ext.activeExpireOff = true;
}

/**
 * One active expire pass: delete keys whose time has passed, at most `budget` heap pops over all
 * dbs, so a burst of expirations is spread over several ticks instead of one long pause.
 */
export function activeExpireCycle(budget: number): number {
  if (state.ext.activeExpireOff === true || expireGate.paused) return 0;
  const t = now();
  let removed = 0;
  for (const db of state.dbs) {
    const w = db.expireHeapWhen;
    const k = db.expireHeapKey;
    while (w.length > 0 && w[0] < t && budget-- > 0) {
      const key = k[0];
      const when = w[0];
      heapPop(db);
      if (db.expires.get(key) === when) {
        deleteExpired(db, key);
        removed++;
      }
    }
    if (w.length === 0 && db.expires.size === 0 && k.length) db.expireHeapKey = [];
  }
  return removed;
}
