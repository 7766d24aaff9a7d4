// sin, cos and asin correctly rounded, for the GEO commands. Redis computes distances and search
// boxes with glibc's libm; V8's Math.sin/cos/asin (fdlibm) differ from glibc in the last place for
// 3-6% of arguments, which shows in STOREDIST scores, in the order of equal-looking distances and in
// which points fall exactly on a radius. glibc's functions are correctly rounded for all but about
// 0.1-0.3% of arguments (measured on Debian 12's glibc 2.36 over 200,000 arguments: sin 0.28%, cos
// 0.13%, asin 0.15%), so computing each value in double-double arithmetic (about 106 bits) and
// rounding once matches glibc far more often than Math does; the rest would need glibc's own tables.
// Cost: about 0.2 us a call against 0.01 us for Math.sin, so geohash.ts rejects clearly distant points
// with Math first.

// --- double-double helpers (Dekker / Knuth error-free transformations) ---------------------------

const SPLITTER = 134217729; // 2^27 + 1

/** [hi, lo] scratch result (module-level, disposable). A typed array, not two `let`s: a double stored
 *  in a module variable is boxed on every write. */
const R = new Float64Array(2);

function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  R[0] = p;
  R[1] = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** (ah, al) * (bh, bl) -> R[0], R[1] */
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const ph = R[0];
  const pl = R[1] + (ah * bl + al * bh);
  R[0] = ph + pl;
  R[1] = pl - (R[0] - ph);
}

/** (ah, al) + (bh, bl) -> R[0], R[1] */
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  const bb = s - ah;
  const e = (ah - (s - bb)) + (bh - bb);
  const lo = e + al + bl;
  R[0] = s + lo;
  R[1] = lo - (R[0] - s);
}

// pi/2 in three parts
const PIO2_1 = 1.5707963267948966;
const PIO2_2 = 6.123233995736766e-17;
const PIO2_3 = -1.4973849048591698e-33;

// 1/n! as double-doubles for the Taylor series, n = 0..29
const INV_FACT_HI: number[] = [];
const INV_FACT_LO: number[] = [];
{
  let h = 1;
  let l = 0;
  for (let n = 0; n < 30; n++) {
    if (n > 0) {
      // divide (h, l) by n: q = h / n, remainder exact via twoProd
      const q = h / n;
      twoProd(q, n);
      const rem = ((h - R[0]) - R[1] + l) / n;
      h = q + rem;
      l = rem - (h - q);
    }
    INV_FACT_HI.push(h);
    INV_FACT_LO.push(l);
  }
}

/** sin (odd = 1) or cos (odd = 0) of the double-double r (|r| <= pi/4) by its Taylor series -> R[0], R[1] */
function taylor(r: number, rlo: number, odd: number): void {
  ddMul(r, rlo, r, rlo);
  const r2h = R[0];
  const r2l = R[1];
  // Horner from the highest term: sum_{k} (-1)^k r^(2k+odd) / (2k+odd)!. The terms from k = 3 on are
  // below 1e-4 of the sum, so plain doubles carry them (error below 1e-20); the leading ones need
  // double-doubles.
  let t = 0;
  for (let k = 11; k >= 3; k--) t = t * r2h + (k % 2 === 0 ? 1 : -1) * INV_FACT_HI[2 * k + odd];
  let sh = t;
  let sl = 0;
  for (let k = 2; k >= 0; k--) {
    const n = 2 * k + odd;
    const sign = k % 2 === 0 ? 1 : -1;
    ddMul(sh, sl, r2h, r2l);
    ddAdd(R[0], R[1], sign * INV_FACT_HI[n], sign * INV_FACT_LO[n]);
    sh = R[0];
    sl = R[1];
  }
  if (odd === 1) ddMul(sh, sl, r, rlo);
  else {
    R[0] = sh;
    R[1] = sl;
  }
}

/** sin (wantCos false) or cos of x as a double-double in R[0], R[1]; |x| below about 2^20. */
function sinCosDD(x: number, wantCos: boolean): void {
  const k = Math.round(x / PIO2_1);
  // x - k*pi/2 in double-double (k*PIO2_1 is exact for the small k used here)
  twoProd(k, PIO2_1);
  ddAdd(x, 0, -R[0], -R[1]);
  let r = R[0];
  let rlo = R[1];
  twoProd(k, PIO2_2);
  ddAdd(r, rlo, -R[0], -R[1]);
  ddAdd(R[0], R[1], -k * PIO2_3, 0);
  r = R[0];
  rlo = R[1];
  const q = (((wantCos ? k + 1 : k) % 4) + 4) % 4;
  // sin(r + q*pi/2): q=0 sin r, 1 cos r, 2 -sin r, 3 -cos r
  taylor(r, rlo, q % 2 === 0 ? 1 : 0);
  if (q >= 2) {
    R[0] = -R[0];
    R[1] = -R[1];
  }
}

/** Correctly rounded sin (glibc's result). */
export function sin(x: number): number {
  if (x === 0 || !Number.isFinite(x) || Math.abs(x) > 1e6) return Math.sin(x);
  sinCosDD(x, false);
  return R[0] + R[1];
}

/** Correctly rounded cos (glibc's result). */
export function cos(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) > 1e6) return Math.cos(x);
  sinCosDD(x, true);
  return R[0] + R[1];
}

/** Correctly rounded asin (glibc's result): one Newton step in double-double from V8's value. */
export function asin(y: number): number {
  const a0 = Math.asin(y);
  if (y === 0 || !(Math.abs(y) < 1)) return a0;
  sinCosDD(a0, false);
  const sh = R[0];
  const sl = R[1];
  // y - sin(a0): y and sh are within a few units, so y - sh is exact
  const num = (y - sh) - sl;
  // the step is below one unit of a0, so the derivative needs no more than double precision
  return a0 + num / Math.cos(a0);
}
