// The hash type, as plain data: fields and values in two parallel arrays plus a Map field -> slot,
// so a lookup is one Map get and a uniformly random field (HRANDFIELD) is one array index.
//
// Encodings (OBJECT ENCODING), as Redis 7.0 converts them, one way:
// - 'listpack' while the hash has at most hash-max-listpack-entries fields and no field or value
//   longer than hash-max-listpack-value bytes. A listpack keeps insertion order (a new field goes to
//   the tail, an update stays in place, a delete closes the gap), and HGETALL/HKEYS/HVALS/HSCAN/
//   HRANDFIELD show that order, so the slots here keep it too: a delete splices the arrays and
//   renumbers the fields after it (O(n), as Redis's listpack delete is).
// - 'hashtable' beyond that. Order no longer matters (Redis's dict order cannot be reproduced), so a
//   delete moves the last slot into the hole (O(1)).
// The structure is the same for both, so a conversion only changes `enc`.

import { cfgInt } from '../runtime';

export interface HashRecord {
  type: 'hash';
  enc: 'listpack' | 'hashtable';
  /** field -> slot in f / v */
  m: Map<string, number>;
  /** fields by slot */
  f: string[];
  /** values by slot */
  v: string[];
}

export function isHash(v: unknown): v is HashRecord {
  return typeof v === 'object' && v !== null && (v as { type?: string }).type === 'hash';
}

/** createHashObject: an empty listpack hash. */
export function hashCreate(): HashRecord {
  return { type: 'hash', enc: 'listpack', m: new Map(), f: [], v: [] };
}

/** A hash holding `pairs` (field, value, field, value ...; later duplicates overwrite), with the
 *  encoding Redis would pick for them, or `enc` when given (RDB loading keeps the saved one). */
export function hashFromPairs(pairs: readonly string[], enc?: 'listpack' | 'hashtable'): HashRecord {
  const h = hashCreate();
  for (let i = 0; i + 1 < pairs.length; i += 2) hashSet(h, pairs[i], pairs[i + 1]);
  if (enc !== undefined) h.enc = enc;
  return h;
}

export function hashSize(h: HashRecord): number {
  return h.f.length;
}

export function hashGet(h: HashRecord, field: string): string | undefined {
  const i = h.m.get(field);
  return i === undefined ? undefined : h.v[i];
}

/** hashTypeConvert(o, OBJ_ENCODING_HT). */
export function hashConvert(h: HashRecord): void {
  h.enc = 'hashtable';
}

/**
 * hashTypeTryConversion: before a write of argv[start..end] (fields and values), convert a listpack
 * when one of them is longer than hash-max-listpack-value. (Redis also converts when the listpack
 * would pass 1 GB; a JS string cannot get near that.)
 */
export function hashTryConversion(h: HashRecord, argv: readonly string[], start: number, end: number): void {
  if (h.enc !== 'listpack') return;
  const maxValue = cfgInt('hash-max-listpack-value');
  for (let i = start; i <= end; i++) {
    if (argv[i].length > maxValue) {
      hashConvert(h);
      return;
    }
  }
}

/**
 * hashTypeSet: add or overwrite; returns true for an update, false for a new field. A listpack is
 * converted first when the field or value is too long (the HINCRBY* path), and after the insert when
 * it holds more than hash-max-listpack-entries fields.
 */
export function hashSet(h: HashRecord, field: string, value: string): boolean {
  if (h.enc === 'listpack') {
    const maxValue = cfgInt('hash-max-listpack-value');
    if (field.length > maxValue || value.length > maxValue) hashConvert(h);
  }
  const i = h.m.get(field);
  if (i !== undefined) {
    h.v[i] = value;
    return true;
  }
  h.m.set(field, h.f.length);
  h.f.push(field);
  h.v.push(value);
  if (h.enc === 'listpack' && h.f.length > cfgInt('hash-max-listpack-entries')) hashConvert(h);
  return false;
}

/** hashTypeDelete: true when the field was there. */
export function hashDelete(h: HashRecord, field: string): boolean {
  const i = h.m.get(field);
  if (i === undefined) return false;
  h.m.delete(field);
  const { f, v } = h;
  const last = f.length - 1;
  if (h.enc === 'listpack') {
    // keep the listpack order: close the gap and renumber what moved
    f.splice(i, 1);
    v.splice(i, 1);
    for (let j = i; j < last; j++) h.m.set(f[j], j);
  } else {
    if (i !== last) {
      f[i] = f[last];
      v[i] = v[last];
      h.m.set(f[i], i);
    }
    f.pop();
    v.pop();
  }
  return true;
}

/** A uniformly random slot of a non-empty hash. */
export function hashRandomSlot(h: HashRecord): number {
  return Math.floor(Math.random() * h.f.length);
}
