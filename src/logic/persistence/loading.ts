// Loading the dataset at first start without shutting clients out, as Redis does: the listeners open
// while the files are read, commands without Redis's `loading` flag get -LOADING, INFO shows
// loading:1 with the loading_* progress fields, and the load goes on in slices of
// `loading-process-events-interval-bytes` between which the event loop serves clients.
//
// The job is plain data in state.ext.loading (the file's bytes, a cursor, counters), driven by the
// shell timer LOADING_TIMER, so a hot upgrade between two slices lets the next logic continue it.
// The first slice runs inside restore(), before the listeners open: a file smaller than one slice
// loads exactly as before (errors stop the start), a larger one goes on in the background and the
// shell prints "Ready to accept connections" when the logic calls host.loadingDone('').
//
// The readers (persistence/save.ts for dump.rdb, persistence/aof.ts for the AOF) register a step
// function per job kind; this module only drives them.

import { denials } from '../dispatch';
import { addInfoFields, type InfoValue } from '../info';
import { expireGate } from '../keyspace';
import { lifecycleHooks } from '../lifecycle';
import { cfgInt, host, state, type Client } from '../runtime';
import type { CommandDef } from '../commands/table';
import type { RdbCursor } from './rdb';

export const LOADING_TIMER = 'loading';
export const LOADING_ERROR = 'LOADING Redis is loading the dataset in memory';

export interface LoadingJob {
  kind: 'rdb' | 'aof';
  startMs: number;
  /** bytes of every file to load / read so far (INFO loading_total_bytes, loading_loaded_bytes) */
  totalBytes: number;
  loadedBytes: number;
  /** bytes of the files already finished */
  doneBytes: number;
  /** used-mem aux field of the RDB being loaded (INFO loading_rdb_used_mem); 0 until read, -1 when absent */
  rdbUsedMem: number;
  /** the file being read and its bytes */
  file: string;
  data: Buffer | null;
  /** an RDB (dump.rdb or an AOF's RDB preamble) being parsed */
  rdb: RdbCursor | null;
  /** keys whose expiry time is before this are skipped (0: keep them, as for an AOF preamble) */
  nowMs: number;
  lastLogMs: number;
  /** the reader's own plain data (persistence/aof.ts keeps its replay position here) */
  ext: Record<string, unknown>;
}

export interface Loader {
  /** Read about `budget` bytes more; true when everything is loaded. Throws with the text that stops the start. */
  step(job: LoadingJob, budget: number): boolean;
  /** After the last step: log, open what must be opened. Returns '' or the text that stops the start. */
  finish(job: LoadingJob): string;
  /** The load failed: drop what it put in. */
  abort(job: LoadingJob): void;
}

export const loaders: Partial<Record<LoadingJob['kind'], Loader>> = {};

export function loadingJob(): LoadingJob | null {
  return (state.ext.loading as LoadingJob | undefined) ?? null;
}

export function newLoadingJob(kind: LoadingJob['kind'], totalBytes: number): LoadingJob {
  const now = Date.now();
  return {
    kind, startMs: now, totalBytes, loadedBytes: 0, doneBytes: 0, rdbUsedMem: 0, file: '', data: null, rdb: null,
    nowMs: now, lastLogMs: now, ext: {},
  };
}

/**
 * Run the first slice of `job` now (inside restore). Returns '' when the dataset is loaded or continues in
 * the background (state.loading is then true), else the error that stops the start.
 */
export function startLoading(job: LoadingJob): string {
  state.ext.loading = job;
  state.loading = true;
  arm(true);
  return slice(job);
}

/** The LOADING gate: only commands with Redis's `loading` flag run while the dataset loads. */
function denyWhileLoading(c: Client, def: CommandDef): string | null {
  if (c.id < 0) return null; // the AOF's own replay client
  if (def.flags.has('loading')) return null;
  return LOADING_ERROR;
}

function arm(on: boolean): void {
  const i = denials.indexOf(denyWhileLoading);
  if (on && i < 0) denials.push(denyWhileLoading);
  if (!on && i >= 0) denials.splice(i, 1);
  // Keys do not expire while a dataset loads (Redis's keyIsExpired returns 0 while loading).
  expireGate.suspended = on;
}

/** Busy-wait `us` (the key-load-delay directive) after a key, a testing knob of Redis's (its debugDelay):
 *  negative means 1 microsecond every -us keys. Callers read the directive once per slice. */
let delayCount = 0;
export function keyLoadDelay(us: number): void {
  if (us < 0 && delayCount++ % -us !== 0) return;
  const until = process.hrtime.bigint() + BigInt(Math.max(1, us) * 1000);
  while (process.hrtime.bigint() < until) { /* spin, as Redis's usleep blocks it */ }
}

/**
 * loader.step, leaving INFO's counters (commandstats and errorstats included) as they were: the replayed AOF
 * commands are not the clients' commands, while the clients' own commands between two slices still count.
 * Throws.
 */
function quietStep(loader: Loader, job: LoadingJob, budget: number): boolean {
  const st = state.stats;
  const saved = [st.totalCommands, st.keyspaceHits, st.keyspaceMisses, st.expiredKeys, st.totalErrorReplies, st.dirty];
  const calls = [...st.commandStats.values()].map((a) => [a, a.slice()] as const);
  const errors = new Map(st.errorCounts);
  try {
    return loader.step(job, budget);
  } finally {
    [st.totalCommands, st.keyspaceHits, st.keyspaceMisses, st.expiredKeys, st.totalErrorReplies, st.dirty] = saved;
    for (const [a, before] of calls) for (let i = 0; i < a.length; i++) a[i] = before[i];
    st.errorCounts.clear();
    for (const [k, n] of errors) st.errorCounts.set(k, n);
  }
}

/**
 * Load all of `job` now, in the current event (DEBUG RELOAD and DEBUG LOADAOF load synchronously in Redis). Keys do
 * not expire meanwhile, and the replayed commands leave INFO's counters as they were (quietStep). Returns '' or
 * the error; after an error the loader's abort has dropped what was loaded.
 */
export function loadNow(job: LoadingJob): string {
  const loader = loaders[job.kind];
  if (loader === undefined) return `no loader for ${job.kind} in logic`;
  const suspended = expireGate.suspended;
  expireGate.suspended = true;
  try {
    while (!quietStep(loader, job, Infinity)) { /* a loader may stop at the end of each file */ }
  } catch (e) {
    loader.abort(job);
    return (e as Error).message;
  } finally {
    expireGate.suspended = suspended;
  }
  return loader.finish(job);
}

/** One slice: loading-process-events-interval-bytes of input, then give the loop back. Returns '' or the error. */
function slice(job: LoadingJob): string {
  const loader = loaders[job.kind];
  if (loader === undefined) return fail(job, `no loader for ${job.kind} in logic`);
  let done: boolean;
  try {
    done = quietStep(loader, job, Math.max(1024, cfgInt('loading-process-events-interval-bytes')));
  } catch (e) {
    return fail(job, (e as Error).message);
  }
  const now = Date.now();
  if (!done) {
    if (now - job.lastLogMs >= 1000) {
      job.lastLogMs = now;
      host.log('notice', `Loading ${job.file}: ${percent(job)}% (${job.loadedBytes} of ${job.totalBytes} bytes), eta ${eta(job)} seconds`);
    }
    host.timerAt(LOADING_TIMER, 0);
    return '';
  }
  const err = loader.finish(job);
  if (err !== '') return fail(job, err);
  end();
  return '';
}

function end(): void {
  delete state.ext.loading;
  state.loading = false;
  arm(false);
  host.clearTimer(LOADING_TIMER);
}

function fail(job: LoadingJob, err: string): string {
  loaders[job.kind]?.abort(job);
  end();
  return err;
}

/** The background part: one slice per timer; the shell is told when it is over. */
function onTimer(key: string): void {
  if (key !== LOADING_TIMER) return;
  const job = loadingJob();
  if (job === null) return;
  const err = slice(job);
  if (loadingJob() === null) host.loadingDone(err);
}

function percent(job: LoadingJob): string {
  return ((job.loadedBytes / (job.totalBytes + 1)) * 100).toFixed(2);
}

function eta(job: LoadingJob): number {
  const elapsed = Math.floor(Date.now() / 1000) - Math.floor(job.startMs / 1000);
  if (elapsed === 0) return 1;
  return Math.floor((elapsed * (job.totalBytes - job.loadedBytes)) / (job.loadedBytes + 1));
}

/** SHUTDOWN / SIGTERM while loading: never save a half-loaded dataset over the files (as Redis). */
export function loadingInProgress(): boolean {
  return state.ext.loading !== undefined;
}

lifecycleHooks.timer.push(onTimer);
lifecycleHooks.activate.push(() => {
  // A swap during the load: this logic takes over the gate and the timer.
  const job = loadingJob();
  arm(job !== null);
  if (job !== null) host.timerAt(LOADING_TIMER, 0);
});

addInfoFields('persistence', (): Record<string, InfoValue> => {
  const job = loadingJob();
  if (job === null) return {};
  return {
    loading: 1,
    loading_start_time: Math.floor(job.startMs / 1000),
    loading_total_bytes: job.totalBytes,
    loading_rdb_used_mem: Math.max(0, job.rdbUsedMem),
    loading_loaded_bytes: job.loadedBytes,
    loading_loaded_perc: percent(job),
    loading_eta_seconds: eta(job),
  };
});
