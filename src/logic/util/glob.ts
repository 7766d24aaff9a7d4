// Glob-style matching with the exact semantics of Redis 7.0's stringmatchlen() (util.c), used by
// KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET and friends. Hand-written on purpose: the result must be
// identical to Redis's matcher byte for byte, quirks included:
//
// - `*`, `?`, `[abc]`, `[^abc]`, `[a-z]` (reversed ranges like `[z-a]` are swapped), `\x` escapes
//   (also inside classes); a trailing lone `\` matches a literal backslash; an unterminated `[`
//   class ends at the end of the pattern.
// - Bytes are C `char`s, which are signed on the platforms Redis ships for: range bounds and the
//   tested byte are compared as signed values, so `[a-\xff]` means -1..97 (it matches `\xff` and
//   ASCII up to 'a', but not `\x80`..`\xfe`). Equality tests are unaffected by the sign.
// - An empty string matches only an empty pattern (the main loop never runs), so `**` does not
//   match "" (callers special-case the pattern "*" as Redis does).
// - `nocase` folds ASCII letters only (tolower() in the C locale).
//
// Complexity: Redis 7.0.9+ (fix for CVE-2022-36021) stops the search as soon as the part of the
// pattern after a `*` failed to match at every later position of the string (`skipLongerMatches`):
// letting an earlier `*` swallow more characters can only start that same remainder later. The
// consequence is that only the innermost `*` ever backtracks, so the recursion of the C code is
// equivalent to the iterative loop below with one remembered backtrack point (the last `*`), which
// gives the same answers in O(pattern * string) time without deep recursion on patterns with
// thousands of stars.

/** C tolower() in the "C" locale on a signed char value. */
function lower(ch: number): number {
  return ch >= 65 && ch <= 90 ? ch + 32 : ch;
}

/** The pattern byte at i, or 0 past the end (the NUL that terminates an sds string). */
function at(p: string, i: number): number {
  return i < p.length ? p.charCodeAt(i) : 0;
}

/** Byte as a signed C char. */
function signed(ch: number): number {
  return ch >= 128 ? ch - 256 : ch;
}

const STAR = 42; // *
const QMARK = 63; // ?
const LBRACKET = 91; // [
const RBRACKET = 93; // ]
const BACKSLASH = 92; // \
const CARET = 94; // ^
const DASH = 45; // -

/**
 * Redis's stringmatchlen(pattern, string, nocase) on latin1 strings (one char per byte).
 * Returns true when `s` matches the glob `p`.
 */
export function stringMatch(p: string, s: string, nocase = false): boolean {
  const plen = p.length;
  const slen = s.length;

  let pi = 0;
  let si = 0;
  // The active backtrack point: pattern index of the last '*' seen and the string index where the
  // rest of the pattern was last tried. -1 when no '*' has been seen yet.
  let starP = -1;
  let starS = -1;

  for (;;) {
    // One run of Redis's main loop from (pi, si); `failed` means this attempt returned 0.
    let failed = false;
    let newStar = false;
    while (pi < plen && si < slen) {
      const pc = at(p, pi);
      if (pc === STAR) {
        while (pi + 1 < plen && at(p, pi + 1) === STAR) pi++;
        if (pi === plen - 1) return true; // a trailing '*' matches whatever is left
        // Enter the '*' loop: try the rest of the pattern at si, si+1, ... (non-empty suffixes).
        starP = pi;
        starS = si;
        pi++;
        newStar = true;
        break;
      } else if (pc === QMARK) {
        si++;
      } else if (pc === LBRACKET) {
        pi++;
        const not = at(p, pi) === CARET;
        if (not) pi++;
        let match = false;
        const sc = s.charCodeAt(si);
        for (;;) {
          const c0 = at(p, pi);
          if (c0 === BACKSLASH && plen - pi >= 2) {
            pi++;
            if (at(p, pi) === sc) match = true;
          } else if (c0 === RBRACKET) {
            break;
          } else if (pi >= plen) {
            pi--; // unterminated class: stop at the last pattern byte
            break;
          } else if (plen - pi >= 3 && at(p, pi + 1) === DASH) {
            let start = signed(c0);
            let end = signed(at(p, pi + 2));
            let c = signed(sc);
            if (start > end) {
              const t = start;
              start = end;
              end = t;
            }
            if (nocase) {
              start = lower(start);
              end = lower(end);
              c = lower(c);
            }
            pi += 2;
            if (c >= start && c <= end) match = true;
          } else if (!nocase) {
            if (c0 === sc) match = true;
          } else if (lower(c0) === lower(sc)) {
            match = true;
          }
          pi++;
        }
        if (not) match = !match;
        if (!match) {
          failed = true;
          break;
        }
        si++;
      } else {
        if (pc === BACKSLASH && plen - pi >= 2) pi++;
        const lit = at(p, pi);
        const sc = s.charCodeAt(si);
        if (nocase ? lower(lit) !== lower(sc) : lit !== sc) {
          failed = true;
          break;
        }
        si++;
      }
      pi++;
      if (si === slen) {
        while (pi < plen && at(p, pi) === STAR) pi++;
        break;
      }
    }
    if (newStar) continue;
    if (!failed && pi >= plen && si === slen) return true;
    // This attempt failed. Without a '*' to fall back on, the whole match fails; otherwise the
    // innermost '*' swallows one more byte, and once it has tried every non-empty suffix the
    // whole match fails (skipLongerMatches: outer stars are not retried).
    if (starP < 0) return false;
    starS++;
    if (starS >= slen) return false;
    pi = starP + 1;
    si = starS;
  }
}
