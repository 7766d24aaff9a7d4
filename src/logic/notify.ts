// Keyspace notifications (notify-keyspace-events), as Redis's notifyKeyspaceEvent emits them:
//   __keyspace@<db>__:<key>  with the event name as message   (flag K)
//   __keyevent@<db>__:<event> with the key as message          (flag E)
// Every write command calls notifyKeyspaceEvent with its class; the pub/sub family delivers.

import { cfg } from './runtime';

export const NOTIFY_KEYSPACE = 1 << 0; // K
export const NOTIFY_KEYEVENT = 1 << 1; // E
export const NOTIFY_GENERIC = 1 << 2; // g
export const NOTIFY_STRING = 1 << 3; // $
export const NOTIFY_LIST = 1 << 4; // l
export const NOTIFY_SET = 1 << 5; // s
export const NOTIFY_HASH = 1 << 6; // h
export const NOTIFY_ZSET = 1 << 7; // z
export const NOTIFY_EXPIRED = 1 << 8; // x
export const NOTIFY_EVICTED = 1 << 9; // e
export const NOTIFY_STREAM = 1 << 10; // t
export const NOTIFY_KEY_MISS = 1 << 11; // m
export const NOTIFY_LOADED = 1 << 12; // module only
export const NOTIFY_MODULE = 1 << 13; // d
export const NOTIFY_NEW = 1 << 14; // n
const NOTIFY_ALL = NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET |
  NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE; // A

/** Redis's keyspaceEventsStringToFlags; -1 for an invalid character. */
export function flagsFromString(s: string): number {
  let flags = 0;
  for (const ch of s) {
    switch (ch) {
      case 'A': flags |= NOTIFY_ALL; break;
      case 'g': flags |= NOTIFY_GENERIC; break;
      case '$': flags |= NOTIFY_STRING; break;
      case 'l': flags |= NOTIFY_LIST; break;
      case 's': flags |= NOTIFY_SET; break;
      case 'h': flags |= NOTIFY_HASH; break;
      case 'z': flags |= NOTIFY_ZSET; break;
      case 'x': flags |= NOTIFY_EXPIRED; break;
      case 'e': flags |= NOTIFY_EVICTED; break;
      case 'K': flags |= NOTIFY_KEYSPACE; break;
      case 'E': flags |= NOTIFY_KEYEVENT; break;
      case 't': flags |= NOTIFY_STREAM; break;
      case 'm': flags |= NOTIFY_KEY_MISS; break;
      case 'd': flags |= NOTIFY_MODULE; break;
      case 'n': flags |= NOTIFY_NEW; break;
      default: return -1;
    }
  }
  return flags;
}

/** Redis's keyspaceEventsFlagsToString: the canonical text CONFIG GET prints. */
export function flagsToString(flags: number): string {
  let s = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) s += 'A';
  else {
    if (flags & NOTIFY_GENERIC) s += 'g';
    if (flags & NOTIFY_STRING) s += '$';
    if (flags & NOTIFY_LIST) s += 'l';
    if (flags & NOTIFY_SET) s += 's';
    if (flags & NOTIFY_HASH) s += 'h';
    if (flags & NOTIFY_ZSET) s += 'z';
    if (flags & NOTIFY_EXPIRED) s += 'x';
    if (flags & NOTIFY_EVICTED) s += 'e';
    if (flags & NOTIFY_STREAM) s += 't';
    if (flags & NOTIFY_MODULE) s += 'd';
    // Redis 7.0 prints 'n' only without 'A' (so "An" reads back as "A"), before K/E/m
    if (flags & NOTIFY_NEW) s += 'n';
  }
  if (flags & NOTIFY_KEYSPACE) s += 'K';
  if (flags & NOTIFY_KEYEVENT) s += 'E';
  if (flags & NOTIFY_KEY_MISS) s += 'm';
  return s;
}

/** Delivery, installed by the pub/sub family (it owns the subscriber registry). */
export const notifyDelivery = {
  publish: null as ((channel: string, message: string) => number) | null,
};

/** notify-keyspace-events as flags: every write command asks, so it is parsed when the config changes
 *  (refreshNotifyFlags, from refreshDispatchConfig on activate and after CONFIG SET), not per call. */
let cachedFlags = 0;

export function refreshNotifyFlags(): void {
  cachedFlags = Math.max(0, flagsFromString(cfg('notify-keyspace-events')));
}

function currentFlags(): number {
  return cachedFlags;
}

/** True when an event of class `type` would be published (lets callers skip work to find out). */
export function notifyWanted(type: number): boolean {
  return (currentFlags() & type) !== 0 && notifyDelivery.publish !== null;
}

/** Emit the notifications for one event of class `type` on `key` in db `dbid`. */
export function notifyKeyspaceEvent(type: number, event: string, key: string, dbid: number): void {
  const flags = currentFlags();
  if ((flags & type) === 0) return;
  const publish = notifyDelivery.publish;
  if (publish === null) return;
  if (flags & NOTIFY_KEYSPACE) publish(`__keyspace@${dbid}__:${key}`, event);
  if (flags & NOTIFY_KEYEVENT) publish(`__keyevent@${dbid}__:${event}`, key);
}
