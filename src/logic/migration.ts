// Lazy state-schema migrations (DESIGN rule 6). A bundle whose stateSchema is newer than the State's
// converts the State in migrate(). A conversion whose cost grows with the keyspace must not run there
// (the swap pause would grow with the data), so migrate() only records that the migration is in
// progress (state.ext.migration, plain data, O(databases)); the new logic then converts each value on
// its first touch (the keyspace lookups) and a background sweep converts the rest, a bounded slice per
// event-loop turn. A later bundle of the same schema that knows the migration continues the sweep; any
// other refuses to take over (canTakeOver) until it is done. docs/HACKING.md, "Schema migrations",
// says how to write one.

import type { Db, State, StoredValue } from '../abi';
import { addInfoFields } from './info';
import { lookupRead, setTouchConvert } from './keyspace';
import { lifecycleHooks } from './lifecycle';
import { host, LOGIC_VERSION, READS_SCHEMAS, state, STATE_SCHEMA } from './runtime';
import { selfTestChecks } from './selftest';
import { plainStringSamples, readString, stringEncoding, toBufferString } from './types/string';

/** A conversion of stored values from schema `from` to `to`, done lazily. */
export interface LazyMigration {
  from: number;
  to: number;
  /** the value in schema `to`; null when v needs nothing (already converted, or a type it does not change).
   *  Must be cheap and must not change what a client sees. */
  convert(v: StoredValue): StoredValue | null;
  /** values of schema `from` of every shape, for the self-test */
  samples(): StoredValue[];
  /** what a client can observe of a value (text, encoding ...): the self-test checks convert() keeps it */
  observe(v: StoredValue): string;
}

/** The lazy migrations this bundle can run and continue. */
const LAZY_MIGRATIONS: LazyMigration[] = [];
if (__HOTKV_LAZY_MIGRATIONS__ && __HOTKV_STRING_BUFFERS__) {
  // schema 4 (the fixture of test/migration.test.ts): string values become Buffer records
  LAZY_MIGRATIONS.push({
    from: 3, to: 4, convert: toBufferString, samples: plainStringSamples,
    observe: (v) => `${JSON.stringify(readString(v))} ${stringEncoding(v)}`,
  });
}

/**
 * Schema steps n -> n+1 that only added kinds of data (no stored value or record changed shape), so a newer
 * logic takes the State as it is, in O(1). They are steps all the same: an older logic does not know the new
 * kinds (it could neither save nor serve them), so it is refused unless it declares it reads the schema.
 * 1 -> 2 added the stream type and state.ext.scripts (the script cache); 2 -> 3 added state.ext.functions
 * (the function libraries).
 */
const ADDITIVE_STEPS: ReadonlySet<number> = new Set([1, 2]);

function findLazy(from: number, to: number): LazyMigration | null {
  for (const m of LAZY_MIGRATIONS) if (m.from === from && m.to === to) return m;
  return null;
}

/**
 * How this logic brings a State of schema `from` to its own: undefined when it cannot, else the lazy
 * migration to run (null when additive steps are all it takes). A lazy step must be the last one: one
 * migration record runs at a time.
 */
function migrationPath(from: number): LazyMigration | null | undefined {
  let s = from;
  while (s < STATE_SCHEMA && ADDITIVE_STEPS.has(s)) s++;
  if (s === STATE_SCHEMA) return null;
  return findLazy(s, STATE_SCHEMA) ?? undefined;
}

/**
 * state.ext.migration while a lazy migration runs. Plain data: the next logic reads it after a swap,
 * so its shape is part of the state schema `to` (change it only with a new schema).
 */
export interface MigrationRecord {
  from: number;
  to: number;
  startedMs: number;
  /**
   * The db dicts still to sweep, in order; the sweep works on dicts[0]. Held as the Map objects rather
   * than db numbers so that SWAPDB cannot hide one from the sweep. A dict no db holds any more (FLUSHDB,
   * FLUSHALL replaced it) is dropped unswept: its values are gone from the keyspace.
   */
  dicts: Map<string, StoredValue>[];
  /**
   * The sweep's position in dicts[0]: a built-in Map iterator. It is plain data in the sense of DESIGN
   * rule 1 (no logic code, so it keeps no bundle alive) and it goes on correctly over inserts and deletes:
   * entries deleted before it reaches them are skipped, entries added meanwhile are visited. Null until
   * the dict is begun.
   */
  cursor: Iterator<[string, StoredValue]> | null;
  /** entries of dicts[0] the sweep has examined */
  examined: number;
  /** set by an older logic that took over (it reads this schema but writes its own): the next logic of
   *  schema `to` restarts the sweep over every db */
  resweep: boolean;
  /** entries examined by the sweep, values converted by it and on first touch, since the start */
  swept: number;
  convertedBySweep: number;
  convertedOnTouch: number;
}

/** state.ext.lastMigration: the last lazy migration that finished (INFO upgrade last_migration*). */
interface MigrationDone {
  from: number;
  to: number;
  startedMs: number;
  finishedMs: number;
  swept: number;
  convertedBySweep: number;
  convertedOnTouch: number;
}

const SWEEP_TIMER = 'migration:sweep';
/** Work per sweep slice: at most this many keys, and no more than this long (checked every 256 keys). */
const SWEEP_MAX_KEYS = 4096;
const SWEEP_BUDGET_MS = 1;

/** The migration this logic is running (converting on touch, sweeping); null when none. A cache of State. */
let active: LazyMigration | null = null;

function recordOf(st: State): MigrationRecord | undefined {
  return st.ext.migration as MigrationRecord | undefined;
}

function newRecord(st: State, from: number, to: number): MigrationRecord {
  return {
    from, to, startedMs: Date.now(), dicts: st.dbs.map((db) => db.dict), cursor: null, examined: 0, resweep: false,
    swept: 0, convertedBySweep: 0, convertedOnTouch: 0,
  };
}

function isLive(st: State, dict: Map<string, StoredValue>): boolean {
  for (const db of st.dbs) if (db.dict === dict) return true;
  return false;
}

/**
 * INFO upgrade migration_remaining: the keys the sweep has still to examine. That is the key count of
 * every dict still queued, less, for the dict being swept, the keys already examined in it. Exact while
 * keys are only added, changed or deleted ahead of the sweep; a key deleted after the sweep examined it
 * lowers it by one more (so it is then an underestimate, floored at 0). It says nothing about keys
 * converted on touch, which the sweep still examines (and finds done).
 */
export function migrationRemaining(m: MigrationRecord, st: State): number {
  let n = 0;
  if (m.resweep) {
    for (const db of st.dbs) n += db.dict.size;
    return n;
  }
  for (let i = 0; i < m.dicts.length; i++) {
    const d = m.dicts[i];
    if (!isLive(st, d)) continue;
    n += i === 0 ? Math.max(0, d.size - m.examined) : d.size;
  }
  return n;
}

function inProgressError(m: MigrationRecord, st: State): string {
  return `state migration ${m.from}->${m.to} in progress (${migrationRemaining(m, st)} keys left); ` +
    'retry when INFO upgrade shows migration_in_progress:0';
}

/**
 * LogicModule.canTakeOver: '' when this logic can serve `st`, else why not: it must be able to migrate an
 * older State, and when a lazy migration runs it must continue it, or be an older logic that declares it
 * reads the migration's target schema. The shell calls it before a swap; a refusal leaves the old logic
 * serving and nothing changed.
 */
export function takeOverError(st: State): string {
  if (st.schema < STATE_SCHEMA) return migrateError(st.schema);
  const m = recordOf(st);
  if (m === undefined) return '';
  if (m.to === STATE_SCHEMA && migrationPath(m.from) !== undefined) return '';
  if (m.to > STATE_SCHEMA && READS_SCHEMAS.includes(m.to)) return '';
  return inProgressError(m, st);
}

/**
 * LogicModule.migrate(st, fromSchema): start the lazy migration fromSchema -> STATE_SCHEMA. Runs inside
 * the swap pause, so it does O(databases) work, never O(keys). Throws (and the shell puts the old logic
 * back) when it cannot.
 */
export function beginMigration(st: State, fromSchema: number): void {
  if (fromSchema === STATE_SCHEMA) return;
  const running = recordOf(st);
  if (running !== undefined) throw new Error(inProgressError(running, st));
  const lazy = migrationPath(fromSchema);
  if (lazy === undefined) throw new Error(migrateError(fromSchema));
  if (lazy !== null) st.ext.migration = newRecord(st, lazy.from, STATE_SCHEMA);
}

function migrateError(fromSchema: number): string {
  if (migrationPath(fromSchema) !== undefined) return '';
  return `logic ${LOGIC_VERSION} cannot migrate state schema ${fromSchema} to ${STATE_SCHEMA}`;
}

/** The keyspace's touch hook while a migration runs: convert the value found under key and store it back. */
function touch(db: Db, key: string, v: StoredValue): StoredValue {
  const nv = active!.convert(v);
  if (nv === null) return v;
  // Same key: the entry keeps its place in the dict, so the sweep's iterator is not disturbed. Not a
  // modification a client could see (no signalModifiedKey: WATCH stays valid).
  db.dict.set(key, nv);
  recordOf(state)!.convertedOnTouch++;
  return nv;
}

function onActivate(): void {
  let m = recordOf(state);
  if (STATE_SCHEMA < state.schema && READS_SCHEMAS.includes(state.schema)) {
    // An older logic taking over a newer State (a rollback it declared it can read) writes values of its
    // own schema: the next logic of the State's schema must examine every key again.
    const from = m === undefined ? STATE_SCHEMA : Math.min(m.from, STATE_SCHEMA);
    m = newRecord(state, from, state.schema);
    m.dicts = [];
    m.resweep = true;
    state.ext.migration = m;
  }
  let lm: LazyMigration | null = null;
  if (m !== undefined && m.to === STATE_SCHEMA) {
    const path = migrationPath(m.from);
    if (path === null) {
      // Left by an older logic for a re-sweep, but the steps from its schema to this one are all additive:
      // no value to convert.
      delete state.ext.migration;
      m = undefined;
    } else if (path !== undefined) {
      lm = path;
    }
  }
  active = lm;
  setTouchConvert(lm === null ? null : touch);
  if (m !== undefined && lm !== null) {
    if (m.resweep) {
      m.dicts = state.dbs.map((db) => db.dict);
      m.cursor = null;
      m.examined = 0;
      m.resweep = false;
    }
    host.timerAt(SWEEP_TIMER, 0);
  }
}

function onDeactivate(): void {
  active = null;
  setTouchConvert(null);
}

function onTimer(key: string): void {
  if (key !== SWEEP_TIMER) return;
  // A slice, then yield to the clients: the next slice runs on a later turn of the event loop.
  if (!sweep(SWEEP_MAX_KEYS, SWEEP_BUDGET_MS)) host.timerAt(SWEEP_TIMER, 0);
}

/**
 * One slice of the background sweep: examine up to maxKeys entries, stopping early after budgetMs.
 * Returns true when the migration is finished (or none runs here).
 */
export function sweep(maxKeys: number, budgetMs: number): boolean {
  const m = recordOf(state);
  const lm = active;
  if (m === undefined || lm === null) return true;
  const t0 = performance.now();
  let n = 0;
  while (m.dicts.length > 0) {
    const dict = m.dicts[0];
    if (!isLive(state, dict)) {
      m.dicts.shift();
      m.cursor = null;
      m.examined = 0;
      continue;
    }
    const it = (m.cursor ??= dict.entries());
    for (;;) {
      const r = it.next();
      if (r.done === true) break;
      m.examined++;
      m.swept++;
      const nv = lm.convert(r.value[1]);
      if (nv !== null) {
        dict.set(r.value[0], nv);
        m.convertedBySweep++;
      }
      if (++n >= maxKeys || ((n & 255) === 0 && performance.now() - t0 >= budgetMs)) return false;
    }
    m.dicts.shift();
    m.cursor = null;
    m.examined = 0;
  }
  finish(m);
  return true;
}

function finish(m: MigrationRecord): void {
  const done: MigrationDone = {
    from: m.from, to: m.to, startedMs: m.startedMs, finishedMs: Date.now(), swept: m.swept,
    convertedBySweep: m.convertedBySweep, convertedOnTouch: m.convertedOnTouch,
  };
  state.ext.lastMigration = done;
  delete state.ext.migration;
  active = null;
  setTouchConvert(null);
  host.log('notice', `State migration ${m.from}->${m.to} done in ${done.finishedMs - m.startedMs} ms: ${m.swept} keys swept, ` +
    `${m.convertedBySweep} values converted by the sweep, ${m.convertedOnTouch} on first touch`);
}

function infoFields(): Record<string, string | number> {
  const m = recordOf(state);
  const last = state.ext.lastMigration as MigrationDone | undefined;
  return {
    migration_in_progress: m === undefined ? 0 : 1,
    migration: m === undefined ? '' : `${m.from}->${m.to}`,
    migration_remaining: m === undefined ? 0 : migrationRemaining(m, state),
    migration_swept: m === undefined ? 0 : m.swept,
    migration_converted_on_touch: m === undefined ? 0 : m.convertedOnTouch,
    last_migration: last === undefined ? '' : `${last.from}->${last.to}`,
    last_migration_ms: last === undefined ? 0 : last.finishedMs - last.startedMs,
  };
}

/**
 * Self-test of the migrations this logic runs, on the scratch State: values of the old schema of every
 * shape are converted, some on touch and the rest by the sweep (in slices of two keys, so the cursor goes
 * on across slices), and each must read back exactly as before.
 */
function selfTestMigrations(): string {
  if (recordOf(state) !== undefined) return '';
  const db = state.dbs[0];
  for (const lm of LAZY_MIGRATIONS) {
    if (lm.to !== STATE_SCHEMA) continue;
    const samples = lm.samples();
    const key = (i: number) => `selftest:migration:${i}`;
    const want = samples.map((v) => lm.observe(v));
    samples.forEach((v, i) => db.dict.set(key(i), v));
    state.ext.migration = newRecord(state, lm.from, lm.to);
    onActivate();
    let err = '';
    for (let i = 0; i < samples.length; i += 2) {
      const v = lookupRead(db, key(i));
      if (v === undefined || lm.convert(v) !== null) err ||= `value ${i} not converted on touch`;
    }
    // every key of the scratch State is examined, two per slice: a bound that cannot loop forever
    let slices = state.dbs.length + 1;
    for (const d of state.dbs) slices += d.dict.size;
    while (!sweep(2, Infinity) && --slices > 0) { /* next slice */ }
    if (recordOf(state) !== undefined) err ||= 'the sweep did not finish';
    for (let i = 0; i < samples.length; i++) {
      const v = db.dict.get(key(i));
      if (v === undefined || lm.convert(v) !== null) err ||= `value ${i} not converted by the sweep`;
      else if (lm.observe(v) !== want[i]) err ||= `value ${i} reads ${lm.observe(v)} instead of ${want[i]}`;
      db.dict.delete(key(i));
      db.access.delete(key(i));
    }
    delete state.ext.migration;
    delete state.ext.lastMigration;
    onDeactivate();
    if (err) return `lazy migration ${lm.from}->${lm.to}: ${err}`;
  }
  return '';
}

lifecycleHooks.activate.push(onActivate);
lifecycleHooks.deactivate.push(onDeactivate);
lifecycleHooks.timer.push(onTimer);
addInfoFields('upgrade', infoFields);
selfTestChecks.push(selfTestMigrations);
