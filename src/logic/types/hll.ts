// HyperLogLog in Redis 7.0's exact byte format (hyperloglog.c). An HLL is an ordinary string value, so
// GET, DUMP, the RDB and the AOF carry Redis's bytes, and an HLL written by redis-server works here and back:
//
//   header (16 bytes): "HYLL", encoding (0 dense, 1 sparse), 3 unused bytes, cached cardinality (uint64
//   little endian; bit 63 set = the cache is stale).
//   dense: 16384 registers of 6 bits, packed from the LSB of each byte on (12288 bytes).
//   sparse: run-length opcodes. ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx yyyyyyyy (1..16384
//   zero registers), VAL 1vvvvvxx (1..4 registers of value 1..32).
//
// Every function here works on an HllBuf: a transient Buffer with room to grow and a zero byte after the
// last one. The zero byte stands for the NUL that ends an sds string: Redis reads one byte past the end of
// an HLL (the second register byte of the last dense register, the second byte of a truncated XZERO opcode)
// and sees 0 there, so a corrupted HLL answers here what it answers in Redis. An HllBuf never reaches State:
// commands read the string value into one, change it and store its bytes back as a string (hllText).
//
// Hand-written, as the format, the hash and the estimator must match Redis's to the bit: MurmurHash64A with
// Redis's seed (64-bit arithmetic in 32-bit halves, no BigInt on the hot path), the register updates, the
// sparse opcode editing (same splits and merges, so the same bytes), and the cardinality estimator of Otmar
// Ertl's "New cardinality estimation algorithms for HyperLogLog sketches" that Redis 7.0 uses.
// Corruption checks follow redis-server 7.0.15 as Debian ships it (with the CVE-2025-32023 fix): a sparse
// HLL whose opcodes do not cover exactly 16384 registers is corrupted.

export const HLL_P = 14;
/** bits of the hash that give the run length of zeroes */
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_REGISTER_MAX = 63;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * 6 + 7) >>> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
/** 0.5 / ln(2) */
const HLL_ALPHA_INF = 0.721347520444481703680;

/** An HLL being read or changed: bytes [0, len) of b, b[len] is 0, b may hold more room after it. */
export interface HllBuf {
  b: Buffer;
  len: number;
}

// ------------------------------------------------------------------------------------------------
// MurmurHash64A (Redis's endian-neutral variant, seed 0xadc83b19), on latin1 strings
// ------------------------------------------------------------------------------------------------

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const SEED = 0xadc83b19;

/** The result of the last mulM / murmur64a, as two 32-bit halves (disposable scratch, DESIGN rule 2). */
let outHi = 0;
let outLo = 0;

/** (hi:lo * m) mod 2^64. The low halves' full product is split so every partial product is exact in a double. */
function mulM(hi: number, lo: number): void {
  const t = (lo & 0xffff) * M_LO;
  const u = (lo >>> 16) * M_LO + Math.floor(t / 65536);
  const carry = Math.floor(u / 65536);
  outLo = Math.imul(lo, M_LO);
  outHi = (carry + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) | 0;
}

/** MurmurHash64A of the bytes of `s` (one byte per char), into outHi:outLo. */
export function murmur64a(s: string): void {
  const len = s.length;
  mulM(0, len);
  let hHi = outHi;
  let hLo = outLo ^ SEED;
  const blocks = len - (len & 7);
  for (let i = 0; i < blocks; i += 8) {
    const kLo = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    const kHi = s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24);
    mulM(kHi, kLo);
    // k ^= k >> 47: only the high half's top 17 bits move, into the low half
    mulM(outHi, outLo ^ (outHi >>> 15));
    mulM(hHi ^ outHi, hLo ^ outLo);
    hHi = outHi;
    hLo = outLo;
  }
  const rest = len & 7;
  if (rest !== 0) {
    for (let j = rest - 1; j >= 0; j--) {
      const c = s.charCodeAt(blocks + j);
      if (j >= 4) hHi ^= c << ((j - 4) * 8);
      else hLo ^= c << (j * 8);
    }
    mulM(hHi, hLo);
    hHi = outHi;
    hLo = outLo;
  }
  mulM(hHi, hLo ^ (hHi >>> 15));
  outHi = outHi | 0;
  outLo = (outLo ^ (outHi >>> 15)) | 0;
}

/** The 64-bit hash of the last murmur64a call, for tests: [high 32 bits, low 32 bits] unsigned. */
export function lastHash(): [number, number] {
  return [outHi >>> 0, outLo >>> 0];
}

/** hllPatLen's register index, set by patLen (scratch). */
let patIndex = 0;

/** hllPatLen: hashes the element; returns the length of its 000..1 pattern (1..51), patIndex its register. */
function patLen(ele: string): number {
  murmur64a(ele);
  patIndex = outLo & HLL_P_MASK;
  // The 50 bits above the index, as 32 + 18; a 1 bit above them ends the run at Q + 1.
  const w0 = (outLo >>> HLL_P) | (outHi << (32 - HLL_P));
  if (w0 !== 0) return 32 - Math.clz32(w0 & -w0);
  const w1 = outHi >>> HLL_P;
  if (w1 !== 0) return 64 - Math.clz32(w1 & -w1);
  return HLL_Q + 1;
}

// ------------------------------------------------------------------------------------------------
// buffers, header, validity
// ------------------------------------------------------------------------------------------------

/** An HllBuf holding the bytes of a string value, with `room` spare bytes (plus the zero byte). */
export function hllFromText(s: string, room = 0): HllBuf {
  const b = Buffer.alloc(s.length + room + 1);
  b.write(s, 0, 'latin1');
  return { b, len: s.length };
}

/** The bytes of an HLL as a string value's text. */
export function hllText(h: HllBuf): string {
  return h.b.latin1Slice(0, h.len);
}

/** createHLLObject: an empty sparse HLL (one XZERO opcode), its cached cardinality 0 and valid. */
export function hllCreate(): HllBuf {
  const sparseLen = HLL_HDR_SIZE + ((HLL_REGISTERS + SPARSE_XZERO_MAX_LEN - 1) / SPARSE_XZERO_MAX_LEN | 0) * 2;
  const b = Buffer.alloc(sparseLen + 64);
  b.write('HYLL', 0, 'latin1');
  b[4] = HLL_SPARSE;
  let p = HLL_HDR_SIZE;
  for (let left = HLL_REGISTERS; left > 0;) {
    const run = Math.min(left, SPARSE_XZERO_MAX_LEN);
    setXzero(b, p, run);
    p += 2;
    left -= run;
  }
  return { b, len: sparseLen };
}

/** isHLLObjectOrReply's test on a string value's text (the caller checked it is a string). */
export function isHllText(s: string): boolean {
  if (s.length < HLL_HDR_SIZE || !s.startsWith('HYLL')) return false;
  const enc = s.charCodeAt(4);
  if (enc > HLL_MAX_ENCODING) return false;
  return enc !== HLL_DENSE || s.length === HLL_DENSE_SIZE;
}

export function hllEncoding(h: HllBuf): number {
  return h.b[4];
}

/** HLL_VALID_CACHE on a valid HLL's text. */
export function cacheValidText(s: string): boolean {
  return (s.charCodeAt(15) & 0x80) === 0;
}

/** The cached cardinality of a valid cache (below 2^63), from the text. */
export function cachedCardText(s: string): number | bigint {
  let lo = 0;
  let hi = 0;
  for (let i = 3; i >= 0; i--) {
    lo = lo * 256 + s.charCodeAt(8 + i);
    hi = hi * 256 + s.charCodeAt(12 + i);
  }
  return hi < 0x200000 ? hi * 4294967296 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

export function invalidateCache(h: HllBuf): void {
  h.b[15] |= 0x80;
}

/** Store a computed cardinality (as hllCount returns it, possibly -2^63) in the header, little endian. */
export function setCachedCard(h: HllBuf, card: number | bigint): void {
  const u = BigInt.asUintN(64, BigInt(card));
  h.b.writeBigUInt64LE(u, 8);
}

// ------------------------------------------------------------------------------------------------
// dense registers
// ------------------------------------------------------------------------------------------------

function denseGet(b: Uint8Array, regnum: number): number {
  const bit = regnum * 6;
  const byte = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  return ((b[byte] >>> fb) | (b[byte + 1] << (8 - fb))) & HLL_REGISTER_MAX;
}

function denseSetRaw(b: Uint8Array, regnum: number, val: number): void {
  const bit = regnum * 6;
  const byte = HLL_HDR_SIZE + (bit >>> 3);
  const fb = bit & 7;
  const fb8 = 8 - fb;
  b[byte] = (b[byte] & ~(HLL_REGISTER_MAX << fb)) | (val << fb);
  b[byte + 1] = (b[byte + 1] & ~(HLL_REGISTER_MAX >>> fb8)) | (val >>> fb8);
}

/** hllDenseSet: raise register `index` to `count`; 1 when it changed. */
function denseSet(b: Uint8Array, index: number, count: number): number {
  if (count > denseGet(b, index)) {
    denseSetRaw(b, index, count);
    return 1;
  }
  return 0;
}

/** The dense registers of an HLL, one per element (PFDEBUG GETREG; the caller made it dense). */
export function denseRegisters(h: HllBuf): Uint8Array {
  const out = new Uint8Array(HLL_REGISTERS);
  for (let i = 0; i < HLL_REGISTERS; i++) out[i] = denseGet(h.b, i);
  return out;
}

// ------------------------------------------------------------------------------------------------
// sparse opcodes
// ------------------------------------------------------------------------------------------------

function isZeroOp(op: number): boolean {
  return (op & 0xc0) === 0;
}

function isXzeroOp(op: number): boolean {
  return (op & 0xc0) === 0x40;
}

function zeroLen(op: number): number {
  return (op & 0x3f) + 1;
}

function xzeroLen(b: Uint8Array, p: number): number {
  return (((b[p] & 0x3f) << 8) | b[p + 1]) + 1;
}

function valValue(op: number): number {
  return ((op >>> 2) & 0x1f) + 1;
}

function valLen(op: number): number {
  return (op & 3) + 1;
}

function valOp(val: number, len: number): number {
  return ((val - 1) << 2) | (len - 1) | 0x80;
}

function setXzero(b: Uint8Array, p: number, len: number): void {
  const l = len - 1;
  b[p] = (l >>> 8) | 0x40;
  b[p + 1] = l & 0xff;
}

/**
 * Walk a sparse HLL's opcodes: `run(idx, len, val)` for every run (val 0 for ZERO/XZERO). False when the runs
 * do not cover exactly HLL_REGISTERS registers (stops before the run that would go past them, as Redis does).
 */
function walkSparse(h: HllBuf, run: (idx: number, len: number, val: number) => void): boolean {
  const b = h.b;
  const end = h.len;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < end) {
    const op = b[p];
    let len: number;
    let val = 0;
    if (isZeroOp(op)) {
      len = zeroLen(op);
      p++;
    } else if (isXzeroOp(op)) {
      len = xzeroLen(b, p);
      p += 2;
    } else {
      len = valLen(op);
      val = valValue(op);
      p++;
    }
    if (idx + len > HLL_REGISTERS) return false;
    run(idx, len, val);
    idx += len;
  }
  return idx === HLL_REGISTERS;
}

const NO_RUN = (): void => {};

/** hllSparseToDense: the dense form of a sparse HLL (header copied, so the cache stays as it was), or null
 *  when the sparse one is corrupted. A dense HLL is returned as it is. */
export function sparseToDense(h: HllBuf): HllBuf | null {
  if (h.b[4] === HLL_DENSE) return h;
  const b = Buffer.alloc(HLL_DENSE_SIZE + 1);
  h.b.copy(b, 0, 0, HLL_HDR_SIZE);
  b[4] = HLL_DENSE;
  const ok = walkSparse(h, (idx, len, val) => {
    if (val !== 0) for (let i = 0; i < len; i++) denseSetRaw(b, idx + i, val);
  });
  return ok ? { b, len: HLL_DENSE_SIZE } : null;
}

/** Make room for `n` more bytes after len (the sparse editing needs up to 3). */
function ensureRoom(h: HllBuf, n: number): void {
  if (h.len + n + 1 <= h.b.length) return;
  const b = Buffer.alloc(Math.max(h.b.length * 2, h.len + n + 1));
  h.b.copy(b, 0, 0, h.len);
  h.b = b;
}

/**
 * hllSparseSet: raise register `index` to `count` in a sparse HLL, editing the opcodes in place as Redis does
 * (so the bytes come out the same). Returns 1 when the register changed, 0 when not, -1 when the HLL is
 * corrupted. Promotes h to dense (h.b and h.len replaced) when the value does not fit a VAL opcode or the
 * sparse form would grow past `maxBytes` (hll-sparse-max-bytes).
 */
function sparseSet(h: HllBuf, index: number, count: number, maxBytes: number): number {
  if (count <= SPARSE_VAL_MAX_VALUE) {
    const r = sparseSetInPlace(h, index, count, maxBytes);
    if (r !== 2) return r;
  }
  const dense = sparseToDense(h);
  if (dense === null) return -1;
  h.b = dense.b;
  h.len = dense.len;
  denseSetRaw(h.b, index, count);
  return 1;
}

/** The sparse update of sparseSet; 2 means "promote to dense". */
function sparseSetInPlace(h: HllBuf, index: number, count: number, maxBytes: number): number {
  ensureRoom(h, 3);
  const b = h.b;
  const sparse = HLL_HDR_SIZE;
  let end = h.len;
  // Step 1: find the opcode covering `index`.
  let p = sparse;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p];
    let oplen = 1;
    if (isZeroOp(op)) span = zeroLen(op);
    else if (op & 0x80) span = valLen(op);
    else {
      span = xzeroLen(b, p);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  const op = b[p];
  let next = isXzeroOp(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const isZero = isZeroOp(op);
  const isXzero = isXzeroOp(op);
  const runlen = isZero ? zeroLen(op) : isXzero ? xzeroLen(b, p) : valLen(op);

  // Step 2: the trivial cases, then the split of the opcode into up to three.
  let simple = false;
  if (!isZero && !isXzero) {
    if (valValue(op) >= count) return 0;
    if (runlen === 1) simple = true;
  } else if (isZero && runlen === 1) {
    simple = true;
  }
  if (simple) {
    b[p] = valOp(count, 1);
  } else {
    const seq: number[] = [];
    const last = first + span - 1;
    const zeros = (len: number): void => {
      if (len > SPARSE_ZERO_MAX_LEN) seq.push(((len - 1) >>> 8) | 0x40, (len - 1) & 0xff);
      else seq.push(len - 1);
    };
    if (isZero || isXzero) {
      if (index !== first) zeros(index - first);
      seq.push(valOp(count, 1));
      if (index !== last) zeros(last - index);
    } else {
      const curval = valValue(op);
      if (index !== first) seq.push(valOp(curval, index - first));
      seq.push(valOp(count, 1));
      if (index !== last) seq.push(valOp(curval, last - index));
    }
    // Step 3: put the new sequence in place of the old opcode.
    const delta = seq.length - (isXzero ? 2 : 1);
    if (delta > 0 && h.len + delta > maxBytes) return 2;
    if (delta !== 0 && next >= 0) b.copyWithin(next + delta, next, end);
    h.len += delta;
    b[h.len] = 0;
    for (let i = 0; i < seq.length; i++) b[p + i] = seq[i];
    end += delta;
  }

  // Step 4: merge adjacent VAL opcodes of the same value, scanning up to 5 opcodes from prev.
  p = prev >= 0 ? prev : sparse;
  let scanlen = 5;
  while (p < end && scanlen-- !== 0) {
    const o = b[p];
    if (isXzeroOp(o)) {
      p += 2;
      continue;
    }
    if (isZeroOp(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && (b[p + 1] & 0x80) !== 0) {
      const v1 = valValue(o);
      if (v1 === valValue(b[p + 1])) {
        const len = valLen(o) + valLen(b[p + 1]);
        if (len <= SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valOp(v1, len);
          b.copyWithin(p, p + 1, end);
          h.len--;
          end--;
          b[h.len] = 0;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(h);
  return 1;
}

/**
 * hllAdd: add an element (its hash's register and pattern length). 1 when a register changed, 0 when not,
 * -1 when the HLL is corrupted. A sparse HLL may be promoted to dense (h changes) at `maxBytes`.
 */
export function hllAdd(h: HllBuf, ele: string, maxBytes: number): number {
  const count = patLen(ele);
  switch (h.b[4]) {
    case HLL_DENSE: return denseSet(h.b, patIndex, count);
    case HLL_SPARSE: return sparseSet(h, patIndex, count, maxBytes);
    default: return -1;
  }
}

/**
 * The first of elements[from..] that would raise a register of the dense HLL whose bytes are `s`, read from the
 * string itself (elements.length when none would): a PFADD that changes nothing copies nothing, which is most
 * PFADDs to a large HLL. Beyond the end charCodeAt is NaN, which reads as 0 like the sds NUL.
 */
export function firstDenseChange(s: string, elements: readonly string[], from: number): number {
  for (let j = from; j < elements.length; j++) {
    const count = patLen(elements[j]);
    const bit = patIndex * 6;
    const byte = HLL_HDR_SIZE + (bit >>> 3);
    const fb = bit & 7;
    const old = ((s.charCodeAt(byte) >>> fb) | (s.charCodeAt(byte + 1) << (8 - fb))) & HLL_REGISTER_MAX;
    if (count > old) return j;
  }
  return elements.length;
}

/** Raise register `index` to `count` (PFMERGE's write of the merged registers); promotes as hllAdd does. */
export function hllSet(h: HllBuf, index: number, count: number, maxBytes: number): void {
  if (h.b[4] === HLL_DENSE) denseSet(h.b, index, count);
  else sparseSet(h, index, count, maxBytes);
}

/** hllMerge: max[i] = MAX(max[i], register i); false when a sparse HLL is corrupted. */
export function hllMerge(max: Uint8Array, h: HllBuf): boolean {
  if (h.b[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(h.b, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  return walkSparse(h, (idx, len, val) => {
    if (val !== 0) for (let i = idx; i < idx + len; i++) if (val > max[i]) max[i] = val;
  });
}

/** PFDEBUG DECODE's text of a sparse HLL ("Z:16384", "z:3 v:1,2 ..."), without checking it covers 16384. */
export function decodeSparse(h: HllBuf): string {
  const b = h.b;
  const parts: string[] = [];
  for (let p = HLL_HDR_SIZE; p < h.len;) {
    const op = b[p];
    if (isZeroOp(op)) {
      parts.push('z:' + zeroLen(op));
      p++;
    } else if (isXzeroOp(op)) {
      parts.push('Z:' + xzeroLen(b, p));
      p += 2;
    } else {
      parts.push('v:' + valValue(op) + ',' + valLen(op));
      p++;
    }
  }
  return parts.join(' ');
}

// ------------------------------------------------------------------------------------------------
// cardinality
// ------------------------------------------------------------------------------------------------

/** Register histogram of a dense HLL: four 6-bit registers in every three bytes. */
function denseHisto(b: Uint8Array, histo: Int32Array): void {
  for (let r = HLL_HDR_SIZE; r < HLL_DENSE_SIZE; r += 3) {
    const b0 = b[r];
    const b1 = b[r + 1];
    const b2 = b[r + 2];
    histo[b0 & 63]++;
    histo[((b0 >>> 6) | (b1 << 2)) & 63]++;
    histo[((b1 >>> 4) | (b2 << 4)) & 63]++;
    histo[b2 >>> 2]++;
  }
}

/** hllSigma (Ertl). */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrime: number;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** hllTau (Ertl). Redis writes pow(1 - x, 2); a product is the same correctly rounded square. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1.0;
  let z = 1 - x;
  let zPrime: number;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

const LLONG_LIMIT = 9223372036854775808;

/**
 * The estimate from a register histogram, as hllCount returns it and PFCOUNT prints it (a long long): the
 * rounded estimate; an estimate llroundl cannot fit (2^63 and up, only from crafted registers) is
 * LLONG_MIN, what x86's conversion gives.
 */
function estimate(histo: Int32Array): number | bigint {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histo[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  const e = Math.round((HLL_ALPHA_INF * m * m) / z);
  if (!(e < LLONG_LIMIT)) return -9223372036854775808n;
  return Number.isSafeInteger(e) ? e : BigInt(e);
}

/** hllCount of a valid-looking HLL; null when a sparse one is corrupted. */
export function hllCount(h: HllBuf): number | bigint | null {
  const histo = new Int32Array(64);
  if (h.b[4] === HLL_DENSE) {
    denseHisto(h.b, histo);
  } else if (!walkSparse(h, (_idx, len, val) => { histo[val] += len; })) {
    return null;
  }
  return estimate(histo);
}

/** hllCount of merged registers (one per byte: PFCOUNT of several keys). */
export function rawCount(max: Uint8Array): number | bigint {
  const histo = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]]++;
  return estimate(histo);
}

// ------------------------------------------------------------------------------------------------
// PFSELFTEST
// ------------------------------------------------------------------------------------------------

/** One uint64 as 8 little-endian bytes in a latin1 string (the selftest's elements). */
function u64Text(hi: number, lo: number): string {
  return String.fromCharCode(lo & 255, (lo >>> 8) & 255, (lo >>> 16) & 255, lo >>> 24,
    hi & 255, (hi >>> 8) & 255, (hi >>> 16) & 255, hi >>> 24);
}

function rand31(): number {
  return Math.floor(Math.random() * 0x80000000);
}

/**
 * pfselftestCommand: register access on random values (1000 rounds), then 10^7 elements into a dense and a
 * sparse HLL at once, checking at every power of ten that the sparse one stays sparse while small, that both
 * agree and that the error is within 6 standard errors. Returns '' or Redis's TESTFAILED text.
 */
export function hllSelfTest(maxBytes: number, elements = 10000000): string {
  const dense: HllBuf = { b: Buffer.alloc(HLL_DENSE_SIZE + 1), len: HLL_DENSE_SIZE };
  dense.b.write('HYLL', 0, 'latin1');
  const bytes = new Uint8Array(HLL_REGISTERS);
  for (let j = 0; j < 1000; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = rand31() & HLL_REGISTER_MAX;
      bytes[i] = r;
      denseSetRaw(dense.b, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(dense.b, i);
      if (val !== bytes[i]) return `TESTFAILED Register ${i} should be ${bytes[i]} but is ${val}`;
    }
  }
  dense.b.fill(0, HLL_HDR_SIZE);
  const sparse = hllCreate();
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLo = rand31();
  const seedHi = rand31();
  for (let j = 1; j <= elements; j++) {
    const ele = u64Text(seedHi, (j ^ seedLo) >>> 0);
    hllAdd(dense, ele, maxBytes);
    hllAdd(sparse, ele, maxBytes);
    if (j !== checkpoint) continue;
    if (j < Math.floor(maxBytes / 2) && sparse.b[4] !== HLL_SPARSE) return 'TESTFAILED sparse encoding not used';
    const card = Number(hllCount(dense));
    if (card !== Number(hllCount(sparse))) return 'TESTFAILED dense/sparse disagree';
    const abserr = Math.abs(checkpoint - card);
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return '';
}
