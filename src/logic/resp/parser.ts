// RESP request parser (hand-written: it must accept and reject exactly what Redis 7.0's
// processMultibulkBuffer / processInlineBuffer do, with the same error texts).
// It keeps no state of its own: a partial command stays as bytes in client.inbuf (DESIGN rule 5).

import { sliceString } from './slice';

/** Redis's PROTO_INLINE_MAX_SIZE: longest inline request / count line without a newline. */
export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
const INT_MAX = 2147483647;

export interface ParseResult {
  /** parsed arguments of one command (latin1 strings); empty array for an empty command */
  argv: string[] | null;
  /** offset just past the parsed command */
  next: number;
  /** protocol error text (without "ERR "), when the input cannot be a valid request */
  error: string;
  /** when argv is null and no error: total bytes from `pos` needed, if known (0 = unknown) */
  need: number;
}

const result: ParseResult = { argv: null, next: 0, error: '', need: 0 };

function incomplete(need: number): ParseResult {
  result.argv = null;
  result.error = '';
  result.need = need;
  return result;
}

function fail(error: string): ParseResult {
  result.argv = null;
  result.error = error;
  result.need = 0;
  return result;
}

function done(argv: string[], next: number): ParseResult {
  result.argv = argv;
  result.next = next;
  result.error = '';
  result.need = 0;
  return result;
}

/**
 * Redis's string2ll over buf[start, end): optional '-', no '+', no leading zeros, no spaces,
 * must fit a signed 64-bit integer. Returns NaN when rejected (numbers here stay far below 2^53
 * where it matters; larger values are rejected by the callers' own range checks).
 */
export function parseLongLong(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len > 20) return NaN;
  let p = start;
  let neg = false;
  if (len === 1 && buf[p] === 48) return 0;
  if (buf[p] === 45) {
    neg = true;
    p++;
    if (p === end) return NaN;
  }
  if (buf[p] < 49 || buf[p] > 57) return NaN;
  let v = 0;
  for (; p < end; p++) {
    const d = buf[p] - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  if (v > 9223372036854775807) return NaN;
  return neg ? -v : v;
}

/**
 * Parse one command starting at `pos`. `maxBulk` is proto-max-bulk-len; `unauthenticated` applies Redis's
 * tighter limits to clients that still have to AUTH (at most 10 arguments of at most 16 KB).
 */
export function parseCommand(buf: Buffer, pos: number, maxBulk: number, unauthenticated = false): ParseResult {
  return buf[pos] === 42 ? parseMultibulk(buf, pos, maxBulk, unauthenticated) : parseInline(buf, pos);
}

/** Where the line numberFast just read ends (its '\r'). */
let lineEnd = 0;

/**
 * The usual count or length line - the type byte at `p`, then digits without sign or leading zero, then
 * "\r" with the "\n" also received - read in one pass. Returns -1 for anything else (a sign, a leading zero,
 * more than 15 digits, junk, an incomplete line): the general path then judges it exactly as Redis does.
 */
function numberFast(buf: Buffer, p: number, len: number): number {
  let q = p + 1;
  if (q >= len) return -1;
  let b = buf[q];
  if (b < 48 || b > 57) return -1;
  let v = b - 48;
  q++;
  if (v !== 0) {
    while (q < len && (b = buf[q]) >= 48 && b <= 57) {
      v = v * 10 + (b - 48);
      q++;
    }
  }
  if (q + 1 >= len || buf[q] !== 13 || q - p > 16) return -1;
  lineEnd = q;
  return v;
}

/**
 * Command names seen lately, so a client repeating "SET" gets the same string back instead of a new one
 * per command, and the command lookup hashes a string whose hash V8 has already cached. Direct-mapped on
 * length and first/last byte; a disposable module cache (DESIGN rule 2).
 */
const nameCache: string[] = new Array<string>(256).fill('');

function commandName(buf: Buffer, p: number, n: number): string {
  if (n === 0 || n > 32) return sliceString(buf, p, n);
  const slot = (n * 31 + buf[p] * 7 + buf[p + n - 1]) & 255;
  const s = nameCache[slot];
  if (s.length === n) {
    let i = 0;
    while (i < n && s.charCodeAt(i) === buf[p + i]) i++;
    if (i === n) return s;
  }
  return (nameCache[slot] = sliceString(buf, p, n));
}

function parseMultibulk(buf: Buffer, pos: number, maxBulk: number, unauthenticated: boolean): ParseResult {
  const len = buf.length;
  let count = numberFast(buf, pos, len);
  let p: number;
  if (count >= 0) {
    p = lineEnd + 2;
  } else {
    const cr = buf.indexOf(13, pos);
    if (cr < 0) {
      if (len - pos > PROTO_INLINE_MAX_SIZE) return fail('Protocol error: too big mbulk count string');
      return incomplete(0);
    }
    if (cr + 1 >= len) return incomplete(0); // the buffer must also hold the '\n'
    count = parseLongLong(buf, pos + 1, cr);
    if (Number.isNaN(count)) return fail('Protocol error: invalid multibulk length');
    p = cr + 2;
  }
  if (count > INT_MAX) return fail('Protocol error: invalid multibulk length');
  if (count > 10 && unauthenticated) return fail('Protocol error: unauthenticated multibulk length');
  if (count <= 0) return done([], p);
  const argv: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    if (p >= len) return incomplete(0);
    let blen = buf[p] === 36 ? numberFast(buf, p, len) : -1;
    if (blen >= 0) {
      p = lineEnd + 2;
    } else {
      const cr = buf.indexOf(13, p);
      if (cr < 0) {
        if (len - p > PROTO_INLINE_MAX_SIZE) return fail('Protocol error: too big bulk count string');
        return incomplete(0);
      }
      if (cr + 1 >= len) return incomplete(0);
      if (buf[p] !== 36) return fail(`Protocol error: expected '$', got '${String.fromCharCode(buf[p])}'`);
      blen = parseLongLong(buf, p + 1, cr);
      if (Number.isNaN(blen) || blen < 0) return fail('Protocol error: invalid bulk length');
      p = cr + 2;
    }
    if (blen > maxBulk) return fail('Protocol error: invalid bulk length');
    if (blen > 16384 && unauthenticated) return fail('Protocol error: unauthenticated bulk length');
    if (p + blen + 2 > len) return incomplete(p + blen + 2 - pos);
    argv[i] = i === 0 ? commandName(buf, p, blen) : sliceString(buf, p, blen);
    p += blen + 2;
  }
  return done(argv, p);
}

function parseInline(buf: Buffer, pos: number): ParseResult {
  const nl = buf.indexOf(10, pos);
  if (nl < 0) {
    if (buf.length - pos > PROTO_INLINE_MAX_SIZE) return fail('Protocol error: too big inline request');
    return incomplete(0);
  }
  let end = nl;
  if (end !== pos && buf[end - 1] === 13) end--;
  const argv = splitArgs(buf.latin1Slice(pos, end));
  if (argv === null) return fail('Protocol error: unbalanced quotes in request');
  return done(argv, nl + 1);
}

function isHex(ch: number): boolean {
  return (ch >= 48 && ch <= 57) || (ch >= 97 && ch <= 102) || (ch >= 65 && ch <= 70);
}

/**
 * Redis's sdssplitargs: whitespace-separated tokens, "double quotes" with \n \r \t \b \a \xHH
 * escapes, 'single quotes' with \' only; a closing quote must be followed by a space or the end.
 * A NUL byte ends the line (C string semantics). Returns null on unbalanced quotes.
 */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  const n = line.length;
  let p = 0;
  const at = (i: number) => (i < n ? line.charCodeAt(i) : 0);
  const isSpace = (ch: number) => ch === 32 || (ch >= 9 && ch <= 13);
  for (;;) {
    while (p < n && isSpace(at(p))) p++;
    if (at(p) === 0) return out;
    let inq = false;
    let insq = false;
    let cur = '';
    for (let finished = false; !finished;) {
      const ch = at(p);
      if (inq) {
        if (ch === 92 && at(p + 1) === 120 && isHex(at(p + 2)) && isHex(at(p + 3))) {
          cur += String.fromCharCode(parseInt(line.substr(p + 2, 2), 16));
          p += 3;
        } else if (ch === 92 && at(p + 1) !== 0) {
          p++;
          const e = at(p);
          cur += e === 110 ? '\n' : e === 114 ? '\r' : e === 116 ? '\t' : e === 98 ? '\b' : e === 97 ? '\x07' : String.fromCharCode(e);
        } else if (ch === 34) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          finished = true;
        } else if (ch === 0) {
          return null;
        } else {
          cur += String.fromCharCode(ch);
        }
      } else if (insq) {
        if (ch === 92 && at(p + 1) === 39) {
          p++;
          cur += "'";
        } else if (ch === 39) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          finished = true;
        } else if (ch === 0) {
          return null;
        } else {
          cur += String.fromCharCode(ch);
        }
      } else if (ch === 32 || ch === 10 || ch === 13 || ch === 9 || ch === 0) {
        finished = true;
      } else if (ch === 34) {
        inq = true;
      } else if (ch === 39) {
        insq = true;
      } else {
        cur += String.fromCharCode(ch);
      }
      if (at(p) !== 0) p++;
    }
    out.push(cur);
  }
}
