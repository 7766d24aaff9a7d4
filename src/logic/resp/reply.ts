// RESP2/RESP3 reply writer (hand-written: it must match Redis's bytes exactly).
// Replies accumulate as latin1 text in client.out and are written once per event.

import { pendingFlush, state, type Client } from '../runtime';

function emit(c: Client, s: string): void {
  if (c.skipThis || c.replyMode === 'off') return;
  if (c.out.length === 0) pendingFlush.push(c);
  c.out += s;
}

/** Emit regardless of CLIENT REPLY OFF (used by pub/sub pushes and protocol errors, as Redis does). */
export function emitAlways(c: Client, s: string): void {
  if (c.out.length === 0) pendingFlush.push(c);
  c.out += s;
}

export const OK = '+OK\r\n';

/** Redis's shared syntax error (shared.syntaxerr), used by every family. */
export const ERR_SYNTAX = 'ERR syntax error';

export function addRaw(c: Client, proto: string): void {
  emit(c, proto);
}

export function addOk(c: Client): void {
  emit(c, OK);
}

export function addStatus(c: Client, s: string): void {
  emit(c, '+' + s + '\r\n');
}

/** Error replies: `text` carries its code ("ERR ...", "WRONGTYPE ..."). Newlines become spaces, as in Redis. */
export function addError(c: Client, text: string): void {
  countError(text);
  emit(c, errorProto(text));
}

export function errorProto(text: string): string {
  if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) text = text.replace(/[\r\n]/g, ' ');
  return '-' + text + '\r\n';
}

export function countError(text: string): void {
  const st = state.stats;
  st.totalErrorReplies++;
  const sp = text.indexOf(' ');
  const code = sp < 0 ? text : text.slice(0, sp);
  st.errorCounts.set(code, (st.errorCounts.get(code) ?? 0) + 1);
}

export function bulkProto(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

export function addBulk(c: Client, s: string): void {
  emit(c, '$' + s.length + '\r\n' + s + '\r\n');
}

export function addBulkOrNull(c: Client, s: string | null | undefined): void {
  if (s === null || s === undefined) addNull(c);
  else emit(c, '$' + s.length + '\r\n' + s + '\r\n');
}

export function addInt(c: Client, n: number | bigint): void {
  emit(c, ':' + n + '\r\n');
}

export function addNull(c: Client): void {
  emit(c, c.resp === 3 ? '_\r\n' : '$-1\r\n');
}

export function addNullArray(c: Client): void {
  emit(c, c.resp === 3 ? '_\r\n' : '*-1\r\n');
}

export function addArrayLen(c: Client, n: number): void {
  emit(c, '*' + n + '\r\n');
}

export function addMapLen(c: Client, n: number): void {
  emit(c, c.resp === 3 ? '%' + n + '\r\n' : '*' + n * 2 + '\r\n');
}

export function addSetLen(c: Client, n: number): void {
  emit(c, c.resp === 3 ? '~' + n + '\r\n' : '*' + n + '\r\n');
}

export function addPushLen(c: Client, n: number): void {
  emit(c, c.resp === 3 ? '>' + n + '\r\n' : '*' + n + '\r\n');
}

export function addBool(c: Client, b: boolean): void {
  emit(c, c.resp === 3 ? (b ? '#t\r\n' : '#f\r\n') : b ? ':1\r\n' : ':0\r\n');
}

/** RESP3 double / RESP2 bulk; `text` is the already formatted number (formats differ per command). */
export function addDoubleText(c: Client, text: string): void {
  if (c.resp === 3) emit(c, ',' + text + '\r\n');
  else emit(c, '$' + text.length + '\r\n' + text + '\r\n');
}

/** RESP3 verbatim string (INFO, CLIENT LIST ...) or a plain bulk in RESP2. */
export function addVerbatim(c: Client, s: string, format = 'txt'): void {
  if (c.resp === 3) emit(c, '=' + (s.length + 4) + '\r\n' + format + ':' + s + '\r\n');
  else emit(c, '$' + s.length + '\r\n' + s + '\r\n');
}

export function addBulkArray(c: Client, items: readonly string[]): void {
  if (items.length >= ENCODE_MIN_ITEMS) {
    const s = encodeBulkArray(items, null);
    if (s !== null) {
      emit(c, s);
      return;
    }
  }
  let s = '*' + items.length + '\r\n';
  for (let i = 0; i < items.length; i++) s += '$' + items[i].length + '\r\n' + items[i] + '\r\n';
  emit(c, s);
}

/** Array of bulk strings where null entries are nil bulks (MGET, HMGET ...). */
export function addBulkArrayOrNull(c: Client, items: readonly (string | null)[]): void {
  const nil = c.resp === 3 ? '_\r\n' : '$-1\r\n';
  if (items.length >= ENCODE_MIN_ITEMS) {
    const s = encodeBulkArray(items, nil);
    if (s !== null) {
      emit(c, s);
      return;
    }
  }
  let s = '*' + items.length + '\r\n';
  for (let i = 0; i < items.length; i++) {
    const v = items[i];
    s += v === null ? nil : '$' + v.length + '\r\n' + v + '\r\n';
  }
  emit(c, s);
}

// Arrays of many bulks (LRANGE, MGET, KEYS ...) are encoded byte by byte into a scratch Buffer and read back
// as one flat string: concatenating four pieces per element builds a rope of thousands of nodes that the
// socket write then has to flatten (LRANGE 0 599 of short items: ~20 us that way, ~6 us this way). Small
// arrays stay with concatenation (reading the string back is a C++ call), and so do replies larger than
// the scratch space, which their bulk bytes dominate anyway. The Buffer is a disposable module cache.
const ENCODE_MIN_ITEMS = 8;
const ENCODE_MAX_BYTES = 256 * 1024;
// A const binding lets the optimizer treat the Buffer as a constant (a lazily made one measured 15% slower on
// LRANGE 0 599); allocUnsafe leaves its pages untouched, so a bundle that never encodes an array costs no RSS.
const scratch = Buffer.allocUnsafe(ENCODE_MAX_BYTES);

/** Write the decimal digits of a non-negative integer at p; returns the new position. */
function putUint(b: Buffer, p: number, n: number): number {
  if (n < 10) {
    b[p] = 48 + n;
    return p + 1;
  }
  if (n < 100) {
    b[p] = 48 + ((n / 10) | 0);
    b[p + 1] = 48 + (n % 10);
    return p + 2;
  }
  const digits = String(n);
  for (let i = 0; i < digits.length; i++) b[p + i] = digits.charCodeAt(i);
  return p + digits.length;
}

/** RESP array of bulks (null entries written as `nil`), or null when it would not fit the scratch space. */
function encodeBulkArray(items: readonly (string | null)[], nil: string | null): string | null {
  const n = items.length;
  let size = 16;
  for (let i = 0; i < n; i++) {
    const v = items[i];
    size += v === null ? 5 : v.length + 16;
  }
  if (size > ENCODE_MAX_BYTES) return null;
  const b = scratch;
  b[0] = 42; // '*'
  let p = putUint(b, 1, n);
  b[p++] = 13;
  b[p++] = 10;
  for (let i = 0; i < n; i++) {
    const v = items[i];
    if (v === null) {
      const t = nil!;
      for (let j = 0; j < t.length; j++) b[p++] = t.charCodeAt(j);
      continue;
    }
    const len = v.length;
    b[p++] = 36; // '$'
    p = putUint(b, p, len);
    b[p++] = 13;
    b[p++] = 10;
    if (len <= 32) for (let j = 0; j < len; j++) b[p++] = v.charCodeAt(j);
    else p += b.write(v, p, len, 'latin1');
    b[p++] = 13;
    b[p++] = 10;
  }
  return b.latin1Slice(0, p);
}

/** Redis's addReplySubcommandSyntaxError: argv[1] (at most 128 chars) and the command, upper case. */
export function addSubcommandSyntaxError(c: Client, argv: readonly string[]): void {
  addError(c, `ERR unknown subcommand or wrong number of arguments for '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
}

/** `help` replies: an array of status lines, as addReplyHelp builds them. */
export function addHelp(c: Client, command: string, lines: readonly string[]): void {
  const all = [`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, ...lines,
    'HELP', '    Prints this help.'];
  let s = '*' + all.length + '\r\n';
  for (const l of all) s += '+' + l + '\r\n';
  emit(c, s);
}

/** Writes a tagged JSON tree (see scripts/gen-command-meta.mjs) in the client's protocol. */
export type Tree = string | number | null | { s: string } | { m: Tree[] } | { set: Tree[] } | Tree[];
export function treeProto(c: Client, t: Tree): string {
  if (t === null) return c.resp === 3 ? '_\r\n' : '*-1\r\n';
  if (typeof t === 'string') return '$' + Buffer.byteLength(t, 'latin1') + '\r\n' + t + '\r\n';
  if (typeof t === 'number') return ':' + t + '\r\n';
  if (Array.isArray(t)) {
    let s = '*' + t.length + '\r\n';
    for (const x of t) s += treeProto(c, x);
    return s;
  }
  if ('s' in t) return '+' + t.s + '\r\n';
  if ('m' in t) {
    let s = c.resp === 3 ? '%' + t.m.length / 2 + '\r\n' : '*' + t.m.length + '\r\n';
    for (const x of t.m) s += treeProto(c, x);
    return s;
  }
  let s = c.resp === 3 ? '~' + t.set.length + '\r\n' : '*' + t.set.length + '\r\n';
  for (const x of t.set) s += treeProto(c, x);
  return s;
}
export function addTree(c: Client, t: Tree): void {
  emit(c, treeProto(c, t));
}

/** A map reply of name -> integer or bulk fields (RESP3 map, RESP2 flat array), in the given order. */
export function addFieldMap(c: Client, fields: readonly (readonly [string, string | number])[]): void {
  addMapLen(c, fields.length);
  for (const [k, v] of fields) {
    addBulk(c, k);
    if (typeof v === 'number') addInt(c, v);
    else addBulk(c, v);
  }
}
