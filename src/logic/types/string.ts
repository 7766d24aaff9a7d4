// The string type. A string value is stored in db.dict either as a bare latin1 JS string, or as a
// record { type: 'string', raw } when Redis would keep it in an encoding the text alone does not
// tell (see stringEncoding). Values are immutable: a command that changes a string stores a new
// value, so a value may be shared between keys (COPY) without copying.
//
// Redis's encodings, as OBJECT ENCODING reports them:
// - bare string: what tryObjectEncoding makes of an argument (SET, MSET, GETSET, APPEND to a new
//   key ...): 'int' for a canonical int64 text of at most 20 chars, 'embstr' up to 44 bytes, else 'raw'.
// - { type: 'string', raw }: 'raw' whatever the length (APPEND to an existing key, SETRANGE).
// - { type: 'string', raw, enc: 'embstr' }: 'embstr' although the text looks like an int (INCRBYFLOAT
//   builds its result with createStringObject, which never makes an int).
// - { type: 'string', raw, enc: 'int' }: 'int', an object of its own where Redis would otherwise share one of
//   its integers 0..9999 (COPY's dupStringObject): OBJECT REFCOUNT 1, not INT_MAX.
//
// State schema 4 (a bundle built with `scripts/build.mjs --state-schema 4`, the fixture of the lazy
// migration tests) stores every string value as a BufferStringRecord { type: 'string', buf, enc }
// instead. Every path that reads or writes a string value goes through the helpers below, so both
// representations work; the switch is a build-time literal (__HOTKV_STRING_BUFFERS__ and
// __HOTKV_READS_STRING_BUFFERS__, false in the production bundle), so the production bundle carries no
// branch for it: esbuild writes `false` in place of the name and V8 emits no code for `if (false)`.
// The conversion 3 -> 4 is a lazy migration (migration.ts): on first touch and by a background sweep.

import type { StoredValue } from '../../abi';

export interface StringRecord {
  type: 'string';
  raw: string;
  /** set only for a short int-like text Redis keeps as embstr, or for an int-encoded object Redis does not share */
  enc?: 'embstr' | 'int';
}

/** Schema 2's string value: the bytes in a Buffer. `enc` '' means OBJECT ENCODING follows from the
 *  text (what a bare string is in schemas 1 and 2), else it is the encoding Redis would report whatever the text. */
export interface BufferStringRecord {
  type: 'string';
  buf: Buffer;
  enc: '' | 'raw' | 'embstr';
}

/** Largest length Redis stores as an embedded string (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
export const EMBSTR_LIMIT = 44;

function bufferString(s: string, enc: BufferStringRecord['enc']): BufferStringRecord {
  return { type: 'string', buf: Buffer.from(s, 'latin1'), enc };
}

function isBufferString(v: { type: string }): v is BufferStringRecord {
  return (v as BufferStringRecord).buf !== undefined;
}

/**
 * Schema 2's form of a string a command stores as given (SET, MSET, INCR's result ...). Schema 1 stores
 * the text itself, so call sites write `__HOTKV_STRING_BUFFERS__ ? storedString(s) : s`: no call at all
 * in the production bundle.
 */
export function storedString(s: string): StoredValue {
  return bufferString(s, '');
}

export function isStringValue(v: StoredValue | undefined): boolean {
  return typeof v === 'string' || (v !== undefined && v.type === 'string');
}

/** The text of a string value (any form); null when v is not a string. */
export function readString(v: StoredValue): string | null {
  if (typeof v === 'string') return v;
  if (v.type !== 'string') return null;
  if (__HOTKV_READS_STRING_BUFFERS__ && isBufferString(v)) return v.buf.latin1Slice(0, v.buf.length);
  return (v as StringRecord).raw;
}

/** True when s is the canonical text of a signed 64-bit integer (Redis's string2l succeeds). */
export function isCanonicalInt64(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 20) return false;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return false;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1;
  if (first < 49 || first > 57) return false;
  for (let j = i + 1; j < n; j++) {
    const ch = s.charCodeAt(j);
    if (ch < 48 || ch > 57) return false;
  }
  if (n - i < 19) return true;
  const v = BigInt(s);
  return v <= 9223372036854775807n && v >= -9223372036854775808n;
}

/** OBJECT ENCODING of a string value. */
export function stringEncoding(v: StoredValue): 'int' | 'embstr' | 'raw' {
  if (typeof v !== 'string') {
    if (__HOTKV_READS_STRING_BUFFERS__ && isBufferString(v)) return v.enc === '' ? textEncoding(readString(v)!) : v.enc;
    return (v as StringRecord).enc ?? 'raw';
  }
  return textEncoding(v);
}

/**
 * COPY's copy of a value: Redis's dupStringObject gives an int-encoded string an object of its own, so OBJECT
 * REFCOUNT says 1 where the original is one of the shared integers. Other values are returned as they are
 * (values are immutable). The schema-4 test fixture keeps its Buffer form and does not model this.
 */
export function unsharedString(v: StoredValue): StoredValue {
  if (__HOTKV_STRING_BUFFERS__ || typeof v !== 'string' || textEncoding(v) !== 'int') return v;
  const r: StringRecord = { type: 'string', raw: v, enc: 'int' };
  return r;
}

/** True for an int-encoded string that holds an object of its own (unsharedString). */
export function isUnsharedInt(v: StoredValue): boolean {
  return typeof v !== 'string' && v.type === 'string' && (v as StringRecord).enc === 'int';
}

/** The encoding tryObjectEncoding gives a text: int, embstr or raw. */
function textEncoding(s: string): 'int' | 'embstr' | 'raw' {
  if (s.length <= 20 && isCanonicalInt64(s)) return 'int';
  return s.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

/** A value Redis holds with the raw encoding whatever its length (APPEND, SETRANGE results). */
export function rawString(s: string): StoredValue {
  if (__HOTKV_STRING_BUFFERS__) return bufferString(s, 'raw');
  if (s.length > EMBSTR_LIMIT) return s;
  const r: StringRecord = { type: 'string', raw: s };
  return r;
}

/** A value built by createStringObject (never int-encoded): embstr up to 44 bytes, else raw. */
export function createdString(s: string): StoredValue {
  const intLike = s.length <= 20 && isCanonicalInt64(s);
  if (__HOTKV_STRING_BUFFERS__) return bufferString(s, intLike ? 'embstr' : '');
  if (!intLike) return s;
  const r: StringRecord = { type: 'string', raw: s, enc: 'embstr' };
  return r;
}

/**
 * Lazy migration 3 -> 4 (migration.ts): the schema-4 form of a schema-3 string value, keeping its text and
 * its OBJECT ENCODING; null when v needs nothing (already converted, or not a string).
 */
export function toBufferString(v: StoredValue): StoredValue | null {
  if (typeof v === 'string') return bufferString(v, '');
  if (v.type !== 'string' || isBufferString(v)) return null;
  const r = v as StringRecord;
  return bufferString(r.raw, r.enc === undefined ? 'raw' : r.enc === 'int' ? '' : r.enc);
}

/** Schema-2 string values of every form (the production form), for the migration's self-test. */
export function plainStringSamples(): StoredValue[] {
  const raw: StringRecord = { type: 'string', raw: 'ab' };
  const embstr: StringRecord = { type: 'string', raw: '12', enc: 'embstr' };
  const ownInt: StringRecord = { type: 'string', raw: '7', enc: 'int' };
  return ['', 'v', '12345', '-0', 'a\x00\xff\r\n', 'x'.repeat(EMBSTR_LIMIT + 1), raw, embstr, ownInt];
}
