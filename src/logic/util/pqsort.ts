// Redis's pqsort (pqsort.c): Bentley & McIlroy's quicksort that only recurses into the parts that
// overlap the index range [lrange, rrange]. GEORADIUS/GEOSEARCH with COUNT sort this way, and the
// algorithm decides the order of equal distances (two points at the same distance from the centre),
// so it is reproduced step for step (pivot choice, the swaps; unlike the BSD original, Redis's has
// no switch to insertion sort after a pass without swaps).

type Cmp<T> = (a: T, b: T) => number;

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Swap the n elements from i with the n elements from j, pairwise in order. */
function vecswap<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function med3<T>(a: T[], i: number, j: number, k: number, cmp: Cmp<T>): number {
  return cmp(a[i], a[j]) < 0
    ? (cmp(a[j], a[k]) < 0 ? j : cmp(a[i], a[k]) < 0 ? k : i)
    : (cmp(a[j], a[k]) > 0 ? j : cmp(a[i], a[k]) < 0 ? i : k);
}

function insertionSort<T>(a: T[], base: number, n: number, cmp: Cmp<T>): void {
  for (let m = base + 1; m < base + n; m++) {
    for (let l = m; l > base && cmp(a[l - 1], a[l]) > 0; l--) swap(a, l, l - 1);
  }
}

/** Whether the part [s, e] overlaps the range (pqsort's address test, in element indices). */
function overlaps(s: number, e: number, lr: number, rr: number): boolean {
  return !((lr < s && rr < s) || (lr > e && rr > e));
}

function sortPart<T>(a: T[], base: number, n: number, cmp: Cmp<T>, lr: number, rr: number): void {
  for (;;) {
    if (n < 7) {
      insertionSort(a, base, n, cmp);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = med3(a, pm - d, pm, pm + d, cmp);
        pn = med3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = med3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb], a[base])) <= 0) {
        if (r === 0) {
          swap(a, pa, pb);
          pa++;
        }
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc], a[base])) >= 0) {
        if (r === 0) {
          swap(a, pc, pd);
          pd--;
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb, pc);
      pb++;
      pc--;
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    vecswap(a, base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(a, pb, pn - r, r);
    r = pb - pa;
    if (r > 1 && overlaps(base, base + r - 1, lr, rr)) sortPart(a, base, r, cmp, lr, rr);
    r = pd - pc;
    if (r > 1) {
      base = pn - r;
      n = r;
      if (overlaps(base, base + r - 1, lr, rr)) continue;
    }
    return;
  }
}

/** Sort a so that the elements at indices lrange..rrange are the ones (and in the order) Redis's pqsort leaves there. */
export function pqsort<T>(a: T[], cmp: Cmp<T>, lrange: number, rrange: number): void {
  sortPart(a, 0, a.length, cmp, lrange, rrange);
}
