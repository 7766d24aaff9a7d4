// Stream consumer groups: XGROUP (CREATE SETID DESTROY CREATECONSUMER DELCONSUMER HELP), XREADGROUP (BLOCK
// included), XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO GROUPS and XINFO CONSUMERS, with Redis 7.0's replies,
// errors, keyspace events and propagation (t_stream.c, blocked.c). The group data (name-ordered groups and
// consumers, ID-ordered PELs) is in types/stream.ts.
//
// Propagation is Redis's: XREADGROUP, XCLAIM and XAUTOCLAIM never go to the AOF as themselves; each pending
// entry they create, move or drop goes as an idempotent `XCLAIM ... FORCE JUSTID LASTID`, a group position
// moved without one as `XGROUP SETID ... ENTRIESREAD`, and a consumer XREADGROUP NOACK created as
// `XGROUP CREATECONSUMER` (persistence/aof.ts alsoPropagate).

import type { Db } from '../../abi';
import { blockClient, blockedServingKey, signalKeyAsReady } from '../blocking';
import { dbAddRaw, dirty, lookupRead, lookupWrite, noteWrite, signalModifiedKey } from '../keyspace';
import { notifyKeyspaceEvent, NOTIFY_STREAM } from '../notify';
import { alsoPropagate } from '../persistence/aof';
import { addSubcommandSyntaxError, addArrayLen, addError, addHelp, addInt, addMapLen, addNullArray, addOk, addRaw, bulkProto } from '../resp/reply';
import { dbOf, now, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import {
  consumerCreate, consumerDelete, consumerFind, groupCreate, groupDestroy, groupFind, ID_MAX, ID_MIN, idIncr, idsInsert, isStream,
  idsLowerBound, idsRemove, idText, pelIndex, pelInsert, pelLowerBound, pelRemoveAt, pelRemoveIds, streamCreate, streamEntry,
  streamEstimateDistance, streamLastValid, streamRange, type StreamConsumer, type StreamGroup, type StreamPending,
  type StreamRecord,
} from '../types/stream';
import { parseInt64 } from '../util/numbers';
import {
  BLOCKED_DEFAULT_COUNT, entryProto, idFromText, lagProto, longLongOrReply, mapHead, MAXU, nullProto, parseId,
  parseInterval, parseReadArgs, streamOrReply, tombstonesFrom, ZERO,
} from './streams';
import type { CommandSpec } from './table';

/** SCG_INVALID_ENTRIES_READ */
const INVALID_ENTRIES_READ = -1;

function nogroupKeyOrGroup(c: Client, key: string, group: string, suffix = ''): void {
  addError(c, `NOGROUP No such key '${key}' or consumer group '${group}'${suffix}`);
}

/** A consumer looked up as streamLookupConsumer(SLC_DEFAULT) does: its seen time refreshed. */
function consumerSeen(g: StreamGroup, name: string): StreamConsumer | undefined {
  const cs = consumerFind(g, name);
  if (cs !== undefined) cs.seen = now();
  return cs;
}

/** streamCreateConsumer(SCC_DEFAULT): dirty and the xgroup-createconsumer event. */
function createConsumer(g: StreamGroup, name: string, key: string, db: Db): StreamConsumer | null {
  const cs = consumerCreate(g, name, now());
  if (cs === null) return null;
  dirty();
  notifyKeyspaceEvent(NOTIFY_STREAM, 'xgroup-createconsumer', key, db.id);
  return cs;
}

/** The consumer, created when missing (seen now either way). */
function consumerOrCreate(g: StreamGroup, name: string, key: string, db: Db): StreamConsumer {
  return consumerSeen(g, name) ?? createConsumer(g, name, key, db)!;
}

/** streamPropagateXCLAIM: the idempotent form of a pending entry's state. */
function propagateXclaim(key: string, groupName: string, g: StreamGroup, idArg: string, pe: StreamPending): void {
  alsoPropagate(['XCLAIM', key, groupName, pe.consumer, '0', idArg, 'TIME', String(pe.time), 'RETRYCOUNT', String(pe.count),
    'FORCE', 'JUSTID', 'LASTID', idText(g.lastId)]);
}

/** streamPropagateGroupID */
function propagateGroupId(key: string, groupName: string, g: StreamGroup): void {
  alsoPropagate(['XGROUP', 'SETID', key, groupName, idText(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
}

// ------------------------------------------------------------------------------------------------
// XGROUP
// ------------------------------------------------------------------------------------------------

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  '      Set the group\'s entries_read counter (internal use).',
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

function xgroupHelp(c: Client): void {
  addHelp(c, 'XGROUP', XGROUP_HELP);
}

/** xgroupCommand: every subcommand but HELP. */
function xgroup(c: Client, argv: string[]): void {
  const opt = argv[1].toLowerCase();
  const db = dbOf(c);
  const key = argv[2];
  const grpname = argv[3];
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  if (opt === 'create' || opt === 'setid') {
    for (let i = 5; i < argv.length;) {
      const o = argv[i].toLowerCase();
      if (opt === 'create' && o === 'mkstream') {
        mkstream = true;
        i++;
      } else if (o === 'entriesread' && i + 1 < argv.length) {
        const n = longLongOrReply(c, argv[i + 1]);
        if (n === null) return;
        if (n < 0 && n !== INVALID_ENTRIES_READ) {
          addError(c, 'ERR value for ENTRIESREAD must be positive or -1');
          return;
        }
        entriesRead = n;
        i += 2;
      } else {
        addSubcommandSyntaxError(c, argv);
        return;
      }
    }
  }
  let s = streamOrReply(c, lookupWrite(db, key));
  if (s === null) return;
  let g: StreamGroup | undefined;
  if (!mkstream) {
    if (s === undefined) {
      addError(c, 'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
      return;
    }
    g = groupFind(s, grpname);
    if (g === undefined && (opt === 'setid' || opt === 'createconsumer' || opt === 'delconsumer')) {
      addError(c, `NOGROUP No such consumer group '${grpname}' for key name '${key}'`);
      return;
    }
  }
  if (opt === 'create' && argv.length <= 8) {
    let id: string;
    if (argv[4] === '$') id = s === undefined ? ID_MIN : s.lastId;
    else {
      const p = parseId(c, argv[4], true, ZERO);
      if (p === null) return;
      id = p.key;
    }
    if (s === undefined) {
      s = streamCreate();
      dbAddRaw(db, key, s);
      signalModifiedKey(db, key);
    }
    if (groupCreate(s, grpname, id, entriesRead) === null) {
      addError(c, 'BUSYGROUP Consumer Group name already exists');
      return;
    }
    addOk(c);
    dirty();
    notifyKeyspaceEvent(NOTIFY_STREAM, 'xgroup-create', key, db.id);
  } else if (opt === 'setid' && (argv.length === 5 || argv.length === 7)) {
    let id: string;
    if (argv[4] === '$') id = s!.lastId;
    else {
      const p = parseId(c, argv[4], false, ZERO);
      if (p === null) return;
      id = p.key;
    }
    g!.lastId = id;
    g!.entriesRead = entriesRead;
    addOk(c);
    dirty();
    notifyKeyspaceEvent(NOTIFY_STREAM, 'xgroup-setid', key, db.id);
  } else if (opt === 'destroy' && argv.length === 4) {
    if (g === undefined || !groupDestroy(s!, grpname)) {
      addInt(c, 0);
      return;
    }
    addInt(c, 1);
    dirty();
    notifyKeyspaceEvent(NOTIFY_STREAM, 'xgroup-destroy', key, db.id);
    // clients blocked in XREADGROUP on this group are unblocked with -NOGROUP
    signalKeyAsReady(db, key);
  } else if (opt === 'createconsumer' && argv.length === 5) {
    addInt(c, createConsumer(g!, argv[4], key, db) === null ? 0 : 1);
  } else if (opt === 'delconsumer' && argv.length === 5) {
    const had = consumerFind(g!, argv[4]) !== undefined;
    const pending = consumerDelete(g!, argv[4]);
    if (had) {
      dirty();
      notifyKeyspaceEvent(NOTIFY_STREAM, 'xgroup-delconsumer', key, db.id);
    }
    addInt(c, pending);
  } else {
    addSubcommandSyntaxError(c, argv);
  }
}

// ------------------------------------------------------------------------------------------------
// XREADGROUP
// ------------------------------------------------------------------------------------------------

/**
 * streamReplyWithRange for a group reading new entries: the entries after the group's last ID (at most
 * `count`, 0 for all), each advancing the group and, without NOACK, becoming (or moving to) a pending entry
 * of the consumer. Returns the reply's array of entries.
 */
function deliverNew(s: StreamRecord, key: string, groupName: string, g: StreamGroup, cs: StreamConsumer, count: number, noack: boolean): string {
  const start = idIncr(g.lastId);
  const entries = start === null ? [] : streamRange(s, start, ID_MAX, count, false);
  let out = '*' + entries.length + '\r\n';
  let propagateLastId = false;
  for (const [id, fv] of entries) {
    if (id > g.lastId) {
      // a valid counter and no tombstone ahead: one more read; else estimate it again
      if (g.entriesRead !== INVALID_ENTRIES_READ && !tombstonesFrom(s, id)) g.entriesRead++;
      else if (s.entriesAdded !== 0) g.entriesRead = streamEstimateDistance(s, id);
      g.lastId = id;
      // with acknowledgement the XCLAIM carries the last ID
      if (noack) propagateLastId = true;
    }
    out += entryProto(id, fv);
    if (noack) continue;
    const t = now();
    const at = pelIndex(g.pel, id);
    let pe: StreamPending;
    if (at < 0) {
      pe = { id, time: t, count: 1, consumer: cs.name };
      pelInsert(g.pel, pe);
    } else {
      // already pending (XGROUP SETID moved the group back): it moves to this consumer, delivered once
      pe = g.pel[at];
      const prev = consumerFind(g, pe.consumer);
      if (prev !== undefined) idsRemove(prev.pel, id);
      pe.consumer = cs.name;
      pe.time = t;
      pe.count = 1;
    }
    idsInsert(cs.pel, id);
    propagateXclaim(key, groupName, g, idText(id), pe);
  }
  if (propagateLastId) propagateGroupId(key, groupName, g);
  return out;
}

/** streamReplyWithRangeFromConsumerPEL: the consumer's pending entries after `after` (its history), each
 *  delivered once more; an entry deleted from the stream meanwhile shows as [id, nil]. */
function deliverHistory(c: Client, s: StreamRecord, g: StreamGroup, cs: StreamConsumer, after: string, count: number): string {
  const start = idIncr(after);
  const items: string[] = [];
  if (start !== null) {
    for (let i = idsLowerBound(cs.pel, start); i < cs.pel.length; i++) {
      if (count !== 0 && items.length >= count) break;
      const id = cs.pel[i];
      const fv = streamEntry(s, id);
      if (fv === null) {
        items.push('*2\r\n' + bulkProto(idText(id)) + (c.resp === 2 ? '*-1\r\n' : '_\r\n'));
        continue;
      }
      items.push(entryProto(id, fv));
      const at = pelIndex(g.pel, id);
      if (at >= 0) {
        g.pel[at].time = now();
        g.pel[at].count++;
      }
    }
  }
  return '*' + items.length + '\r\n' + items.join('');
}

function xreadgroup(c: Client, argv: string[]): void {
  const ra = parseReadArgs(c, argv, true);
  if (ra === null) return;
  const { timeoutAt, count, streamsAt, n, noack } = ra;
  const groupName = ra.group!;
  const consumerName = ra.consumer!;
  const db = dbOf(c);
  const only = blockedServingKey(c);
  if (only !== null) {
    serveBlocked(c, argv, streamsAt, n, only, groupName, consumerName, noack, count === 0 ? BLOCKED_DEFAULT_COUNT : count);
    return;
  }
  // `>` is kept as null: the group's last ID at the time of reading
  const ids: (string | null)[] = [];
  const groups: StreamGroup[] = [];
  for (let i = streamsAt + n; i < argv.length; i++) {
    const key = argv[i - n];
    const s = streamOrReply(c, lookupRead(db, key));
    if (s === null) return;
    const g = s === undefined ? undefined : groupFind(s, groupName);
    if (g === undefined) {
      nogroupKeyOrGroup(c, key, groupName, ' in XREADGROUP with GROUP option');
      return;
    }
    groups.push(g);
    if (argv[i] === '$') {
      addError(c, 'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.');
      return;
    }
    if (argv[i] === '>') {
      ids.push(null);
      continue;
    }
    const p = parseId(c, argv[i], true, ZERO);
    if (p === null) return;
    ids.push(p.key);
  }
  let replied = 0;
  let out = '';
  for (let i = 0; i < n; i++) {
    const key = argv[streamsAt + i];
    const s = lookupRead(db, key);
    if (s === undefined || !isStream(s)) continue;
    const g = groups[i];
    const history = ids[i] !== null;
    const serve = history || (s.length > 0 && streamLastValid(s) > g.lastId);
    if (!serve) continue;
    noteWrite(s);
    // (looked up, or created, only when there is something to serve)
    const cs = readerConsumer(g, consumerName, key, groupName, db, noack);
    replied++;
    if (c.resp === 2) out += '*2\r\n';
    out += bulkProto(key) + (history ? deliverHistory(c, s, g, cs, ids[i]!, count) : deliverNew(s, key, groupName, g, cs, count, noack));
    dirty();
  }
  if (replied > 0) {
    if (c.resp === 2) addArrayLen(c, replied);
    else addMapLen(c, replied);
    addRaw(c, out);
    return;
  }
  if (timeoutAt !== -1) {
    blockClient(c, argv.slice(streamsAt, streamsAt + n), timeoutAt, 'nullarray', 'stream');
    return;
  }
  addNullArray(c);
}

/** The reading consumer, created when missing: with NOACK no XCLAIM will create it on the replica side,
 *  so its creation is propagated (streamPropagateConsumerCreation). */
function readerConsumer(g: StreamGroup, name: string, key: string, groupName: string, db: Db, noack: boolean): StreamConsumer {
  let cs = consumerSeen(g, name);
  if (cs === undefined) {
    cs = createConsumer(g, name, key, db)!;
    if (noack) alsoPropagate(['XGROUP', 'CREATECONSUMER', key, groupName, name]);
  }
  return cs;
}

/** serveClientsBlockedOnStreamKey for a blocked XREADGROUP: the ready key only. */
function serveBlocked(c: Client, argv: string[], streamsAt: number, n: number, only: string, groupName: string, consumerName: string,
  noack: boolean, count: number): void {
  const db = dbOf(c);
  for (let i = 0; i < n; i++) {
    const key = argv[streamsAt + i];
    if (key !== only) continue;
    const v = db.dict.get(key);
    if (v === undefined || !isStream(v)) {
      addError(c, 'UNBLOCKED the stream key no longer exists');
      return;
    }
    const s = v;
    const g = groupFind(s, groupName);
    if (g === undefined) {
      addError(c, 'NOGROUP the consumer group this client was blocked on no longer exists');
      return;
    }
    if (!(s.lastId > g.lastId)) break;
    const cs = readerConsumer(g, consumerName, key, groupName, db, noack);
    addRaw(c, c.resp === 2 ? '*1\r\n*2\r\n' : '%1\r\n');
    addRaw(c, bulkProto(key) + deliverNew(s, key, groupName, g, cs, count, noack));
    return;
  }
  blockClient(c, [], 0, 'nullarray');
}

// ------------------------------------------------------------------------------------------------
// XACK XPENDING
// ------------------------------------------------------------------------------------------------

function xack(c: Client, argv: string[]): void {
  const s = streamOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (s === null) return;
  const g = s === undefined ? undefined : groupFind(s, argv[2]);
  if (g === undefined) {
    addInt(c, 0);
    return;
  }
  // all IDs are parsed first: the command acknowledges all or nothing
  const ids: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const p = parseId(c, argv[j], true, ZERO);
    if (p === null) return;
    ids.push(p.key);
  }
  noteWrite(s);
  const acked = pelRemoveIds(g, ids);
  if (acked > 0) dirty(acked);
  addInt(c, acked);
}

function xpending(c: Client, argv: string[]): void {
  const justinfo = argv.length === 3;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) {
    addError(c, 'ERR syntax error');
    return;
  }
  let minidle = 0;
  let count = 0;
  let start = ID_MIN;
  let end = ID_MAX;
  let consumerName: string | null = null;
  if (argv.length >= 6) {
    let at = 3;
    if (argv[3].toLowerCase() === 'idle') {
      const n = longLongOrReply(c, argv[4]);
      if (n === null) return;
      minidle = n;
      if (argv.length < 8) {
        addError(c, 'ERR syntax error');
        return;
      }
      at += 2;
    }
    const k = longLongOrReply(c, argv[at + 2]);
    if (k === null) return;
    count = k < 0 ? 0 : k;
    const st = parseInterval(c, argv[at], ZERO, true);
    if (st === null) return;
    start = st;
    const en = parseInterval(c, argv[at + 1], MAXU, false);
    if (en === null) return;
    end = en;
    if (at + 3 < argv.length) consumerName = argv[at + 3];
  }
  const key = argv[1];
  const s = streamOrReply(c, lookupRead(dbOf(c), key));
  if (s === null) return;
  const g = s === undefined ? undefined : groupFind(s, argv[2]);
  if (g === undefined) {
    nogroupKeyOrGroup(c, key, argv[2]);
    return;
  }
  if (justinfo) {
    if (g.pel.length === 0) {
      addRaw(c, '*4\r\n:0\r\n' + nullProto(c) + nullProto(c) + (c.resp === 2 ? '*-1\r\n' : '_\r\n'));
      return;
    }
    let out = `*4\r\n:${g.pel.length}\r\n` + bulkProto(idText(g.pel[0].id)) + bulkProto(idText(g.pel[g.pel.length - 1].id));
    let body = '';
    let nc = 0;
    for (const cs of g.consumers) {
      if (cs.pel.length === 0) continue;
      body += '*2\r\n' + bulkProto(cs.name) + bulkProto(String(cs.pel.length));
      nc++;
    }
    out += `*${nc}\r\n` + body;
    addRaw(c, out);
    return;
  }
  const t = now();
  let items = 0;
  let body = '';
  const visit = (pe: StreamPending): void => {
    const idle = t - pe.time;
    if (minidle !== 0 && idle < minidle) return;
    items++;
    count--;
    body += '*4\r\n' + bulkProto(idText(pe.id)) + bulkProto(pe.consumer) + `:${idle < 0 ? 0 : idle}\r\n:${pe.count}\r\n`;
  };
  if (consumerName !== null) {
    const cs = consumerFind(g, consumerName);
    if (cs === undefined) {
      addRaw(c, '*0\r\n');
      return;
    }
    for (let i = idsLowerBound(cs.pel, start); count > 0 && i < cs.pel.length && cs.pel[i] <= end; i++) {
      const at = pelIndex(g.pel, cs.pel[i]);
      if (at >= 0) visit(g.pel[at]);
    }
  } else {
    for (let i = pelLowerBound(g.pel, start); count > 0 && i < g.pel.length && g.pel[i].id <= end; i++) visit(g.pel[i]);
  }
  addRaw(c, `*${items}\r\n` + body);
}

// ------------------------------------------------------------------------------------------------
// XCLAIM XAUTOCLAIM
// ------------------------------------------------------------------------------------------------

/** getLongLongFromObjectOrReply with its own message */
function longLongOr(c: Client, text: string, msg: string): number | null {
  const n = parseInt64(text);
  if (n === null) {
    addError(c, 'ERR ' + msg);
    return null;
  }
  return Number(n);
}

/** Give a pending entry to `cs` (XCLAIM, XAUTOCLAIM). */
function moveTo(g: StreamGroup, pe: StreamPending, cs: StreamConsumer): void {
  if (pe.consumer === cs.name && pe.consumer !== '') return;
  if (pe.consumer !== '') {
    const prev = consumerFind(g, pe.consumer);
    if (prev !== undefined) idsRemove(prev.pel, pe.id);
  }
  pe.consumer = cs.name;
  idsInsert(cs.pel, pe.id);
}

function xclaim(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const key = argv[1];
  const groupName = argv[2];
  const s = streamOrReply(c, lookupRead(db, key));
  if (s === null) return;
  const g = s === undefined ? undefined : groupFind(s, groupName);
  if (s === undefined || g === undefined) {
    nogroupKeyOrGroup(c, key, groupName);
    return;
  }
  let minidle = longLongOr(c, argv[4], 'Invalid min-idle-time argument for XCLAIM');
  if (minidle === null) return;
  if (minidle < 0) minidle = 0;
  // IDs up to the first argument that is not one; options after
  const ids: string[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = idFromText(argv[j], true, ZERO);
    if (p === null) break;
    ids.push(p.key);
  }
  const t = now();
  let force = false;
  let justid = false;
  let deliveryTime = -1;
  let retrycount = -1;
  let lastId = ID_MIN;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === 'force') force = true;
    else if (opt === 'justid') justid = true;
    else if (opt === 'idle' && more > 0) {
      const n = longLongOr(c, argv[++j], 'Invalid IDLE option argument for XCLAIM');
      if (n === null) return;
      deliveryTime = t - n;
    } else if (opt === 'time' && more > 0) {
      const n = longLongOr(c, argv[++j], 'Invalid TIME option argument for XCLAIM');
      if (n === null) return;
      deliveryTime = n;
    } else if (opt === 'retrycount' && more > 0) {
      const n = longLongOr(c, argv[++j], 'Invalid RETRYCOUNT option argument for XCLAIM');
      if (n === null) return;
      retrycount = n;
    } else if (opt === 'lastid' && more > 0) {
      const p = parseId(c, argv[++j], true, ZERO);
      if (p === null) return;
      lastId = p.key;
    } else {
      addError(c, `ERR Unrecognized XCLAIM option '${argv[j]}'`);
      return;
    }
  }
  noteWrite(s);
  let propagateLastId = false;
  if (lastId > g.lastId) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  // a time in the future or before the epoch is taken as now, rather than refused
  if (deliveryTime === -1 || deliveryTime < 0 || deliveryTime > t) deliveryTime = t;
  let cs: StreamConsumer | undefined;
  let out = '';
  let claimed = 0;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    const idArg = argv[5 + k];
    let at = pelIndex(g.pel, id);
    const fv = streamEntry(s, id);
    if (fv === null) {
      // the entry is gone: so is its pending entry
      if (at >= 0) {
        propagateXclaim(key, groupName, g, idArg, g.pel[at]);
        propagateLastId = false;
        dirty();
        pelRemoveAt(g, at);
      }
      continue;
    }
    let created = false;
    if (force && at < 0) {
      // streamCreateNACK: delivered once, now, to no consumer yet
      pelInsert(g.pel, { id, time: t, count: 1, consumer: '' });
      at = pelIndex(g.pel, id);
      created = true;
    }
    if (at < 0) continue;
    const pe = g.pel[at];
    if (!created && minidle !== 0 && t - pe.time < minidle) continue;
    cs ??= consumerOrCreate(g, argv[3], key, db);
    moveTo(g, pe, cs);
    pe.time = deliveryTime;
    if (retrycount >= 0) pe.count = retrycount;
    else if (!justid) pe.count++;
    out += justid ? bulkProto(idText(id)) : entryProto(id, fv);
    claimed++;
    propagateXclaim(key, groupName, g, idArg, pe);
    propagateLastId = false;
    dirty();
  }
  if (propagateLastId) {
    propagateGroupId(key, groupName, g);
    dirty();
  }
  addRaw(c, `*${claimed}\r\n` + out);
}

/** COUNT's upper bound: LONG_MAX / max(sizeof(streamID), attempts factor 10) */
const AUTOCLAIM_MAX_COUNT = 576460752303423487n;

function xautoclaim(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const key = argv[1];
  const groupName = argv[2];
  const v = lookupRead(db, key);
  let minidle = longLongOr(c, argv[4], 'Invalid min-idle-time argument for XAUTOCLAIM');
  if (minidle === null) return;
  if (minidle < 0) minidle = 0;
  const start = parseInterval(c, argv[5], ZERO, true);
  if (start === null) return;
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toLowerCase();
    if (opt === 'count' && more > 0) {
      const n = parseInt64(argv[j + 1]);
      if (n === null || n < 1n || n > AUTOCLAIM_MAX_COUNT) {
        addError(c, 'ERR COUNT must be > 0');
        return;
      }
      count = Number(n);
      j++;
    } else if (opt === 'justid') justid = true;
    else {
      addError(c, 'ERR syntax error');
      return;
    }
  }
  const s = streamOrReply(c, v);
  if (s === null) return;
  const g = s === undefined ? undefined : groupFind(s, groupName);
  if (s === undefined || g === undefined) {
    nogroupKeyOrGroup(c, key, groupName);
    return;
  }
  noteWrite(s);
  const t = now();
  let attempts = count * 10;
  let cs: StreamConsumer | undefined;
  const deleted: string[] = [];
  let out = '';
  let claimed = 0;
  let i = pelLowerBound(g.pel, start);
  while (attempts-- > 0 && count > 0 && i < g.pel.length) {
    const pe = g.pel[i];
    const fv = streamEntry(s, pe.id);
    if (fv === null) {
      propagateXclaim(key, groupName, g, idText(pe.id), pe);
      dirty();
      pelRemoveAt(g, i);
      deleted.push(pe.id);
      continue;
    }
    i++;
    if (minidle !== 0 && t - pe.time < minidle) continue;
    cs ??= consumerOrCreate(g, argv[3], key, db);
    moveTo(g, pe, cs);
    pe.time = t;
    if (!justid) pe.count++;
    out += justid ? bulkProto(idText(pe.id)) : entryProto(pe.id, fv);
    claimed++;
    count--;
    propagateXclaim(key, groupName, g, idText(pe.id), pe);
    dirty();
  }
  // the cursor: the next pending entry, 0-0 at the end
  const next = i < g.pel.length ? g.pel[i].id : ID_MIN;
  let reply = '*3\r\n' + bulkProto(idText(next)) + `*${claimed}\r\n` + out + `*${deleted.length}\r\n`;
  for (const id of deleted) reply += bulkProto(idText(id));
  addRaw(c, reply);
}

// ------------------------------------------------------------------------------------------------
// XINFO GROUPS / CONSUMERS
// ------------------------------------------------------------------------------------------------

/** The stream XINFO <sub> <key> looks at; null after the reply. */
function xinfoStreamOrReply(c: Client, key: string): StreamRecord | null {
  const v = lookupRead(dbOf(c), key);
  if (v === undefined) {
    addError(c, 'ERR no such key');
    return null;
  }
  return streamOrReply(c, v) ?? null;
}

function xinfoGroups(c: Client, argv: string[]): void {
  const s = xinfoStreamOrReply(c, argv[2]);
  if (s === null) return;
  let out = `*${s.groups.length}\r\n`;
  for (const g of s.groups) {
    out += mapHead(c, 6) + bulkProto('name') + bulkProto(g.name) + bulkProto('consumers') + `:${g.consumers.length}\r\n`
      + bulkProto('pending') + `:${g.pel.length}\r\n` + bulkProto('last-delivered-id') + bulkProto(idText(g.lastId))
      + bulkProto('entries-read') + (g.entriesRead !== INVALID_ENTRIES_READ ? `:${g.entriesRead}\r\n` : nullProto(c))
      + bulkProto('lag') + lagProto(c, s, g);
  }
  addRaw(c, out);
}

function xinfoConsumers(c: Client, argv: string[]): void {
  const s = xinfoStreamOrReply(c, argv[2]);
  if (s === null) return;
  const g = groupFind(s, argv[3]);
  if (g === undefined) {
    addError(c, `NOGROUP No such consumer group '${argv[3]}' for key name '${argv[2]}'`);
    return;
  }
  const t = now();
  let out = `*${g.consumers.length}\r\n`;
  for (const cs of g.consumers) {
    const idle = t - cs.seen;
    out += mapHead(c, 3) + bulkProto('name') + bulkProto(cs.name) + bulkProto('pending') + `:${cs.pel.length}\r\n`
      + bulkProto('idle') + `:${idle < 0 ? 0 : idle}\r\n`;
  }
  addRaw(c, out);
}

export const commands: CommandSpec[] = [
  { name: 'xgroup|create', fn: xgroup },
  { name: 'xgroup|setid', fn: xgroup },
  { name: 'xgroup|destroy', fn: xgroup },
  { name: 'xgroup|createconsumer', fn: xgroup },
  { name: 'xgroup|delconsumer', fn: xgroup },
  { name: 'xgroup|help', fn: xgroupHelp },
  { name: 'xreadgroup', fn: xreadgroup },
  { name: 'xack', fn: xack },
  { name: 'xpending', fn: xpending },
  { name: 'xclaim', fn: xclaim },
  { name: 'xautoclaim', fn: xautoclaim },
  { name: 'xinfo|groups', fn: xinfoGroups },
  { name: 'xinfo|consumers', fn: xinfoConsumers },
];

selfTestCases.push(
  { send: 'XGROUP CREATE st:g g $ MKSTREAM\r\n', expect: '+OK\r\n' },
  { send: 'XGROUP CREATE st:g g $\r\n', expect: '-BUSYGROUP Consumer Group name already exists\r\n' },
  { send: 'XADD st:g 1-1 f v\r\n', expect: '$3\r\n1-1\r\n' },
  { send: 'XREADGROUP GROUP g c STREAMS st:g >\r\n', expect: '*1\r\n*2\r\n$4\r\nst:g\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n' },
  { send: 'XACK st:g g 1-1 2-2\r\n', expect: ':1\r\n' },
  { send: 'XPENDING st:g g - + 10\r\n', expect: '*0\r\n' },
  { send: 'XGROUP DESTROY st:g g\r\n', expect: ':1\r\n' },
  { send: 'DEL st:g\r\n', expect: ':1\r\n' },
);
