// DUMP, RESTORE and RESTORE-ASKING with Redis 7.0's semantics (cluster.c: dumpCommand, restoreCommand,
// createDumpPayload, verifyDumpPayload). A payload is the value exactly as an RDB file holds it (type
// byte + body, persistence/rdb.ts), then the RDB version (2 bytes, little endian) and the CRC-64 of all
// that (8 bytes, little endian), so either side restores the other's. The bytes are redis-server's own
// wherever hotkv knows Redis's layout: every string, intset, listpack and skiplist encoding and streams; a
// list as tail pushes lay out its quicklist nodes (hotkv keeps no node boundaries, so a list Redis built
// otherwise, e.g. by LPUSH, is split differently); hashtable sets and hashes in hotkv's member order (Redis
// writes its dict order, which differs between any two processes). The AOF propagation of RESTORE (a
// relative TTL made absolute + ABSTTL, a DEL when the TTL had already passed after REPLACE removed the
// key) is in persistence/aof.ts's rewrite().

import type { StoredValue } from '../../abi';
import { dbAddRaw, dbDelete, dirty, expireGate, lookupRead, lookupWrite, lruClock, setExpire, signalModifiedKey } from '../keyspace';
import { notifyKeyspaceEvent, NOTIFY_GENERIC } from '../notify';
import { crc64Bytes, crc64New, crc64Update } from '../persistence/crc64';
import { encodeValue, In, RDB_VERSION, readObject } from '../persistence/rdb';
import { addBulk, addError, addNull, addOk, ERR_SYNTAX } from '../resp/reply';
import { cfg, dbOf, now, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import { ERR_NOT_INT, parseInt64 } from '../util/numbers';
import { lfuPolicy } from './keys';
import type { CommandSpec } from './table';

/** Version (2) + CRC-64 (8) after the serialized value. */
export const FOOTER = 10;
/** Redis's LRU clock: 24 bits of seconds (LRU_CLOCK_MAX). */
const LRU_CLOCK_MAX = 0xffffff;

/** createDumpPayload: the payload bytes as a latin1 string (one char per byte, as argv and bulk replies are). */
export function createDumpPayload(v: StoredValue): string {
  const p = encodeValue(v, cfg('rdbcompression') === 'yes');
  const n = 1 + p.body.length;
  const out = Buffer.allocUnsafe(n + FOOTER);
  out[0] = p.t;
  p.body.copy(out, 1);
  writeFooter(out, n);
  return out.toString('latin1');
}

/** The footer after the n payload bytes of `out` (which has FOOTER bytes of room): RDB version, CRC-64. Also
 *  FUNCTION DUMP's (commands/functions.ts). */
export function writeFooter(out: Buffer, n: number): void {
  out.writeUInt16LE(RDB_VERSION, n);
  const crc = crc64New();
  crc64Update(crc, out, 0, n + 2);
  crc64Bytes(crc).copy(out, n + 2);
}

/** verifyDumpPayload: room for the footer, an RDB version this server reads, and the CRC-64. */
export function verifyDumpPayload(p: Buffer): boolean {
  if (p.length < FOOTER) return false;
  if (p.readUInt16LE(p.length - FOOTER) > RDB_VERSION) return false;
  const crc = crc64New();
  crc64Update(crc, p, 0, p.length - 8);
  return crc64Bytes(crc).equals(p.subarray(p.length - 8));
}

/** rdbLoadObjectType + rdbLoadObject on a verified payload: the value, or null when it is malformed (or an
 *  empty collection, which Redis refuses too). Never throws: every parse error is "Bad data format". The
 *  reader spans the whole payload, footer included, as Redis's does (a value that runs into the footer
 *  is read from it; bytes left between the value and the footer are ignored). */
function loadDumpPayload(p: Buffer): StoredValue | null {
  try {
    const r = new In(p);
    return readObject(r, r.u8('the value type'));
  } catch {
    return null;
  }
}

function dumpCommand(c: Client, argv: string[]): void {
  const v = lookupRead(dbOf(c), argv[1]);
  if (v === undefined) addNull(c);
  else addBulk(c, createDumpPayload(v));
}

function restoreCommand(c: Client, argv: string[]): void {
  let replace = false;
  let absttl = false;
  let idle = -1n;
  let freq = -1n;
  for (let j = 4; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    const more = j + 1 < argv.length;
    if (opt === 'replace') replace = true;
    else if (opt === 'absttl') absttl = true;
    else if (opt === 'idletime' && more && freq === -1n) {
      const n = parseInt64(argv[++j]);
      if (n === null) return addError(c, ERR_NOT_INT);
      if (n < 0n) return addError(c, 'ERR Invalid IDLETIME value, must be >= 0');
      idle = n;
    } else if (opt === 'freq' && more && idle === -1n) {
      const n = parseInt64(argv[++j]);
      if (n === null) return addError(c, ERR_NOT_INT);
      if (n < 0n || n > 255n) return addError(c, 'ERR Invalid FREQ value, must be >= 0 and <= 255');
      freq = n;
    } else return addError(c, ERR_SYNTAX);
  }
  const db = dbOf(c);
  const key = argv[1];
  if (!replace && lookupWrite(db, key) !== undefined) return addError(c, 'BUSYKEY Target key name already exists.');
  const ttl = parseInt64(argv[2]);
  if (ttl === null) return addError(c, ERR_NOT_INT);
  if (ttl < 0n) return addError(c, 'ERR Invalid TTL value, must be >= 0');
  const payload = Buffer.from(argv[3], 'latin1');
  if (!verifyDumpPayload(payload)) return addError(c, 'ERR DUMP payload version or checksum are wrong');
  const value = loadDumpPayload(payload);
  if (value === null) return addError(c, 'ERR Bad data format');

  const deleted = replace && dbDelete(db, key);
  // A relative TTL is added to the clock in 64-bit arithmetic, as Redis does (an overflow comes out
  // negative, so the key counts as already expired).
  const when = ttl === 0n ? 0 : Number(absttl ? ttl : BigInt.asIntN(64, ttl + BigInt(now())));
  // checkAlreadyExpired: not while the AOF is being loaded (the key expires once it is loaded).
  if (ttl !== 0n && when <= now() && !expireGate.suspended) {
    if (deleted) {
      // propagated as DEL (persistence/aof.ts)
      notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
      dirty();
    }
    return addOk(c);
  }
  dbAddRaw(db, key, value);
  if (ttl !== 0n) setExpire(db, key, when);
  // objectSetLRUOrLFU: IDLETIME sets the access time unless an LFU policy is on. FREQ would set the LFU
  // counter under an LFU policy, but hotkv keeps no LFU counter (OBJECT FREQ derives one from the access
  // time, keys.ts), so it is only validated.
  if (idle >= 0n && !lfuPolicy()) {
    // Redis's access clock is 24 bits of seconds: the access time is (clock - idle) cut to 24 bits, so an
    // idle time beyond the clock's current value wraps (OBJECT IDLETIME shows what is left of it).
    const clock = lruClock();
    const clock24 = clock & LRU_CLOCK_MAX;
    const lru = Number(BigInt.asUintN(24, BigInt(clock24) - idle));
    const shown = clock24 >= lru ? clock24 - lru : clock24 + LRU_CLOCK_MAX - lru;
    db.access.set(key, clock - shown);
  }
  signalModifiedKey(db, key);
  notifyKeyspaceEvent(NOTIFY_GENERIC, 'restore', key, db.id);
  addOk(c);
  dirty();
}

export const commands: CommandSpec[] = [
  { name: 'dump', fn: dumpCommand },
  { name: 'restore', fn: restoreCommand },
  { name: 'restore-asking', fn: restoreCommand },
];

// A string "v" dumped: type 0, length 1, "v", RDB version 10, CRC-64 (the same bytes redis-server 7.0 sends).
selfTestCases.push(
  { send: 'DEL dr:a dr:b\r\n', expect: ':0\r\n' },
  { send: 'SET dr:a v\r\n', expect: '+OK\r\n' },
  { send: 'DUMP dr:a\r\n', expect: '$13\r\n\x00\x01v\x0a\x00\x91\x08\xce\xb2\x19\x38\x8a\xce\r\n' },
  { send: 'DUMP dr:none\r\n', expect: '$-1\r\n' },
  { send: '*4\r\n$7\r\nRESTORE\r\n$4\r\ndr:b\r\n$1\r\n0\r\n$13\r\n\x00\x01v\x0a\x00\x91\x08\xce\xb2\x19\x38\x8a\xce\r\n', expect: '+OK\r\n' },
  { send: '*4\r\n$7\r\nRESTORE\r\n$4\r\ndr:b\r\n$1\r\n0\r\n$13\r\n\x00\x01v\x0a\x00\x91\x08\xce\xb2\x19\x38\x8a\xce\r\n', expect: '-BUSYKEY Target key name already exists.\r\n' },
  { send: 'RESTORE dr:c 0 xxxxxxxxxxxx\r\n', expect: '-ERR DUMP payload version or checksum are wrong\r\n' },
  { send: 'GET dr:b\r\n', expect: '$1\r\nv\r\n' },
  { send: 'DEL dr:a dr:b\r\n', expect: ':2\r\n' }, // the next round starts without them
);
