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
