// RDB files as Redis 7.0 writes and reads them (rdb.h / rdb.c, listpack.c, intset.c, ziplist.c,
// zipmap.c). Hand-written because the bytes must match Redis's formats bit for bit: a dump written
// here must load in redis-server 7.0 and pass redis-check-rdb, and a dump Redis wrote (or an older
// one a user brings: RDB 9 ziplists, zipmaps, linked lists, string-score zsets) must load here.
//
// Writing picks the encodings Redis 7.0 writes for the same OBJECT ENCODING, so that Redis loading
// the file ends with the encodings hotkv had: listpack hash/zset -> HASH_LISTPACK/ZSET_LISTPACK,
// hashtable/skiplist -> HASH/ZSET_2, intset -> SET_INTSET, hashtable set -> SET, lists -> QUICKLIST_2
// with listpack nodes. (Redis converts on load by thresholds; a collection that shrank below them
// after growing comes back small-encoded in Redis as in hotkv, since loading here applies the same
// rules.)

import type { StoredValue } from '../../abi';
import { hashFromPairs, type HashRecord } from '../types/hash';
import { listFromArray, listToArray, type ListValue } from '../types/list';
import { decodeStreamBody, encodeStreamBody, type StreamRecord } from './rdbstream';
import { setFromMembers, type SetRecord } from '../types/set';
import { lpStrSize } from '../types/stream';
import { isCanonicalInt64, readString, storedString } from '../types/string';
import { listpackLimits, listpackScoreText, zsetEntries, zsetFromEntries, type ZsetRecord } from '../types/zset';
import { cfgInt, state } from '../runtime';
import type { FunctionsRecord } from '../scripting/library';
import { crc64Bytes, crc64Hex, crc64New, crc64Update, type Crc64 } from './crc64';
import { lzfCompress, lzfDecompress } from './lzf';

export const RDB_VERSION = 10;

// value types
export const T_STRING = 0;
const T_LIST = 1;
const T_SET = 2;
const T_ZSET = 3;
const T_HASH = 4;
const T_ZSET_2 = 5;
const T_HASH_ZIPMAP = 9;
const T_LIST_ZIPLIST = 10;
const T_SET_INTSET = 11;
const T_ZSET_ZIPLIST = 12;
const T_HASH_ZIPLIST = 13;
const T_LIST_QUICKLIST = 14;
const T_HASH_LISTPACK = 16;
const T_ZSET_LISTPACK = 17;
const T_LIST_QUICKLIST_2 = 18;
const T_STREAM_LISTPACKS = 15;
const T_STREAM_LISTPACKS_2 = 19;
// opcodes
const OP_FUNCTION2 = 245;
const OP_MODULE_AUX = 247;
const OP_IDLE = 248;
const OP_FREQ = 249;
const OP_AUX = 250;
const OP_RESIZEDB = 251;
const OP_EXPIRETIME_MS = 252;
const OP_EXPIRETIME = 253;
const OP_SELECTDB = 254;
const OP_EOF = 255;

// ------------------------------------------------------------------------------------------------
// Writing
// ------------------------------------------------------------------------------------------------

/** A growable byte buffer for one serialization (disposable, never kept in State). */
export class Out {
  buf = Buffer.allocUnsafe(4096);
  len = 0;
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = Buffer.allocUnsafe(cap);
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  latin1(s: string): void {
    this.ensure(s.length);
    this.len += this.buf.write(s, this.len, 'latin1');
  }
  take(): Buffer {
    const b = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    return b;
  }
}

/** rdbSaveLen */
export function writeLen(o: Out, n: number): void {
  if (n < 64) o.byte(n);
  else if (n < 16384) {
    o.byte(0x40 | (n >>> 8));
    o.byte(n & 0xff);
  } else if (n <= 0xffffffff) {
    o.ensure(5);
    o.buf[o.len++] = 0x80;
    o.buf.writeUInt32BE(n, o.len);
    o.len += 4;
  } else {
    o.ensure(9);
    o.buf[o.len++] = 0x81;
    o.buf.writeBigUInt64BE(BigInt(n), o.len);
    o.len += 8;
  }
}

/** rdbTryIntegerEncoding: a canonical integer text of at most 11 chars that fits in 32 bits. */
function writeIntEncoded(o: Out, s: string): boolean {
  if (s.length > 11 || !isCanonicalInt64(s)) return false;
  const v = Number(s);
  if (v >= -128 && v <= 127) {
    o.byte(0xc0);
    o.byte(v & 0xff);
  } else if (v >= -32768 && v <= 32767) {
    o.ensure(3);
    o.buf[o.len++] = 0xc1;
    o.buf.writeInt16LE(v, o.len);
    o.len += 2;
  } else if (v >= -2147483648 && v <= 2147483647) {
    o.ensure(5);
    o.buf[o.len++] = 0xc2;
    o.buf.writeInt32LE(v, o.len);
    o.len += 4;
  } else return false;
  return true;
}

/** rdbSaveRawString for a latin1 JS string. */
export function writeString(o: Out, s: string, compress: boolean): void {
  if (s.length <= 11 && writeIntEncoded(o, s)) return;
  if (compress && s.length > 20) {
    const raw = Buffer.from(s, 'latin1');
    if (writeLzf(o, raw)) return;
  }
  writeLen(o, s.length);
  o.latin1(s);
}

/** rdbSaveRawString for a blob (listpack, intset). */
export function writeBlob(o: Out, b: Buffer, compress: boolean): void {
  if (compress && b.length > 20 && writeLzf(o, b)) return;
  writeLen(o, b.length);
  o.bytes(b);
}

/** rdbSaveLzfStringObject: false when compression does not save at least 4 bytes. */
function writeLzf(o: Out, raw: Buffer): boolean {
  if (raw.length <= 4) return false;
  const c = lzfCompress(raw, raw.length - 4);
  if (c === null) return false;
  o.byte(0xc3);
  writeLen(o, c.length);
  writeLen(o, raw.length);
  o.bytes(c);
  return true;
}

// --- listpack (listpack.c) ----------------------------------------------------------------------

/** lpEncodeBacklen: the entry length written backwards after the entry. */
function lpBacklen(o: Out, l: number): void {
  if (l <= 127) o.byte(l);
  else if (l < 16383) {
    o.byte(l >>> 7);
    o.byte((l & 127) | 128);
  } else if (l < 2097151) {
    o.byte(l >>> 14);
    o.byte(((l >>> 7) & 127) | 128);
    o.byte((l & 127) | 128);
  } else if (l < 268435455) {
    o.byte(l >>> 21);
    o.byte(((l >>> 14) & 127) | 128);
    o.byte(((l >>> 7) & 127) | 128);
    o.byte((l & 127) | 128);
  } else {
    o.byte(Math.floor(l / 2 ** 28));
    o.byte(((l >>> 21) & 127) | 128);
    o.byte(((l >>> 14) & 127) | 128);
    o.byte(((l >>> 7) & 127) | 128);
    o.byte((l & 127) | 128);
  }
}

/** Append one element as lpAppend encodes it (integers in the smallest integer encoding). */
function lpEntry(o: Out, s: string): void {
  const start = o.len;
  if (s.length <= 20 && isCanonicalInt64(s)) {
    const big = BigInt(s);
    if (big >= 0n && big <= 127n) o.byte(Number(big));
    else if (big >= -4096n && big <= 4095n) {
      const v = Number(big) & 0x1fff;
      o.byte(0xc0 | (v >>> 8));
      o.byte(v & 0xff);
    } else if (big >= -32768n && big <= 32767n) {
      o.ensure(3);
      o.buf[o.len++] = 0xf1;
      o.buf.writeInt16LE(Number(big), o.len);
      o.len += 2;
    } else if (big >= -8388608n && big <= 8388607n) {
      o.ensure(4);
      o.buf[o.len++] = 0xf2;
      o.buf.writeIntLE(Number(big), o.len, 3);
      o.len += 3;
    } else if (big >= -2147483648n && big <= 2147483647n) {
      o.ensure(5);
      o.buf[o.len++] = 0xf3;
      o.buf.writeInt32LE(Number(big), o.len);
      o.len += 4;
    } else {
      o.ensure(9);
      o.buf[o.len++] = 0xf4;
      o.buf.writeBigInt64LE(big, o.len);
      o.len += 8;
    }
  } else {
    const n = s.length;
    if (n < 64) o.byte(0x80 | n);
    else if (n < 4096) {
      o.byte(0xe0 | (n >>> 8));
      o.byte(n & 0xff);
    } else {
      o.ensure(5);
      o.buf[o.len++] = 0xf0;
      o.buf.writeUInt32LE(n, o.len);
      o.len += 4;
    }
    o.latin1(s);
  }
  lpBacklen(o, o.len - start);
}

/** A whole listpack holding `items`. */
export function lpBuild(items: readonly string[], from = 0, to = items.length): Buffer {
  const o = new Out();
  o.ensure(6);
  o.len = 6;
  for (let i = from; i < to; i++) lpEntry(o, items[i]);
  o.byte(0xff);
  o.buf.writeUInt32LE(o.len, 0);
  const count = to - from;
  o.buf.writeUInt16LE(count < 65535 ? count : 65535, 4);
  return o.take();
}

// --- intset (intset.c) --------------------------------------------------------------------------

function intsetBuild(members: readonly string[]): Buffer {
  let width = 2;
  const vals = members.map((m) => BigInt(m));
  for (const v of vals) {
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const b = Buffer.alloc(8 + width * vals.length);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(vals.length, 4);
  for (let i = 0; i < vals.length; i++) {
    const at = 8 + i * width;
    if (width === 2) b.writeInt16LE(Number(vals[i]), at);
    else if (width === 4) b.writeInt32LE(Number(vals[i]), at);
    else b.writeBigInt64LE(vals[i], at);
  }
  return b;
}

/** quicklist.c's optimization_level: the node byte limits of list-max-listpack-size -1 .. -5. */
const QL_LEVELS = [4096, 8192, 16384, 32768, 65536];
/** SIZE_SAFETY_LIMIT: a count-limited node still stays within this many bytes. */
const QL_SAFETY_LIMIT = 8192;
/** SIZE_ESTIMATE_OVERHEAD: what _quicklistNodeAllowInsert adds to the element's length. */
const QL_ESTIMATE_OVERHEAD = 8;

/** A list's quicklist nodes as Redis fills them pushing at the tail, [first, end) item ranges: an element
 *  joins the last node while _quicklistNodeAllowInsert allows it (the node's listpack bytes + the element's
 *  length + 8 within the byte limit of a negative list-max-listpack-size, or within 8 KB and the count of a
 *  positive one; quicklistSetFill clamps the setting to -5 .. 32768). */
export function quicklistNodes(items: readonly string[]): [number, number][] {
  const fill = Math.max(-5, Math.min(cfgInt('list-max-listpack-size'), 1 << 15));
  const nodes: [number, number][] = [];
  let from = 0;
  let bytes = 7; // listpack header + end byte
  for (let i = 0; i < items.length; i++) {
    if (i > from) {
      const newSize = bytes + items[i].length + QL_ESTIMATE_OVERHEAD;
      const fits = fill < 0 ? newSize <= QL_LEVELS[-fill - 1] : newSize <= QL_SAFETY_LIMIT && i - from < fill;
      if (!fits) {
        nodes.push([from, i]);
        from = i;
        bytes = 7;
      }
    }
    bytes += lpStrSize(items[i]);
  }
  nodes.push([from, items.length]);
  return nodes;
}

/** A value serialized ahead of time (BGSAVE copy-on-write): its type byte and body. */
export interface PreSerialized {
  type: 'rdb-pre';
  t: number;
  body: Buffer;
}

/** The RDB type byte and body of a value (rdbSaveObjectType + rdbSaveObject). */
export function encodeValue(v: StoredValue, compress: boolean): PreSerialized {
  const o = new Out();
  let t: number;
  const s = readString(v);
  if (s !== null || typeof v === 'string') {
    t = T_STRING;
    writeString(o, s as string, compress);
  } else if (v.type === 'rdb-pre') {
    return v as PreSerialized;
  } else if (v.type === 'list') {
    t = T_LIST_QUICKLIST_2;
    const items = listToArray(v as ListValue);
    const nodes = quicklistNodes(items);
    writeLen(o, nodes.length);
    for (const [a, b] of nodes) {
      writeLen(o, 2); // QUICKLIST_NODE_CONTAINER_PACKED
      writeBlob(o, lpBuild(items, a, b), compress);
    }
  } else if (v.type === 'set') {
    const st = v as SetRecord;
    if (st.enc === 'intset') {
      t = T_SET_INTSET;
      writeBlob(o, intsetBuild(st.a), compress);
    } else {
      t = T_SET;
      writeLen(o, st.a.length);
      for (const m of st.a) writeString(o, m, compress);
    }
  } else if (v.type === 'zset') {
    const z = v as ZsetRecord;
    const entries = zsetEntries(z);
    if (z.enc === 'listpack') {
      t = T_ZSET_LISTPACK;
      const flat: string[] = [];
      for (const [m, sc] of entries) flat.push(m, listpackScoreText(sc));
      writeBlob(o, lpBuild(flat), compress);
    } else {
      t = T_ZSET_2;
      writeLen(o, entries.length);
      const d = Buffer.allocUnsafe(8);
      // from the tail, as Redis saves a skiplist (so loading inserts at the head)
      for (let i = entries.length - 1; i >= 0; i--) {
        writeString(o, entries[i][0], compress);
        d.writeDoubleLE(entries[i][1], 0);
        o.bytes(d);
      }
    }
  } else if (v.type === 'hash') {
    const h = v as HashRecord;
    if (h.enc === 'listpack') {
      t = T_HASH_LISTPACK;
      const flat: string[] = [];
      for (let i = 0; i < h.f.length; i++) flat.push(h.f[i], h.v[i]);
      writeBlob(o, lpBuild(flat), compress);
    } else {
      t = T_HASH;
      writeLen(o, h.f.length);
      for (let i = 0; i < h.f.length; i++) {
        writeString(o, h.f[i], compress);
        writeString(o, h.v[i], compress);
      }
    }
  } else if (v.type === 'stream') {
    t = T_STREAM_LISTPACKS_2;
    encodeStreamBody(o, v as StreamRecord, compress);
  } else {
    throw new Error(`cannot save a value of type ${v.type}`);
  }
  return { type: 'rdb-pre', t, body: o.take() };
}

/** The bytes of one key: [EXPIRETIME_MS] type key value. */
export function encodeEntry(o: Out, key: string, v: StoredValue, expireMs: number | undefined, compress: boolean): void {
  if (expireMs !== undefined) {
    o.byte(OP_EXPIRETIME_MS);
    o.ensure(8);
    o.buf.writeBigInt64LE(BigInt(expireMs), o.len);
    o.len += 8;
  }
  const p = encodeValue(v, compress);
  o.byte(p.t);
  writeString(o, key, compress);
  o.bytes(p.body);
}

function writeAux(o: Out, k: string, v: string): void {
  o.byte(OP_AUX);
  writeString(o, k, false);
  writeString(o, v, false);
}

/** "REDIS0010" and the AUX fields Redis 7.0 writes (rdbSaveInfoAuxFields). */
export function encodeHeader(o: Out, redisVersion: string, usedMem: number, aofBase: boolean): void {
  o.latin1(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
  writeAux(o, 'redis-ver', redisVersion);
  writeAux(o, 'redis-bits', '64');
  writeAux(o, 'ctime', String(Math.floor(Date.now() / 1000)));
  writeAux(o, 'used-mem', String(usedMem));
  writeAux(o, 'aof-base', aofBase ? '1' : '0');
  // rdbSaveFunctions: every library's code after the AUX fields, before the databases
  const f = state.ext.functions as FunctionsRecord | undefined;
  if (f !== undefined) {
    for (const lib of f.libs.values()) {
      o.byte(OP_FUNCTION2);
      writeString(o, lib.code, false);
    }
  }
}

/** Loads a library's code from an RDB (FUNCTION2); commands/functions.ts sets it (this file must not import the
 *  command family). Returns null, or the error text. */
export const rdbFunctionHooks = { load: null as null | ((code: string) => string | null) };

/** SELECTDB + RESIZEDB before a db's keys. */
export function encodeDbHeader(o: Out, id: number, size: number, expires: number): void {
  o.byte(OP_SELECTDB);
  writeLen(o, id);
  o.byte(OP_RESIZEDB);
  writeLen(o, size);
  writeLen(o, expires);
}

export { crc64New, crc64Update, crc64Bytes };
export const EOF_OPCODE = OP_EOF;

// ------------------------------------------------------------------------------------------------
// Reading
// ------------------------------------------------------------------------------------------------

export class RdbError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

export interface LoadedKey {
  db: number;
  key: string;
  value: StoredValue;
  /** unix ms, -1 for none */
  expire: number;
}

export interface LoadResult {
  version: number;
  aux: Map<string, string>;
  keys: number;
  /** keys skipped because their expiry had passed */
  expired: number;
  /** empty collections skipped, as Redis does */
  empty: number;
}

/** Sequential reader over a dump in memory. */
export class In {
  pos = 0;
  constructor(readonly b: Buffer) {}
  need(n: number, what: string): void {
    if (this.pos + n > this.b.length) throw new RdbError(`Short read or unexpected end of file reading ${what}`, this.pos);
  }
  u8(what: string): number {
    this.need(1, what);
    return this.b[this.pos++];
  }
  slice(n: number, what: string): Buffer {
    this.need(n, what);
    const s = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  /** rdbLoadLenByRef: [length, isEncoded] */
  len(what: string): [number, boolean] {
    const first = this.u8(what);
    const kind = first >>> 6;
    if (kind === 0) return [first & 0x3f, false];
    if (kind === 1) return [((first & 0x3f) << 8) | this.u8(what), false];
    if (kind === 3) return [first & 0x3f, true];
    if (first === 0x80) {
      this.need(4, what);
      const v = this.b.readUInt32BE(this.pos);
      this.pos += 4;
      return [v, false];
    }
    if (first === 0x81) {
      this.need(8, what);
      const v = this.b.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError(`Length too large reading ${what}`, this.pos - 9);
      return [Number(v), false];
    }
    throw new RdbError(`Unknown length encoding ${first} in rdbLoadLen()`, this.pos - 1);
  }
  plainLen(what: string): number {
    const at = this.pos;
    const [n, enc] = this.len(what);
    if (enc) throw new RdbError(`Unexpected encoded length reading ${what}`, at);
    return n;
  }
  /** rdbGenericLoadStringObject: the bytes of a string, whatever its encoding. */
  bytes(what: string): Buffer {
    const at = this.pos;
    const [n, enc] = this.len(what);
    if (!enc) return this.slice(n, what);
    switch (n) {
      case 0: return Buffer.from(String(this.slice(1, what).readInt8(0)), 'latin1');
      case 1: return Buffer.from(String(this.slice(2, what).readInt16LE(0)), 'latin1');
      case 2: return Buffer.from(String(this.slice(4, what).readInt32LE(0)), 'latin1');
      case 3: {
        const clen = this.plainLen(what);
        const ulen = this.plainLen(what);
        const data = this.slice(clen, what);
        try {
          return lzfDecompress(data, ulen);
        } catch {
          throw new RdbError(`Invalid LZF compressed string reading ${what}`, at);
        }
      }
      default:
        throw new RdbError(`Unknown RDB string encoding type ${n}`, at);
    }
  }
  str(what: string): string {
    // The common case (a plain length-prefixed string) straight from the buffer: no Buffer view per
    // string, which is most of the parsing cost of a large dump of small keys.
    const first = this.b[this.pos];
    if (first !== undefined && first >>> 6 === 0) {
      const start = this.pos + 1;
      const end = start + (first & 0x3f);
      if (end <= this.b.length) {
        this.pos = end;
        return this.b.latin1Slice(start, end);
      }
    }
    return this.bytes(what).toString('latin1');
  }
}

export function corrupt(msg: string, at: number): never {
  throw new RdbError(msg, at);
}

/** lpValidateIntegrity + iteration: the elements of a listpack as strings. */
export function lpParse(b: Buffer, at: number): string[] {
  if (b.length < 7 || b.readUInt32LE(0) !== b.length || b[b.length - 1] !== 0xff) corrupt('Listpack integrity check failed.', at);
  const out: string[] = [];
  let p = 6;
  const end = b.length - 1;
  while (p < end) {
    const start = p;
    const c = b[p];
    let s: string;
    if (c < 0x80) {
      s = String(c);
      p += 1;
    } else if (c < 0xc0) {
      const n = c & 0x3f;
      s = b.toString('latin1', p + 1, p + 1 + n);
      p += 1 + n;
    } else if (c < 0xe0) {
      let v = ((c & 0x1f) << 8) | b[p + 1];
      if (v >= 4096) v -= 8192;
      s = String(v);
      p += 2;
    } else if (c < 0xf0) {
      const n = ((c & 0x0f) << 8) | b[p + 1];
      s = b.toString('latin1', p + 2, p + 2 + n);
      p += 2 + n;
    } else if (c === 0xf0) {
      if (p + 5 > end) corrupt('Listpack integrity check failed.', at);
      const n = b.readUInt32LE(p + 1);
      s = b.toString('latin1', p + 5, p + 5 + n);
      p += 5 + n;
    } else if (c === 0xf1) {
      s = String(b.readInt16LE(p + 1));
      p += 3;
    } else if (c === 0xf2) {
      s = String(b.readIntLE(p + 1, 3));
      p += 4;
    } else if (c === 0xf3) {
      s = String(b.readInt32LE(p + 1));
      p += 5;
    } else if (c === 0xf4) {
      if (p + 9 > end) corrupt('Listpack integrity check failed.', at);
      s = b.readBigInt64LE(p + 1).toString();
      p += 9;
    } else {
      corrupt('Listpack integrity check failed.', at);
    }
    const l = p - start;
    p += l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
    if (p > end) corrupt('Listpack integrity check failed.', at);
    out.push(s);
  }
  const count = b.readUInt16LE(4);
  if (count !== 65535 && count !== out.length) corrupt('Listpack integrity check failed.', at);
  return out;
}

/** ziplistValidateIntegrity + iteration: the elements of a ziplist (RDB 9 and older). */
function zlParse(b: Buffer, at: number): string[] {
  if (b.length < 11 || b.readUInt32LE(0) !== b.length || b[b.length - 1] !== 0xff) corrupt('Ziplist integrity check failed.', at);
  const out: string[] = [];
  let p = 10;
  const end = b.length - 1;
  while (p < end) {
    p += b[p] < 254 ? 1 : 5; // prevlen
    if (p >= end) corrupt('Ziplist integrity check failed.', at);
    const c = b[p];
    const kind = c >>> 6;
    let s: string;
    if (kind === 0) {
      const n = c & 0x3f;
      s = b.toString('latin1', p + 1, p + 1 + n);
      p += 1 + n;
    } else if (kind === 1) {
      const n = ((c & 0x3f) << 8) | b[p + 1];
      s = b.toString('latin1', p + 2, p + 2 + n);
      p += 2 + n;
    } else if (c === 0x80) {
      const n = b.readUInt32BE(p + 1);
      s = b.toString('latin1', p + 5, p + 5 + n);
      p += 5 + n;
    } else if (c === 0xc0) {
      s = String(b.readInt16LE(p + 1));
      p += 3;
    } else if (c === 0xd0) {
      s = String(b.readInt32LE(p + 1));
      p += 5;
    } else if (c === 0xe0) {
      s = b.readBigInt64LE(p + 1).toString();
      p += 9;
    } else if (c === 0xf0) {
      s = String(b.readIntLE(p + 1, 3));
      p += 4;
    } else if (c === 0xfe) {
      s = String(b.readInt8(p + 1));
      p += 2;
    } else if (c >= 0xf1 && c <= 0xfd) {
      s = String((c & 0x0f) - 1);
      p += 1;
    } else corrupt('Ziplist integrity check failed.', at);
    if (p > end) corrupt('Ziplist integrity check failed.', at);
    out.push(s);
  }
  return out;
}

/** zipmap (Redis 2.4 small hashes): field, value, field, value ... */
function zipmapParse(b: Buffer, at: number): string[] {
  const out: string[] = [];
  let p = 1;
  const lenAt = (): number => {
    if (p >= b.length) corrupt('Zipmap integrity check failed.', at);
    const c = b[p];
    if (c < 254) {
      p += 1;
      return c;
    }
    if (c === 254) {
      const n = b.readUInt32LE(p + 1);
      p += 5;
      return n;
    }
    return -1;
  };
  for (;;) {
    const flen = lenAt();
    if (flen < 0) break;
    const f = b.toString('latin1', p, p + flen);
    p += flen;
    const vlen = lenAt();
    if (vlen < 0) corrupt('Zipmap integrity check failed.', at);
    const free = b[p++];
    const v = b.toString('latin1', p, p + vlen);
    p += vlen + free;
    if (p > b.length) corrupt('Zipmap integrity check failed.', at);
    out.push(f, v);
  }
  return out;
}

function intsetParse(b: Buffer, at: number): string[] {
  if (b.length < 8) corrupt('Intset integrity check failed.', at);
  const w = b.readUInt32LE(0);
  const n = b.readUInt32LE(4);
  if ((w !== 2 && w !== 4 && w !== 8) || b.length !== 8 + w * n) corrupt('Intset integrity check failed.', at);
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = 8 + i * w;
    out[i] = w === 2 ? String(b.readInt16LE(o)) : w === 4 ? String(b.readInt32LE(o)) : b.readBigInt64LE(o).toString();
  }
  return out;
}

/** rdbLoadDoubleValue (the old text score of RDB_TYPE_ZSET). */
function readTextDouble(r: In): number {
  const n = r.u8('zset score');
  if (n === 255) return -Infinity;
  if (n === 254) return Infinity;
  if (n === 253) return NaN;
  return scoreFromText(r.slice(n, 'zset score').toString('latin1'));
}

/** zzlStrtod: a listpack score ("inf", "-inf" or a number). */
function scoreFromText(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return Number(s);
}

function pairsOf(flat: string[], at: number): string[] {
  if (flat.length % 2 !== 0) corrupt('Listpack with an odd number of entries.', at);
  return flat;
}

function zsetFromFlat(flat: string[], at: number, enc: 'listpack' | 'skiplist' | undefined): ZsetRecord {
  pairsOf(flat, at);
  const entries: [string, number][] = [];
  for (let i = 0; i < flat.length; i += 2) entries.push([flat[i], scoreFromText(flat[i + 1])]);
  return zsetFromEntries(entries, enc);
}

/** rdbLoadObject: a value of the given type, converted by the thresholds as Redis 7.0 converts it;
 *  null for an empty collection (Redis skips those). RESTORE uses it for DUMP payloads. */
export function readObject(r: In, t: number): StoredValue | null {
  const at = r.pos;
  switch (t) {
    case T_STRING:
      if (__HOTKV_STRING_BUFFERS__) return storedString(r.str('string value'));
      return r.str('string value');
    case T_LIST: {
      const n = r.plainLen('list length');
      const items: string[] = [];
      for (let i = 0; i < n; i++) items.push(r.str('list element'));
      return items.length === 0 ? null : listFromArray(items);
    }
    case T_SET: {
      const n = r.plainLen('set length');
      const members: string[] = [];
      for (let i = 0; i < n; i++) members.push(r.str('set member'));
      if (n === 0) return null;
      const s = setFromMembers(members, n > Math.min(cfgInt('set-max-intset-entries'), 1 << 30) ? 'hashtable' : undefined);
      if (s.a.length !== n) corrupt('Duplicate set members detected', at);
      return s;
    }
    case T_ZSET:
    case T_ZSET_2: {
      const n = r.plainLen('zset length');
      const entries: [string, number][] = [];
      const dv = (): number => (t === T_ZSET_2 ? r.slice(8, 'zset score').readDoubleLE(0) : readTextDouble(r));
      for (let i = 0; i < n; i++) {
        const m = r.str('zset member');
        const sc = dv();
        if (sc !== sc) corrupt('Zset with NAN score detected', at);
        entries.push([m, sc]);
      }
      if (n === 0) return null;
      const z = zsetFromEntries(entries);
      if (z.length !== n) corrupt('Duplicate zset fields detected', at);
      return z;
    }
    case T_HASH: {
      const n = r.plainLen('hash length');
      const pairs: string[] = [];
      for (let i = 0; i < n; i++) pairs.push(r.str('hash field'), r.str('hash value'));
      if (n === 0) return null;
      const h = hashFromPairs(pairs, n > cfgInt('hash-max-listpack-entries') ? 'hashtable' : undefined);
      if (h.f.length !== n) corrupt('Duplicate hash fields detected', at);
      return h;
    }
    case T_LIST_QUICKLIST:
    case T_LIST_QUICKLIST_2: {
      const nodes = r.plainLen('quicklist length');
      const items: string[] = [];
      for (let i = 0; i < nodes; i++) {
        let container = 2;
        if (t === T_LIST_QUICKLIST_2) {
          container = r.plainLen('quicklist container');
          if (container !== 1 && container !== 2) corrupt('Quicklist integrity check failed.', at);
        }
        const nat = r.pos;
        const data = r.bytes('quicklist node');
        if (data.length === 0) corrupt('Quicklist node is empty', nat);
        if (container === 1) items.push(data.toString('latin1'));
        else for (const e of t === T_LIST_QUICKLIST_2 ? lpParse(data, nat) : zlParse(data, nat)) items.push(e);
      }
      return items.length === 0 ? null : listFromArray(items);
    }
    case T_HASH_ZIPMAP:
    case T_LIST_ZIPLIST:
    case T_SET_INTSET:
    case T_ZSET_ZIPLIST:
    case T_ZSET_LISTPACK:
    case T_HASH_ZIPLIST:
    case T_HASH_LISTPACK: {
      const data = r.bytes('encoded value');
      if (t === T_LIST_ZIPLIST) {
        const items = zlParse(data, at);
        return items.length === 0 ? null : listFromArray(items);
      }
      if (t === T_SET_INTSET) {
        const members = intsetParse(data, at);
        if (members.length === 0) return null;
        return setFromMembers(members, members.length > Math.min(cfgInt('set-max-intset-entries'), 1 << 30) ? 'hashtable' : 'intset');
      }
      const zsetLimit = listpackLimits().entries;
      if (t === T_ZSET_ZIPLIST || t === T_ZSET_LISTPACK) {
        const flat = t === T_ZSET_ZIPLIST ? zlParse(data, at) : lpParse(data, at);
        if (flat.length === 0) return null;
        const z = zsetFromFlat(flat, at, flat.length / 2 > zsetLimit ? 'skiplist' : 'listpack');
        if (z.length * 2 !== flat.length) corrupt('Zset listpack with dup elements', at);
        return z;
      }
      const flat = pairsOf(t === T_HASH_ZIPMAP ? zipmapParse(data, at) : t === T_HASH_ZIPLIST ? zlParse(data, at) : lpParse(data, at), at);
      if (flat.length === 0) return null;
      let big = flat.length / 2 > cfgInt('hash-max-listpack-entries');
      if (t === T_HASH_ZIPMAP) {
        const maxValue = cfgInt('hash-max-listpack-value');
        for (const s of flat) if (s.length > maxValue) big = true;
      }
      const h = hashFromPairs(flat, big ? 'hashtable' : 'listpack');
      if (h.f.length * 2 !== flat.length) corrupt('Hash with dup elements', at);
      return h;
    }
    case T_STREAM_LISTPACKS:
    case T_STREAM_LISTPACKS_2:
      // an empty stream is a value (XDEL can empty one): never skipped
      return decodeStreamBody(r, t === T_STREAM_LISTPACKS_2, at);
    default:
      return corrupt(`Unknown RDB encoding type ${t}`, at - 1);
  }
}

export interface LoadOptions {
  checksum: boolean;
  nowMs: number;
  dbCount: number;
  /** called for every key (not for expired ones) */
  onKey(k: LoadedKey): void;
}

/**
 * Where a dump being loaded stands, as plain data: loading goes in slices (persistence/loading.ts)
 * and a hot upgrade between two slices hands this record to the next logic.
 */
export interface RdbCursor {
  /** next byte to read */
  pos: number;
  /** bytes [0, crcPos) are in `crc` */
  crcPos: number;
  crc: Crc64;
  db: number;
  /** expiry read for the next key, -1 for none */
  expire: number;
  done: boolean;
  res: LoadResult;
}

/** Check the header of a dump; returns the cursor for rdbLoadStep. Throws RdbError. */
export function rdbLoadBegin(b: Buffer): RdbCursor {
  const r = new In(b);
  const magic = r.slice(9, 'the RDB header').toString('latin1');
  if (!magic.startsWith('REDIS')) corrupt('Wrong signature trying to load DB from file', 0);
  const version = Number(magic.slice(5));
  if (!(version >= 1 && version <= RDB_VERSION)) corrupt(`Can't handle RDB format version ${magic.slice(5)}`, 5);
  return {
    pos: r.pos, crcPos: 0, crc: crc64New(), db: 0, expire: -1, done: false,
    res: { version, aux: new Map(), keys: 0, expired: 0, empty: 0 },
  };
}

/**
 * Parse on from `cur` until about `budget` bytes were read or the dump ends (checksum checked), handing
 * every live key to opts.onKey. Returns true when the dump is complete. Throws RdbError (with its offset).
 */
export function rdbLoadStep(b: Buffer, cur: RdbCursor, opts: LoadOptions, budget: number): boolean {
  const r = new In(b);
  r.pos = cur.pos;
  const stopAt = cur.pos + budget;
  const res = cur.res;
  let db = cur.db;
  let expire = cur.expire;
  let eof = false;
  while (r.pos < stopAt) {
    const at = r.pos;
    const t = r.u8('a type');
    if (t === OP_EXPIRETIME) {
      expire = r.slice(4, 'expire time').readInt32LE(0) * 1000;
      continue;
    }
    if (t === OP_EXPIRETIME_MS) {
      expire = Number(r.slice(8, 'expire time').readBigInt64LE(0));
      continue;
    }
    if (t === OP_FREQ) {
      r.u8('LFU frequency');
      continue;
    }
    if (t === OP_IDLE) {
      r.plainLen('LRU idle time');
      continue;
    }
    if (t === OP_EOF) {
      eof = true;
      break;
    }
    if (t === OP_SELECTDB) {
      db = r.plainLen('db number');
      if (db >= opts.dbCount) corrupt(`FATAL: Data file was created with a Redis server configured to handle more than ${opts.dbCount} databases. Exiting`, at);
      continue;
    }
    if (t === OP_RESIZEDB) {
      r.plainLen('db size');
      r.plainLen('expires size');
      continue;
    }
    if (t === OP_AUX) {
      const k = r.str('aux field');
      const v = r.str('aux field');
      res.aux.set(k, v);
      continue;
    }
    if (t === OP_FUNCTION2 && rdbFunctionHooks.load !== null) {
      const err = rdbFunctionHooks.load(r.str('a function library'));
      if (err !== null) corrupt(`Failed loading library: ${err}`, at);
      continue;
    }
    if (t === OP_MODULE_AUX || t === OP_FUNCTION2 || t === 246) {
      corrupt(t === OP_MODULE_AUX ? 'The RDB file contains AUX module data hotkv cannot load'
        : t === 246 ? 'Pre-release function format not supported.' : 'The RDB file contains functions, which hotkv does not support', at);
    }
    const key = r.str('a key');
    const value = readObject(r, t);
    const e = expire;
    expire = -1;
    if (value === null) {
      res.empty++;
      continue;
    }
    if (e !== -1 && e < opts.nowMs) {
      res.expired++;
      continue;
    }
    opts.onKey({ db, key, value, expire: e });
    res.keys++;
  }
  cur.db = db;
  cur.expire = expire;
  const end = r.pos;
  if (opts.checksum) crc64Update(cur.crc, b, cur.crcPos, end);
  cur.crcPos = end;
  cur.pos = end;
  if (!eof) return false;
  if (res.version >= 5) {
    const tail = r.slice(8, 'the checksum');
    if (opts.checksum) {
      const want = crc64Hex(cur.crc);
      const got = tail.readBigUInt64LE(0).toString(16).padStart(16, '0');
      if (got !== '0000000000000000' && got !== want) {
        corrupt(`Wrong RDB checksum expected: (${want.replace(/^0+(?=.)/, '')}) got (${got.replace(/^0+(?=.)/, '')})`, end);
      }
    }
    cur.pos = r.pos;
  }
  cur.done = true;
  return true;
}

