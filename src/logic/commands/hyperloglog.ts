// HyperLogLog commands: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST, as redis-server 7.0.15 answers them
// (hyperloglog.c). An HLL is a string value in Redis's byte format (types/hll.ts); it is read and stored
// through types/string.ts, so state schema 3's Buffer records work too.
//
// Redis changes an HLL in place: after dbUnshareStringValue the value is always raw-encoded (an HLL SET as a
// short embstr becomes raw on the first PFADD/PFCOUNT/PFDEBUG, silently), and a few changes are not signalled
// (PFDEBUG's conversion to dense, a PFADD that stops at a corrupted HLL): those store the value back with
// dbAddRaw, which keeps the TTL and signals nothing. Every signalled change stores it with setKey, keeping
// the TTL as an in-place change does.

import type { Db, StoredValue } from '../../abi';
import { dbAddRaw, dirty, lookupRead, lookupWrite, setKey, WRONGTYPE } from '../keyspace';
import { notifyKeyspaceEvent, NOTIFY_STRING } from '../notify';
import { addBulk, addError, addInt, addOk, addRaw, addStatus } from '../resp/reply';
import { cfgInt, dbOf, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import {
  cachedCardText, cacheValidText, decodeSparse, denseRegisters, firstDenseChange, hllAdd, hllCount, hllCreate, hllEncoding,
  hllFromText, hllMerge, hllSelfTest, hllSet, hllText, invalidateCache, isHllText, rawCount, setCachedCard, sparseToDense,
  HLL_DENSE, HLL_REGISTERS, HLL_SPARSE, type HllBuf,
} from '../types/hll';
import { rawString, readString, stringEncoding } from '../types/string';
import type { CommandSpec } from './table';

const ERR_NOT_HLL = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const ERR_CORRUPTED = 'INVALIDOBJ Corrupted HLL object detected';

/** isHLLObjectOrReply: the HLL's bytes, or null after WRONGTYPE (another type, or a string that is no HLL). */
function hllTextOrReply(c: Client, v: StoredValue): string | null {
  const s = readString(v);
  if (s === null) {
    addError(c, WRONGTYPE);
    return null;
  }
  if (!isHllText(s)) {
    addError(c, ERR_NOT_HLL);
    return null;
  }
  return s;
}

/**
 * isHLLObjectOrReply then dbUnshareStringValue, for the commands that may change the HLL under `key`: its bytes,
 * or null after the error reply. Unsharing's visible effect is that the value is raw-encoded from now on,
 * whatever the command does next (not signalled, as in Redis).
 */
function openHllOrReply(c: Client, db: Db, key: string, v: StoredValue): string | null {
  const s = hllTextOrReply(c, v);
  if (s !== null && stringEncoding(v) !== 'raw') dbAddRaw(db, key, rawString(s));
  return s;
}

/** Store an HLL changed in place without signalling it (what Redis does not signal either). */
function storeQuietly(db: Db, key: string, h: HllBuf): void {
  dbAddRaw(db, key, rawString(hllText(h)));
}

/** Store an HLL changed in place: signalled, the TTL kept. */
function store(db: Db, key: string, h: HllBuf): void {
  setKey(db, key, rawString(hllText(h)), true);
}

function sparseMaxBytes(): number {
  return cfgInt('hll-sparse-max-bytes');
}

/**
 * The registers' maxima over the HLLs at argv[1..] (missing keys count as empty), read as PFCOUNT of several
 * keys and PFMERGE read them; null after the error reply for a key that is no (valid) HLL. `anyDense`: one of
 * them is dense (PFMERGE then writes a dense destination).
 */
function mergeKeys(c: Client, db: Db, argv: string[]): { max: Uint8Array; anyDense: boolean } | null {
  const max = new Uint8Array(HLL_REGISTERS);
  let anyDense = false;
  for (let j = 1; j < argv.length; j++) {
    const v = lookupRead(db, argv[j]);
    if (v === undefined) continue;
    const s = hllTextOrReply(c, v);
    if (s === null) return null;
    const h = hllFromText(s);
    if (hllEncoding(h) === HLL_DENSE) anyDense = true;
    if (!hllMerge(max, h)) {
      addError(c, ERR_CORRUPTED);
      return null;
    }
  }
  return { max, anyDense };
}

/** PFADD key [element ...]: 1 when a register changed (or the key was created), else 0. */
function pfadd(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const key = argv[1];
  const v = lookupWrite(db, key);
  let h: HllBuf;
  let updated = 0;
  let first = 2;
  if (v === undefined) {
    h = hllCreate();
    updated++;
  } else {
    const s = openHllOrReply(c, db, key, v);
    if (s === null) return;
    if (s.charCodeAt(4) === HLL_DENSE) {
      // Elements that change nothing are passed over on the string; the copy starts at the first that does.
      first = firstDenseChange(s, argv, first);
      if (first === argv.length) {
        addRaw(c, ':0\r\n');
        return;
      }
    }
    h = hllFromText(s, 16);
  }
  const maxBytes = sparseMaxBytes();
  for (let j = first; j < argv.length; j++) {
    const r = hllAdd(h, argv[j], maxBytes);
    if (r === 1) {
      updated++;
    } else if (r === -1) {
      // Redis has changed the value in place up to here, and signals nothing.
      storeQuietly(db, key, h);
      addError(c, ERR_CORRUPTED);
      return;
    }
  }
  if (updated !== 0) {
    invalidateCache(h);
    store(db, key, h);
    notifyKeyspaceEvent(NOTIFY_STRING, 'pfadd', key, db.id);
    dirty(updated);
  }
  addRaw(c, updated !== 0 ? ':1\r\n' : ':0\r\n');
}

/**
 * PFCOUNT key [key ...]. One key: the cached cardinality, or a new estimate written into the cache (a change:
 * signalled and counted, so the AOF gets the PFCOUNT, as in Redis). Several keys: the estimate of their
 * union, merged in a temporary, nothing stored.
 */
function pfcount(c: Client, argv: string[]): void {
  const db = dbOf(c);
  if (argv.length > 2) {
    const merged = mergeKeys(c, db, argv);
    if (merged !== null) addInt(c, rawCount(merged.max));
    return;
  }
  const key = argv[1];
  const v = lookupRead(db, key);
  if (v === undefined) {
    addRaw(c, ':0\r\n');
    return;
  }
  const s = openHllOrReply(c, db, key, v);
  if (s === null) return;
  if (cacheValidText(s)) {
    addInt(c, cachedCardText(s));
    return;
  }
  const h = hllFromText(s);
  const card = hllCount(h);
  if (card === null) {
    addError(c, ERR_CORRUPTED);
    return;
  }
  setCachedCard(h, card);
  store(db, key, h);
  dirty(1);
  addInt(c, card);
}

/** PFMERGE destkey [sourcekey ...]: the destination (a source too) gets the registers' maxima. */
function pfmerge(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const merged = mergeKeys(c, db, argv);
  if (merged === null) return;
  const key = argv[1];
  const dv = lookupWrite(db, key);
  // An existing destination was checked as the first source.
  let h = dv === undefined ? hllCreate() : hllFromText(readString(dv)!, 16);
  if (merged.anyDense) {
    const dense = sparseToDense(h);
    if (dense === null) {
      addError(c, ERR_CORRUPTED);
      return;
    }
    h = dense;
  }
  const maxBytes = sparseMaxBytes();
  const max = merged.max;
  for (let j = 0; j < HLL_REGISTERS; j++) if (max[j] !== 0) hllSet(h, j, max[j], maxBytes);
  invalidateCache(h);
  store(db, key, h);
  // Redis names the event pfadd: a merge is a mass add.
  notifyKeyspaceEvent(NOTIFY_STRING, 'pfadd', key, db.id);
  dirty(1);
  addOk(c);
}

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key (arity 3 exactly, from the command table). */
function pfdebug(c: Client, argv: string[]): void {
  const db = dbOf(c);
  const key = argv[2];
  const v = lookupWrite(db, key);
  if (v === undefined) {
    addError(c, 'ERR The specified key does not exist');
    return;
  }
  const s = openHllOrReply(c, db, key, v);
  if (s === null) return;
  let h = hllFromText(s);
  // strcasecmp on the C string: up to the first NUL
  const nul = argv[1].indexOf('\0');
  const cmd = nul < 0 ? argv[1] : argv[1].slice(0, nul);
  switch (cmd.toLowerCase()) {
    case 'getreg':
    case 'todense': {
      let converted = false;
      if (hllEncoding(h) === HLL_SPARSE) {
        const dense = sparseToDense(h);
        if (dense === null) {
          addError(c, ERR_CORRUPTED);
          return;
        }
        h = dense;
        converted = true;
        // Not signalled; dirty only so that the conversion is propagated, as in Redis.
        storeQuietly(db, key, h);
        dirty(1);
      }
      if (cmd.toLowerCase() === 'todense') {
        addRaw(c, converted ? ':1\r\n' : ':0\r\n');
        return;
      }
      const regs = denseRegisters(h);
      let out = '*' + HLL_REGISTERS + '\r\n';
      for (let j = 0; j < HLL_REGISTERS; j++) out += ':' + regs[j] + '\r\n';
      addRaw(c, out);
      return;
    }
    case 'decode':
      if (hllEncoding(h) !== HLL_SPARSE) addError(c, 'ERR HLL encoding is not sparse');
      else addBulk(c, decodeSparse(h));
      return;
    case 'encoding':
      addStatus(c, hllEncoding(h) === HLL_DENSE ? 'dense' : 'sparse');
      return;
    default:
      addError(c, `ERR Unknown PFDEBUG subcommand '${cmd}'`);
  }
}

/** PFSELFTEST: Redis's full self-test (10^7 elements; blocks the server for a second or two, as in Redis). */
function pfselftest(c: Client): void {
  const failed = hllSelfTest(sparseMaxBytes());
  if (failed === '') addOk(c);
  else addError(c, failed);
}

export const commands: CommandSpec[] = [
  { name: 'pfadd', fn: pfadd },
  { name: 'pfcount', fn: pfcount },
  { name: 'pfmerge', fn: pfmerge },
  { name: 'pfdebug', fn: pfdebug },
  { name: 'pfselftest', fn: pfselftest },
];

const A = 'HYLL\x01\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a';
selfTestCases.push(
  { send: 'DEL hll:a hll:b hll:s\r\n', expect: ':0\r\n' },
  { send: 'PFADD hll:a a b c\r\n', expect: ':1\r\n' },
  { send: 'PFADD hll:a c\r\n', expect: ':0\r\n' },
  { send: 'PFCOUNT hll:a\r\n', expect: ':3\r\n' },
  // Redis's bytes: the cached 3, then XZERO:8436 VAL:1,1 XZERO:4274 VAL:2,1 XZERO:3068 VAL:1,1 XZERO:603
  { send: 'GET hll:a\r\n', expect: `$${A.length}\r\n${A}\r\n` },
  { send: 'PFDEBUG DECODE hll:a\r\n', expect: '$44\r\nZ:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\r\n' },
  { send: 'PFMERGE hll:b hll:a hll:none\r\n', expect: '+OK\r\n' },
  { send: 'PFCOUNT hll:b hll:a\r\n', expect: ':3\r\n' },
  { send: 'PFDEBUG TODENSE hll:b\r\n', expect: ':1\r\n' },
  { send: 'PFDEBUG ENCODING hll:b\r\n', expect: '+dense\r\n' },
  { send: 'PFCOUNT hll:b\r\n', expect: ':3\r\n' },
  { send: 'SET hll:s HYLLx\r\n', expect: '+OK\r\n' },
  { send: 'PFADD hll:s a\r\n', expect: `-${ERR_NOT_HLL}\r\n` },
  { send: 'DEL hll:a hll:b hll:s\r\n', expect: ':3\r\n' },
);
