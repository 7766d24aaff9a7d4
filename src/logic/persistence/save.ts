// Saving and loading dump files: SAVE (all at once), BGSAVE (in bounded slices while clients go on,
// with copy-on-write in the logic since Node has no fork), and loading at first start.
//
// Files are written to temp-<pid>.rdb in `dir`, fsynced, then renamed over `dbfilename`, as Redis
// does, so a crash never damages the previous dump.
//
// BGSAVE snapshot, without copying the dataset (the copy of 1,000,000 keys stalled clients for a
// good part of a second): at the start each db's keys are listed and the job keeps its live dict and
// expires Maps. A key whose value or expiry is about to be replaced, deleted or changed gets its
// pre-image recorded first (keyspace's beforeKeyChange hook): [value, expiry] in the db's `pre` Map.
// Strings are immutable, so a reference is a snapshot. Collections are changed in place, so each one
// the snapshot refers to is listed in `owners` (record -> where it sits in the snapshot); the first
// time a command is about to change one (keyspace.lookupWrite / noteWrite call the beforeWrite hook),
// its bytes are produced right then and become its pre-image. Keys created after the start are not in
// the list. FLUSHDB/FLUSHALL and SWAPDB replace or swap whole Maps, which leaves the job's Maps alone.
// The job is plain data in state.ext.rdb.job (file descriptor, CRC state, cursor), driven by a shell
// timer, so a logic swap in the middle just lets the new logic continue it.
//
// The same job writes BGREWRITEAOF's new AOF base (kind 'aof', persistence/aofrewrite.ts owns it and
// its slot): an RDB with the aof-base aux field, or with aof-use-rdb-preamble no the RESP commands of
// persistence/aofbase.ts, whose copy-on-write keeps a value's commands instead of its RDB bytes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Db, StoredValue } from '../../abi';
import { keyHooks, lruClock, setExpire } from '../keyspace';
import { cfg, cfgInt, host, state } from '../runtime';
import { REDIS_VERSION } from '../version';
import type { Crc64 } from './crc64';
import {
  crc64Bytes, crc64New, crc64Update, encodeDbHeader, encodeEntry, encodeHeader, encodeValue, EOF_OPCODE, Out, RdbError,
  rdbLoadBegin, rdbLoadStep, type PreSerialized,
} from './rdb';
import { keyLoadDelay, loaders, newLoadingJob, startLoading, type Loader, type LoadingJob } from './loading';
import { refreshDiskErrorGate, strerror } from './diskerror';
import { respEntry, respFunctions, respPreSerialize, respSelect, type AofPre } from './aofbase';

/** A value as the snapshot has it: the live record, or its bytes produced before a change. */
type SnapValue = StoredValue | PreSerialized | AofPre;

interface SnapDb {
  id: number;
  /** the keys at the start, in the order they are written */
  keys: string[];
  /** the db's Maps at the start (the live ones: see the header) */
  dict: Map<string, StoredValue>;
  expires: Map<string, number>;
  /** key -> [value, expiry or -1] as at the start, for keys changed since */
  pre: Map<string, [SnapValue, number]>;
  /** sizes at the start (RESIZEDB) */
  size: number;
  expSize: number;
}

export interface SaveJob {
  /** 'rdb': SAVE/BGSAVE, renamed over dbfilename when complete; 'aof': BGREWRITEAOF's new base, left for
   *  persistence/aofrewrite.ts to move into the AOF directory. Absent in a job an older logic started: 'rdb'. */
  kind?: 'rdb' | 'aof';
  /** what the file holds: an RDB (also an AOF base with aof-use-rdb-preamble yes) or AOF commands in RESP */
  format?: 'rdb' | 'resp';
  bg: boolean;
  startMs: number;
  tmp: string;
  fd: number;
  compress: boolean;
  checksum: boolean;
  dbs: SnapDb[];
  dbi: number;
  ki: number;
  /** keys written so far / in the snapshot (INFO current_save_keys_*) */
  done: number;
  total: number;
  crc: Crc64;
  /** collections of the snapshot not written yet -> [db index in `dbs`, key] */
  owners: Map<object, [number, string]>;
  /** server.dirty when the job started (a BGSAVE that succeeds subtracts it) */
  dirtyAtStart: number;
  /** bytes serialized early because a command was about to change a value (INFO *_last_cow_size) */
  cowBytes?: number;
}

export interface RdbState {
  job: SaveJob | null;
  lastBgsaveOk: boolean;
  lastBgsaveTimeSec: number;
  lastBgsaveTryMs: number;
  bgsaveScheduled: boolean;
  saves: number;
  loadKeysLoaded: number;
  loadKeysExpired: number;
  /** copy-on-write bytes of the last BGSAVE that succeeded (absent in state an older logic made) */
  lastCowSize?: number;
}

export function rdbState(): RdbState {
  let r = state.ext.rdb as RdbState | undefined;
  if (r === undefined) {
    r = {
      job: null, lastBgsaveOk: true, lastBgsaveTimeSec: -1, lastBgsaveTryMs: 0, bgsaveScheduled: false, saves: 0,
      loadKeysLoaded: 0, loadKeysExpired: 0,
    };
    state.ext.rdb = r;
  }
  return r;
}

export const BGSAVE_TIMER = 'rdb-bgsave';
/** bytes one BGSAVE slice writes before giving the event loop back */
const SLICE_BYTES = 1 << 20;

function usedMemory(): number {
  return process.memoryUsage().heapUsed;
}

/** Start a job: open the temp file and write the header. Throws on an I/O error. */
function openJob(bg: boolean, dbs: SnapDb[], kind: 'rdb' | 'aof' = 'rdb', format: 'rdb' | 'resp' = 'rdb',
  tmp = path.resolve(`temp-${host.pid}.rdb`)): SaveJob {
  const fd = fs.openSync(tmp, 'w');
  let total = 0;
  for (const d of dbs) total += d.keys.length;
  const job: SaveJob = {
    kind, format, bg, startMs: Date.now(), tmp, fd, compress: cfg('rdbcompression') === 'yes',
    checksum: format === 'rdb' && cfg('rdbchecksum') === 'yes', dbs, dbi: 0, ki: 0, done: 0, total, crc: crc64New(),
    owners: new Map(), dirtyAtStart: state.stats.dirty, cowBytes: 0,
  };
  const o = new Out();
  if (format === 'rdb') encodeHeader(o, REDIS_VERSION, usedMemory(), kind === 'aof');
  else o.latin1(respFunctions());
  try {
    emit(job, o);
  } catch (e) {
    abortJob(job);
    throw e;
  }
  return job;
}

function emit(job: SaveJob, o: Out): void {
  if (o.len === 0) return;
  if (job.checksum) crc64Update(job.crc, o.buf, 0, o.len);
  let off = 0;
  while (off < o.len) off += fs.writeSync(job.fd, o.buf, off, o.len - off);
  o.len = 0;
}

/** Close and delete the temp file of a failed or killed job. */
export function abortJob(job: SaveJob): void {
  try { fs.closeSync(job.fd); } catch { /* already closed */ }
  try { fs.unlinkSync(job.tmp); } catch { /* gone */ }
  job.owners.clear();
}

/**
 * Write keys until `budget` bytes were produced; true when the job is complete (written, fsynced and
 * closed; an RDB job's file renamed over dbfilename, an AOF job's left where it is for its owner).
 */
function step(job: SaveJob, budget: number, maxKeys = Infinity): boolean {
  let keys = 0;
  const o = new Out();
  let produced = 0;
  const resp = job.format === 'resp';
  while (job.dbi < job.dbs.length) {
    const d = job.dbs[job.dbi];
    if (job.ki === 0 && d.keys.length > 0) {
      if (resp) o.latin1(respSelect(d.id));
      else encodeDbHeader(o, d.id, d.size, d.expSize);
    }
    while (job.ki < d.keys.length) {
      const key = d.keys[job.ki++];
      const p = d.pre.size === 0 ? undefined : d.pre.get(key);
      let v: SnapValue | undefined;
      let exp: number | undefined;
      if (p !== undefined) {
        v = p[0];
        exp = p[1] === -1 ? undefined : p[1];
      } else {
        v = d.dict.get(key);
        exp = d.expires.size === 0 ? undefined : d.expires.get(key);
      }
      if (v === undefined) continue; // (not reached: a key deleted since the start has its pre-image)
      if (typeof v !== 'string') job.owners.delete(v);
      if (resp) o.latin1(respEntry(key, v as StoredValue, exp));
      else encodeEntry(o, key, v as StoredValue, exp, job.compress);
      job.done++;
      if (++keys >= maxKeys) {
        emit(job, o);
        return false;
      }
      if (o.len >= 64 << 10) {
        produced += o.len;
        emit(job, o);
        if (produced >= budget) return false;
      }
    }
    job.dbi++;
    job.ki = 0;
  }
  if (!resp) o.byte(EOF_OPCODE);
  emit(job, o);
  if (!resp) fs.writeSync(job.fd, job.checksum ? crc64Bytes(job.crc) : Buffer.alloc(8));
  fs.fsyncSync(job.fd);
  fs.closeSync(job.fd);
  job.fd = -1;
  if (job.kind !== 'aof') fs.renameSync(job.tmp, path.resolve(cfg('dbfilename')));
  return true;
}

/** The snapshot's view of every non-empty db: its keys now and its Maps (see the header). */
function liveDbs(): SnapDb[] {
  const out: SnapDb[] = [];
  for (const db of state.dbs) {
    if (db.dict.size === 0) continue;
    out.push({
      id: db.id, keys: Array.from(db.dict.keys()), dict: db.dict, expires: db.expires, pre: new Map(),
      size: db.dict.size, expSize: db.expires.size,
    });
  }
  return out;
}

/** rdbSave: write the whole dataset now. Returns '' or the error text (already logged). */
export function saveNow(): string {
  const r = rdbState();
  let job: SaveJob | null = null;
  try {
    job = openJob(false, liveDbs());
    step(job, Infinity);
  } catch (e) {
    const msg = (e as Error).message;
    if (job === null) {
      host.log('warning', `Failed opening the temp RDB file temp-${host.pid}.rdb (in server root dir ${serverRootDir()}) for saving: ${strerror(e)}`);
    } else {
      host.log('warning', `Write error saving DB on disk: ${msg}`);
      abortJob(job);
    }
    return msg;
  }
  host.log('notice', 'DB saved on disk');
  state.stats.dirty = 0;
  state.stats.lastSaveMs = Date.now();
  r.lastBgsaveOk = true;
  r.saves++;
  refreshDiskErrorGate();
  return '';
}

/** Write the whole dataset to `file` at once as an AOF base (an RDB with the aof-base aux field, or RESP
 *  commands): the AOF created at first start. Returns its size; throws on an I/O error (file removed). */
export function writeSnapshotNow(file: string, format: 'rdb' | 'resp'): number {
  const job = openJob(false, liveDbs(), 'aof', format, file);
  try {
    step(job, Infinity);
  } catch (e) {
    abortJob(job);
    throw e;
  }
  return fs.statSync(file).size;
}

/** The working directory for log lines; `dir` when it was removed under the server (getcwd fails then). */
function serverRootDir(): string {
  try {
    return process.cwd();
  } catch {
    return cfg('dir');
  }
}

// --- BGSAVE --------------------------------------------------------------------------------------

/** Copy-on-write for a background job: serialize a collection of its snapshot before its first change. */
export function cowSnapshot(job: SaveJob, v: StoredValue): void {
  if (typeof v === 'string') return;
  const at = job.owners.get(v);
  if (at === undefined) return;
  job.owners.delete(v);
  const pre: PreSerialized | AofPre = job.format === 'resp' ? respPreSerialize(at[1], v) : encodeValue(v, job.compress);
  job.cowBytes = (job.cowBytes ?? 0) + pre.body.length;
  const d = job.dbs[at[0]];
  // The expiry as at the start: the recorded pre-image's (the key may hold another value by now), else the live one.
  const before = d.pre.get(at[1]);
  d.pre.set(at[1], [pre, before !== undefined ? before[1] : d.expires.get(at[1]) ?? -1]);
}

/** Copy-on-write for a background job: a key's value and expiry before they are replaced, deleted or changed. */
function cowKey(job: SaveJob, db: Db, key: string): void {
  for (const d of job.dbs) {
    if (d.dict !== db.dict) continue;
    if (d.pre.has(key)) return;
    const v = d.dict.get(key);
    if (v !== undefined) d.pre.set(key, [v, d.expires.get(key) ?? -1]);
    return;
  }
}

/** The running background jobs (BGSAVE's, the AOF rewrite's): getters their owners arm with armCow. */
const cowJobs: (() => SaveJob | null)[] = [];

function cowBeforeWrite(v: StoredValue): void {
  for (const get of cowJobs) {
    const job = get();
    if (job !== null) cowSnapshot(job, v);
  }
}

function cowBeforeKeyChange(db: Db, key: string): void {
  for (const get of cowJobs) {
    const job = get();
    if (job !== null) cowKey(job, db, key);
  }
}

/** Start (on) or stop the copy-on-write of the job `getJob` returns (keyspace.keyHooks); idempotent. */
export function armCow(getJob: () => SaveJob | null, on: boolean): void {
  const i = cowJobs.indexOf(getJob);
  if (on && i < 0) cowJobs.push(getJob);
  if (!on && i >= 0) cowJobs.splice(i, 1);
  const want = cowJobs.length !== 0;
  for (const [hooks, hook] of [[keyHooks.beforeWrite, cowBeforeWrite], [keyHooks.beforeKeyChange, cowBeforeKeyChange]] as const) {
    const at = (hooks as unknown[]).indexOf(hook);
    if (want && at < 0) (hooks as unknown[]).push(hook);
    if (!want && at >= 0) (hooks as unknown[]).splice(at, 1);
  }
}

function bgsaveJob(): SaveJob | null {
  return rdbState().job;
}

function armHook(on: boolean): void {
  armCow(bgsaveJob, on);
}

/**
 * The fork of rdbSaveBackground / rewriteAppendOnlyFileBackground: open a background job over a
 * copy-on-write snapshot of the dataset. The caller arms its beforeWrite hook and its timer. Throws on an I/O error.
 */
export function startSnapshot(kind: 'rdb' | 'aof', format: 'rdb' | 'resp', tmp?: string): SaveJob {
  const dbs = liveDbs();
  const job = openJob(true, dbs, kind, format, tmp);
  for (let i = 0; i < dbs.length; i++) {
    for (const [k, v] of dbs[i].dict) if (typeof v !== 'string' && v.type !== 'string') job.owners.set(v, [i, k]);
  }
  return job;
}

/**
 * One slice of a background job, run by its shell timer `timer`: about SLICE_BYTES, or one key per turn
 * with rdb-key-save-delay (a testing knob in Redis: microseconds per key in the child). Re-arms the timer
 * while keys remain; true when the file is complete. Throws on an I/O error.
 */
export function jobSlice(job: SaveJob, timer: string): boolean {
  const delayUs = cfgInt('rdb-key-save-delay');
  if (step(job, SLICE_BYTES, delayUs > 0 ? 1 : Infinity)) return true;
  host.timerAt(timer, delayUs > 0 ? Date.now() + Math.ceil(delayUs / 1000) : 0);
  return false;
}

export function bgsaveInProgress(): boolean {
  return rdbState().job !== null;
}

/** rdbSaveBackground: '' when started, else the error text. */
export function bgsaveStart(): string {
  const r = rdbState();
  r.lastBgsaveTryMs = Date.now();
  let job: SaveJob;
  try {
    job = startSnapshot('rdb', 'rdb');
  } catch (e) {
    // Redis forks, answers "Background saving started", and its child fails to create the temp file: the
    // same outcome here. The failure shows in the log and INFO (rdb_last_bgsave_status:err), and with
    // save points set, MISCONF refuses writes until a save works.
    r.saves++;
    host.log('notice', `Background saving started by pid ${host.pid}`);
    host.log('warning', `Failed opening the temp RDB file temp-${host.pid}.rdb (in server root dir ${serverRootDir()}) for saving: ${strerror(e)}`);
    host.log('warning', 'Background saving error');
    r.lastBgsaveOk = false;
    r.lastBgsaveTimeSec = 0;
    refreshDiskErrorGate();
    return '';
  }
  r.job = job;
  r.saves++;
  armHook(true);
  host.log('notice', `Background saving started by pid ${host.pid}`);
  host.timerAt(BGSAVE_TIMER, 0);
  return '';
}

/** One slice of the running BGSAVE (the shell timer BGSAVE_TIMER). */
export function bgsaveSlice(): void {
  const r = rdbState();
  const job = r.job;
  if (job === null) return;
  let complete: boolean;
  try {
    complete = jobSlice(job, BGSAVE_TIMER);
  } catch (e) {
    host.log('warning', `Write error saving DB on disk: ${(e as Error).message}`);
    host.log('warning', 'Background saving error');
    abortJob(job);
    finishBgsave(false);
    return;
  }
  if (!complete) return;
  host.log('notice', 'DB saved on disk');
  host.log('notice', 'Background saving terminated with success');
  state.stats.dirty -= job.dirtyAtStart;
  if (state.stats.dirty < 0) state.stats.dirty = 0;
  state.stats.lastSaveMs = Date.now();
  r.lastCowSize = job.cowBytes ?? 0;
  finishBgsave(true);
}

function finishBgsave(ok: boolean): void {
  const r = rdbState();
  const job = r.job;
  if (job !== null) {
    r.lastBgsaveTimeSec = Math.floor((Date.now() - job.startMs) / 1000);
    job.owners.clear();
  }
  r.job = null;
  r.lastBgsaveOk = ok;
  armHook(false);
  host.clearTimer(BGSAVE_TIMER);
  refreshDiskErrorGate();
}

/** killRDBChild: stop a running BGSAVE and delete its temp file (FLUSHALL, SHUTDOWN). */
export function bgsaveKill(): void {
  const r = rdbState();
  const job = r.job;
  if (job === null) return;
  abortJob(job);
  r.job = null;
  armHook(false);
  host.clearTimer(BGSAVE_TIMER);
}

/** After a logic swap: take over a BGSAVE the previous logic started. */
export function bgsaveResume(): void {
  if (rdbState().job === null) return;
  armHook(true);
  host.timerAt(BGSAVE_TIMER, 0);
}

// --- loading ------------------------------------------------------------------------------------

/** Drop everything a failed load put in (the start stops). */
export function clearLoadedData(): void {
  for (const db of state.dbs) {
    db.dict.clear();
    db.expires.clear();
    db.access.clear();
    db.expireHeapKey.length = 0;
    db.expireHeapWhen.length = 0;
  }
}

/** Store a loaded key. Returns false when the key was already there (its value is replaced): the size test
 *  saves a separate lookup per key, which is a third of the load time of a large dump. */
export function addLoaded(db: Db, key: string, value: StoredValue, expire: number): boolean {
  const size = db.dict.size;
  db.dict.set(key, value);
  db.access.set(key, lruClock());
  if (expire !== -1) setExpire(db, key, expire);
  return db.dict.size !== size;
}

/** dump.rdb's reader for persistence/loading.ts: rdbLoadStep over the file's bytes. */
const dumpLoader: Loader = {
  step(job, budget) {
    const data = job.data!;
    const cur = job.rdb!;
    const delayUs = cfgInt('key-load-delay');
    let done: boolean;
    try {
      done = rdbLoadStep(data, cur, {
        checksum: cfg('rdbchecksum') === 'yes',
        nowMs: job.nowMs,
        dbCount: state.dbs.length,
        onKey: (k) => {
          const db = state.dbs[k.db];
          // A key already there replaces the value, or stops the load unless the job merges (DEBUG RELOAD MERGE).
          if (!addLoaded(db, k.key, k.value, k.expire) && job.ext.merge !== true) {
            throw new RdbError(`Duplicate key '${k.key}' found in DB ${k.db}`, -1);
          }
          if (delayUs !== 0) keyLoadDelay(delayUs);
        },
      }, budget);
    } catch (e) {
      throw new Error(rdbLoadErrorText(job.file, e));
    }
    job.loadedBytes = cur.pos;
    // The aux fields come first in a dump: log them as soon as they are read, as Redis does.
    if (job.rdbUsedMem === 0 && (cur.res.keys > 0 || done)) {
      const aux = cur.res.aux;
      const ver = aux.get('redis-ver');
      if (ver !== undefined) host.log('notice', `Loading RDB produced by version ${ver}`);
      const ctime = aux.get('ctime');
      if (ctime !== undefined) host.log('notice', `RDB age ${Math.floor(Date.now() / 1000) - Number(ctime)} seconds`);
      const mem = aux.get('used-mem');
      if (mem !== undefined) host.log('notice', `RDB memory usage when created ${(Number(mem) / 1024 / 1024).toFixed(2)} Mb`);
      job.rdbUsedMem = Number(mem) || -1; // -1: logged, the dump has no used-mem field
    }
    return done;
  },
  finish(job) {
    const res = job.rdb!.res;
    host.log('notice', `Done loading RDB, keys loaded: ${res.keys}, keys expired: ${res.expired}.`);
    host.log('notice', `DB loaded from disk: ${((Date.now() - job.startMs) / 1000).toFixed(3)} seconds`);
    const r = rdbState();
    r.loadKeysLoaded = res.keys;
    r.loadKeysExpired = res.expired;
    state.stats.lastSaveMs = Date.now();
    job.data = null;
    return '';
  },
  abort() {
    clearLoadedData();
  },
};
loaders.rdb = dumpLoader;

/** Text that stops the start for a load error (RdbError carries the offset). */
export function rdbLoadErrorText(file: string, e: unknown): string {
  if (e instanceof RdbError) {
    const where = e.offset >= 0 ? ` at offset ${e.offset}` : '';
    return `Bad RDB file ${file}${where}: ${e.message}. Unrecoverable error, aborting now.`;
  }
  return `Fatal error loading the DB ${file}: ${(e as Error).message}. Exiting.`;
}

/** A loading job over dir/dbfilename (its header checked): null when there is no such file, else the job or the error. */
export function dumpLoadingJob(): LoadingJob | string | null {
  const file = path.resolve(cfg('dbfilename'));
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return `Fatal error loading the DB: ${(e as Error).message}. Exiting.`;
  }
  const job = newLoadingJob('rdb', data.length);
  job.file = file;
  job.data = data;
  try {
    job.rdb = rdbLoadBegin(data);
  } catch (e) {
    return rdbLoadErrorText(file, e);
  }
  return job;
}

/**
 * Load dir/dbfilename if it exists: the first slice now, the rest in the background (persistence/loading.ts).
 * Returns '' or the error that must stop the start.
 */
export function loadDumpAtStart(): string {
  const job = dumpLoadingJob();
  if (job === null) return '';
  if (typeof job === 'string') return job;
  return startLoading(job);
}
