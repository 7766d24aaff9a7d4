// The logic's view of the world while it is active: the host and State it was activated with.
// These module-level bindings are rebuilt on every activate() (DESIGN rule 2); nothing here
// outlives the bundle.

import type { ClientRecord, Db, HostApi, State } from '../abi';

declare const __LOGIC_VERSION__: string;
/** Build-time constant: the version this bundle reports (INFO upgrade logic_version). */
export const LOGIC_VERSION: string = typeof __LOGIC_VERSION__ === 'string' ? __LOGIC_VERSION__ : '0.0.0-dev';

/** State schema this logic reads and writes. Bump it with a migration (docs/HACKING.md, "Schema migrations");
 *  scripts/build.mjs --state-schema overrides it for the fixture bundles of the migration tests.
 *  1: the first. 2: adds the stream type and state.ext.scripts (the script cache), which a schema-1 logic
 *  cannot save or serve; no stored value changed (an additive step, migration.ts). 3: adds state.ext.functions
 *  (FUNCTION LOAD's libraries), which a schema-2 logic would drop from the RDBs it saves (additive too). */
export const STATE_SCHEMA: number = typeof __HOTKV_STATE_SCHEMA__ === 'number' ? __HOTKV_STATE_SCHEMA__ : 3;
/** Schemas this logic reads (LogicModule.readsSchemas): its own, or what build.mjs --reads-schemas names. */
export const READS_SCHEMAS: readonly number[] = typeof __HOTKV_READS_SCHEMAS__ === 'object' ? __HOTKV_READS_SCHEMAS__ : [STATE_SCHEMA];

export type Client = ClientRecord;

export let host: HostApi = null as unknown as HostApi;
export let state: State = null as unknown as State;

export function bindHost(h: HostApi | null): void {
  host = h as HostApi;
  state = h ? h.state : (null as unknown as State);
}

/** Clients that got output during the current event; flushed once at its end. Disposable. */
export const pendingFlush: Client[] = [];

export function dbOf(c: Client): Db {
  return state.dbs[c.db];
}

export function cfg(name: string): string {
  return state.config.get(name) ?? '';
}

export function cfgInt(name: string): number {
  return Number(state.config.get(name) ?? '0');
}

/** Cached clock for the duration of one event, as Redis caches mstime per command. */
let cachedNow = 0;
export function now(): number {
  return cachedNow || (cachedNow = Date.now());
}
export function resetClock(): void {
  cachedNow = 0;
}

/** Work done at the end of every event before replies go out (the AOF write and its fsync). */
export const beforeFlush: (() => void)[] = [];

/** Flush every client that has output, and close those marked close-after-reply. */
export function flushPending(): void {
  for (let i = 0; i < beforeFlush.length; i++) beforeFlush[i]();
  resetClock();
  for (let i = 0; i < pendingFlush.length; i++) {
    const c = pendingFlush[i];
    if (c.out.length > 0) {
      const out = c.out;
      c.out = '';
      host.write(c, out);
    }
    if (c.closeAfterReply) host.closeClient(c);
  }
  pendingFlush.length = 0;
}

/** Mark a client to be flushed at the end of the event (also for close-after-reply with no output). */
export function markPending(c: Client): void {
  if (c.out.length === 0 && !pendingFlush.includes(c)) pendingFlush.push(c);
}
