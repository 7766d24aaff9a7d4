// LZF, the compression Redis uses for RDB strings (lzf_c.c / lzf_d.c format). Hand-written because
// the bytes must be what Redis's lzf_decompress accepts and what its lzf_compress produces must be
// readable here. Format: a control byte c < 32 starts a literal run of c+1 bytes; otherwise
// len = c >> 5 (7 means "add the next byte") and the back reference is
// ((c & 31) << 8 | next byte) + 1 bytes behind the output position, copying len + 2 bytes.

const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3); // longest match lzf_c.c looks for (it may end 2 bytes past it)

// The compressor makes the same choices as Redis's lzf_c.c as Redis builds it (HLOG 16, VERY_FAST, not
// ULTRA_FAST), so compressed strings in a DUMP payload or an RDB file are byte-identical to Redis's: the
// same 3-byte hash into the same 2^16 slots, a match only with an earlier position other than the first
// and only while 5 or more bytes are left, and after a match only its last two positions hashed.
const HLOG = 16;

/** Hash slot -> `base` + position of the last 3-byte sequence seen there. Entries below the current
 *  call's base are from earlier calls, i.e. empty (so the table is not cleared per string). */
const htab = new Int32Array(1 << HLOG);
let nextBase = 1;

/** lzf_c.c's IDX(h) with VERY_FAST: h holds the last bytes read, 8 bits each. */
function slotOf(h: number): number {
  return ((h >>> (3 * 8 - HLOG)) - Math.imul(h, 5)) & ((1 << HLOG) - 1);
}

/**
 * Compress `inp` into at most `outMax` bytes; null when the result would not fit (Redis then
 * stores the string uncompressed).
 */
export function lzfCompress(inp: Uint8Array, outMax: number): Buffer | null {
  const n = inp.length;
  if (n === 0 || outMax <= 0) return null;
  if (nextBase + n + 1 > 0x7fffffff) {
    htab.fill(0);
    nextBase = 1;
  }
  const base = nextBase;
  nextBase += n + 1;
  const out = Buffer.allocUnsafe(outMax + 4);
  let ip = 0;
  let op = 1; // room for the first literal-run control byte
  let lit = 0;
  let h = (inp[0] << 8) | (n > 1 ? inp[1] : 0);
  while (ip < n - 2) {
    h = ((h << 8) | inp[ip + 2]) >>> 0;
    const slot = slotOf(h);
    const ref = htab[slot] - base; // negative: empty
    htab[slot] = base + ip;
    const off = ip - ref - 1;
    if (ref > 0 && off < MAX_OFF && inp[ref] === inp[ip] && inp[ref + 1] === inp[ip + 1] && inp[ref + 2] === inp[ip + 2]) {
      let len = 2;
      const maxLen = Math.min(n - ip - len, MAX_REF);
      out[op - lit - 1] = lit - 1; // close the literal run (or take back its unused control byte)
      if (lit === 0) op--;
      if (op + 3 + 1 >= outMax) return null;
      // lzf_c.c checks 16 more bytes without the length bound when more than 16 are left, then goes on with it
      let unrolled = maxLen > 16;
      for (let k = 0; unrolled && k < 16; k++) {
        len++;
        if (inp[ref + len] !== inp[ip + len]) unrolled = false;
      }
      if (!(maxLen > 16) || unrolled) {
        do len++;
        while (len < maxLen && inp[ref + len] === inp[ip + len]);
      }
      len -= 2;
      ip++;
      if (len < 7) {
        out[op++] = (off >>> 8) + (len << 5);
      } else {
        out[op++] = (off >>> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= n - 2) break;
      ip -= 2;
      h = (inp[ip] << 8) | inp[ip + 1];
      for (let k = 0; k < 2; k++) {
        h = ((h << 8) | inp[ip + 2]) >>> 0;
        htab[slotOf(h)] = base + ip;
        ip++;
      }
    } else {
      if (op >= outMax) return null;
      lit++;
      out[op++] = inp[ip++];
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outMax) return null;
  while (ip < n) {
    lit++;
    out[op++] = inp[ip++];
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return out.subarray(0, op);
}

/** Decompress to exactly `outLen` bytes; throws on malformed input. */
export function lzfDecompress(inp: Uint8Array, outLen: number): Buffer {
  const out = Buffer.allocUnsafe(outLen);
  let ip = 0;
  let op = 0;
  const n = inp.length;
  while (ip < n) {
    const ctrl = inp[ip++];
    if (ctrl < 32) {
      const run = ctrl + 1;
      if (op + run > outLen || ip + run > n) throw new Error('LZF data corrupt');
      for (let i = 0; i < run; i++) out[op++] = inp[ip++];
    } else {
      let len = ctrl >>> 5;
      if (len === 7) {
        if (ip >= n) throw new Error('LZF data corrupt');
        len += inp[ip++];
      }
      if (ip >= n) throw new Error('LZF data corrupt');
      let ref = op - ((ctrl & 0x1f) << 8) - 1 - inp[ip++];
      len += 2;
      if (ref < 0 || op + len > outLen) throw new Error('LZF data corrupt');
      for (let i = 0; i < len; i++) out[op++] = out[ref++];
    }
  }
  if (op !== outLen) throw new Error('LZF data corrupt');
  return out;
}
