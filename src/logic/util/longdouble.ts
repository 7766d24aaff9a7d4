// Emulation of the C `long double` arithmetic INCRBYFLOAT performs in Redis on x86-64 Linux.
//
// Hand-written on purpose: Redis computes INCRBYFLOAT in x87 80-bit extended precision (64-bit
// mantissa, exponent range 2^-16382..2^16383 with gradual underflow down to 2^-16445), parses its
// operands with glibc's strtold (correctly rounded) and prints the result with "%.17Lf" (exact
// decimal expansion, rounded half-to-even), then strips trailing zeros. A JS double gives different
// bytes (0.1 + 0.2 -> "0.30000000000000004" instead of Redis's "0.3"), and the reply must match
// Redis byte for byte, so every step is done exactly here with BigInt arithmetic.

/** A finite extended value is (-1)^neg * m * 2^e with 0 <= m < 2^64 (m = 0 is zero). */
export interface LongDouble {
  /** 0 finite, 1 infinity, 2 NaN */
  kind: 0 | 1 | 2;
  neg: boolean;
  m: bigint;
  e: number;
}

const MANT_BITS = 64;
/** exponent of the least significant bit of the smallest subnormal: 2^-16445 */
const MIN_LSB_EXP = -16445;
/** every finite value is below 2^16384 */
const MAX_EXP = 16384;
const TWO64 = 1n << 64n;
const TWO63 = 1n << 63n;
/** Redis's MAX_LONG_DOUBLE_CHARS: string2ld rejects texts of this length or longer */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

const ZERO: LongDouble = { kind: 0, neg: false, m: 0n, e: 0 };
const INF: LongDouble = { kind: 1, neg: false, m: 0n, e: 0 };
const NEG_INF: LongDouble = { kind: 1, neg: true, m: 0n, e: 0 };

/** Number of significant bits of a positive bigint. */
function bitLen(x: bigint): number {
  const h = x.toString(16);
  return (h.length - 1) * 4 + (32 - Math.clz32(parseInt(h[0], 16)));
}

/**
 * Round the exact positive value num * 2^b / den to the nearest extended value (ties to even),
 * with gradual underflow and overflow to infinity.
 */
function roundExact(neg: boolean, num: bigint, b: number, den: bigint): LongDouble {
  // floor(log2(value)) is est or est - 1
  const est = bitLen(num) + b - bitLen(den);
  if (est >= MAX_EXP + 1) return neg ? NEG_INF : INF;
  if (est < MIN_LSB_EXP - 2) return { kind: 0, neg, m: 0n, e: 0 };
  let msb = est;
  for (;;) {
    const lsb = Math.max(msb - (MANT_BITS - 1), MIN_LSB_EXP);
    const s = b - lsb;
    const n = s >= 0 ? num << BigInt(s) : num;
    const d = s >= 0 ? den : den << BigInt(-s);
    let q = n / d;
    if (q >= TWO64) { msb++; continue; }
    if (q < TWO63 && lsb > MIN_LSB_EXP) { msb--; continue; }
    const r2 = (n - q * d) * 2n;
    if (r2 > d || (r2 === d && (q & 1n) === 1n)) q++;
    let e = lsb;
    if (q === TWO64) { q = TWO63; e++; }
    if (q !== 0n && bitLen(q) + e > MAX_EXP) return neg ? NEG_INF : INF;
    return { kind: 0, neg, m: q, e };
  }
}

const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?)(\d+))?$/;
const HEX_RE = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?)(\d+))?$/;
const INF_RE = /^([+-]?)inf(inity)?$/i;

/** Exponent digits to a number, saturating (strtold saturates huge exponents too). */
function expValue(sign: string, digits: string): number {
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  const v = digits.length - i > 9 ? 1e9 : Number(digits.slice(i));
  return sign === '-' ? -v : v;
}

/**
 * Redis's string2ld: strtold over the whole text, no leading space, nothing left over, no overflow,
 * no underflow to zero, not NaN. "inf"/"infinity" (any case, optional sign) are accepted.
 * Returns null when Redis would reject the text.
 */
export function parseLongDouble(s: string): LongDouble | null {
  const len = s.length;
  if (len === 0 || len >= MAX_LONG_DOUBLE_CHARS) return null;
  let m = DEC_RE.exec(s);
  if (m !== null) {
    const intDigits = m[2];
    const fracDigits = m[3] ?? '';
    if (intDigits.length === 0 && fracDigits.length === 0) return null;
    const neg = m[1] === '-';
    const all = (intDigits + fracDigits).replace(/^0+/, '');
    if (all.length === 0) return neg ? { kind: 0, neg: true, m: 0n, e: 0 } : ZERO;
    const exp10 = (m[5] !== undefined ? expValue(m[4], m[5]) : 0) - fracDigits.length;
    // decimal magnitude: all.length + exp10 - 1 <= log10(value) < all.length + exp10
    const mag = all.length + exp10;
    if (mag - 1 >= 4933) return null; // >= 1e4933: beyond LDBL_MAX (ERANGE, HUGE_VAL)
    if (mag <= -4952) return null; // < 1e-4952: rounds to zero (ERANGE, zero)
    const digits = BigInt(all);
    const r = exp10 >= 0
      ? roundExact(neg, digits * 10n ** BigInt(exp10), 0, 1n)
      : roundExact(neg, digits, 0, 10n ** BigInt(-exp10));
    if (r.kind !== 0 || r.m === 0n) return null;
    return r;
  }
  m = HEX_RE.exec(s);
  if (m !== null) {
    const intDigits = m[2];
    const fracDigits = m[3] ?? '';
    if (intDigits.length === 0 && fracDigits.length === 0) return null;
    const neg = m[1] === '-';
    const mant = BigInt('0x0' + intDigits + fracDigits);
    if (mant === 0n) return neg ? { kind: 0, neg: true, m: 0n, e: 0 } : ZERO;
    const b = (m[5] !== undefined ? expValue(m[4], m[5]) : 0) - 4 * fracDigits.length;
    const r = roundExact(neg, mant, b, 1n);
    if (r.kind !== 0 || r.m === 0n) return null;
    return r;
  }
  m = INF_RE.exec(s);
  if (m !== null) return m[1] === '-' ? NEG_INF : INF;
  return null; // "nan", garbage, spaces ...
}

/** Exact sum rounded to extended precision (the x87 FADD in round-to-nearest mode). */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === 2 || b.kind === 2) return { kind: 2, neg: false, m: 0n, e: 0 };
  if (a.kind === 1 || b.kind === 1) {
    if (a.kind === 1 && b.kind === 1 && a.neg !== b.neg) return { kind: 2, neg: false, m: 0n, e: 0 };
    return a.kind === 1 ? a : b;
  }
  if (a.m === 0n) return b.m === 0n ? { kind: 0, neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const x = a.m << BigInt(a.e - e);
  const y = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -x : x) + (b.neg ? -y : y);
  if (sum === 0n) return ZERO;
  return sum < 0n ? roundExact(true, -sum, e, 1n) : roundExact(false, sum, e, 1n);
}

/** INCRBYFLOAT / HINCRBYFLOAT: cur + inc as Redis prints it (LD_STR_HUMAN), or null when the sum is
 *  NaN or infinite ("increment would produce NaN or Infinity"). */
export function incrLongDoubleText(cur: LongDouble, inc: LongDouble): string | null {
  const sum = addLongDouble(cur, inc);
  return sum.kind !== 0 ? null : formatLongDoubleHuman(sum);
}

export function isFiniteLongDouble(v: LongDouble): boolean {
  return v.kind === 0;
}

const TEN17 = 10n ** 17n;

/**
 * Redis's ld2string(..., LD_STR_HUMAN): "%.17Lf" (exact expansion rounded half-to-even at the 17th
 * decimal), trailing zeros and a trailing dot removed, "-0" printed as "0". Finite values only.
 */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.kind === 1) return v.neg ? '-inf' : 'inf';
  let digits: string;
  if (v.e >= 0) {
    digits = (v.m << BigInt(v.e)).toString();
  } else {
    const k = BigInt(-v.e);
    const t = v.m * TEN17;
    let q = t >> k;
    const r2 = (t - (q << k)) << 1n;
    const unit = 1n << k;
    if (r2 > unit || (r2 === unit && (q & 1n) === 1n)) q++;
    let txt = q.toString();
    if (txt.length < 18) txt = '0'.repeat(18 - txt.length) + txt;
    const frac = txt.slice(-17).replace(/0+$/, '');
    digits = frac.length > 0 ? txt.slice(0, -17) + '.' + frac : txt.slice(0, -17);
  }
  if (v.neg) {
    if (digits === '0') return '0';
    return '-' + digits;
  }
  return digits;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A double widened to long double (exact), as C's conversion does: GEOPOS prints coordinates this way. */
export function longDoubleFromDouble(d: number): LongDouble {
  if (d !== d) return { kind: 2, neg: false, m: 0n, e: 0 };
  if (d === Infinity || d === -Infinity) return d < 0 ? NEG_INF : INF;
  f64[0] = d;
  const hi = u32[1]; // little-endian: the sign, exponent and top of the mantissa are in the high word
  const lo = u32[0];
  const neg = hi >>> 31 === 1;
  const bexp = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (bexp === 0) return { kind: 0, neg, m: frac, e: -1074 };
  return { kind: 0, neg, m: frac | (1n << 52n), e: bexp - 1075 };
}
