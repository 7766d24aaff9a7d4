// DEBUG: the subcommands Redis's own test suite and client test suites drive a server with, answered as
// redis-server 7.0.15 answers them. Protected like Redis's: refused (before authentication and MULTI
// queueing, dispatch.ts) unless enable-debug-command is yes, or local for a loopback / unix-socket client.
//
// Subcommands Redis has and hotkv does not (the crash ones, allocator and hash-table internals, replication)
// answer Redis's "unknown subcommand" error; HELP still lists Redis's full text.

import { hash, randomBytes } from 'node:crypto';
import type { Db, StoredValue } from '../../abi';
import { setActiveExpire } from '../expire';
import { addInfoFields, type InfoValue } from '../info';
import { dbAddRaw, lookupWrite, lruClock, signalModifiedKey, typeOf } from '../keyspace';
import { aofState, flushAof, reloadAofNow } from '../persistence/aof';
import { LOADING_ERROR, loadingInProgress, loadNow } from '../persistence/loading';
import { encodeValue, lpBuild, quicklistNodes } from '../persistence/rdb';
import { bgsaveInProgress, bgsaveKill, dumpLoadingJob, saveNow } from '../persistence/save';
import {
  addArrayLen, addBool, addBulk, addDoubleText, addError, addHelp, addInt, addMapLen, addNull, addOk, addRaw,
  addSetLen, addStatus, addVerbatim, emitAlways,
} from '../resp/reply';
import { cfg, cfgInt, dbOf, host, state, type Client } from '../runtime';
import { isHash } from '../types/hash';
import { idText, isStream, streamEntries } from '../types/stream';
import { listToArray, type ListValue } from '../types/list';
import { isSet } from '../types/set';
import { createdString, readString } from '../types/string';
import { isZset, lpScore } from '../types/zset';
import { memtoull } from '../config';
import { formatDouble17g, parseInt64, strtodPrefix } from '../util/numbers';
import { selfTestCases, selfTestChecks } from '../selftest';
import { encodingOf, flushDb, refcountOf } from './keys';
import type { CommandSpec } from './table';
import { protectedActionAllowed, protectedCommandError } from '../protect';

const ERR_NOT_ALLOWED = protectedCommandError('DEBUG', 'enable-debug-command');

/** Redis's allowProtectedAction for enable-debug-command (immutable at run time, as in Redis). */
function debugGate(c: Client): string | null {
  return protectedActionAllowed('enable-debug-command', c) ? null : ERR_NOT_ALLOWED;
}

/** An argument as C's "%s" prints it: up to its first NUL byte. */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

/** addReplySubcommandSyntaxError. */
function syntaxError(c: Client, argv: string[]): void {
  addError(c, `ERR unknown subcommand or wrong number of arguments for '${cstr(argv[1]).slice(0, 128)}'. ` +
    `Try ${cstr(argv[0]).toUpperCase()} HELP.`);
}

/** C's atoi (strtol's value cast to int): leading blanks, a sign, digits; 0 when there are none. */
function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (m === null) return 0;
  let v = BigInt(m[1]);
  if (v > 9223372036854775807n) v = 9223372036854775807n;
  if (v < -9223372036854775808n) v = -9223372036854775808n;
  return Number(BigInt.asIntN(32, v));
}

/** printf("%.2f", x) for a positive x: exact ties round to even, as glibc does (toFixed rounds them up). */
function fixed2(x: number): string {
  const exact = x.toFixed(60); // every digit of the binary value (x < 2^31 here, so at most 52 fraction digits)
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 3);
  const tie = rest[0] === '5' && /^50*$/.test(rest);
  if (!tie) return x.toFixed(2);
  const cents = BigInt(exact.slice(0, dot) + exact.slice(dot + 1, dot + 3));
  const even = cents % 2n === 0n ? cents : cents + 1n;
  const t = even.toString().padStart(3, '0');
  return `${t.slice(0, -2)}.${t.slice(-2)}`;
}

// --- DIGEST ------------------------------------------------------------------------------------
// Redis's algorithm (debug.c's xorDigest / mixDigest / xorObjectDigest of 7.0): unordered collections xor the
// SHA1s of their elements, ordered ones (lists) chain them; each key's digest is xored into the dataset's,
// after each non-empty db's number. The result equals redis-server's for the same data.

/** OBJ_STRING .. OBJ_HASH and OBJ_STREAM, as the type numbers Redis mixes in. */
const TYPE_CODE: Record<string, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };

function sha1(data: Buffer): Buffer {
  return hash('sha1', data, 'buffer');
}

/** Where a string is written to be hashed (one allocation less per element); disposable. */
const SCRATCH_BYTES = 1 << 16;
let scratch: Buffer | null = null;

/** SHA1 of a latin1 string (a key, element or value). */
function sha1Text(s: string): Buffer {
  if (s.length > SCRATCH_BYTES) return sha1(Buffer.from(s, 'latin1'));
  const b = (scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES));
  return sha1(b.subarray(0, b.write(s, 0, 'latin1')));
}

function uint32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** SHA1s of what every key mixes in: its type number, and the "!!expire!!" mark; disposable. */
const typeHash = new Map<string, Buffer>();
let expireHash: Buffer | null = null;

function xorHash(digest: Buffer, h: Buffer): void {
  for (let j = 0; j < 20; j++) digest[j] ^= h[j];
}

/** digest = SHA1(digest ^ h), h the SHA1 of the data: order matters. */
function mixHash(digest: Buffer, h: Buffer): void {
  xorHash(digest, h);
  sha1(digest).copy(digest);
}

/** xorDigest: digest ^= SHA1(data). */
function xorDigest(digest: Buffer, data: string | Buffer): void {
  xorHash(digest, typeof data === 'string' ? sha1Text(data) : sha1(data));
}

/** mixDigest: digest = SHA1(digest ^ SHA1(data)). */
function mixDigest(digest: Buffer, data: string | Buffer): void {
  mixHash(digest, typeof data === 'string' ? sha1Text(data) : sha1(data));
}

/** xorObjectDigest: mix value `v` (and whether its key has a TTL) into `digest`. */
function valueDigest(digest: Buffer, v: StoredValue, hasExpire: boolean): void {
  const type = typeOf(v);
  let th = typeHash.get(type);
  if (th === undefined) typeHash.set(type, (th = sha1(uint32be(TYPE_CODE[type] ?? 0xff))));
  mixHash(digest, th);
  const text = readString(v);
  if (text !== null) {
    mixDigest(digest, text);
  } else if (type === 'list') {
    for (const item of listToArray(v as ListValue)) mixDigest(digest, item);
  } else if (isSet(v)) {
    for (const m of v.a) xorDigest(digest, m);
  } else if (isZset(v)) {
    const ele = Buffer.alloc(20);
    for (const [m, score] of v.dict) {
      ele.fill(0);
      mixDigest(ele, m);
      // A listpack gives back an integral score as an integer (no -0).
      mixDigest(ele, formatDouble17g(v.enc === 'listpack' ? lpScore(score) : score));
      xorDigest(digest, ele);
    }
  } else if (isHash(v)) {
    const ele = Buffer.alloc(20);
    for (let i = 0; i < v.f.length; i++) {
      ele.fill(0);
      mixDigest(ele, v.f[i]);
      mixDigest(ele, v.v[i]);
      xorDigest(digest, ele);
    }
  } else if (isStream(v)) {
    // every valid entry in order: its ID as "<ms>.<seq>", then its fields and values
    for (const [id, fv] of streamEntries(v)) {
      mixDigest(digest, idText(id).replace('-', '.'));
      for (const x of fv) mixDigest(digest, x);
    }
  }
  if (hasExpire) xorHash(digest, (expireHash ??= sha1(Buffer.from('!!expire!!', 'latin1'))));
}

/** computeDatasetDigest, over the dicts as they are (keys past their time that nobody deleted yet included). */
export function datasetDigest(): string {
  const final = Buffer.alloc(20);
  const digest = Buffer.alloc(20);
  for (let j = 0; j < state.dbs.length; j++) {
    const db = state.dbs[j];
    if (db.dict.size === 0) continue;
    mixDigest(final, uint32be(j));
    for (const [key, v] of db.dict) {
      digest.fill(0);
      mixDigest(digest, key);
      valueDigest(digest, v, db.expires.has(key));
      xorDigest(final, digest);
    }
  }
  return final.toString('hex');
}

/** DEBUG DIGEST-VALUE of one key: the value's digest without the key, zeros when there is none. */
function keyDigest(db: Db, key: string): string {
  const digest = Buffer.alloc(20);
  const v = db.dict.get(key); // not a lookup: a debug command sees keys past their time too
  if (v !== undefined) valueDigest(digest, v, db.expires.has(key));
  return digest.toString('hex');
}

// --- OBJECT --------------------------------------------------------------------------------------

/** Redis's LRU clock: seconds, 24 bits (LRU_CLOCK_MAX). */
const LRU_MASK = (1 << 24) - 1;

/** A stand-in for the %p of the object: stable for a key, shaped like a 64-bit heap address. */
function fakeAddress(db: Db, key: string): string {
  let h = 0x811c9dc5 ^ db.id;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return '0x7f' + ((h >>> 0) * 16).toString(16).padStart(10, '0');
}

function debugObject(c: Client, key: string): void {
  const db = dbOf(c);
  const v = db.dict.get(key); // dictFind: no expiry, no access-time update
  if (v === undefined) {
    addError(c, 'ERR no such key');
    return;
  }
  const refcount = refcountOf(v);
  // A shared integer is one object made at start-up: its LRU field is the start time.
  const at = refcount !== 1 ? Math.floor(state.stats.startTimeMs / 1000) : db.access.get(key) ?? lruClock();
  const lru = at & LRU_MASK;
  const clock = lruClock() & LRU_MASK;
  const idle = clock >= lru ? clock - lru : clock + (LRU_MASK - lru);
  const serialized = encodeValue(v, cfg('rdbcompression') === 'yes').body.length;
  const enc = encodingOf(v);
  let extra = '';
  if (enc === 'quicklist') {
    const items = listToArray(v as ListValue);
    const nodes = quicklistNodes(items);
    let bytes = 0;
    for (const [from, to] of nodes) bytes += lpBuild(items, from, to).length;
    extra = ` ql_nodes:${nodes.length} ql_avg_node:${fixed2(items.length / nodes.length)}` +
      ` ql_listpack_max:${cfgInt('list-max-listpack-size')} ql_compressed:${cfgInt('list-compress-depth') !== 0 ? 1 : 0}` +
      ` ql_uncompressed_size:${bytes}`;
  }
  addStatus(c, `Value at:${fakeAddress(db, key)} refcount:${refcount} encoding:${enc} serializedlength:${serialized} ` +
    `lru:${lru} lru_seconds_idle:${idle}${extra}`);
}

// --- POPULATE ------------------------------------------------------------------------------------

function populate(c: Client, argv: string[]): void {
  const outOfRange = 'ERR value is out of range, must be positive';
  const count = parseInt64(argv[2]);
  if (count === null || count < 0n) {
    addError(c, outOfRange);
    return;
  }
  let size = 0;
  if (argv.length === 5) {
    const n = parseInt64(argv[4]);
    if (n === null || n < 0n) {
      addError(c, outOfRange);
      return;
    }
    size = Number(n);
  }
  const prefix = argv.length === 3 ? 'key' : cstr(argv[3]);
  const db = dbOf(c);
  // Written as Redis does: not counted as changes (nothing is propagated), but WATCH and notifications see them.
  const n = count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
  for (let j = 0; j < n; j++) {
    const key = `${prefix}:${j}`.slice(0, 127); // snprintf into a 128-byte buffer
    if (lookupWrite(db, key) !== undefined) continue;
    let val = `value:${j}`;
    if (size !== 0) val = size <= val.length ? val.slice(0, size) : val + '\0'.repeat(size - val.length);
    dbAddRaw(db, key, createdString(val));
    signalModifiedKey(db, key);
  }
  addOk(c);
}

// --- RELOAD / LOADAOF ----------------------------------------------------------------------------

/** A dataset still loading at start-up (DEBUG has the `loading` flag) is not reloaded on top of that load. */
function refusedWhileLoading(c: Client): boolean {
  if (!loadingInProgress()) return false;
  addError(c, LOADING_ERROR);
  return true;
}

function reload(c: Client, argv: string[]): void {
  let flush = true;
  let save = true;
  let merge = false;
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === 'merge') merge = true;
    else if (opt === 'noflush') flush = false;
    else if (opt === 'nosave') save = false;
    else {
      addError(c, 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
      return;
    }
  }
  if (refusedWhileLoading(c)) return;
  if (save) {
    // A BGSAVE writes the same temp file as a synchronous save here (Redis's child has its own pid): stop it.
    if (bgsaveInProgress()) {
      host.log('notice', 'Killing the background save: DEBUG RELOAD saves the dataset now');
      bgsaveKill();
    }
    if (saveNow() !== '') {
      addError(c, 'ERR');
      return;
    }
  }
  if (flush) for (const db of state.dbs) flushDb(db);
  const job = dumpLoadingJob();
  const lastSave = state.stats.lastSaveMs;
  let err = job === null ? 'no dump file' : typeof job === 'string' ? job : '';
  if (typeof job === 'object' && job !== null) {
    job.ext.merge = merge;
    err = loadNow(job);
  }
  state.stats.lastSaveMs = lastSave; // loading is not saving (the loader records a dump loaded at start)
  if (err !== '') {
    if (job !== null) host.log('warning', err);
    addError(c, 'ERR Error trying to load the RDB dump');
    return;
  }
  host.log('warning', 'DB reloaded by DEBUG RELOAD');
  addOk(c);
}

function loadaof(c: Client): void {
  if (refusedWhileLoading(c)) return;
  const a = aofState();
  if (a === undefined || a.fd < 0) {
    // redis-server 7.0.15 crashes on DEBUG LOADAOF with the AOF off; hotkv keeps its data and reports a failed load.
    host.log('warning', 'DEBUG LOADAOF: the append only file is off, nothing to load');
    addError(c, 'ERR');
    return;
  }
  flushAof();
  for (const db of state.dbs) flushDb(db);
  if (reloadAofNow() !== '') {
    addError(c, 'ERR');
    return;
  }
  state.stats.dirty = 0; // the loaded commands are not new changes (nothing to save or propagate)
  host.log('warning', 'Append Only File loaded by DEBUG LOADAOF');
  addOk(c);
}

// --- PROTOCOL ------------------------------------------------------------------------------------

const PROTOCOL_TYPES = 'string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false';
const BIGNUM = '1234567999999999999999999999999999999';

function protocol(c: Client, name: string): void {
  switch (name.toLowerCase()) {
    case 'string': addBulk(c, 'Hello World'); return;
    case 'integer': addInt(c, 12345); return;
    case 'double': addDoubleText(c, formatDouble17g(3.141)); return;
    case 'bignum':
      if (c.resp === 3) addRaw(c, `(${BIGNUM}\r\n`);
      else addBulk(c, BIGNUM);
      return;
    case 'null': addNull(c); return;
    case 'array':
    case 'set':
      if (name.toLowerCase() === 'set') addSetLen(c, 3);
      else addArrayLen(c, 3);
      for (let j = 0; j < 3; j++) addInt(c, j);
      return;
    case 'map':
      addMapLen(c, 3);
      for (let j = 0; j < 3; j++) {
        addInt(c, j);
        addBool(c, j === 1);
      }
      return;
    case 'attrib':
      // An attribute is not a reply of its own: a real reply follows it.
      if (c.resp === 3) addRaw(c, '|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n');
      addBulk(c, 'Some real reply following the attribute');
      return;
    case 'push':
      if (c.resp !== 3) {
        addError(c, 'ERR RESP2 is not supported by this command');
        return;
      }
      // Pushes go out even under CLIENT REPLY OFF (CLIENT_PUSHING); a normal reply follows.
      emitAlways(c, '>2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n');
      addBulk(c, 'Some real reply following the push reply');
      return;
    case 'verbatim': addVerbatim(c, 'This is a verbatim\nstring', 'txt'); return;
    case 'true': addBool(c, true); return;
    case 'false': addBool(c, false); return;
    default:
      addError(c, `ERR Wrong protocol type name. Please use one of the following: ${PROTOCOL_TYPES}`);
  }
}

// --- the rest --------------------------------------------------------------------------------------

/** Blocks the whole process, as Redis's nanosleep blocks its only thread; disposable. */
let sleepCell: Int32Array | null = null;

function sleep(arg: string): void {
  const us = Math.trunc(strtodPrefix(arg).value * 1e6);
  if (!(us > 0)) return;
  sleepCell ??= new Int32Array(new SharedArrayBuffer(4));
  Atomics.wait(sleepCell, 0, 0, us / 1000);
}

/** quicklistisSetPackedThreshold: at most 4GB - 1MB; 0 restores the default (1GB). Kept as plain data. hotkv's
 *  lists have no plain nodes, so the value is only recorded. */
function packedThreshold(c: Client, arg: string): void {
  const sz = memtoull(arg);
  if (sz === null || sz > (1n << 32n) - (1n << 20n)) {
    addError(c, 'ERR argument must be a memory value bigger than 1 and smaller than 4gb');
    return;
  }
  state.ext.quicklistPackedThreshold = sz === 0n ? 1 << 30 : Number(sz);
  addOk(c);
}

function changeReplId(c: Client): void {
  host.log('notice', 'Changing replication IDs after receiving DEBUG change-repl-id');
  state.ext.replId = randomBytes(20).toString('hex');
  addOk(c);
}

// Redis's text, byte for byte (addReplyHelp adds the first line and HELP).
const HELP = [
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  '    Like HTSTATS but for the hash table stored at <key>\'s value.',
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'MALLCTL <key> [<val>]',
  '    Get or set a malloc tuning integer.',
  'MALLCTL-STR <key> [<val>]',
  '    Get or set a malloc tuning string.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  '    Enables or disables checksum checks for RDB files and RESTORE\'s payload.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
];

/** debugCommand: each subcommand with the argument count Redis accepts; anything else is a syntax error. */
function debug(c: Client, argv: string[]): void {
  const sub = argv[1].toLowerCase();
  const n = argv.length;
  if (sub === 'help' && n === 2) addHelp(c, 'DEBUG', HELP);
  else if (sub === 'log' && n === 3) {
    host.log('warning', `DEBUG LOG: ${cstr(argv[2])}`);
    addOk(c);
  } else if (sub === 'reload') reload(c, argv);
  else if (sub === 'loadaof') loadaof(c);
  else if (sub === 'object' && n === 3) debugObject(c, argv[2]);
  else if (sub === 'populate' && n >= 3 && n <= 5) populate(c, argv);
  else if (sub === 'digest' && n === 2) addStatus(c, datasetDigest());
  else if (sub === 'digest-value') {
    const db = dbOf(c);
    addArrayLen(c, n - 2);
    for (let j = 2; j < n; j++) addStatus(c, keyDigest(db, argv[j]));
  } else if (sub === 'protocol' && n === 3) protocol(c, argv[2]);
  else if (sub === 'sleep' && n === 3) {
    sleep(argv[2]);
    addOk(c);
  } else if (sub === 'set-active-expire' && n === 3) {
    setActiveExpire(atoi(argv[2]) !== 0);
    addOk(c);
  } else if (sub === 'quicklist-packed-threshold' && n === 3) packedThreshold(c, argv[2]);
  else if (sub === 'error' && n === 3) {
    // The text as given, CR and LF made spaces; not counted in errorstats (Redis writes it raw).
    addRaw(c, '-' + argv[2].replace(/[\r\n]/g, ' ') + '\r\n');
  } else if (sub === 'change-repl-id' && n === 2) changeReplId(c);
  else syntaxError(c, argv);
}

// CHANGE-REPL-ID's new id shows where Redis shows its replication id (plain data in State: kept across upgrades).
addInfoFields('replication', (): Record<string, InfoValue> =>
  (typeof state.ext.replId === 'string' ? { master_replid: state.ext.replId } : {}));

// The self-test's scratch server has the default enable-debug-command no: DEBUG must be refused there, before
// its arity is the only thing checked. The digest is checked against redis-server's for a few values.
selfTestCases.push(
  { send: 'DEBUG HELP\r\n', expect: `-${ERR_NOT_ALLOWED}\r\n` },
  { send: 'DEBUG\r\n', expect: "-ERR wrong number of arguments for 'debug' command\r\n" },
);
selfTestChecks.push(() => {
  const want = 'c15f34c747bf411833c10208c03e1da1bb7da7cf'; // DEBUG DIGEST-VALUE of "value:0" in redis-server 7.0
  const d = Buffer.alloc(20);
  valueDigest(d, 'value:0', false);
  return d.toString('hex') === want ? '' : `DEBUG DIGEST-VALUE of a string: ${d.toString('hex')}, want ${want}`;
});

export const commands: CommandSpec[] = [{ name: 'debug', fn: debug, gate: debugGate }];
