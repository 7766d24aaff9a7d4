// Streams in RDB files (rdb.c's RDB_TYPE_STREAM_LISTPACKS and RDB_TYPE_STREAM_LISTPACKS_2, the type Redis
// 7.0 writes): the nodes as listpacks keyed by their 16-byte master ID, the stream's metadata, and the
// consumer groups with their pending entries and consumers. Written byte for byte as Redis writes them
// (the node layout of types/stream.ts is Redis's), so redis-server loads the file with the same nodes.

import {
  byName, ID_MIN, idDeltas, idKey, idPart, isStream, nodeFromEntries, streamCreate, streamEdge, streamEstimateDistance, u64Big,
  u64FromBig, type StreamGroup, type StreamPending, type StreamRecord, type U64,
} from '../types/stream';
import { corrupt, In, lpBuild, lpParse, writeBlob, writeLen, writeString, type Out } from './rdb';

export type { StreamRecord };

/** rdbSaveLen of an unsigned 64-bit number. */
function writeLenU64(o: Out, v: U64): void {
  if (v[0] === 0) {
    writeLen(o, v[1]);
    return;
  }
  o.byte(0x81);
  o.ensure(8);
  o.buf.writeUInt32BE(v[0], o.len);
  o.buf.writeUInt32BE(v[1], o.len + 4);
  o.len += 8;
}

/** rdbSaveLen of a signed number as its uint64 (entries_read -1 is 2^64-1). */
function writeLenSigned(o: Out, n: number): void {
  if (n >= 0) writeLenU64(o, u64FromBig(BigInt(n)));
  else writeLenU64(o, u64FromBig(BigInt.asUintN(64, BigInt(n))));
}

function writeId(o: Out, id: string): void {
  writeLenU64(o, idPart(id, 0));
  writeLenU64(o, idPart(id, 1));
}

function writeRaw(o: Out, s: string): void {
  o.latin1(s);
}

/** rdbSaveMillisecondTime */
function writeMs(o: Out, ms: number): void {
  o.ensure(8);
  o.buf.writeBigInt64LE(BigInt(ms), o.len);
  o.len += 8;
}

/** A node's listpack, as streamAppendItem built it (and XDEL/XTRIM changed it in place). */
function nodeListpack(n: StreamRecord['nodes'][number]): Buffer {
  const items: string[] = [String(n.live), String(n.dead), String(n.mf.length), ...n.mf, '0'];
  const master = n.ids[0];
  for (let i = 0; i < n.ids.length; i++) {
    const fv = n.fv[i];
    let same = fv.length === n.mf.length * 2;
    for (let j = 0; same && j < n.mf.length; j++) if (fv[j * 2] !== n.mf[j]) same = false;
    const [dms, dseq] = idDeltas(n.ids[i], master);
    items.push(String((n.del[i] === 1 ? 1 : 0) | (same ? 2 : 0)), String(dms), String(dseq));
    const nf = fv.length / 2;
    if (same) {
      for (let j = 1; j < fv.length; j += 2) items.push(fv[j]);
      items.push(String(nf + 3));
    } else {
      items.push(String(nf));
      for (const x of fv) items.push(x);
      items.push(String(nf * 2 + 4));
    }
  }
  return lpBuild(items);
}

/** rdbSaveObject of a stream, RDB_TYPE_STREAM_LISTPACKS_2. */
export function encodeStreamBody(o: Out, s: StreamRecord, compress: boolean): void {
  writeLen(o, s.nodes.length);
  for (const n of s.nodes) {
    writeString(o, n.ids[0], false);
    writeBlob(o, nodeListpack(n), compress);
  }
  writeLen(o, s.length);
  writeId(o, s.lastId);
  writeId(o, s.firstId);
  writeId(o, s.maxDeletedId);
  writeLenSigned(o, s.entriesAdded);
  const groups = s.groups.slice().sort(byName);
  writeLen(o, groups.length);
  for (const g of groups) {
    writeString(o, g.name, compress);
    writeId(o, g.lastId);
    writeLenSigned(o, g.entriesRead);
    writeLen(o, g.pel.length);
    for (const p of g.pel) {
      writeRaw(o, p.id);
      writeMs(o, p.time);
      writeLen(o, p.count);
    }
    const consumers = g.consumers.slice().sort(byName);
    writeLen(o, consumers.length);
    for (const c of consumers) {
      writeString(o, c.name, compress);
      writeMs(o, c.seen);
      writeLen(o, c.pel.length);
      for (const id of c.pel) writeRaw(o, id);
    }
  }
}

// --- reading -------------------------------------------------------------------------------------

/** rdbLoadLen of a 64-bit value, as [hi, lo]. */
function readLenU64(r: In, what: string): U64 {
  const first = r.b[r.pos];
  if (first === 0x81) {
    const b = r.slice(9, what);
    return [b.readUInt32BE(1), b.readUInt32BE(5)];
  }
  return u64FromBig(BigInt(r.plainLen(what)));
}

function readId(r: In, what: string): string {
  const ms = readLenU64(r, what);
  return idKey(ms, readLenU64(r, what));
}

function readSigned(r: In, what: string): number {
  return Number(BigInt.asIntN(64, u64Big(readLenU64(r, what))));
}

function readMs(r: In, what: string): number {
  return Number(r.slice(8, what).readBigInt64LE(0));
}

function addU64(a: U64, delta: string): U64 {
  return u64FromBig(BigInt.asUintN(64, u64Big(a) + BigInt(delta)));
}

/** A node from its 16-byte key and listpack (lpValidateFirst / streamValidateListpackIntegrity, shallow). */
function readNode(key: Buffer, lp: Buffer, at: number): ReturnType<typeof nodeFromEntries> {
  if (key.length !== 16) corrupt('Stream node key entry is not the size of a stream ID', at);
  const el = lpParse(lp, at);
  if (el.length === 0) corrupt('Empty listpack inside stream', at);
  const bad = (): never => corrupt('Stream listpack integrity check failed.', at);
  let p = 0;
  const next = (): string => (p < el.length ? el[p++] : bad());
  const num = (): number => {
    const x = next();
    if (!/^-?[0-9]+$/.test(x)) bad();
    return Number(x);
  };
  const live = num();
  const dead = num();
  const nmf = num();
  const mf: string[] = [];
  for (let i = 0; i < nmf; i++) mf.push(next());
  if (next() !== '0') bad();
  const master = key.toString('latin1');
  const mms = idPart(master, 0);
  const mseq = idPart(master, 1);
  const entries: { id: string; fv: string[]; deleted: boolean }[] = [];
  while (p < el.length) {
    const flags = num();
    const dms = next();
    const dseq = next();
    const id = idKey(addU64(mms, dms), addU64(mseq, dseq));
    const fv: string[] = [];
    if ((flags & 2) !== 0) {
      for (const f of mf) fv.push(f, next());
    } else {
      const nf = num();
      for (let i = 0; i < nf * 2; i++) fv.push(next());
    }
    num(); // lp-count
    entries.push({ id, fv, deleted: (flags & 1) !== 0 });
  }
  const n = nodeFromEntries(entries, mf);
  if (n.live !== live || n.dead !== dead) bad();
  return n;
}

/** rdbLoadObject of a stream (type 15 or 19). */
export function decodeStreamBody(r: In, v2: boolean, at: number): StreamRecord {
  const s = streamCreate();
  const nodes = r.plainLen('stream node count');
  for (let i = 0; i < nodes; i++) {
    const nat = r.pos;
    const key = r.bytes('stream node key');
    const lp = r.bytes('stream listpack');
    s.nodes.push(readNode(Buffer.from(key), lp, nat));
  }
  s.length = r.plainLen('stream length');
  s.lastId = readId(r, 'stream last id');
  if (v2) {
    s.firstId = readId(r, 'stream first id');
    s.maxDeletedId = readId(r, 'stream max deleted id');
    s.entriesAdded = readSigned(r, 'stream entries added');
  } else {
    s.firstId = streamEdge(s, true) ?? ID_MIN;
    s.maxDeletedId = ID_MIN;
    s.entriesAdded = s.length;
  }
  let counted = 0;
  for (const n of s.nodes) counted += n.live;
  if (counted !== s.length) corrupt('Stream length inconsistent with its listpacks', at);
  const ngroups = r.plainLen('stream group count');
  for (let i = 0; i < ngroups; i++) {
    const name = r.str('stream group name');
    const lastId = readId(r, 'stream group last id');
    const entriesRead = v2 ? readSigned(r, 'stream group entries read') : streamEstimateDistance(s, lastId);
    const g: StreamGroup = { name, lastId, entriesRead, pel: [], consumers: [] };
    const npel = r.plainLen('stream PEL size');
    const byId = new Map<string, StreamPending>();
    for (let j = 0; j < npel; j++) {
      const id = r.slice(16, 'stream PEL id').toString('latin1');
      const time = readMs(r, 'stream PEL delivery time');
      const count = r.plainLen('stream PEL delivery count');
      if (byId.has(id)) corrupt('Duplicated global PEL entry loading stream consumer group', at);
      const pe: StreamPending = { id, time, count, consumer: '' };
      byId.set(id, pe);
      g.pel.push(pe);
    }
    const nconsumers = r.plainLen('stream consumer count');
    for (let j = 0; j < nconsumers; j++) {
      const cname = r.str('stream consumer name');
      const seen = readMs(r, 'stream consumer seen time');
      const n = r.plainLen('stream consumer PEL size');
      const pel: string[] = [];
      for (let k = 0; k < n; k++) {
        const id = r.slice(16, 'stream consumer PEL id').toString('latin1');
        const pe = byId.get(id);
        if (pe === undefined) corrupt('Consumer entry not found in group global PEL', at);
        pe.consumer = cname;
        pel.push(id);
      }
      g.consumers.push({ name: cname, seen, pel });
    }
    for (const pe of g.pel) if (pe.consumer === '') corrupt('Stream consumer group PEL entry without consumer', at);
    s.groups.push(g);
  }
  return s;
}

export { isStream };
