// Server commands: INFO, TIME, LASTSAVE, SHUTDOWN, MEMORY.

import * as fs from 'node:fs';
import type { Db, StoredValue } from '../../abi';
import { infoCron, infoSectionsFor, infoState, memOverhead, renderInfo, wallClockUs } from '../info';
import { collectCompactingEverything } from '../heap';
import { lifecycleHooks } from '../lifecycle';
import { addArrayLen, addBulk, addDoubleText, addError, addHelp, addInt, addMapLen, addNull, addOk, addVerbatim, ERR_SYNTAX } from '../resp/reply';
import { cfg, dbOf, host, markPending, state, type Client } from '../runtime';
import { ERR_NOT_INT, parseInt64 } from '../util/numbers';
import type { CommandSpec } from './table';


function info(c: Client, argv: string[]): void {
  addVerbatim(c, renderInfo(infoSectionsFor(argv.slice(1))));
}

function time(c: Client): void {
  const us = wallClockUs();
  addArrayLen(c, 2);
  addBulk(c, String(Math.floor(us / 1e6)));
  addBulk(c, String(us % 1e6));
}

function lastsave(c: Client): void {
  addInt(c, Math.floor(state.stats.lastSaveMs / 1000));
}

/**
 * What the shutdown hooks see while they run (state.ext.shutdown): `save` is true for SAVE, false
 * for NOSAVE and null when neither was given (save if save points are configured, as Redis does).
 * A hook that cannot do its part (a failed final save) throws; without FORCE the shutdown is then
 * cancelled and the client gets Redis's error.
 */
export interface ShutdownRequest {
  save: boolean | null;
  now: boolean;
  force: boolean;
}

function shutdown(c: Client, argv: string[]): void {
  let save: boolean | null = null;
  let nosave = false;
  let now = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === 'nosave') nosave = true;
    else if (a === 'save') save = true;
    else if (a === 'now') now = true;
    else if (a === 'force') force = true;
    else if (a === 'abort') abort = true;
    else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  if ((abort && (nosave || save !== null || now || force)) || (nosave && save)) {
    addError(c, ERR_SYNTAX);
    return;
  }
  if (abort) {
    // hotkv has no replicas to wait for, so a shutdown is never pending.
    addError(c, 'ERR No shutdown in progress.');
    return;
  }
  if (nosave) save = false;
  if (!runShutdown({ save, now, force })) {
    addError(c, 'ERR Errors trying to SHUTDOWN. Check logs.');
    return;
  }
  // No reply: the connection closes with the process, as in Redis.
  c.closeAfterReply = true;
  markPending(c);
}

/** Redis's prepareForShutdown/finishShutdown: run the hooks, clean up, ask the shell to exit. */
export function runShutdown(req: ShutdownRequest): boolean {
  host.log('warning', 'User requested shutdown...');
  // While the dataset loads a save would write a half-loaded dataset over the files: Redis forces NOSAVE.
  if (state.loading === true) req = { ...req, save: false };
  state.ext.shutdown = req;
  let failed = false;
  try {
    for (const hook of lifecycleHooks.shutdown) {
      try {
        hook();
      } catch (e) {
        failed = true;
        host.log('warning', `Error during shutdown: ${(e as Error)?.message ?? String(e)}`);
      }
    }
  } finally {
    delete state.ext.shutdown;
  }
  if (failed && !req.force) {
    host.log('warning', 'Errors trying to shut down the server. Check the logs for more information.');
    return false;
  }
  const pidfile = cfg('pidfile');
  if (pidfile) {
    host.log('notice', 'Removing the pid file.');
    try { fs.unlinkSync(pidfile); } catch { /* already gone */ }
  }
  if (cfg('unixsocket')) host.log('notice', 'Removing the unix socket file.');
  host.log('warning', 'hotkv is now ready to exit, bye bye...');
  host.shutdown(0);
  return true;
}

// ------------------------------------------------------------------------------------------------
// MEMORY
// ------------------------------------------------------------------------------------------------

/** Redis's OBJ_COMPUTE_SIZE_DEF_SAMPLES. */
const DEFAULT_SAMPLES = 5;

/**
 * Estimated bytes held by a stored value: strings and Buffers by length, collections by sampling
 * up to `samples` elements and scaling to their size (as Redis's objectComputeSize samples).
 */
export function estimateSize(x: unknown, samples: number): number {
  switch (typeof x) {
    case 'string':
      return x.length <= 44 ? 24 + x.length : 32 + x.length;
    case 'number': return 8;
    case 'bigint': return 16;
    case 'boolean': return 4;
    case 'object': break;
    default: return 0;
  }
  if (x === null) return 0;
  if (Buffer.isBuffer(x) || ArrayBuffer.isView(x)) return 32 + (x as Uint8Array).byteLength;
  const sampled = (size: number, it: Iterable<unknown>, each: (e: unknown) => number, slot: number): number => {
    let n = 0;
    let sum = 0;
    for (const e of it) {
      if (n >= samples) break;
      sum += each(e);
      n++;
    }
    return 16 + size * slot + (n === 0 ? 0 : (sum / n) * size);
  };
  if (Array.isArray(x)) return sampled(x.length, x, (e) => estimateSize(e, samples), 8);
  if (x instanceof Map) {
    return sampled(x.size, x, (e) => estimateSize((e as [unknown, unknown])[0], samples) + estimateSize((e as [unknown, unknown])[1], samples), 40);
  }
  if (x instanceof Set) return sampled(x.size, x, (e) => estimateSize(e, samples), 32);
  let total = 16;
  for (const v of Object.values(x as Record<string, unknown>)) total += 8 + estimateSize(v, samples);
  return total;
}

function memoryUsage(c: Client, argv: string[]): void {
  let samples = DEFAULT_SAMPLES;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j].toLowerCase() === 'samples' && j + 1 < argv.length) {
      const n = parseInt64(argv[j + 1]);
      if (n === null) {
        addError(c, ERR_NOT_INT);
        return;
      }
      if (n < 0n) {
        addError(c, ERR_SYNTAX);
        return;
      }
      samples = n === 0n ? Number.MAX_SAFE_INTEGER : Number(n);
      j++;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  // Like Redis, a plain dict lookup: no expiry check, no hit/miss, no access-time update.
  const db = dbOf(c);
  const key = argv[2];
  const v = db.dict.get(key);
  if (v === undefined) {
    addNull(c);
    return;
  }
  addInt(c, Math.round(keyMemoryUsage(db, key, v, samples)));
}

/** MEMORY USAGE's estimate for one key: its value, its name, the dict entry and the expires entry (eviction counts it as freed). */
export function keyMemoryUsage(db: Db, key: string, v: StoredValue, samples: number): number {
  const expires = db.expires.has(key) ? 32 : 0;
  return estimateSize(v, samples) + estimateSize(key, samples) + 24 + expires;
}

/**
 * MEMORY PURGE: when hotkv runs with --expose-gc (the benchmark and the tests start it so), two full
 * collections that compact every page and give every freed page back to the OS before replying (what
 * Redis's jemalloc purge does; heap.ts says how); else a no-op, as Redis without jemalloc. Two, because a
 * logic bundle replaced by a hot upgrade is released in the first and collected in the second. This used to
 * run V8's "last resort" collection (repeated full GCs in its memory-reducing mode) and two plain ones,
 * which neither compacted everything nor waited for the background sweepers: RSS over 10 samples of a soak
 * probe 83.6-84.3 MB with this, 84.7-92.3 MB before (README, "Upgrade soak"). At 1,000,000 keys it takes
 * 0.6 s (0.23 s before).
 */
function memoryPurge(c: Client): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') collectCompactingEverything(gc);
  addOk(c);
}

/** Redis's addReplyDouble text: "%.17g". */
function g17(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)));
  if (exp < -4 || exp >= 17) {
    const [mant, e] = x.toExponential(16).split('e');
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const t = x.toPrecision(17);
  return t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t;
}

function memoryStats(c: Client): void {
  const mh = memOverhead();
  const ints: [string, number][] = [
    ['peak.allocated', mh.peak], ['total.allocated', mh.used], ['startup.allocated', mh.startup],
    ['replication.backlog', 0], ['clients.slaves', 0], ['clients.normal', mh.clientsNormal], ['cluster.links', 0],
    ['aof.buffer', 0], ['lua.caches', 0], ['functions.caches', 0],
  ];
  addMapLen(c, 27 + mh.dbs.length);
  for (const [k, v] of ints) {
    addBulk(c, k);
    addInt(c, v);
  }
  for (const db of mh.dbs) {
    addBulk(c, `db.${db.id}`);
    addMapLen(c, 2);
    addBulk(c, 'overhead.hashtable.main');
    addInt(c, db.main);
    addBulk(c, 'overhead.hashtable.expires');
    addInt(c, db.expires);
  }
  addBulk(c, 'overhead.total');
  addInt(c, mh.overhead);
  const net = mh.used - mh.startup;
  const rest: [string, number, boolean][] = [
    ['keys.count', mh.keys, false],
    ['keys.bytes-per-key', mh.keys ? Math.floor(net / mh.keys) : 0, false],
    ['dataset.bytes', mh.dataset, false],
    ['dataset.percentage', net > 0 ? (mh.dataset * 100) / net : 0, true],
    ['peak.percentage', mh.peak ? (mh.used * 100) / mh.peak : 0, true],
    ['allocator.allocated', mh.used, false],
    ['allocator.active', mh.active, false],
    ['allocator.resident', mh.rss, false],
    ['allocator-fragmentation.ratio', mh.active / mh.used, true],
    ['allocator-fragmentation.bytes', mh.active - mh.used, false],
    ['allocator-rss.ratio', mh.rss / mh.active, true],
    ['allocator-rss.bytes', mh.rss - mh.active, false],
    ['rss-overhead.ratio', 1, true],
    ['rss-overhead.bytes', 0, false],
    ['fragmentation', mh.rss / mh.used, true],
    ['fragmentation.bytes', mh.rss - mh.used, false],
  ];
  for (const [k, v, dbl] of rest) {
    addBulk(c, k);
    if (dbl) addDoubleText(c, g17(v));
    else addInt(c, v);
  }
}

/**
 * MEMORY DOCTOR with the checks that mean something for a V8 heap: an (almost) empty instance, a
 * past peak far above current use, and big client buffers. Redis's allocator fragmentation checks
 * are left out: a V8 process always has an RSS far above its live heap.
 */
function memoryDoctor(c: Client): void {
  const mh = memOverhead();
  let text: string;
  if (mh.used < 5 * 1024 * 1024) {
    text = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. " +
      'Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n';
  } else {
    const bigPeak = mh.peak / mh.used > 1.5;
    const nclients = Math.max(1, state.clients.size);
    const bigClientBuf = mh.clientsNormal / nclients > 1024 * 200;
    if (!bigPeak && !bigClientBuf) {
      text = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
    } else {
      text = 'Sam, I detected a few issues in this Redis instance memory implants:\n\n';
      if (bigPeak) {
        text += ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, ' +
          'so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, ' +
          'the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, ' +
          'please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n';
      }
      if (bigClientBuf) {
        text += ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, ' +
          'like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies ' +
          'or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, ' +
          'or to understand better why certain clients are using a big amount of memory.\n\n';
      }
      text += "I'm here to keep you safe, Sam. I want to help you.\n";
    }
  }
  addVerbatim(c, text);
}

function memoryMallocStats(c: Client): void {
  // Redis's text for an allocator without a stats report (hotkv's memory is V8's).
  addVerbatim(c, 'Stats not supported for the current allocator');
}

function memoryHelp(c: Client): void {
  addHelp(c, 'MEMORY', [
    'DOCTOR',
    '    Return memory problems reports.',
    'MALLOC-STATS',
    '    Return internal statistics report from the memory allocator.',
    'PURGE',
    '    Attempt to purge dirty pages for reclamation by the allocator.',
    'STATS',
    '    Return information about the memory usage of the server.',
    'USAGE <key> [SAMPLES <count>]',
    '    Return memory in bytes used by <key> and its value. Nested values are',
    '    sampled up to <count> times (default: 5, 0 means sample all).',
  ]);
}

lifecycleHooks.activate.push(() => {
  infoState();
});
lifecycleHooks.cron.push(infoCron);

export const commands: CommandSpec[] = [
  { name: 'info', fn: info },
  { name: 'time', fn: time },
  { name: 'lastsave', fn: lastsave },
  { name: 'shutdown', fn: shutdown },
  { name: 'memory|usage', fn: memoryUsage },
  { name: 'memory|purge', fn: memoryPurge },
  { name: 'memory|stats', fn: memoryStats },
  { name: 'memory|doctor', fn: memoryDoctor },
  { name: 'memory|malloc-stats', fn: memoryMallocStats },
  { name: 'memory|help', fn: memoryHelp },
];
