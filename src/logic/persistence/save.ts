// Saving and loading dump files: SAVE (all at once), BGSAVE (in bounded slices while clients go on,
// with copy-on-write in the logic since Node has no fork), and loading at first start.
//
// Files are written to temp-<pid>.rdb in `dir`, fsynced, then renamed over `dbfilename`, as Redis
// does, so a crash never damages the previous dump.
//
// BGSAVE snapshot: at the start, every db's key -> value and key -> expiry Maps are copied (shallow).
// Strings are immutable, so a reference is a snapshot. Collections are changed in place, so each
// one the snapshot refers to is listed in `owners` (record -> where it sits in the snapshot); the
// first time a command is about to change one (keyspace.lookupWrite / noteWrite call the
// beforeWrite hook), its bytes are produced right then and put in the snapshot instead. Deletes,
// renames, moves, SWAPDB and flushes only touch the live Maps, never the copies. The job is plain
// data in state.ext.rdb.job (file descriptor, CRC state, cursor), driven by a shell timer, so a
// logic swap in the middle just lets the new logic continue it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Db, StoredValue } from '../../abi';
import { keyHooks, lruClock, setExpire } from '../keyspace';
import { cfg, cfgInt, host, now, state } from '../runtime';
import { REDIS_VERSION } from '../version';
import type { Crc64 } from './crc64';
import {
  crc64Bytes, crc64New, crc64Update, encodeDbHeader, encodeEntry, encodeHeader, encodeValue, EOF_OPCODE, loadRdb, Out,
  RdbError, type PreSerialized,
} from './rdb';

interface SnapDb {
  id: number;
  keys: string[];
  vals: Map<string, StoredValue>;
  exp: Map<string, number>;
}

export interface SaveJob {
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
function openJob(bg: boolean, dbs: SnapDb[]): SaveJob {
  const tmp = path.resolve(`temp-${host.pid}.rdb`);
  const fd = fs.openSync(tmp, 'w');
  let total = 0;
  for (const d of dbs) total += d.keys.length;
  const job: SaveJob = {
    bg, startMs: Date.now(), tmp, fd, compress: cfg('rdbcompression') === 'yes', checksum: cfg('rdbchecksum') === 'yes',
    dbs, dbi: 0, ki: 0, done: 0, total, crc: crc64New(), owners: new Map(), dirtyAtStart: state.stats.dirty,
  };
  const o = new Out();
  encodeHeader(o, REDIS_VERSION, usedMemory(), false);
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

/** Write keys until `budget` bytes were produced; true when the job is complete (file renamed). */
function step(job: SaveJob, budget: number, maxKeys = Infinity): boolean {
  let keys = 0;
  const o = new Out();
  let produced = 0;
  while (job.dbi < job.dbs.length) {
    const d = job.dbs[job.dbi];
    if (job.ki === 0 && d.keys.length > 0) encodeDbHeader(o, d.id, d.keys.length, d.exp.size);
    while (job.ki < d.keys.length) {
      const key = d.keys[job.ki++];
      const v = d.vals.get(key)!;
      if (typeof v !== 'string') job.owners.delete(v);
      encodeEntry(o, key, v, d.exp.get(key), job.compress);
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
  o.byte(EOF_OPCODE);
  emit(job, o);
  const tail = job.checksum ? crc64Bytes(job.crc) : Buffer.alloc(8);
  fs.writeSync(job.fd, tail);
  fs.fsyncSync(job.fd);
  fs.closeSync(job.fd);
  job.fd = -1;
  fs.renameSync(job.tmp, path.resolve(cfg('dbfilename')));
  return true;
}

function liveDbs(copy: boolean): SnapDb[] {
  const out: SnapDb[] = [];
  for (const db of state.dbs) {
    if (db.dict.size === 0) continue;
    const vals = copy ? new Map(db.dict) : db.dict;
    out.push({ id: db.id, keys: Array.from(vals.keys()), vals, exp: copy ? new Map(db.expires) : db.expires });
  }
  return out;
}

/** rdbSave: write the whole dataset now. Returns '' or the error text (already logged). */
export function saveNow(): string {
  const r = rdbState();
  let job: SaveJob | null = null;
  try {
    job = openJob(false, liveDbs(false));
    step(job, Infinity);
  } catch (e) {
    const msg = (e as Error).message;
    if (job === null) {
      host.log('warning', `Failed opening the temp RDB file temp-${host.pid}.rdb (in server root dir ${process.cwd()}) for saving: ${msg}`);
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
  return '';
}

// --- BGSAVE --------------------------------------------------------------------------------------

/** The beforeWrite hook while a BGSAVE runs: serialize a collection before its first change. */
function beforeWrite(v: StoredValue): void {
  if (typeof v === 'string') return;
  const job = rdbState().job;
  if (job === null) return;
  const at = job.owners.get(v);
  if (at === undefined) return;
  job.owners.delete(v);
  const pre: PreSerialized = encodeValue(v, job.compress);
  job.dbs[at[0]].vals.set(at[1], pre as unknown as StoredValue);
}

function armHook(on: boolean): void {
  const hooks = keyHooks.beforeWrite;
  const i = hooks.indexOf(beforeWrite);
  if (on && i < 0) hooks.push(beforeWrite);
  if (!on && i >= 0) hooks.splice(i, 1);
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
    const dbs = liveDbs(true);
    job = openJob(true, dbs);
    for (let i = 0; i < dbs.length; i++) {
      for (const [k, v] of dbs[i].vals) if (typeof v !== 'string' && v.type !== 'string') job.owners.set(v, [i, k]);
    }
  } catch (e) {
    r.lastBgsaveOk = false;
    host.log('warning', `Can't save in background: ${(e as Error).message}`);
    return (e as Error).message;
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
  // rdb-key-save-delay (a testing knob in Redis: microseconds per key in the child): one key per turn
  const delayUs = cfgInt('rdb-key-save-delay');
  let complete: boolean;
  try {
    complete = step(job, SLICE_BYTES, delayUs > 0 ? 1 : Infinity);
  } catch (e) {
    host.log('warning', `Write error saving DB on disk: ${(e as Error).message}`);
    host.log('warning', 'Background saving error');
    abortJob(job);
    finishBgsave(false);
    return;
  }
  if (!complete) {
    host.timerAt(BGSAVE_TIMER, delayUs > 0 ? Date.now() + Math.ceil(delayUs / 1000) : 0);
    return;
  }
  host.log('notice', 'DB saved on disk');
  host.log('notice', 'Background saving terminated with success');
  state.stats.dirty -= job.dirtyAtStart;
  if (state.stats.dirty < 0) state.stats.dirty = 0;
  state.stats.lastSaveMs = Date.now();
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

export function addLoaded(db: Db, key: string, value: StoredValue, expire: number): void {
  db.dict.set(key, value);
  db.access.set(key, lruClock());
  if (expire !== -1) setExpire(db, key, expire);
}

/** Load dir/dbfilename if it exists. Returns '' or the error that must stop the start. */
export function loadDumpAtStart(): string {
  const file = path.resolve(cfg('dbfilename'));
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    return `Fatal error loading the DB: ${(e as Error).message}. Exiting.`;
  }
  const r = rdbState();
  const t0 = Date.now();
  try {
    const res = loadRdb(data, {
      checksum: cfg('rdbchecksum') === 'yes',
      nowMs: now(),
      dbCount: state.dbs.length,
      onKey: (k) => {
        const db = state.dbs[k.db];
        if (db.dict.has(k.key)) throw new RdbError(`Duplicate key '${k.key}' found in DB ${k.db}`, -1);
        addLoaded(db, k.key, k.value, k.expire);
      },
      onProgress: (pos) => host.log('notice', `Loading RDB: ${Math.floor((pos * 100) / data.length)}% (${pos} of ${data.length} bytes)`),
    });
    const ver = res.aux.get('redis-ver');
    if (ver !== undefined) host.log('notice', `Loading RDB produced by version ${ver}`);
    const ctime = res.aux.get('ctime');
    if (ctime !== undefined) host.log('notice', `RDB age ${Math.floor(Date.now() / 1000) - Number(ctime)} seconds`);
    const mem = res.aux.get('used-mem');
    if (mem !== undefined) host.log('notice', `RDB memory usage when created ${(Number(mem) / 1024 / 1024).toFixed(2)} Mb`);
    host.log('notice', `Done loading RDB, keys loaded: ${res.keys}, keys expired: ${res.expired}.`);
    host.log('notice', `DB loaded from disk: ${((Date.now() - t0) / 1000).toFixed(3)} seconds`);
    r.loadKeysLoaded = res.keys;
    r.loadKeysExpired = res.expired;
    state.stats.lastSaveMs = Date.now();
  } catch (e) {
    clearLoadedData();
    if (e instanceof RdbError) {
      const where = e.offset >= 0 ? ` at offset ${e.offset}` : '';
      return `Bad RDB file ${file}${where}: ${e.message}. Unrecoverable error, aborting now.`;
    }
    return `Fatal error loading the DB ${file}: ${(e as Error).message}. Exiting.`;
  }
  return '';
}
