// Number parsing with Redis's exact acceptance rules (string2ll / string2ld / getLongLongFromObject).

export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;
export const ERR_NOT_INT = 'ERR value is not an integer or out of range';
export const ERR_NOT_FLOAT = 'ERR value is not a valid float';

/**
 * Redis's string2ll on a JS string: optional '-', digits without leading zeros (except "0"),
 * within the signed 64-bit range. Returns a bigint, or null when rejected.
 */
export function parseInt64(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  if (n === 1 && s === '0') return 0n;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    i = 1;
    if (n === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const ch = s.charCodeAt(j);
    if (ch < 48 || ch > 57) return null;
  }
  const v = BigInt(s);
  if (v > LLONG_MAX || v < LLONG_MIN) return null;
  return v;
}

/**
 * Fast path for the common case: a safe-integer result as a JS number, or null when the text is not
 * a valid int64 (callers needing the full 64-bit range use parseInt64).
 */
export function parseSafeInt(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 16) {
    const b = parseInt64(s);
    if (b === null || b > 9007199254740991n || b < -9007199254740991n) return null;
    return Number(b);
  }
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    neg = true;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  let v = 0;
  for (; i < n; i++) {
    const ch = s.charCodeAt(i) - 48;
    if (ch < 0 || ch > 9) return null;
    v = v * 10 + ch;
  }
  // 16 digits may exceed 2^53: such a value would be inexact here.
  if (v > 9007199254740991) return null;
  return neg ? -v : v;
}

/**
 * Redis's string2ld/strtold acceptance for float arguments (INCRBYFLOAT, ZADD scores ...):
 * no leading/trailing spaces, not empty, "inf"/"-inf"/"+inf" (and "infinity") accepted, "nan" rejected.
 * Returns NaN when rejected.
 */
export function parseFloatStrict(s: string): number {
  if (s.length === 0 || s.length > 5000) return NaN;
  const c0 = s.charCodeAt(0);
  const cl = s.charCodeAt(s.length - 1);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13) || cl === 32 || (cl >= 9 && cl <= 13)) return NaN;
  const lower = s.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  // strtod syntax: [sign] digits [. digits] [e [sign] digits], or hex floats (rare; accepted by strtod).
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) {
    if (/^[+-]?0[xX]([0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)([pP][+-]?\d+)?$/.test(s)) return parseHexFloat(s);
    return NaN;
  }
  return Number(s);
}

function parseHexFloat(s: string): number {
  const m = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)(?:[pP]([+-]?\d+))?$/.exec(s)!;
  const mant = parseInt((m[2] || '0') + (m[3] || ''), 16);
  const exp = (m[4] ? Number(m[4]) : 0) - 4 * (m[3] || '').length;
  const v = mant * Math.pow(2, exp);
  return m[1] === '-' ? -v : v;
}

/** getIntFromObjectOrReply: a C int (32-bit), or the error text Redis replies with. */
export function parseCInt(s: string): number | string {
  const n = parseInt64(s);
  if (n === null) return ERR_NOT_INT;
  if (n < -2147483648n || n > 2147483647n) return 'ERR value is out of range, value must between -2147483648 and 2147483647';
  return Number(n);
}

/**
 * a + b for parsed 64-bit integers (safe-integer numbers or bigints) as decimal text, or null when the
 * sum leaves the signed 64-bit range (INCRBY's and HINCRBY's "increment or decrement would overflow").
 */
export function addInt64Text(a: number | bigint, b: number | bigint): string | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return String(sum);
  }
  const sum = BigInt(a) + BigInt(b);
  return sum > LLONG_MAX || sum < LLONG_MIN ? null : sum.toString();
}

// ------------------------------------------------------------------------------------------------
// C doubles: glibc strtod and printf("%.17g"), hand-written because replies must match Redis's bytes.
// ------------------------------------------------------------------------------------------------

/** Result of strtodPrefix: the value, where parsing stopped, and whether errno would be ERANGE. */
export interface StrtodResult {
  value: number;
  /** index just past the parsed number; `start` when nothing was converted (as strtod's endptr) */
  end: number;
  /** overflow to +-inf or underflow to zero (glibc sets ERANGE) */
  erange: boolean;
}

const strtodOut: StrtodResult = { value: 0, end: 0, erange: false };

function isCSpace(ch: number): boolean {
  return ch === 32 || (ch >= 9 && ch <= 13);
}
function isDigit(ch: number): boolean {
  return ch >= 48 && ch <= 57;
}
function hexVal(ch: number): number {
  if (ch >= 48 && ch <= 57) return ch - 48;
  const l = ch | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}
function matchWordAt(s: string, i: number, word: string): boolean {
  if (i + word.length > s.length) return false;
  for (let k = 0; k < word.length; k++) if ((s.charCodeAt(i + k) | 32) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * glibc's strtod(s + start, &end) in the C locale: leading white space, a sign, then a decimal or
 * hexadecimal number, "inf"/"infinity" or "nan"/"nan(chars)". Parsing stops at the first character
 * that does not fit (a NUL byte included). The returned object is reused by the next call.
 */
export function strtodPrefix(s: string, start = 0): StrtodResult {
  const out = strtodOut;
  out.value = 0;
  out.end = start;
  out.erange = false;
  const n = s.length;
  let i = start;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const sc = s.charCodeAt(i);
  if (sc === 43 || sc === 45) {
    neg = sc === 45;
    i++;
  }
  if (matchWordAt(s, i, 'inf')) {
    out.value = neg ? -Infinity : Infinity;
    out.end = matchWordAt(s, i, 'infinity') ? i + 8 : i + 3;
    return out;
  }
  if (matchWordAt(s, i, 'nan')) {
    out.value = NaN;
    let j = i + 3;
    if (s.charCodeAt(j) === 40) {
      let k = j + 1;
      for (;;) {
        const ch = s.charCodeAt(k);
        if (isDigit(ch) || ((ch | 32) >= 97 && (ch | 32) <= 122) || ch === 95) k++;
        else break;
      }
      if (s.charCodeAt(k) === 41) j = k + 1;
    }
    out.end = j;
    return out;
  }
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
    const h = i + 2;
    if (hexVal(s.charCodeAt(h)) >= 0 || (s.charCodeAt(h) === 46 && hexVal(s.charCodeAt(h + 1)) >= 0)) {
      parseHexPrefix(s, h, neg, out);
      return out;
    }
    // "0x" without hex digits: only the "0" is a number
    out.value = neg ? -0 : 0;
    out.end = i + 1;
    return out;
  }
  const numStart = i;
  let digits = 0;
  let nonZero = false;
  while (i < n && isDigit(s.charCodeAt(i))) {
    if (s.charCodeAt(i) !== 48) nonZero = true;
    i++;
    digits++;
  }
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      if (s.charCodeAt(i) !== 48) nonZero = true;
      i++;
      digits++;
    }
  }
  if (digits === 0) return out; // no conversion: end stays at start
  if ((s.charCodeAt(i) | 32) === 101) {
    let j = i + 1;
    const es = s.charCodeAt(j);
    if (es === 43 || es === 45) j++;
    if (isDigit(s.charCodeAt(j))) {
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  // JS number parsing is correctly rounded (round half to even), as glibc's strtod.
  const text = s.slice(numStart, i);
  let v = Number(text.charCodeAt(0) === 46 ? '0' + text : text);
  if (v === Infinity) out.erange = true;
  else if (v === 0 && nonZero) out.erange = true;
  else if (v !== 0 && v < MIN_NORMAL && !decimalIsExact(text, v)) out.erange = true; // inexact subnormal
  if (neg) v = -v;
  out.value = v;
  out.end = i;
  return out;
}

const MIN_NORMAL = 2.2250738585072014e-308;

/** True when the decimal `text` (digits, optional '.', optional exponent) equals the positive
 *  subnormal double v exactly (glibc's strtod sets ERANGE for a tiny result only when it is inexact). */
function decimalIsExact(text: string, v: number): boolean {
  const e = text.search(/[eE]/);
  const mantText = e < 0 ? text : text.slice(0, e);
  const dot = mantText.indexOf('.');
  const digits = dot < 0 ? mantText : mantText.slice(0, dot) + mantText.slice(dot + 1);
  const k = (e < 0 ? 0 : Number(text.slice(e + 1))) - (dot < 0 ? 0 : mantText.length - dot - 1);
  const m = BigInt((v * 2 ** 537) * 2 ** 537); // v = m * 2^-1074
  let lhs = BigInt(digits) << 1074n;
  let rhs = m;
  if (k >= 0) lhs *= 10n ** BigInt(k);
  else rhs *= 10n ** BigInt(-k);
  return lhs === rhs;
}

/** Hex float digits from s[h] (after "0x"): mantissa, optional '.', optional p-exponent; exact rounding. */
function parseHexPrefix(s: string, h: number, neg: boolean, out: StrtodResult): void {
  let i = h;
  let mant = 0n;
  let exp = 0;
  let sawDot = false;
  for (;;) {
    const ch = s.charCodeAt(i);
    const v = hexVal(ch);
    if (v >= 0) {
      mant = (mant << 4n) | BigInt(v);
      if (sawDot) exp -= 4;
      i++;
    } else if (ch === 46 && !sawDot) {
      sawDot = true;
      i++;
    } else break;
  }
  if ((s.charCodeAt(i) | 32) === 112) {
    let j = i + 1;
    let eneg = false;
    const es = s.charCodeAt(j);
    if (es === 43 || es === 45) {
      eneg = es === 45;
      j++;
    }
    if (isDigit(s.charCodeAt(j))) {
      let e = 0;
      while (isDigit(s.charCodeAt(j))) {
        if (e < 1e8) e = e * 10 + (s.charCodeAt(j) - 48);
        j++;
      }
      exp += eneg ? -e : e;
      i = j;
    }
  }
  out.end = i;
  let v = bigTimesPow2(mant, exp);
  if (v === Infinity) out.erange = true;
  else if (v === 0 && mant !== 0n) out.erange = true;
  else if (v < MIN_NORMAL && hexRounded.inexact) out.erange = true; // inexact subnormal
  if (neg) v = -v;
  out.value = v;
}

/** Whether the last bigTimesPow2 had to round (bits were lost). */
const hexRounded = { inexact: false };

/** m * 2^e rounded to the nearest double (ties to even), with gradual underflow. */
function bigTimesPow2(m: bigint, e: number): number {
  hexRounded.inexact = false;
  if (m === 0n) return 0;
  const bits = m.toString(2).length;
  // keep at most 53 significant bits, and no bit below 2^-1074
  let shift = Math.max(bits - 53, -1074 - e);
  if (shift > 0) {
    const sh = BigInt(shift);
    const q = m >> sh;
    const rem = m - (q << sh);
    const half = 1n << (sh - 1n);
    m = rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
    hexRounded.inexact = rem !== 0n;
    e += shift;
  } else shift = 0;
  if (e + m.toString(2).length - 1 > 1023) return Infinity;
  let v = Number(m);
  // scale in steps so no intermediate power of two under- or overflows
  while (e > 0) {
    const k = Math.min(e, 1000);
    v *= 2 ** k;
    e -= k;
  }
  while (e < 0) {
    const k = Math.max(e, -1000);
    v *= 2 ** k;
    e -= k;
  }
  return v;
}

/**
 * Redis's string2d (getDoubleFromObject: ZADD scores, ZUNIONSTORE weights ...): the whole text must
 * be a number for strtod, without leading space, not NaN, and not overflowing or underflowing to
 * zero. Returns NaN when rejected.
 */
export function string2d(s: string): number {
  if (s.length === 0 || isCSpace(s.charCodeAt(0))) return NaN;
  const r = strtodPrefix(s, 0);
  if (r.end !== s.length) return NaN;
  const v = r.value;
  if (r.erange && (v === Infinity || v === -Infinity || v === 0)) return NaN;
  return v;
}

/**
 * printf("%.17g", d) as glibc prints it (Redis 7.0's addReplyDouble), with "inf"/"-inf"/"nan" for
 * the special values as Redis spells them. Digits are rounded from the exact binary value with
 * ties to even (JS's toExponential breaks exact ties upwards, so those are fixed here).
 */
export function formatDouble17g(d: number): string {
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d === 0) return 1 / d < 0 ? '-0' : '0';
  // Integers below 1e17 print in full in both (%.17g stays in fixed notation up to 17 digits).
  if (Number.isInteger(d) && d < 1e17 && d > -1e17) return String(d);
  const neg = d < 0;
  const a = neg ? -d : d;
  const e18 = a.toExponential(17); // 18 significant digits, to detect an exact tie at the 18th
  let mant: string;
  let exp: number;
  const ep = e18.indexOf('e');
  const d18 = e18.charCodeAt(ep - 1);
  if (d18 === 53 /* '5' */ && isExactDecimal(a, e18, ep)) {
    // exact halfway case: round the 17 digits half to even
    let digits = BigInt(e18.slice(0, 1) + e18.slice(2, ep - 1));
    exp = Number(e18.slice(ep + 1));
    if ((digits & 1n) === 1n) digits += 1n;
    let t = digits.toString();
    if (t.length > 17) {
      t = t.slice(0, 17);
      exp++;
    }
    mant = t;
  } else {
    const e17 = a.toExponential(16);
    const p = e17.indexOf('e');
    mant = e17.slice(0, 1) + e17.slice(2, p);
    exp = Number(e17.slice(p + 1));
  }
  // %g: fixed notation when -4 <= exp < 17, else exponential; trailing zeros removed.
  let out: string;
  if (exp >= -4 && exp < 17) {
    if (exp >= 0) {
      const intPart = mant.slice(0, exp + 1);
      const frac = mant.slice(exp + 1).replace(/0+$/, '');
      out = frac.length > 0 ? intPart + '.' + frac : intPart;
    } else {
      const frac = ('0'.repeat(-exp - 1) + mant).replace(/0+$/, '');
      out = '0.' + frac;
    }
  } else {
    const frac = mant.slice(1).replace(/0+$/, '');
    const ae = exp < 0 ? -exp : exp;
    out = mant.slice(0, 1) + (frac.length > 0 ? '.' + frac : '') + 'e' + (exp < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : String(ae));
  }
  return neg ? '-' + out : out;
}

/** True when the positive double a equals the decimal text e18 ("d.ddd...e±x", exponent at index ep) exactly. */
function isExactDecimal(a: number, e18: string, ep: number): boolean {
  const digits = BigInt(e18.slice(0, 1) + e18.slice(2, ep));
  const k = Number(e18.slice(ep + 1)) - (ep - 2); // value = digits * 10^k
  // a = m * 2^e2 with m an integer
  let m = a;
  let e2 = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e2--;
  }
  let lhs = BigInt(m);
  let rhs = digits;
  if (e2 < 0) rhs <<= BigInt(-e2);
  if (k > 0) rhs *= 10n ** BigInt(k);
  if (k < 0) lhs *= 10n ** BigInt(-k);
  return lhs === rhs;
}

/**
 * printf("%.<digits>f", x) as glibc prints it (GEODIST's "%.4f", the "%f" of GEO errors): the exact
 * binary value rounded half-to-even. JS's toFixed rounds the exact value too but breaks exact ties
 * upwards, and switches to exponent notation from 1e21, so both are fixed here.
 */
export function formatFixed(x: number, digits: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const neg = x < 0 || Object.is(x, -0);
  const a = neg ? -x : x;
  let s: string;
  if (a >= 1e21) {
    s = BigInt(a).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  } else {
    s = a.toFixed(digits);
    // An exact tie (a * 10^digits ends in .5) happens only when a * 2^(digits+1) is an odd integer;
    // toFixed then took the upper neighbour, glibc takes the even one.
    const t = a * 2 ** (digits + 1);
    if (Number.isInteger(t) && t % 2 === 1) {
      const last = s.charCodeAt(s.length - 1) - 48;
      if (last % 2 === 1) s = s.slice(0, -1) + String(last - 1);
    }
  }
  return neg ? '-' + s : s;
}
