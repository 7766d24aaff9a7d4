// Rewriting the append only file, as Redis 7.0's aof.c does it: BGREWRITEAOF
// (rewriteAppendOnlyFileBackground + backgroundRewriteDoneHandler), the automatic rewrite of
// serverCron (auto-aof-rewrite-percentage / -min-size), and switching the AOF on and off at runtime
// (CONFIG SET appendonly: startAppendOnly / stopAppendOnly).
//
// - The "child" is the BGSAVE machinery of persistence/save.ts: a copy-on-write snapshot written in
//   slices by a shell timer, here to temp-rewriteaof-bg-<pid>.aof in `dir` (an RDB with the aof-base
//   aux field, or RESP commands with aof-use-rdb-preamble no). The job is plain data in
//   state.ext.aofrw.job, so a hot upgrade in the middle lets the next logic continue it. It has its
//   own slot (not state.ext.rdb.job) so a logic that knows no rewrites never mistakes it for a BGSAVE.
// - At the start the AOF buffer is flushed and a new incr file opened (the next seq) and written into
//   the manifest, so commands from then on go to it while the old incr files stay type 'i'. With
//   the AOF off nothing is opened (Redis 7.0 still writes a base and a manifest then). When the AOF
//   is being switched on (AOF_WAIT_REWRITE), commands go to temp-<appendfilename>.incr instead.
// - When the snapshot is complete: rename it to <appendfilename>.<seq>.base.rdb (or .base.aof), the
//   temp incr (if any) to the next incr name, mark the old base and the incr files the new base
//   covers as history, persist the manifest, then delete the history files (aof-disable-auto-gc no).
// - One job at a time, as Redis has one child: BGREWRITEAOF while a BGSAVE runs is scheduled, BGSAVE
//   while a rewrite runs is refused or scheduled (commands/persistence.ts).
//
// The manifest on disk is the source of truth (Redis keeps a copy in memory); the highest base and
// incr seqs this server used are kept too, so a seq is never reused while it runs, as in Redis.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLIENT_IN_EXEC } from '../dispatch';
import { cfg, cfgInt, host, state } from '../runtime';
import {
  aofDir, aofState, flushAof, installAofHooks, manifestName, parseManifest, writeManifest, type AofState, type ManifestEntry,
} from './aof';
import { abortJob, armCow, bgsaveInProgress, jobSlice, startSnapshot, type SaveJob } from './save';

export const AOFRW_TIMER = 'aof-rewrite';

export interface AofRewriteState {
  /** the running rewrite (Redis: the child of type CHILD_TYPE_AOF) */
  job: SaveJob | null;
  /** AOF_WAIT_REWRITE: appendonly was switched on; the AOF is on once this first rewrite completes */
  waitRewrite: boolean;
  /** aof_rewrite_scheduled: start a rewrite as soon as no job runs */
  scheduled: boolean;
  lastOk: boolean;
  /** aof_last_rewrite_time_sec (-1: none yet) */
  lastTimeSec: number;
  /** when the running rewrite started (-1: none) */
  startMs: number;
  rewrites: number;
  consecutiveFailures: number;
  lastCowSize: number;
  /** highest base / incr seq this server wrote into the manifest */
  baseSeq: number;
  incrSeq: number;
  /** aofRewriteLimited: minutes of the current delay and when it ends */
  limitDelayMin: number;
  limitUntilMs: number;
  /**
   * upgradesTotal + rollbacksTotal when the logic running the job was swapped out; -1 while a logic
   * that knows the job runs it. A different count at activate means a logic that ignores rewrites
   * ran in between.
   */
  handoff: number;
}

export function rewriteState(): AofRewriteState {
  let rw = state.ext.aofrw as AofRewriteState | undefined;
  if (rw === undefined) {
    rw = {
      job: null, waitRewrite: false, scheduled: false, lastOk: true, lastTimeSec: -1, startMs: -1, rewrites: 0,
      consecutiveFailures: 0, lastCowSize: 0, baseSeq: 0, incrSeq: 0, limitDelayMin: 0, limitUntilMs: 0, handoff: -1,
    };
    state.ext.aofrw = rw;
  }
  return rw;
}

function peek(): AofRewriteState | undefined {
  return state.ext.aofrw as AofRewriteState | undefined;
}

export function rewriteJob(): SaveJob | null {
  return peek()?.job ?? null;
}

export function rewriteInProgress(): boolean {
  return rewriteJob() !== null;
}

/** hasActiveChildProcess */
function childActive(): boolean {
  return bgsaveInProgress() || rewriteInProgress();
}

/** aof_state != AOF_OFF: on, or waiting for the rewrite that switches it on. */
export function aofEnabled(): boolean {
  return aofState() !== undefined || peek()?.waitRewrite === true;
}

/** server.in_exec: EXEC runs its queue synchronously, so at most the client running it has the flag. */
function inExec(): boolean {
  for (const c of state.clients.values()) if ((c.flags & CLIENT_IN_EXEC) !== 0) return true;
  return false;
}

function swaps(): number {
  return state.upgrade.upgradesTotal + state.upgrade.rollbacksTotal;
}

function unixSec(ms: number): number {
  return Math.floor(ms / 1000);
}

/** aof_current_rewrite_time_sec, in whole seconds as Redis subtracts time(NULL) values. */
export function currentRewriteTimeSec(rw: AofRewriteState): number {
  return rw.startMs < 0 ? -1 : unixSec(Date.now()) - unixSec(rw.startMs);
}

function errText(e: unknown): string {
  return (e as Error)?.message ?? String(e);
}

function unlinkQuiet(file: string): void {
  try { fs.unlinkSync(file); } catch { /* already gone */ }
}

// --- the manifest ---------------------------------------------------------------------------------

function tempIncrName(): string {
  return `temp-${cfg('appendfilename')}.incr`;
}

/** The manifest as on disk; none yet (the AOF was never on in this dir) is an empty one. */
function readManifest(dir: string): ManifestEntry[] {
  try {
    return parseManifest(fs.readFileSync(path.join(dir, manifestName()), 'latin1'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

function lastSeq(entries: readonly ManifestEntry[], type: ManifestEntry['type']): number {
  let seq = 0;
  for (const e of entries) if (e.type === type && e.seq > seq) seq = e.seq;
  return seq;
}

/** aofDelHistoryFiles: unless aof-disable-auto-gc, delete the history files, then drop them from the manifest. */
export function deleteHistory(dir: string, entries: ManifestEntry[]): void {
  if (cfg('aof-disable-auto-gc') === 'yes') return;
  const hist = entries.filter((e) => e.type === 'h');
  if (hist.length === 0) return;
  for (const e of hist) {
    host.log('notice', `Removing the history file ${e.name} in the background`);
    unlinkQuiet(path.join(dir, e.name));
  }
  try {
    writeManifest(dir, entries.filter((e) => e.type !== 'h'));
  } catch (e) {
    host.log('warning', `Error trying to persist the AOF manifest file ${manifestName()}: ${errText(e)}`);
  }
}

/** CONFIG SET aof-disable-auto-gc no: what accumulated meanwhile goes now. */
export function deleteHistoryNow(): void {
  const dir = aofDir();
  try {
    deleteHistory(dir, readManifest(dir));
  } catch (e) {
    host.log('warning', `Can't read the AOF manifest file ${manifestName()}: ${errText(e)}`);
  }
}

// --- the incr file ---------------------------------------------------------------------------------

function newAofState(fd: number, incrName: string): AofState {
  return { fd, incrName, selectedDb: -1, lastWriteOk: true, lastFsyncMs: Date.now(), unsynced: 0, currentSize: 0, baseSize: 0 };
}

/** fsync (what was not yet) and close the incr file. Redis hands this to a thread when it switches files
 *  (aof_background_fsync_and_close); here it is done at once. */
function closeIncr(a: AofState): void {
  if (a.unsynced > 0) {
    try {
      fs.fsyncSync(a.fd);
    } catch (e) {
      host.log('warning', `Fail to fsync the AOF file: ${errText(e)}`);
    }
  }
  try { fs.closeSync(a.fd); } catch { /* already closed */ }
  a.fd = -1;
}

/**
 * openNewIncrAofForAppend: with the AOF on, the next incr file, persisted in the manifest; while it is
 * being switched on, the temp incr file. Commands are appended there from now on. False on an I/O error.
 */
function openNewIncr(rw: AofRewriteState, dir: string): boolean {
  const a = aofState();
  if (!rw.waitRewrite && a === undefined) return true;
  let name = tempIncrName();
  let entries: ManifestEntry[] | null = null;
  let seq = 0;
  if (!rw.waitRewrite) {
    try {
      entries = readManifest(dir);
    } catch (e) {
      host.log('warning', `Can't read the AOF manifest file ${manifestName()}: ${errText(e)}`);
      return false;
    }
    seq = Math.max(rw.incrSeq, lastSeq(entries, 'i')) + 1;
    name = `${cfg('appendfilename')}.${seq}.incr.aof`;
    entries.push({ name, seq, type: 'i' });
  }
  let fd: number;
  try {
    fd = fs.openSync(path.join(dir, name), 'w');
  } catch (e) {
    host.log('warning', `Can't open the append-only file ${name}: ${errText(e)}`);
    return false;
  }
  if (entries !== null) {
    try {
      writeManifest(dir, entries);
    } catch (e) {
      host.log('warning', `Error trying to persist the AOF manifest file ${manifestName()}: ${errText(e)}`);
      fs.closeSync(fd);
      unlinkQuiet(path.join(dir, name));
      return false;
    }
    rw.incrSeq = seq;
  }
  host.log('notice', `Creating AOF incr file ${name} on background rewrite`);
  if (a === undefined) {
    state.ext.aof = newAofState(fd, name);
    installAofHooks();
    return true;
  }
  if (a.fd >= 0) closeIncr(a);
  a.fd = fd;
  a.incrName = name;
  a.unsynced = 0;
  a.lastFsyncMs = Date.now();
  return true;
}

/** A rewrite that was to switch the AOF on failed or stopped: its temp incr file goes (aofDelTempIncrAofFile). */
function dropWaitingIncr(): void {
  const a = aofState();
  if (a !== undefined) {
    if (a.fd >= 0) try { fs.closeSync(a.fd); } catch { /* already closed */ }
    delete state.ext.aof;
    installAofHooks(); // off again: commands are not collected until the next attempt opens a file
  }
  const name = tempIncrName();
  host.log('notice', `Removing the temp incr aof file ${name} in the background`);
  unlinkQuiet(path.join(aofDir(), name));
}

// --- the rewrite ----------------------------------------------------------------------------------

function endJob(rw: AofRewriteState): void {
  rw.job = null;
  armCow(rewriteJob, false);
  host.clearTimer(AOFRW_TIMER);
}

/** rewriteAppendOnlyFileBackground: true when the rewrite started (errors are logged). */
export function rewriteStart(): boolean {
  const rw = rewriteState();
  if (childActive()) return false;
  const dir = aofDir();
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    host.log('warning', `Can't open or create append-only dir ${cfg('appenddirname')}: ${errText(e)}`);
    rw.lastOk = false;
    return false;
  }
  const a = aofState();
  if (a !== undefined) {
    a.selectedDb = -1; // the new incr file starts with a SELECT
    flushAof();
  }
  if (!openNewIncr(rw, dir)) {
    rw.lastOk = false;
    return false;
  }
  rw.rewrites++;
  let job: SaveJob;
  try {
    const format = cfg('aof-use-rdb-preamble') === 'yes' ? 'rdb' : 'resp';
    job = startSnapshot('aof', format, path.resolve(`temp-rewriteaof-bg-${host.pid}.aof`));
  } catch (e) {
    // where Redis's fork fails
    rw.lastOk = false;
    host.log('warning', `Can't rewrite append only file in background: ${errText(e)}`);
    if (rw.waitRewrite) dropWaitingIncr();
    return false;
  }
  rw.job = job;
  rw.handoff = -1;
  armCow(rewriteJob, true);
  host.log('notice', `Background append only file rewriting started by pid ${host.pid}`);
  rw.scheduled = false;
  rw.startMs = Date.now();
  host.timerAt(AOFRW_TIMER, 0);
  return true;
}

/** One slice of the running rewrite (the shell timer AOFRW_TIMER). */
export function rewriteSlice(): void {
  const rw = peek();
  const job = rw?.job ?? null;
  if (rw === undefined || job === null) return;
  let complete: boolean;
  try {
    complete = jobSlice(job, AOFRW_TIMER);
  } catch (e) {
    host.log('warning', `Write error writing append only file on disk: ${errText(e)}`);
    endJob(rw);
    abortJob(job);
    rewriteDone(rw, null);
    return;
  }
  if (!complete) return;
  host.log('notice', `Successfully created the temporary AOF base file ${path.basename(job.tmp)}`);
  endJob(rw);
  rw.lastCowSize = job.cowBytes ?? 0;
  rewriteDone(rw, job);
}

/** backgroundRewriteDoneHandler: `job` is the complete one, null when it failed. */
function rewriteDone(rw: AofRewriteState, job: SaveJob | null): void {
  if (job === null) {
    rw.lastOk = false;
    rw.consecutiveFailures++;
    host.log('warning', 'Background AOF rewrite terminated with error');
  } else {
    host.log('notice', 'Background AOF rewrite terminated with success');
    if (installNewBase(rw, job)) {
      rw.lastOk = true;
      rw.consecutiveFailures = 0;
      host.log('notice', 'Background AOF rewrite finished successfully');
      rw.waitRewrite = false; // AOF_WAIT_REWRITE -> AOF_ON
    } else {
      rw.lastOk = false;
      rw.consecutiveFailures++;
    }
    unlinkQuiet(job.tmp); // still there when it could not be renamed
  }
  if (rw.waitRewrite) {
    dropWaitingIncr();
    rw.scheduled = true; // try again: the AOF is still to be switched on
  }
  rw.lastTimeSec = currentRewriteTimeSec(rw);
  rw.startMs = -1;
}

/** Move the complete base into the AOF directory and make the manifest point at it. False on an I/O error (logged). */
function installNewBase(rw: AofRewriteState, job: SaveJob): boolean {
  const dir = aofDir();
  const fname = cfg('appendfilename');
  const tmpName = path.basename(job.tmp);
  let entries: ManifestEntry[];
  try {
    entries = readManifest(dir);
  } catch (e) {
    host.log('warning', `Can't read the AOF manifest file ${manifestName()}: ${errText(e)}`);
    return false;
  }
  const oldBase = entries.find((e) => e.type === 'b');
  const incrs = entries.filter((e) => e.type === 'i');
  let history = entries.filter((e) => e.type === 'h');
  // getNewBaseFileNameAndMarkPreAsHistory
  const baseSeq = Math.max(rw.baseSeq, oldBase?.seq ?? 0) + 1;
  const baseName = `${fname}.${baseSeq}.base.${job.format === 'resp' ? 'aof' : 'rdb'}`;
  const basePath = path.join(dir, baseName);
  if (oldBase !== undefined) history = [{ ...oldBase, type: 'h' }, ...history];
  try {
    fs.renameSync(job.tmp, basePath);
  } catch (e) {
    host.log('warning', `Error trying to rename the temporary AOF base file ${tmpName} into ${baseName}: ${errText(e)}`);
    return false;
  }
  host.log('notice', `Successfully renamed the temporary AOF base file ${tmpName} into ${baseName}`);
  const a = aofState();
  let incrSeq = rw.incrSeq;
  let incrPath = '';
  if (rw.waitRewrite) {
    incrSeq = Math.max(rw.incrSeq, lastSeq(incrs, 'i')) + 1;
    const incrName = `${fname}.${incrSeq}.incr.aof`;
    const tempPath = path.join(dir, tempIncrName());
    incrPath = path.join(dir, incrName);
    try {
      fs.renameSync(tempPath, incrPath);
    } catch (e) {
      host.log('warning', `Error trying to rename the temporary AOF incr file ${tempPath} into ${incrPath}: ${errText(e)}`);
      unlinkQuiet(basePath);
      return false;
    }
    host.log('notice', `Successfully renamed the temporary AOF incr file ${tempIncrName()} into ${incrName}`);
    incrs.push({ name: incrName, seq: incrSeq, type: 'i' });
    if (a !== undefined) a.incrName = incrName; // same descriptor, new name
  }
  // markRewrittenIncrAofAsHistory: the new base covers every incr file but the one being written
  const writing = a !== undefined && a.fd >= 0;
  const kept = writing ? incrs.slice(-1) : [];
  const covered = writing ? incrs.slice(0, -1) : incrs;
  history = [...covered.map((e): ManifestEntry => ({ ...e, type: 'h' })), ...history];
  const next: ManifestEntry[] = [{ name: baseName, seq: baseSeq, type: 'b' }, ...history, ...kept];
  try {
    writeManifest(dir, next);
  } catch (e) {
    host.log('warning', `Error trying to persist the AOF manifest file ${manifestName()}: ${errText(e)}`);
    unlinkQuiet(basePath);
    if (incrPath !== '') unlinkQuiet(incrPath);
    return false;
  }
  rw.baseSeq = baseSeq;
  rw.incrSeq = incrSeq;
  if (a !== undefined && a.fd >= 0) {
    a.selectedDb = -1; // make sure SELECT is re-issued
    a.currentSize = fs.statSync(basePath).size + fs.fstatSync(a.fd).size;
    a.baseSize = a.currentSize;
  }
  deleteHistory(dir, next);
  return true;
}

/** killAppendOnlyChild: stop a running rewrite and delete its temp base file. */
export function rewriteKill(): void {
  const rw = peek();
  const job = rw?.job ?? null;
  if (rw === undefined || job === null) return;
  host.log('notice', `Killing running AOF rewrite child: ${host.pid}`);
  endJob(rw);
  abortJob(job);
  rw.startMs = -1;
}

// --- appendonly at runtime ------------------------------------------------------------------------

/** startAppendOnly (CONFIG SET appendonly yes): false when no rewrite could be started (logged). */
export function startAppendOnly(): boolean {
  const rw = rewriteState();
  rw.waitRewrite = true;
  if (bgsaveInProgress()) {
    rw.scheduled = true;
    host.log('warning', 'AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
  } else if (inExec()) {
    rw.scheduled = true;
    host.log('warning', 'AOF was enabled during a transaction. An AOF background was scheduled to start when possible.');
  } else if (state.loading === true) {
    // Not in Redis (its load blocks): a snapshot now would miss the keys still to load, which are not
    // propagated either, so the rewrite waits for the load.
    rw.scheduled = true;
  } else {
    if (rw.job !== null) {
      // it is not collecting the commands for the new AOF: start over
      host.log('warning', 'AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
      rewriteKill();
    }
    if (!rewriteStart()) {
      rw.waitRewrite = false;
      host.log('warning', "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
      return false;
    }
  }
  const a = aofState();
  if (a !== undefined && !a.lastWriteOk) {
    host.log('warning', 'AOF reopen, just ignore the last error.');
    a.lastWriteOk = true;
  }
  return true;
}

/** stopAppendOnly (CONFIG SET appendonly no): write, fsync and close the incr file; stop a running rewrite. */
export function stopAppendOnly(): void {
  const a = aofState();
  if (a !== undefined && a.fd >= 0) {
    flushAof();
    closeIncr(a);
  }
  delete state.ext.aof;
  installAofHooks();
  const rw = rewriteState();
  rw.waitRewrite = false;
  rw.scheduled = false;
  rewriteKill();
}

// --- serverCron -----------------------------------------------------------------------------------

/** aofRewriteLimited: after 3 failures in a row, automatic rewrites wait 1, 2, 4 ... 60 minutes. */
function rewriteLimited(rw: AofRewriteState): boolean {
  if (rw.consecutiveFailures < 3) {
    rw.limitDelayMin = 0;
    rw.limitUntilMs = 0;
    return false;
  }
  if (rw.limitUntilMs !== 0) {
    if (Date.now() < rw.limitUntilMs) return true;
    rw.limitUntilMs = 0;
    return false;
  }
  rw.limitDelayMin = rw.limitDelayMin === 0 ? 1 : Math.min(60, rw.limitDelayMin * 2);
  rw.limitUntilMs = Date.now() + rw.limitDelayMin * 60000;
  host.log('warning', `Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${rw.limitDelayMin} minutes`);
  return true;
}

/** serverCron, before anything else: a rewrite scheduled while another job ran (or inside EXEC). */
export function startScheduledRewrite(): void {
  const rw = peek();
  if (rw === undefined || !rw.scheduled || state.loading === true) return;
  if (!childActive() && !rewriteLimited(rw)) rewriteStart();
}

/** serverCron, after the save points: rewrite when the AOF grew auto-aof-rewrite-percentage over its base. */
export function autoRewrite(): void {
  const a = aofState();
  if (a === undefined || a.fd < 0 || peek()?.waitRewrite === true || childActive() || state.loading === true) return;
  const perc = cfgInt('auto-aof-rewrite-percentage');
  if (perc === 0 || a.currentSize <= cfgInt('auto-aof-rewrite-min-size')) return;
  const base = a.baseSize !== 0 ? a.baseSize : 1;
  const growth = Math.trunc((a.currentSize * 100) / base) - 100;
  if (growth < perc || rewriteLimited(rewriteState())) return;
  host.log('notice', `Starting automatic rewriting of AOF on ${growth}% growth`);
  rewriteStart();
}

// --- lifecycle ------------------------------------------------------------------------------------

/** prepareForShutdown: a rewrite is killed, unless it is the one switching the AOF on (then refuse, unless FORCE). */
export function rewriteShutdown(): void {
  const rw = peek();
  if (rw === undefined || rw.job === null) return;
  if (rw.waitRewrite) {
    if ((state.ext.shutdown as { force?: boolean } | undefined)?.force === true) {
      host.log('warning', 'Writing initial AOF. Exit anyway.');
    } else {
      host.log('warning', "Writing initial AOF, can't exit.");
      throw new Error("Writing initial AOF, can't exit.");
    }
  }
  host.log('warning', 'There is a child rewriting the AOF. Killing it!');
  rewriteKill();
}

/** Deactivate: remember which swap this was, for the next activate to check. */
export function rewriteHandoff(): void {
  const rw = peek();
  if (rw !== undefined && rw.job !== null) rw.handoff = swaps();
}

/**
 * Activate: take over a rewrite the previous logic was running. If another logic ran in between (one
 * that knows no rewrites, after a rollback), it did not keep the snapshot's copy-on-write, so the base
 * could mix two states: the rewrite is dropped as a failed child would be (and retried if it was to
 * switch the AOF on).
 */
export function rewriteResume(): void {
  const rw = peek();
  const job = rw?.job ?? null;
  if (rw === undefined || job === null) return;
  if (rw.handoff !== -1 && rw.handoff !== swaps()) {
    host.log('warning', 'Background AOF rewrite dropped: a logic that does not know it ran while it was paused');
    endJob(rw);
    abortJob(job);
    rewriteDone(rw, null);
    return;
  }
  rw.handoff = -1;
  armCow(rewriteJob, true);
  host.timerAt(AOFRW_TIMER, 0);
}
