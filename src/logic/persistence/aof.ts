// The append only file, Redis 7.0's multi-part layout: `appenddirname` in `dir` holds a manifest
// (`<appendfilename>.manifest`) listing a base file (an RDB preamble, aof-use-rdb-preamble) and the
// incr files commands are appended to in RESP, as Redis's feedAppendOnlyFile writes them.
//
// - Propagation: dispatch.execute() calls `before`/`after` around every command; a command that
//   changed the dataset is rewritten as Redis 7.0 propagates it (relative TTLs become absolute
//   PEXPIREAT / SET ... PXAT, INCRBYFLOAT becomes SET ... KEEPTTL, SPOP becomes SREM, blocking pops
//   their non-blocking form ...). Keys deleted because they expired are appended as DEL. The ops of
//   one top-level command (EXEC with its queue, a command plus the expired keys it deleted) are
//   wrapped in MULTI/EXEC when there is more than one, as propagatePendingCommands does.
// - Writing: the ops go to a module-level buffer that is written at the end of every event, before
//   replies are flushed (runtime.beforeFlush), so the buffer never outlives an event (and a logic
//   swap happens between events). appendfsync always fsyncs there too; everysec fsyncs from cron.
// - Loading: the manifest is read, the base loaded (RDB via the RDB loader, or RESP), the incr
//   files replayed through the normal dispatcher on a fake client whose replies are dropped.
// - Rewriting (BGREWRITEAOF, automatic rewrites, CONFIG SET appendonly at runtime) is in
//   persistence/aofrewrite.ts; it uses the manifest functions exported here, switches the incr file
//   (state.ext.aof) and turns the hooks on and off through installAofHooks.
//
// The open incr file's descriptor and the selected db are plain data in state.ext.aof.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClientRecord, Db } from '../../abi';
import { call, getTable, propagation } from '../dispatch';
import { keyHooks } from '../keyspace';
import { beforeFlush, cfg, host, pendingFlush, state, type Client } from '../runtime';
import type { CommandDef } from '../commands/table';
import { geoaddAsZadd } from '../commands/geo';
import { hashGet, isHash } from '../types/hash';
import { isSet } from '../types/set';
import { readString } from '../types/string';
import { addLoaded, clearLoadedData, writeSnapshotNow } from './save';
import { deleteHistory } from './aofrewrite';
import { refreshDiskErrorGate, strerror } from './diskerror';
import { loaders, loadNow, newLoadingJob, startLoading, type Loader, type LoadingJob } from './loading';
import { RdbError, rdbLoadBegin, rdbLoadStep } from './rdb';

export interface AofState {
  /** the incr file commands are appended to (-1 when AOF is off) */
  fd: number;
  /** its name inside the AOF directory */
  incrName: string;
  /** db of the last SELECT written (-1: the next command writes one) */
  selectedDb: number;
  lastWriteOk: boolean;
  /** strerror text of the last failed write (MISCONF); absent in state an older logic made */
  lastWriteError?: string;
  lastFsyncMs: number;
  /** bytes written since the last fsync */
  unsynced: number;
  /** sizes for INFO (aof_current_size, aof_base_size) */
  currentSize: number;
  baseSize: number;
}

export function aofState(): AofState | undefined {
  return state.ext.aof as AofState | undefined;
}

// --- propagation ----------------------------------------------------------------------------------

/** RESP of the current event not yet written to the incr file (written by flushAof, every event). */
let buf = '';
/** ops of the running top-level command: [db, argv] */
let unit: [number, string[]][] = [];
let depth = 0;
/** blocking/multi-key pops: the key that was popped (first key modified that did not just expire) */
let tracking = false;
let trackedKey: string | null = null;
let expiredNow: string[] = [];
/** SPOP: the set's members before the command */
let spopBefore: string[] | null = null;

function respCommand(argv: readonly string[]): string {
  let s = `*${argv.length}\r\n`;
  for (const a of argv) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

function feed(a: AofState, db: number, argv: readonly string[]): void {
  if (db >= 0 && db !== a.selectedDb) {
    buf += respCommand(['SELECT', String(db)]);
    a.selectedDb = db;
  }
  buf += respCommand(argv);
}

function flushUnit(): void {
  const a = aofState();
  const ops = unit;
  unit = [];
  if (a === undefined || a.fd < 0 || ops.length === 0) return;
  const wrap = ops.length > 1;
  if (wrap) feed(a, -1, ['MULTI']);
  for (const [db, argv] of ops) feed(a, db, argv);
  if (wrap) feed(a, -1, ['EXEC']);
}

const TRACKED = new Set(['blpop', 'brpop', 'bzpopmin', 'bzpopmax', 'lmpop', 'blmpop', 'zmpop', 'bzmpop']);

/** Commands propagated by their effects only: what they executed is in the unit already (EXEC, scripts). */
const EFFECTS_ONLY = new Set(['exec', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

/** Commands propagated as the commands they put in `alsoOps` while they ran, never as themselves (Redis's
 *  alsoPropagate then preventCommandPropagation): XREADGROUP, XCLAIM and XAUTOCLAIM (streamgroups.ts). */
const EFFECTS_LISTED = new Set(['xreadgroup', 'xclaim', 'xautoclaim']);

/** The commands the running command asked to propagate (alsoPropagate). */
let alsoOps: string[][] = [];

/** Redis's alsoPropagate, for an EFFECTS_LISTED command: `argv` goes to the AOF in its place. Nothing is kept
 *  while the AOF is off or for the AOF's own replay client (its `before` did not run). */
export function alsoPropagate(argv: string[]): void {
  if (depth > 0) alsoOps.push(argv);
}

/** error replies before the running command (FLUSHALL/FLUSHDB propagate unless they failed) */
const errorsBefore: number[] = [];

function before(c: Client, def: CommandDef, argv: string[]): void {
  if (c.id < 0) return; // the AOF's own replay client
  depth++;
  alsoOps = [];
  const name = def.name;
  errorsBefore.push(state.stats.totalErrorReplies);
  if (TRACKED.has(name)) {
    tracking = true;
    trackedKey = null;
    expiredNow = [];
  } else if (name === 'spop') {
    const v = state.dbs[c.db].dict.get(argv[1]);
    spopBefore = v !== undefined && isSet(v) ? v.a.slice() : null;
  }
}

function after(c: Client, def: CommandDef, argv: string[], wrote: boolean, nested: boolean): void {
  if (c.id < 0) return;
  // The AOF was switched on while this command ran (CONFIG SET appendonly yes started a rewrite), so
  // its `before` never ran: nothing of it to propagate.
  if (depth === 0) {
    if (!nested) flushUnit();
    return;
  }
  depth--;
  const failed = state.stats.totalErrorReplies !== errorsBefore.pop();
  // Redis forces FLUSHALL/FLUSHDB into the AOF even when there was nothing to flush (forceCommandPropagation);
  // a SAVE inside FLUSHALL may have reset server.dirty.
  if (!failed && (def.name === 'flushall' || def.name === 'flushdb')) wrote = true;
  if (EFFECTS_LISTED.has(def.name)) {
    // what it listed, even when server.dirty did not move (a blocked XREADGROUP being served)
    for (const op of alsoOps) unit.push([c.db, op]);
  } else if (wrote && !EFFECTS_ONLY.has(def.name)) {
    const db = state.dbs[c.db];
    for (const op of rewrite(db, def.name, argv)) unit.push([c.db, op]);
  }
  alsoOps = [];
  tracking = false;
  spopBefore = null;
  if (!nested) flushUnit();
}

function onModified(_db: Db, key: string): void {
  if (tracking && trackedKey === null && !expiredNow.includes(key)) trackedKey = key;
}

function onExpired(db: Db, key: string): void {
  if (tracking) expiredNow.push(key);
  unit.push([db.id, ['DEL', key]]);
  if (depth === 0) flushUnit(); // active expire cycle: every deletion is its own unit
}

/** The absolute expiry of `key`, or null when the command deleted it (a time in the past). */
function absExpire(db: Db, key: string): string | null {
  if (!db.dict.has(key)) return null;
  const when = db.expires.get(key);
  return when === undefined ? null : String(when);
}

function hasOpt(argv: readonly string[], from: number, opts: readonly string[]): boolean {
  for (let i = from; i < argv.length; i++) if (opts.includes(argv[i].toLowerCase())) return true;
  return false;
}

/** How Redis 7.0 propagates a command that changed the dataset (rewriteClientCommandVector / alsoPropagate). */
function rewrite(db: Db, name: string, argv: string[]): string[][] {
  const key = argv[1];
  switch (name) {
    case 'expire': case 'pexpire': case 'expireat': case 'pexpireat': {
      const when = absExpire(db, key);
      return when === null ? [['DEL', key]] : [['PEXPIREAT', key, when, ...argv.slice(3)]];
    }
    case 'setex': case 'psetex': {
      const when = absExpire(db, key);
      return when === null ? [['DEL', key]] : [['SET', key, argv[3], 'PXAT', when]];
    }
    case 'set': {
      if (!hasOpt(argv, 3, ['ex', 'px', 'exat'])) return [argv];
      const when = absExpire(db, key);
      return when === null ? [['DEL', key]] : [['SET', key, argv[2], 'PXAT', when]];
    }
    case 'restore': case 'restore-asking': {
      // restoreCommand: a TTL already passed (the key REPLACE deleted stays deleted) is a DEL; a relative
      // TTL becomes the absolute time, with ABSTTL appended.
      if (!db.dict.has(key)) return [['DEL', key]];
      const when = absExpire(db, key);
      return when === null || hasOpt(argv, 4, ['absttl']) ? [argv] : [[argv[0], key, when, ...argv.slice(3), 'ABSTTL']];
    }
    case 'getex': {
      if (hasOpt(argv, 2, ['persist'])) return [['PERSIST', key]];
      const when = absExpire(db, key);
      return when === null ? [['DEL', key]] : [['PEXPIREAT', key, when]];
    }
    case 'incrbyfloat': {
      const v = db.dict.get(key);
      const text = v === undefined ? null : readString(v);
      return text === null ? [argv] : [['SET', key, text, 'KEEPTTL']];
    }
    case 'hincrbyfloat': {
      const v = db.dict.get(key);
      const text = v !== undefined && isHash(v) ? hashGet(v, argv[2]) : undefined;
      return text === undefined ? [argv] : [['HSET', key, argv[2], text]];
    }
    case 'spop':
      return spopOps(db, key, argv);
    case 'geoadd': // as the ZADD it ran (lowercase "zadd", scores as the 52-bit hashes)
      return [geoaddAsZadd(null, argv) ?? argv];
    case 'blpop': case 'brpop':
      return trackedKey === null ? [] : [[name === 'blpop' ? 'LPOP' : 'RPOP', trackedKey]];
    case 'bzpopmin': case 'bzpopmax':
      return trackedKey === null ? [] : [[name === 'bzpopmin' ? 'ZPOPMIN' : 'ZPOPMAX', trackedKey]];
    case 'lmpop': case 'blmpop': case 'zmpop': case 'bzmpop': {
      if (trackedKey === null) return [];
      const at = name[0] === 'b' ? 2 : 1; // numkeys
      const whereAt = at + 1 + Number(argv[at]);
      const where = argv[whereAt].toLowerCase();
      const count = argv.length > whereAt + 2 ? argv[whereAt + 2] : '1';
      const cmd = name.endsWith('lmpop') ? (where === 'left' ? 'LPOP' : 'RPOP') : where === 'min' ? 'ZPOPMIN' : 'ZPOPMAX';
      return [[cmd, trackedKey, count]];
    }
    case 'blmove':
      return [['LMOVE', ...argv.slice(1, 5)]];
    case 'brpoplpush':
      return [['RPOPLPUSH', argv[1], argv[2]]];
    default:
      return [argv];
  }
}

/** SPOP: SREM of the popped members (in batches of 1024), or DEL when a count took the whole set. */
function spopOps(db: Db, key: string, argv: string[]): string[][] {
  const was = spopBefore;
  if (was === null) return [argv];
  const v = db.dict.get(key);
  if (v === undefined && argv.length > 2) return [['DEL', key]];
  const left = new Set(v !== undefined && isSet(v) ? v.a : []);
  const gone = was.filter((m) => !left.has(m));
  const out: string[][] = [];
  for (let i = 0; i < gone.length; i += 1024) out.push(['SREM', key, ...gone.slice(i, i + 1024)]);
  return out;
}

// --- writing and fsync ----------------------------------------------------------------------------

function writeAll(fd: number, b: Buffer): void {
  let off = 0;
  while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off);
}

/** End of every event: write what the event produced; appendfsync always fsyncs before replies go out. */
export function flushAof(): void {
  const a = aofState();
  if (buf.length === 0 || a === undefined || a.fd < 0) {
    buf = '';
    return;
  }
  const b = Buffer.from(buf, 'latin1');
  try {
    writeAll(a.fd, b);
  } catch (e) {
    // Redis keeps the buffer and retries on the next event (aof_last_write_status:err meanwhile);
    // with appendfsync always it cannot go on.
    if (a.lastWriteOk) host.log('warning', `Error writing to the AOF file: ${strerror(e)}`);
    a.lastWriteOk = false;
    a.lastWriteError = strerror(e);
    refreshDiskErrorGate();
    if (cfg('appendfsync') === 'always') {
      host.log('warning', "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
      process.exit(1);
    }
    return;
  }
  buf = '';
  if (!a.lastWriteOk) {
    host.log('warning', 'AOF write error looks solved, Redis can write again.');
    a.lastWriteOk = true;
    refreshDiskErrorGate();
  }
  a.currentSize += b.length;
  a.unsynced += b.length;
  if (cfg('appendfsync') === 'always') fsyncAof(a);
}

function fsyncAof(a: AofState): void {
  if (a.unsynced === 0) return;
  fs.fsyncSync(a.fd);
  a.unsynced = 0;
  a.lastFsyncMs = Date.now();
}

/** serverCron's part: appendfsync everysec. */
export function aofCron(): void {
  const a = aofState();
  if (a === undefined || a.fd < 0) return;
  flushAof();
  if (cfg('appendfsync') === 'everysec' && Date.now() - a.lastFsyncMs >= 1000) fsyncAof(a);
}

/** Shutdown: write and fsync everything (Redis's flushAppendOnlyFile(1) + fsync in prepareForShutdown). */
export function aofShutdown(): void {
  const a = aofState();
  if (a === undefined || a.fd < 0) return;
  flushAof();
  fsyncAof(a);
}

/**
 * On activate, and once the AOF is opened at start: hook propagation, expired-key deletions and the
 * end-of-event write. With the AOF off nothing is hooked, so commands pay nothing for it.
 */
export function installAofHooks(): void {
  if (aofState() === undefined) {
    propagation.before = null;
    propagation.after = null;
    // Switched off at runtime (CONFIG SET appendonly no, maybe inside a command or EXEC): what the
    // running command had pending is dropped, as Redis propagates nothing once aof_state is off.
    dropHook(keyHooks.modified, onModified);
    dropHook(keyHooks.expired, onExpired);
    dropHook(beforeFlush, flushAof);
    buf = '';
    unit = [];
    depth = 0;
    errorsBefore.length = 0;
    tracking = false;
    spopBefore = null;
    return;
  }
  propagation.before = before;
  propagation.after = after;
  if (!keyHooks.modified.includes(onModified)) keyHooks.modified.push(onModified);
  if (!keyHooks.expired.includes(onExpired)) keyHooks.expired.push(onExpired);
  if (!beforeFlush.includes(flushAof)) beforeFlush.push(flushAof);
}

function dropHook<F>(hooks: F[], fn: F): void {
  const i = hooks.indexOf(fn);
  if (i >= 0) hooks.splice(i, 1);
}

// --- the manifest ---------------------------------------------------------------------------------

export interface ManifestEntry {
  name: string;
  seq: number;
  type: 'b' | 'h' | 'i';
}

export function aofDir(): string {
  return path.resolve(cfg('appenddirname'));
}

export function manifestName(): string {
  return `${cfg('appendfilename')}.manifest`;
}

function manifestText(entries: ManifestEntry[]): string {
  return entries.map((e) => `file ${e.name} seq ${e.seq} type ${e.type}\n`).join('');
}

export function parseManifest(text: string): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(' ');
    if (parts.length % 2 !== 0) throw new Error('Invalid AOF manifest file format');
    const kv = new Map<string, string>();
    for (let i = 0; i < parts.length; i += 2) kv.set(parts[i], parts[i + 1]);
    const name = kv.get('file');
    const seq = Number(kv.get('seq'));
    const type = kv.get('type');
    if (name === undefined || !Number.isInteger(seq) || (type !== 'b' && type !== 'h' && type !== 'i')) {
      throw new Error('Invalid AOF manifest file format');
    }
    out.push({ name, seq, type });
  }
  return out;
}

/** Write the manifest through a temp file renamed over it, then fsync the directory (persistAofManifest). */
export function writeManifest(dir: string, entries: ManifestEntry[]): void {
  const tmp = path.join(dir, `temp-${manifestName()}`);
  const fd = fs.openSync(tmp, 'w');
  try {
    writeAll(fd, Buffer.from(manifestText(entries), 'latin1'));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, manifestName()));
  fsyncDir(dir);
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
}

// --- loading --------------------------------------------------------------------------------------
// The files are loaded in slices by persistence/loading.ts (the listeners are open meanwhile and
// clients get -LOADING); where the load stands is plain data in the loading job's ext.aof.

class AofLoadError extends Error {}

function fakeClient(): ClientRecord {
  return {
    id: -1, socket: null as unknown as ClientRecord['socket'], addr: '', laddr: '', local: true,
    unixSocket: false, createdMs: Date.now(), closed: false, inbuf: null, inchunks: null, inchunksLen: 0, inNeed: 0,
    out: '', db: 0, resp: 2, name: '', libName: '', libVer: '', replyMode: 'off', skipThis: false, noEvict: true,
    closeAfterReply: false, lastInteractionMs: 0, lastCmd: 'NULL', pausedFor: '', commandsProcessed: 0, authenticated: true,
    flags: 0, ext: {},
  };
}

const CHECK_FIX = 'make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>';

interface AofLoad {
  dir: string;
  /** the manifest as read */
  entries: ManifestEntry[];
  /** the files to load: the base, then the incr files by seq */
  live: ManifestEntry[];
  /** index in `live` of the file being read (job.data); -1 before the first */
  index: number;
  /** RESP replay: next command, end of the last complete command, and before the open MULTI */
  pos: number;
  validUpTo: number;
  validBeforeMulti: number;
  inMulti: boolean;
  truncated: boolean;
  /** the replay client of the current file (loadSingleAppendOnlyFile's fake client) */
  fake: ClientRecord;
  a: AofState;
}

function aofLoadOf(job: LoadingJob): AofLoad {
  return job.ext.aof as AofLoad;
}

function preambleError(file: string, e: unknown): Error {
  if (e instanceof RdbError) return new AofLoadError(`Bad RDB preamble in the append only file ${file} at offset ${e.offset}: ${e.message}`);
  return e as Error;
}

/** One `*<n>\r\n($<len>\r\n<bytes>\r\n)*` command, strictly as Redis reads the AOF. */
function parseCommandStrict(b: Buffer, pos: number): [string[], number] | 'truncated' | 'bad' {
  const line = (at: number): [number, number] | 'truncated' | 'bad' => {
    const cr = b.indexOf(13, at);
    if (cr < 0 || cr + 1 >= b.length) return 'truncated';
    if (b[cr + 1] !== 10) return 'bad';
    const text = b.latin1Slice(at + 1, cr);
    if (!/^-?\d+$/.test(text)) return 'bad';
    return [Number(text), cr + 2];
  };
  const head = line(pos);
  if (typeof head === 'string') return head;
  const [argc] = head;
  if (argc < 1) return 'bad';
  let p = head[1];
  const argv: string[] = [];
  for (let i = 0; i < argc; i++) {
    if (p >= b.length) return 'truncated';
    if (b[p] !== 36) return 'bad';
    const l = line(p);
    if (typeof l === 'string') return l;
    const [len, start] = l;
    if (len < 0) return 'bad';
    if (start + len + 2 > b.length) return 'truncated';
    if (b[start + len] !== 13 || b[start + len + 1] !== 10) return 'bad';
    argv.push(b.latin1Slice(start, start + len));
    p = start + len + 2;
  }
  return [argv, p];
}

/** Open the next file of the manifest; false when there is none left. */
function openNext(job: LoadingJob, l: AofLoad): boolean {
  for (;;) {
    l.index++;
    if (l.index >= l.live.length) return false;
    const e = l.live[l.index];
    const file = path.join(l.dir, e.name);
    if (!fs.existsSync(file)) {
      if (e.type === 'b') throw new AofLoadError(`The AOF file ${e.name} doesn't exist`);
      continue;
    }
    const data = fs.readFileSync(file);
    job.file = file;
    job.data = data;
    if (e.type === 'b') l.a.baseSize = data.length;
    l.pos = 0;
    l.validUpTo = 0;
    l.validBeforeMulti = 0;
    l.inMulti = false;
    l.truncated = false;
    l.fake = fakeClient();
    if (data.length >= 5 && data.latin1Slice(0, 5) === 'REDIS') {
      host.log('notice', 'Reading RDB base file on AOF loading...');
      try {
        job.rdb = rdbLoadBegin(data);
      } catch (err) {
        throw preambleError(file, err);
      }
    }
    return true;
  }
}

/**
 * Replay the RESP commands of the current file from l.pos for about `budget` bytes (loadSingleAppendOnlyFile).
 * A command cut short at the end sets l.truncated. Returns true when the file is done.
 */
function replaySome(job: LoadingJob, l: AofLoad, budget: number): boolean {
  const data = job.data!;
  const file = job.file;
  const table = getTable();
  const fake = l.fake;
  const stopAt = l.pos + budget;
  while (l.pos < data.length) {
    if (l.pos >= stopAt) return false;
    const pos = l.pos;
    if (data[pos] !== 42) throw new AofLoadError(`Bad file format reading the append only file ${file} at offset ${pos}: ${CHECK_FIX}`);
    const r = parseCommandStrict(data, pos);
    if (r === 'truncated') {
      l.truncated = true;
      return true;
    }
    if (typeof r === 'string') throw new AofLoadError(`Bad file format reading the append only file ${file} at offset ${pos}: ${CHECK_FIX}`);
    const [argv, next] = r;
    const name = argv[0].toLowerCase();
    if (!table.has(name)) {
      throw new AofLoadError(`Unknown command '${argv[0].slice(0, 128)}' reading the append only file ${file} at offset ${pos}`);
    }
    if (name === 'multi') {
      l.validBeforeMulti = l.validUpTo;
      l.inMulti = true;
    } else if (name === 'exec' || name === 'discard') l.inMulti = false;
    call(fake, argv);
    fake.out = '';
    l.pos = next;
    l.validUpTo = next;
  }
  return true;
}

/** The end of one file: an incomplete MULTI or a cut command per aof-load-truncated (last file only). */
function finishFile(job: LoadingJob, l: AofLoad): void {
  const file = job.file;
  const e = l.live[l.index];
  const last = l.index === l.live.length - 1;
  let validUpTo = l.validUpTo;
  let truncated = l.truncated;
  if (l.inMulti) {
    host.log('warning', `Revert incomplete MULTI/EXEC transaction in AOF file ${file}`);
    validUpTo = l.validBeforeMulti;
    truncated = true;
  }
  const i = pendingFlush.indexOf(l.fake);
  if (i >= 0) pendingFlush.splice(i, 1);
  let size = job.data!.length;
  if (truncated) {
    if (!last || cfg('aof-load-truncated') !== 'yes') {
      if (!last) throw new AofLoadError(`Fatal error: the truncated file ${file} is not the last file`);
      throw new AofLoadError(`Unexpected end of file reading the append only file ${file} at offset ${validUpTo}. You can: ` +
        "1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.");
    }
    host.log('warning', `!!! Warning: short read while loading the AOF file ${file}!!!`);
    host.log('warning', `!!! Truncating the AOF ${file} at offset ${validUpTo} !!!`);
    fs.truncateSync(file, validUpTo);
    host.log('warning', `AOF ${file} loaded anyway because aof-load-truncated is enabled`);
    size = validUpTo;
  }
  l.a.currentSize += size;
  job.doneBytes += job.data!.length;
  job.loadedBytes = job.doneBytes;
  job.data = null;
  host.log('notice', `DB loaded from ${e.type === 'b' ? 'base' : 'incr'} file ${e.name}: ${((Date.now() - job.startMs) / 1000).toFixed(3)} seconds`);
}

function aofStep(job: LoadingJob, budget: number): boolean {
  const l = aofLoadOf(job);
  let left = budget;
  while (left > 0) {
    if (job.data === null && !openNext(job, l)) return true;
    const data = job.data!;
    const cur = job.rdb;
    if (cur !== null) {
      const from = cur.pos;
      let done: boolean;
      try {
        done = rdbLoadStep(data, cur, {
          checksum: cfg('rdbchecksum') === 'yes',
          nowMs: 0, // an AOF preamble keeps keys that expired (rdbLoad with RDBFLAGS_AOF_PREAMBLE)
          dbCount: state.dbs.length,
          onKey: (k) => addLoaded(state.dbs[k.db], k.key, k.value, k.expire),
        }, left);
      } catch (err) {
        throw preambleError(job.file, err);
      }
      left -= cur.pos - from;
      job.loadedBytes = job.doneBytes + cur.pos;
      if (!done) continue;
      host.log('notice', `Done loading RDB, keys loaded: ${cur.res.keys}, keys expired: ${cur.res.expired}.`);
      job.rdb = null;
      l.pos = data.length; // a 7.0 base .rdb file is the RDB alone
      l.validUpTo = data.length;
    }
    const from = l.pos;
    const fileDone = replaySome(job, l, left);
    left -= l.pos - from;
    job.loadedBytes = job.doneBytes + l.pos;
    if (fileDone) finishFile(job, l);
  }
  return false;
}

/** Open the newest incr file for appending and switch propagation on. */
function openIncr(dir: string, entries: ManifestEntry[], a: AofState): void {
  const incrs = entries.filter((e) => e.type === 'i').sort((x, y) => x.seq - y.seq);
  a.incrName = incrs[incrs.length - 1].name;
  a.fd = fs.openSync(path.join(dir, a.incrName), 'a');
  state.ext.aof = a;
  installAofHooks();
}

const aofLoader: Loader = {
  step(job, budget) {
    try {
      return aofStep(job, budget);
    } catch (e) {
      if (e instanceof AofLoadError) throw e;
      throw new Error(`Fatal error loading the AOF in ${aofLoadOf(job).dir}: ${(e as Error).message}`);
    }
  },
  finish(job) {
    const l = aofLoadOf(job);
    const entries = l.entries;
    try {
      if (!entries.some((e) => e.type === 'i')) {
        const seq = 1 + Math.max(0, ...entries.filter((e) => e.type !== 'b').map((e) => e.seq));
        const incr: ManifestEntry = { name: `${cfg('appendfilename')}.${seq}.incr.aof`, seq, type: 'i' };
        fs.closeSync(fs.openSync(path.join(l.dir, incr.name), 'a'));
        entries.push(incr);
        writeManifest(l.dir, entries);
      }
      openIncr(l.dir, entries, l.a);
    } catch (e) {
      return `Fatal error opening the AOF in ${l.dir}: ${(e as Error).message}`;
    }
    // History files a rewrite left (a crash before it deleted them) go now, as at Redis's start.
    deleteHistory(l.dir, entries);
    return '';
  },
  abort() {
    clearLoadedData();
  },
};
loaders.aof = aofLoader;

/** loadAppendOnlyFiles at first start (appendonly yes); creates the AOF directory when there is none. */
export function loadAofAtStart(): string {
  const dir = aofDir();
  const manifestPath = path.join(dir, manifestName());
  let entries: ManifestEntry[] | null = null;
  try {
    entries = parseManifest(fs.readFileSync(manifestPath, 'latin1'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return `Fatal error reading the AOF manifest ${manifestPath}: ${(e as Error).message}`;
  }
  const a = closedAofState();
  if (entries === null) {
    try {
      fs.mkdirSync(dir, { recursive: true });
      const fname = cfg('appendfilename');
      const preamble = cfg('aof-use-rdb-preamble') === 'yes';
      const base: ManifestEntry = { name: `${fname}.1.base.${preamble ? 'rdb' : 'aof'}`, seq: 1, type: 'b' };
      const incr: ManifestEntry = { name: `${fname}.1.incr.aof`, seq: 1, type: 'i' };
      a.baseSize = writeSnapshotNow(path.join(dir, base.name), preamble ? 'rdb' : 'resp');
      host.log('notice', `Creating AOF base file ${base.name} on server start`);
      fs.closeSync(fs.openSync(path.join(dir, incr.name), 'a'));
      host.log('notice', `Creating AOF incr file ${incr.name} on server start`);
      writeManifest(dir, [base, incr]);
      openIncr(dir, [base, incr], a);
    } catch (e) {
      return `Fatal error creating the AOF in ${dir}: ${(e as Error).message}`;
    }
    return '';
  }
  return startLoading(aofLoadingJob(dir, entries, a));
}

/** The AOF state before its incr file is opened (the loader's finish opens it). */
function closedAofState(): AofState {
  return { fd: -1, incrName: '', selectedDb: -1, lastWriteOk: true, lastFsyncMs: Date.now(), unsynced: 0, currentSize: 0, baseSize: 0 };
}

/** The job that loads the files of the manifest `entries` (loadAppendOnlyFiles); its finish opens the incr file into `a`. */
function aofLoadingJob(dir: string, entries: ManifestEntry[], a: AofState): LoadingJob {
  const live = entries.filter((e) => e.type !== 'h').sort((x, y) => (x.type === y.type ? x.seq - y.seq : x.type === 'b' ? -1 : 1));
  let total = 0;
  for (const e of live) {
    try { total += fs.statSync(path.join(dir, e.name)).size; } catch { /* missing: reported when reached */ }
  }
  const job = newLoadingJob('aof', total);
  job.nowMs = 0;
  job.ext.aof = {
    dir, entries, live, index: -1, pos: 0, validUpTo: 0, validBeforeMulti: 0, inMulti: false, truncated: false,
    fake: fakeClient(), a,
  } satisfies AofLoad;
  return job;
}

/**
 * DEBUG LOADAOF, once the caller wrote the AOF buffer and emptied the dataset: read the manifest again and load its
 * files now. On success the newest incr file is open again (history files deleted) in place of the one in use.
 * Returns '' or the error (logged).
 */
export function reloadAofNow(): string {
  const old = aofState();
  if (old === undefined || old.fd < 0) return 'the append only file is off';
  const dir = aofDir();
  const manifestPath = path.join(dir, manifestName());
  let err: string;
  try {
    err = loadNow(aofLoadingJob(dir, parseManifest(fs.readFileSync(manifestPath, 'latin1')), closedAofState()));
  } catch (e) {
    err = `Error reading the AOF manifest ${manifestPath}: ${(e as Error).message}`;
  }
  if (err !== '') {
    host.log('warning', err);
    return err;
  }
  if (aofState() !== old) fs.closeSync(old.fd);
  return '';
}
