// LZF, the compression Redis uses for RDB strings (lzf_c.c / lzf_d.c format). Hand-written because
// the bytes must be what Redis's lzf_decompress accepts and what its lzf_compress produces must be
// readable here. Format: a control byte c < 32 starts a literal run of c+1 bytes; otherwise
// len = c >> 5 (7 means "add the next byte") and the back reference is
// ((c & 31) << 8 | next byte) + 1 bytes behind the output position, copying len + 2 bytes.

const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = 7 + 255 + 2; // longest match: (len - 2) = 7 + 255
const HLOG = 14;

const htab = new Int32Array(1 << HLOG);

/**
 * Compress `inp` into at most `outMax` bytes; null when the result would not fit (Redis then
 * stores the string uncompressed).
 */
export function lzfCompress(inp: Uint8Array, outMax: number): Buffer | null {
  const n = inp.length;
  if (n === 0) return null;
  const out = Buffer.allocUnsafe(outMax + 3);
  htab.fill(-1);
  let ip = 0;
  let op = 1; // room for the first literal-run control byte
  let litStart = 0;
  let lit = 0;
  while (ip < n) {
    if (op + 3 > outMax + 1) return null;
    if (ip + 2 < n) {
      const h = (Math.imul((inp[ip] << 16) | (inp[ip + 1] << 8) | inp[ip + 2], 2654435761) >>> (32 - HLOG));
      const ref = htab[h];
      htab[h] = ip;
      const off = ip - ref - 1;
      if (ref >= 0 && off < MAX_OFF && inp[ref] === inp[ip] && inp[ref + 1] === inp[ip + 1] && inp[ref + 2] === inp[ip + 2]) {
        let len = 3;
        const maxLen = Math.min(n - ip, MAX_REF);
        while (len < maxLen && inp[ref + len] === inp[ip + len]) len++;
        // close the literal run (or take back its unused control byte)
        if (lit > 0) out[litStart] = lit - 1;
        else op--;
        const l = len - 2;
        if (l < 7) {
          out[op++] = (l << 5) | (off >>> 8);
        } else {
          out[op++] = (7 << 5) | (off >>> 8);
          out[op++] = l - 7;
        }
        out[op++] = off & 0xff;
        ip += len;
        litStart = op++;
        lit = 0;
        continue;
      }
    }
    out[op++] = inp[ip++];
    if (++lit === MAX_LIT) {
      out[litStart] = MAX_LIT - 1;
      litStart = op++;
      lit = 0;
    }
  }
  if (lit > 0) out[litStart] = lit - 1;
  else op--;
  if (op > outMax) return null;
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
