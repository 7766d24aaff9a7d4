// Bitmap commands: GETBIT SETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO, with Redis 7.0's semantics,
// argument order and error texts (bitops.c). A bitmap is a string value: bit 0 is the most significant bit of
// the first byte. Values are immutable latin1 strings (types/string.ts), so a write builds the new text and
// stores it; whole-string work (BITCOUNT, BITOP, BITFIELD's writes) runs over Buffers, 32 bits at a time where
// it counts, never bit by bit over the string.

import type { Db, StoredValue } from '../../abi';
import { constants } from 'node:buffer';
import { dbAddRaw, dbDelete, dirty, lookupRead, lookupWrite, setKey, WRONGTYPE } from '../keyspace';
import { notifyKeyspaceEvent, NOTIFY_GENERIC, NOTIFY_STRING } from '../notify';
import { addArrayLen, addError, addInt, addNull, addRaw, ERR_SYNTAX } from '../resp/reply';
import { selfTestCases } from '../selftest';
import { cfgInt, dbOf, type Client } from '../runtime';
import { isStringValue, rawString, readString, stringEncoding } from '../types/string';
import { ERR_NOT_INT, parseInt64, parseSafeInt } from '../util/numbers';
import { clampIndex, intArgOrReply, optName, stringOrReply } from './strings';
import type { CommandSpec } from './table';

const ERR_BIT_OFFSET = 'ERR bit offset is not an integer or out of range';
const ERR_BIT_VALUE = 'ERR bit is not an integer or out of range';
const ERR_BITFIELD_TYPE = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
const ERR_TOO_BIG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';
const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

/** Bits set in each byte value. */
const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1];

function protoMaxBulkLen(): number {
  return cfgInt('proto-max-bulk-len') || 512 * 1024 * 1024;
}

/**
 * getBitOffsetFromArgument: a bit offset (>= 0, its byte below proto-max-bulk-len), or -1 after the error
 * reply. `hashBits` > 0 accepts BITFIELD's "#n" form, n fields of that width (the product wraps as C's does).
 * The AOF's replay client is exempt from the size limit (Redis's mustObeyClient).
 */
function bitOffsetOrReply(c: Client, arg: string, hashBits: number): number {
  let v: bigint | null;
  if (hashBits > 0 && arg.charCodeAt(0) === 35) {
    v = parseInt64(arg.slice(1));
    if (v !== null) v = BigInt.asIntN(64, v * BigInt(hashBits));
  } else {
    const n = parseSafeInt(arg);
    if (n !== null && n >= 0 && n < 0x100000000) {
      // The common case: exact as a number.
      if (c.id < 0 || Math.floor(n / 8) < protoMaxBulkLen()) return n;
      addError(c, ERR_BIT_OFFSET);
      return -1;
    }
    v = parseInt64(arg);
  }
  if (v === null || v < 0n || (c.id >= 0 && (v >> 3n) >= BigInt(protoMaxBulkLen()))) {
    addError(c, ERR_BIT_OFFSET);
    return -1;
  }
  return Number(v);
}

/**
 * The string a bit write works on (Redis's lookupStringForBitCommand): null after a WRONGTYPE reply;
 * `text` is '' for a missing key. The caller pads it to the byte it needs.
 */
interface BitTarget {
  db: Db;
  key: string;
  /** the stored value, undefined when the key does not exist */
  value: StoredValue | undefined;
  text: string;
}

function bitTargetOrReply(c: Client, key: string): BitTarget | null {
  const db = dbOf(c);
  const value = lookupWrite(db, key);
  if (value === undefined) return { db, key, value, text: '' };
  const text = stringOrReply(c, value);
  if (text === null) return null;
  return { db, key, value, text };
}

/** False (after the error reply) when a string of `len` bytes cannot be held (see strings.ts checkStringLength). */
function lengthFitsOrReply(c: Client, len: number): boolean {
  if (len > MAX_STRING_LENGTH) {
    addError(c, ERR_TOO_BIG);
    return false;
  }
  return true;
}

/**
 * Store the result of a bit write. `changed`: Redis signals, notifies `setbit` and counts `changes` in dirty.
 * Otherwise the key is still created, grown or turned raw as lookupStringForBitCommand and
 * dbUnshareStringValue do, silently (no signal, no event, not propagated).
 */
function storeBits(t: BitTarget, next: string, changed: boolean, changes: number): void {
  if (changed) {
    setKey(t.db, t.key, rawString(next), true);
    notifyKeyspaceEvent(NOTIFY_STRING, 'setbit', t.key, t.db.id);
    dirty(changes);
  } else if (t.value === undefined || next.length !== t.text.length || stringEncoding(t.value) !== 'raw') {
    dbAddRaw(t.db, t.key, rawString(next));
  }
}

/** Scratch buffers up to this size are kept between calls (disposable: nothing in them outlives a command). */
const SCRATCH_KEEP = 1 << 22;
const scratch: (Buffer | null)[] = [null, null];

/**
 * `len` bytes of scratch slot 0 (a command's input) or 1 (its output), contents undefined, starting at offset 0
 * of their memory so 32-bit views line up. Reused because a fresh megabyte Buffer per command makes V8 collect
 * external memory far more often (Buffer.from of a 1 MB string measured 0.1 to 5 ms, a write into a kept one 0.03).
 */
function scratchBuffer(slot: number, len: number): Buffer {
  const kept = scratch[slot];
  if (kept !== null && kept.length >= len) return kept.subarray(0, len);
  if (len > SCRATCH_KEEP) return Buffer.allocUnsafeSlow(len);
  const b = Buffer.allocUnsafeSlow(Math.min(SCRATCH_KEEP, Math.max(4096, 2 ** Math.ceil(Math.log2(len)))));
  scratch[slot] = b;
  return b.subarray(0, len);
}

/** The bytes of a latin1 string, in scratch slot 0 (valid until the next call). */
function bytesOf(s: string): Buffer {
  const b = scratchBuffer(0, s.length);
  b.write(s, 0, 'latin1');
  return b;
}

/** Bits set in buf[start, end). */
function popcount(buf: Buffer, start: number, end: number): number {
  let n = 0;
  let i = start;
  // Byte by byte up to a 4-byte aligned address, then 32 bits at a time (SWAR), then the tail.
  while (i < end && ((buf.byteOffset + i) & 3) !== 0) n += POPCOUNT[buf[i++]];
  const words = (end - i) >> 2;
  if (words > 0) {
    const w = new Int32Array(buf.buffer, buf.byteOffset + i, words);
    for (let j = 0; j < words; j++) {
      let x = w[j];
      x = x - ((x >>> 1) & 0x55555555);
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      x = (x + (x >>> 4)) & 0x0f0f0f0f;
      n += Math.imul(x, 0x01010101) >>> 24;
    }
    i += words << 2;
  }
  while (i < end) n += POPCOUNT[buf[i++]];
  return n;
}

/** An index argument of BITCOUNT/BITPOS: getLongLongFromObjectOrReply, clamped to a safe number; null after the reply. */
function indexArgOrReply(c: Client, arg: string): number | null {
  const v = intArgOrReply(c, arg);
  return v === null ? null : clampIndex(v);
}

/** The BYTE|BIT argument at argv[at] when there is one (strcasecmp, so up to a NUL byte): true for BIT, null
 *  after a syntax error reply. */
function unitOrReply(c: Client, argv: string[], at: number): boolean | null {
  if (argv.length <= at) return false;
  const u = optName(argv[at]);
  if (u === 'bit') return true;
  if (u === 'byte') return false;
  addError(c, ERR_SYNTAX);
  return null;
}

// ---------------------------------------------------------------------------------------------
// GETBIT SETBIT
// ---------------------------------------------------------------------------------------------

function getbit(c: Client, argv: string[]): void {
  const offset = bitOffsetOrReply(c, argv[2], 0);
  if (offset < 0) return;
  const v = lookupRead(dbOf(c), argv[1]);
  if (v === undefined) {
    addRaw(c, ':0\r\n');
    return;
  }
  const s = stringOrReply(c, v);
  if (s === null) return;
  const byte = Math.floor(offset / 8);
  const on = byte < s.length && (s.charCodeAt(byte) & (0x80 >> (offset & 7))) !== 0;
  addRaw(c, on ? ':1\r\n' : ':0\r\n');
}

function setbit(c: Client, argv: string[]): void {
  const offset = bitOffsetOrReply(c, argv[2], 0);
  if (offset < 0) return;
  const on = parseInt64(argv[3]);
  if (on === null || (on !== 0n && on !== 1n)) {
    addError(c, ERR_BIT_VALUE);
    return;
  }
  const t = bitTargetOrReply(c, argv[1]);
  if (t === null) return;
  const byte = Math.floor(offset / 8);
  if (!lengthFitsOrReply(c, byte + 1)) return;
  const s = t.text;
  const grows = t.value === undefined || byte >= s.length;
  const old = byte < s.length ? s.charCodeAt(byte) : 0;
  const mask = 0x80 >> (offset & 7);
  const was = (old & mask) !== 0;
  const want = on === 1n;
  if (grows || was !== want) {
    const nb = String.fromCharCode(want ? old | mask : old & ~mask);
    const next = byte < s.length ? s.slice(0, byte) + nb + s.slice(byte + 1) : s + '\0'.repeat(byte - s.length) + nb;
    storeBits(t, next, true, 1);
  } else {
    storeBits(t, s, false, 0);
  }
  addRaw(c, was ? ':1\r\n' : ':0\r\n');
}

// ---------------------------------------------------------------------------------------------
// BITCOUNT BITPOS
// ---------------------------------------------------------------------------------------------

/** A byte range [start, end] with the bits to leave out of its first and last bytes (BIT ranges). */
interface BitRange {
  start: number;
  end: number;
  /** bits of the first byte before the range (high bits), as a mask */
  firstOut: number;
  /** bits of the last byte after the range (low bits), as a mask */
  lastOut: number;
}

/**
 * Redis's conversion of start/end (negative from the end, clamped) over `len` bytes, or `len * 8` bits when
 * `bit`; an empty range has start > end.
 */
function toRange(len: number, start: number, end: number, bit: boolean): BitRange {
  const total = bit ? len * 8 : len;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (bit && start <= end) {
    return { start: start >> 3, end: end >> 3, firstOut: (0xff00 >> (start & 7)) & 0xff, lastOut: (1 << (7 - (end & 7))) - 1 };
  }
  return { start, end, firstOut: 0, lastOut: 0 };
}

/** Without a range (argv of `argc` arguments) the whole string; any other unparsed length is a syntax error. */
function wholeOrReply(c: Client, argv: string[], argc: number, len: number): BitRange | null {
  if (argv.length === argc) return { start: 0, end: len - 1, firstOut: 0, lastOut: 0 };
  addError(c, ERR_SYNTAX);
  return null;
}

function bitcount(c: Client, argv: string[]): void {
  // Redis 7.0 looks the key up before it parses the range: a missing key answers 0 whatever follows.
  const v = lookupRead(dbOf(c), argv[1]);
  if (v === undefined) {
    addRaw(c, ':0\r\n');
    return;
  }
  const s = stringOrReply(c, v);
  if (s === null) return;
  let r: BitRange;
  if (argv.length === 4 || argv.length === 5) {
    const a = intArgOrReply(c, argv[2]);
    if (a === null) return;
    const b = intArgOrReply(c, argv[3]);
    if (b === null) return;
    // Both negative with start after end: empty, decided on the exact values and before BYTE|BIT is read.
    if (a < 0 && b < 0 && a > b) {
      addRaw(c, ':0\r\n');
      return;
    }
    const bit = unitOrReply(c, argv, 4);
    if (bit === null) return;
    r = toRange(s.length, clampIndex(a), clampIndex(b), bit);
  } else {
    const w = wholeOrReply(c, argv, 2, s.length);
    if (w === null) return;
    r = w;
  }
  if (r.start > r.end) {
    addRaw(c, ':0\r\n');
    return;
  }
  const buf = bytesOf(r.start === 0 && r.end === s.length - 1 ? s : s.slice(r.start, r.end + 1));
  let n = popcount(buf, 0, buf.length);
  n -= POPCOUNT[buf[0] & r.firstOut] + POPCOUNT[buf[buf.length - 1] & r.lastOut];
  addInt(c, n);
}

/**
 * The position of the first bit equal to `bit` in bytes [from, to] of s, bits of the first byte masked by
 * firstOut and of the last byte by lastOut left out; -1 when there is none.
 */
function firstBit(s: string, bit: boolean, r: BitRange): number {
  const skip = bit ? 0 : 0xff;
  for (let i = r.start; i <= r.end; i++) {
    let b = s.charCodeAt(i);
    // Bits outside the range read as the value being skipped.
    if (i === r.start && r.firstOut !== 0) b = bit ? b & ~r.firstOut : b | r.firstOut;
    if (i === r.end && r.lastOut !== 0) b = bit ? b & ~r.lastOut : b | r.lastOut;
    if (b === skip) continue;
    if (!bit) b = ~b & 0xff;
    return i * 8 + Math.clz32(b) - 24;
  }
  return -1;
}

function bitpos(c: Client, argv: string[]): void {
  const bitArg = intArgOrReply(c, argv[2]);
  if (bitArg === null) return;
  if (bitArg !== 0 && bitArg !== 1) {
    addError(c, 'ERR The bit argument must be 1 or 0.');
    return;
  }
  const bit = bitArg === 1;
  // A missing key is an infinite run of zeros (before the range is parsed, as Redis 7.0 does).
  const v = lookupRead(dbOf(c), argv[1]);
  if (v === undefined) {
    addRaw(c, bit ? ':-1\r\n' : ':0\r\n');
    return;
  }
  const s = stringOrReply(c, v);
  if (s === null) return;
  let r: BitRange;
  let endGiven = false;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = indexArgOrReply(c, argv[3]);
    if (start === null) return;
    const isBit = unitOrReply(c, argv, 5);
    if (isBit === null) return;
    let end: number;
    if (argv.length >= 5) {
      const e = indexArgOrReply(c, argv[4]);
      if (e === null) return;
      end = e;
      endGiven = true;
    } else {
      end = isBit ? s.length * 8 + 7 : s.length - 1;
    }
    r = toRange(s.length, start, end, isBit);
  } else {
    const w = wholeOrReply(c, argv, 3, s.length);
    if (w === null) return;
    r = w;
  }
  // An empty range holds neither a 0 nor a 1.
  if (r.start > r.end) {
    addRaw(c, ':-1\r\n');
    return;
  }
  const pos = firstBit(s, bit, r);
  if (pos >= 0 || bit || endGiven) {
    addInt(c, pos);
    return;
  }
  // Looking for a clear bit with no end given: the string reads as zero-padded past the range.
  // (Without an end the range runs to the last byte's last bit.)
  addInt(c, (r.end + 1) * 8);
}

// ---------------------------------------------------------------------------------------------
// BITOP
// ---------------------------------------------------------------------------------------------

const OP_AND = 0;
const OP_OR = 1;
const OP_XOR = 2;
const OP_NOT = 3;
const BITOPS = new Map([['and', OP_AND], ['or', OP_OR], ['xor', OP_XOR], ['not', OP_NOT]]);

function bitop(c: Client, argv: string[]): void {
  const op = BITOPS.get(optName(argv[1]));
  if (op === undefined) {
    addError(c, ERR_SYNTAX);
    return;
  }
  if (op === OP_NOT && argv.length !== 4) {
    addError(c, 'ERR BITOP NOT must be called with a single source key.');
    return;
  }
  const db = dbOf(c);
  const dest = argv[2];
  // Missing keys are empty strings; the first non-string source stops everything with WRONGTYPE.
  const srcs: string[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const v = lookupRead(db, argv[j]);
    if (v === undefined) {
      srcs.push('');
      continue;
    }
    const s = stringOrReply(c, v);
    if (s === null) return;
    srcs.push(s);
    if (s.length > maxlen) maxlen = s.length;
  }
  if (maxlen === 0) {
    if (dbDelete(db, dest)) {
      notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', dest, db.id);
      dirty(1);
    }
    addRaw(c, ':0\r\n');
    return;
  }
  const res = scratchBuffer(1, maxlen);
  const n0 = res.write(srcs[0], 0, 'latin1');
  res.fill(0, n0);
  // 32 bits at a time (both buffers start 4-byte aligned), then the tail bytes.
  const resWords = new Int32Array(res.buffer, res.byteOffset, maxlen >> 2);
  if (op === OP_NOT) {
    for (let i = 0; i < resWords.length; i++) resWords[i] = ~resWords[i];
    for (let i = resWords.length << 2; i < maxlen; i++) res[i] = ~res[i];
  }
  for (let k = 1; k < srcs.length; k++) {
    const src = bytesOf(srcs[k]);
    const n = src.length;
    const words = n >> 2;
    const srcWords = new Int32Array(src.buffer, src.byteOffset, words);
    if (op === OP_AND) {
      for (let i = 0; i < words; i++) resWords[i] &= srcWords[i];
      for (let i = words << 2; i < n; i++) res[i] &= src[i];
      res.fill(0, n);
    } else if (op === OP_OR) {
      for (let i = 0; i < words; i++) resWords[i] |= srcWords[i];
      for (let i = words << 2; i < n; i++) res[i] |= src[i];
    } else {
      for (let i = 0; i < words; i++) resWords[i] ^= srcWords[i];
      for (let i = words << 2; i < n; i++) res[i] ^= src[i];
    }
  }
  // setKey replaces the destination (and its TTL) as Redis's does; a stale destination expires first.
  if (db.expires.size !== 0) lookupWrite(db, dest);
  setKey(db, dest, rawString(res.latin1Slice(0, maxlen)));
  notifyKeyspaceEvent(NOTIFY_STRING, 'set', dest, db.id);
  dirty(1);
  addInt(c, maxlen);
}

// ---------------------------------------------------------------------------------------------
// BITFIELD BITFIELD_RO
// ---------------------------------------------------------------------------------------------

const BF_GET = 0;
const BF_SET = 1;
const BF_INCRBY = 2;
const OVERFLOW_WRAP = 0;
const OVERFLOW_SAT = 1;
const OVERFLOW_FAIL = 2;
const OVERFLOWS = new Map([['wrap', OVERFLOW_WRAP], ['sat', OVERFLOW_SAT], ['fail', OVERFLOW_FAIL]]);

interface FieldOp {
  op: number;
  offset: number;
  bits: number;
  signed: boolean;
  /** SET's value or INCRBY's increment */
  arg: bigint;
  overflow: number;
}

/** getBitfieldTypeFromArgument: [signed, bits], or null after the error reply. The width is read as a C string. */
function fieldTypeOrReply(c: Client, arg: string): [boolean, number] | null {
  const sign = arg.charCodeAt(0);
  if (sign === 105 || sign === 117) {
    const nul = arg.indexOf('\0');
    const w = parseInt64(nul < 0 ? arg.slice(1) : arg.slice(1, nul));
    const signed = sign === 105;
    if (w !== null && w >= 1n && w <= (signed ? 64n : 63n)) return [signed, Number(w)];
  }
  addError(c, ERR_BITFIELD_TYPE);
  return null;
}

/** The unsigned value of `bits` bits at bit `offset` of buf; bits past its end read as zeros. */
function readField(buf: Buffer, offset: number, bits: number): bigint {
  const len = buf.length;
  if (bits <= 52) {
    let v = 0;
    for (let j = 0; j < bits; j++, offset++) {
      const byte = Math.floor(offset / 8);
      v = v * 2 + (byte < len ? (buf[byte] >> (7 - (offset & 7))) & 1 : 0);
    }
    return BigInt(v);
  }
  let v = 0n;
  for (let j = 0; j < bits; j++, offset++) {
    const byte = Math.floor(offset / 8);
    v = (v << 1n) | BigInt(byte < len ? (buf[byte] >> (7 - (offset & 7))) & 1 : 0);
  }
  return v;
}

/** Write the low `bits` bits of v (two's complement) at bit `offset` of buf (long enough). */
function writeField(buf: Buffer, offset: number, bits: number, v: bigint): void {
  let u = BigInt.asUintN(bits, v);
  for (let j = bits - 1; j >= 0; j--, u >>= 1n) {
    const at = offset + j;
    const byte = Math.floor(at / 8);
    const mask = 0x80 >> (at & 7);
    if (u & 1n) buf[byte] |= mask;
    else buf[byte] &= ~mask;
  }
}

/**
 * value + incr as stored in the field under its overflow mode, or null when it overflows under FAIL. The
 * overflow tests are Redis's check*BitfieldOverflow, computed in C's 64-bit arithmetic on purpose: their
 * intermediate limits wrap for extreme SET values (a SET of -2^63 to an i1 field saturates to its max), and an
 * unsigned SET value is C's uint64 (a negative one is above the max).
 */
function fieldResult(value: bigint, incr: bigint, f: FieldOp): bigint | null {
  const bits = BigInt(f.bits);
  let over = 0;
  let max: bigint;
  let min: bigint;
  if (f.signed) {
    max = f.bits === 64 ? 0x7fffffffffffffffn : (1n << (bits - 1n)) - 1n;
    min = -max - 1n;
    const maxincr = BigInt.asIntN(64, max - value);
    const minincr = BigInt.asIntN(64, min - value);
    if (value > max || (f.bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) over = 1;
    else if (value < min || (f.bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) over = -1;
  } else {
    value = BigInt.asUintN(64, value);
    max = (1n << bits) - 1n;
    min = 0n;
    if (value > max || (incr > 0n && incr > BigInt.asIntN(64, max - value))) over = 1;
    else if (incr < 0n && incr < BigInt.asIntN(64, -value)) over = -1;
  }
  if (over === 0) return value + incr;
  if (f.overflow === OVERFLOW_FAIL) return null;
  if (f.overflow === OVERFLOW_SAT) return over > 0 ? max : min;
  return f.signed ? BigInt.asIntN(f.bits, value + incr) : BigInt.asUintN(f.bits, value + incr);
}

function bitfieldGeneric(c: Client, argv: string[], readonlyCmd: boolean): void {
  const ops: FieldOp[] = [];
  let overflow = OVERFLOW_WRAP;
  let writes = false;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = optName(argv[j]);
    let op: number;
    if (sub === 'get' && rem >= 2) op = BF_GET;
    else if (sub === 'set' && rem >= 3) op = BF_SET;
    else if (sub === 'incrby' && rem >= 3) op = BF_INCRBY;
    else if (sub === 'overflow' && rem >= 1) {
      const o = OVERFLOWS.get(optName(argv[++j]));
      if (o === undefined) {
        addError(c, 'ERR Invalid OVERFLOW type specified');
        return;
      }
      overflow = o;
      continue;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
    const type = fieldTypeOrReply(c, argv[j + 1]);
    if (type === null) return;
    const offset = bitOffsetOrReply(c, argv[j + 2], type[1]);
    if (offset < 0) return;
    let arg = 0n;
    if (op !== BF_GET) {
      writes = true;
      if (offset + type[1] - 1 > highest) highest = offset + type[1] - 1;
      const n = parseInt64(argv[j + 3]);
      if (n === null) {
        addError(c, ERR_NOT_INT);
        return;
      }
      arg = n;
    }
    ops.push({ op, offset, bits: type[1], signed: type[0], arg, overflow });
    j += op === BF_GET ? 2 : 3;
  }

  let buf: Buffer;
  let t: BitTarget | null = null;
  if (!writes) {
    const v = lookupRead(dbOf(c), argv[1]);
    if (v !== undefined && !isStringValue(v)) {
      addError(c, WRONGTYPE);
      return;
    }
    buf = bytesOf(v === undefined ? '' : readString(v)!);
  } else {
    if (readonlyCmd) {
      addError(c, 'ERR BITFIELD_RO only supports the GET subcommand');
      return;
    }
    t = bitTargetOrReply(c, argv[1]);
    if (t === null) return;
    const need = Math.floor(highest / 8) + 1;
    if (!lengthFitsOrReply(c, need)) return;
    buf = scratchBuffer(1, Math.max(need, t.text.length));
    buf.fill(0, buf.write(t.text, 0, 'latin1'));
  }
  // The key was created or grown: every write that goes through counts as a change.
  const grown = t !== null && (t.value === undefined || buf.length !== t.text.length);
  let changes = 0;
  addArrayLen(c, ops.length);
  for (const f of ops) {
    const raw = readField(buf, f.offset, f.bits);
    const old = f.signed ? BigInt.asIntN(f.bits, raw) : raw;
    if (f.op === BF_GET) {
      addInt(c, old);
      continue;
    }
    const next = f.op === BF_INCRBY ? fieldResult(old, f.arg, f) : fieldResult(f.arg, 0n, f);
    if (next === null) {
      addNull(c);
      continue;
    }
    addInt(c, f.op === BF_INCRBY ? next : old);
    writeField(buf, f.offset, f.bits, next);
    if (grown || next !== old) changes++;
  }
  if (t !== null) storeBits(t, changes > 0 || grown ? buf.latin1Slice(0, buf.length) : t.text, changes > 0, changes);
}

function bitfield(c: Client, argv: string[]): void {
  bitfieldGeneric(c, argv, false);
}

function bitfieldRo(c: Client, argv: string[]): void {
  bitfieldGeneric(c, argv, true);
}

export const commands: CommandSpec[] = [
  { name: 'getbit', fn: getbit },
  { name: 'setbit', fn: setbit },
  { name: 'bitcount', fn: bitcount },
  { name: 'bitpos', fn: bitpos },
  { name: 'bitop', fn: bitop },
  { name: 'bitfield', fn: bitfield },
  { name: 'bitfield_ro', fn: bitfieldRo },
];

selfTestCases.push(
  { send: 'DEL bt:a bt:b bt:c\r\n', expect: ':0\r\n' },
  { send: 'SETBIT bt:a 9 1\r\n', expect: ':0\r\n' },
  { send: 'SETBIT bt:a 9 0\r\n', expect: ':1\r\n' },
  { send: 'SETBIT bt:a 1 1\r\n', expect: ':0\r\n' },
  { send: 'GETBIT bt:a 1\r\n', expect: ':1\r\n' },
  { send: 'SETBIT bt:a 1 2\r\n', expect: '-ERR bit is not an integer or out of range\r\n' },
  { send: 'SET bt:b foobar\r\n', expect: '+OK\r\n' },
  { send: 'BITCOUNT bt:b 1 1\r\n', expect: ':6\r\n' },
  { send: 'BITCOUNT bt:b 5 30 BIT\r\n', expect: ':17\r\n' },
  { send: 'BITPOS bt:b 0 1 -1 BIT\r\n', expect: ':3\r\n' },
  { send: 'BITOP AND bt:c bt:a bt:b\r\n', expect: ':6\r\n' },
  { send: 'GET bt:c\r\n', expect: '$6\r\n@\x00\x00\x00\x00\x00\r\n' },
  { send: 'BITFIELD bt:c INCRBY i5 100 1 GET u4 0 OVERFLOW FAIL INCRBY u2 #1 9\r\n', expect: '*3\r\n:1\r\n:4\r\n$-1\r\n' },
  { send: 'BITFIELD_RO bt:c GET i8 #0\r\n', expect: '*1\r\n:64\r\n' },
  { send: 'DEL bt:a bt:b bt:c\r\n', expect: ':3\r\n' },
);
