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

import type { StoredValue } from '../../abi';

export interface StringRecord {
  type: 'string';
  raw: string;
  /** set only for a short int-like text Redis keeps as embstr */
  enc?: 'embstr';
}

/** Largest length Redis stores as an embedded string (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
export const EMBSTR_LIMIT = 44;

export function isStringValue(v: StoredValue | undefined): boolean {
  return typeof v === 'string' || (v !== undefined && v.type === 'string');
}

/** The text of a string value (either form); null when v is not a string. */
export function readString(v: StoredValue): string | null {
  if (typeof v === 'string') return v;
  return v.type === 'string' ? (v as StringRecord).raw : null;
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
  if (typeof v !== 'string') return (v as StringRecord).enc === 'embstr' ? 'embstr' : 'raw';
  if (v.length <= 20 && isCanonicalInt64(v)) return 'int';
  return v.length <= EMBSTR_LIMIT ? 'embstr' : 'raw';
}

/** A value Redis holds with the raw encoding whatever its length (APPEND, SETRANGE results). */
export function rawString(s: string): StoredValue {
  if (s.length > EMBSTR_LIMIT) return s;
  const r: StringRecord = { type: 'string', raw: s };
  return r;
}

/** A value built by createStringObject (never int-encoded): embstr up to 44 bytes, else raw. */
export function createdString(s: string): StoredValue {
  if (s.length > EMBSTR_LIMIT) return s;
  if (s.length > 20 || !isCanonicalInt64(s)) return s;
  const r: StringRecord = { type: 'string', raw: s, enc: 'embstr' };
  return r;
}
