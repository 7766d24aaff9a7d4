// The GEO command family with Redis 7.0's semantics (geo.c): GEOADD GEODIST GEOHASH GEOPOS
// GEORADIUS GEORADIUSBYMEMBER (+_RO) GEOSEARCH GEOSEARCHSTORE. A geo set is a sorted set whose
// scores are 52-bit geohashes (types/geohash.ts); GEOADD is ZADD with those scores, and a search
// walks the score ranges of Redis's 9 boxes in Redis's order, so unsorted replies list the same
// members in the same order.

import { dbDelete, dirty, lookupRead, setKey, signalModifiedKey } from '../keyspace';
import { notifyKeyspaceEvent, NOTIFY_GENERIC, NOTIFY_ZSET } from '../notify';
import { addError, addNull, addRaw, bulkProto, ERR_SYNTAX } from '../resp/reply';
import { dbOf, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import {
  align52, align52Text, areasByShape, decodeScore, distanceIfWithin, encodeWGS84, geoDistance, GEO_LAT_MAX, GEO_LAT_MIN,
  GEO_LONG_MAX, GEO_LONG_MIN, GEO_STEP_MAX, standardGeohash, type GeoShape,
} from '../types/geohash';
import {
  convertToListpackIfNeeded, firstInRange, nodeEle, nodeScore, zsetCreate, zslInsert, zslNext, type ScoreRange,
  type ZsetRecord,
} from '../types/zset';
import { formatLongDoubleHuman, longDoubleFromDouble } from '../util/longdouble';
import { ERR_NOT_FLOAT, ERR_NOT_INT, formatFixed, parseInt64, string2d } from '../util/numbers';
import { pqsort } from '../util/pqsort';
import type { CommandSpec } from './table';
import { zaddGeneric, zsetOrReply } from './zsets';

/** addReplyHumanLongDouble: "%.17Lf" trimmed, a RESP2 bulk or a RESP3 double. */
function humanCoord(c: Client, d: number): string {
  const t = formatLongDoubleHuman(longDoubleFromDouble(d));
  return c.resp === 3 ? ',' + t + '\r\n' : bulkProto(t);
}

/** addReplyDoubleDistance: "%.4f" as a bulk string (also in RESP3). */
function distanceReply(d: number): string {
  return bulkProto(formatFixed(d, 4));
}

/** getDoubleFromObjectOrReply: the value, or null after replying `err`. */
function getDouble(c: Client, s: string, err: string = ERR_NOT_FLOAT): number | null {
  const v = string2d(s);
  if (v !== v) {
    addError(c, err);
    return null;
  }
  return v;
}

/** extractLongLatOrReply: [lon, lat] from two arguments, or null after replying. */
function extractLonLat(c: Client, lonText: string, latText: string): number[] | null {
  const lon = getDouble(c, lonText);
  if (lon === null) return null;
  const lat = getDouble(c, latText);
  if (lat === null) return null;
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    addError(c, `ERR invalid longitude,latitude pair ${formatFixed(lon, 6)},${formatFixed(lat, 6)}`);
    return null;
  }
  return [lon, lat];
}

/** extractUnitOrReply: meters per unit, or -1 after replying. */
function extractUnit(c: Client, u: string): number {
  switch (u.toLowerCase()) {
    case 'm': return 1;
    case 'km': return 1000;
    case 'ft': return 0.3048;
    case 'mi': return 1609.34;
    default:
      addError(c, 'ERR unsupported unit provided. please use M, KM, FT, MI');
      return -1;
  }
}

/** The [lon, lat] of a member (longLatFromMember), or null when it is not in the set. */
function memberLonLat(z: ZsetRecord, member: string): number[] | null {
  const score = z.dict.get(member);
  if (score === undefined) return null;
  const xy = [0, 0];
  decodeScore(score, xy);
  return xy;
}

// ------------------------------------------------------------------------------------------------
// GEOADD
// ------------------------------------------------------------------------------------------------

/**
 * GEOADD's ZADD vector: the options as given, then score/member pairs with each point's 52-bit hash.
 * Returns the vector, or null after replying an error. With c null (AOF propagation of a GEOADD that
 * succeeded) nothing is replied.
 */
export function geoaddAsZadd(c: Client | null, argv: readonly string[]): string[] | null {
  let xx = false;
  let nx = false;
  let longidx = 2;
  for (; longidx < argv.length; longidx++) {
    const opt = argv[longidx].toLowerCase();
    if (opt === 'nx') nx = true;
    else if (opt === 'xx') xx = true;
    else if (opt !== 'ch') break; // CH is ZADD's own
  }
  if ((argv.length - longidx) % 3 !== 0 || (xx && nx)) {
    if (c !== null) addError(c, ERR_SYNTAX);
    return null;
  }
  // Redis builds the vector with a lowercase "zadd", and that is what it propagates.
  const out = ['zadd', ...argv.slice(1, longidx)];
  for (let i = longidx; i < argv.length; i += 3) {
    let lon: number;
    let lat: number;
    if (c !== null) {
      const xy = extractLonLat(c, argv[i], argv[i + 1]);
      if (xy === null) return null;
      lon = xy[0];
      lat = xy[1];
    } else {
      lon = string2d(argv[i]);
      lat = string2d(argv[i + 1]);
    }
    const hash = encodeWGS84(lon, lat, GEO_STEP_MAX);
    // Redis leaves the hash at 0 when encoding fails (the checks above make it unreachable).
    out.push(hash === null ? '0' : align52Text(hash), argv[i + 2]);
  }
  return out;
}

function geoadd(c: Client, argv: string[]): void {
  const zargv = geoaddAsZadd(c, argv);
  if (zargv === null) return;
  zaddGeneric(c, zargv, 0);
}

// ------------------------------------------------------------------------------------------------
// GEOHASH, GEOPOS, GEODIST
// ------------------------------------------------------------------------------------------------

function geohash(c: Client, argv: string[]): void {
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  const nil = c.resp === 3 ? '_\r\n' : '$-1\r\n';
  let out = '*' + (argv.length - 2) + '\r\n';
  for (let j = 2; j < argv.length; j++) {
    const score = z === undefined ? undefined : z.dict.get(argv[j]);
    out += score === undefined ? nil : bulkProto(standardGeohash(score));
  }
  addRaw(c, out);
}

function geopos(c: Client, argv: string[]): void {
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  const nil = c.resp === 3 ? '_\r\n' : '*-1\r\n';
  let out = '*' + (argv.length - 2) + '\r\n';
  for (let j = 2; j < argv.length; j++) {
    const xy = z === undefined ? null : memberLonLat(z, argv[j]);
    out += xy === null ? nil : '*2\r\n' + humanCoord(c, xy[0]) + humanCoord(c, xy[1]);
  }
  addRaw(c, out);
}

function geodist(c: Client, argv: string[]): void {
  let toMeter = 1;
  if (argv.length === 5) {
    toMeter = extractUnit(c, argv[4]);
    if (toMeter < 0) return;
  } else if (argv.length > 5) {
    addError(c, ERR_SYNTAX);
    return;
  }
  const z = zsetOrReply(c, lookupRead(dbOf(c), argv[1]));
  if (z === null) return;
  const a = z === undefined ? null : memberLonLat(z, argv[2]);
  const b = z === undefined || a === null ? null : memberLonLat(z, argv[3]);
  if (a === null || b === null) {
    addNull(c);
    return;
  }
  addRaw(c, distanceReply(geoDistance(a[0], a[1], b[0], b[1]) / toMeter));
}

// ------------------------------------------------------------------------------------------------
// GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH, GEOSEARCHSTORE (georadiusGeneric)
// ------------------------------------------------------------------------------------------------

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

/** One match: member, score, decoded position and distance in meters. */
interface GeoPoint {
  member: string;
  score: number;
  lon: number;
  lat: number;
  dist: number;
}

/**
 * membersOfAllNeighbors: the boxes in Redis's order, a box skipped when it equals the one processed
 * before it, each box's score range [min, max) walked in zset order; with a limit (ANY) the walk
 * stops once that many points matched.
 */
function membersOfAllNeighbors(z: ZsetRecord, shape: GeoShape, limit: number): GeoPoint[] {
  const boxes = areasByShape(shape);
  const out: GeoPoint[] = [];
  const xy = [0, 0];
  const range: ScoreRange = { min: 0, max: 0, minex: false, maxex: true };
  // Redis compares with the box processed last only when that was not the centre (index 0).
  let last = 0;
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i];
    if (b.step === 0) continue;
    if (last !== 0) {
      const p = boxes[last];
      if (p.lat === b.lat && p.lon === b.lon && p.step === b.step) continue;
    }
    if (limit !== 0 && out.length >= limit) break;
    range.min = align52(b);
    range.max = align52(b, true);
    for (let x = firstInRange(z, range); x !== 0; x = zslNext(z, x)) {
      const score = nodeScore(z, x);
      if (!(score < range.max)) break;
      decodeScore(score, xy);
      const dist = distanceIfWithin(shape, xy[0], xy[1]);
      if (dist >= 0) out.push({ member: nodeEle(z, x), score, lon: xy[0], lat: xy[1], dist });
      if (limit !== 0 && out.length >= limit) break;
    }
    last = i;
  }
  return out;
}

/** sort_gp_asc / sort_gp_desc */
function sortAsc(a: GeoPoint, b: GeoPoint): number {
  return a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1;
}
function sortDesc(a: GeoPoint, b: GeoPoint): number {
  return -sortAsc(a, b);
}

/** withhash: the score as C's (long long) conversion gives it. */
function hashInt(score: number): string {
  return ':' + (Number.isSafeInteger(score) ? String(score) : BigInt(Math.trunc(score)).toString()) + '\r\n';
}

function georadiusGeneric(c: Client, argv: string[], srcKeyIndex: number, flags: number): void {
  const db = dbOf(c);
  let storekey: string | null = null;
  let storedist = false;
  const z = zsetOrReply(c, lookupRead(db, argv[srcKeyIndex]));
  if (z === null) return;

  const shape: GeoShape = { lon: 0, lat: 0, box: false, radius: 0, width: 0, height: 0, conversion: 1 };
  let baseArgs: number;
  if ((flags & RADIUS_COORDS) !== 0) {
    baseArgs = 6;
    const xy = extractLonLat(c, argv[2], argv[3]);
    if (xy === null) return;
    shape.lon = xy[0];
    shape.lat = xy[1];
    if (!extractDistance(c, argv, baseArgs - 2, shape)) return;
  } else if ((flags & RADIUS_MEMBER) !== 0 && z === undefined) {
    // No source key: parse the rest anyway, so the reply matches the STORE option.
    baseArgs = 5;
  } else if ((flags & RADIUS_MEMBER) !== 0) {
    baseArgs = 5;
    const xy = memberLonLat(z!, argv[2]);
    if (xy === null) {
      addError(c, 'ERR could not decode requested zset member');
      return;
    }
    shape.lon = xy[0];
    shape.lat = xy[1];
    if (!extractDistance(c, argv, baseArgs - 2, shape)) return;
  } else {
    baseArgs = 2;
    if ((flags & GEOSEARCHSTORE) !== 0) {
      baseArgs = 3;
      storekey = argv[1];
    }
  }

  let withdist = false;
  let withhash = false;
  let withcoords = false;
  let frommember = false;
  let fromloc = false;
  let byradius = false;
  let bybox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const search = (flags & GEOSEARCH) !== 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const at = baseArgs + i;
    const arg = argv[at].toLowerCase();
    if (arg === 'withdist') withdist = true;
    else if (arg === 'withhash') withhash = true;
    else if (arg === 'withcoord') withcoords = true;
    else if (arg === 'any') any = true;
    else if (arg === 'asc') sort = SORT_ASC;
    else if (arg === 'desc') sort = SORT_DESC;
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseInt64(argv[at + 1]);
      if (n === null) {
        addError(c, ERR_NOT_INT);
        return;
      }
      if (n <= 0n) {
        addError(c, 'ERR COUNT must be > 0');
        return;
      }
      count = Number(n);
      i++;
    } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && (flags & RADIUS_NOSTORE) === 0 && !search) {
      storekey = argv[at + 1];
      storedist = arg === 'storedist';
      i++;
    } else if (arg === 'storedist' && search && (flags & GEOSEARCHSTORE) !== 0) {
      storedist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && search && !fromloc) {
      if (z !== undefined) {
        const xy = memberLonLat(z, argv[at + 1]);
        if (xy === null) {
          addError(c, 'ERR could not decode requested zset member');
          return;
        }
        shape.lon = xy[0];
        shape.lat = xy[1];
      }
      frommember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && search && !frommember) {
      const xy = extractLonLat(c, argv[at + 1], argv[at + 2]);
      if (xy === null) return;
      shape.lon = xy[0];
      shape.lat = xy[1];
      fromloc = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && search && !bybox) {
      if (!extractDistance(c, argv, at + 1, shape)) return;
      shape.box = false;
      byradius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && search && !byradius) {
      if (!extractBox(c, argv, at + 1, shape)) return;
      shape.box = true;
      bybox = true;
      i += 3;
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }

  if (storekey !== null && (withdist || withhash || withcoords)) {
    addError(c, `ERR ${(flags & GEOSEARCHSTORE) !== 0 ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return;
  }
  if (search && !(frommember || fromloc)) {
    addError(c, `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
    return;
  }
  if (search && !(byradius || bybox)) {
    addError(c, `ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
    return;
  }
  if (any && count === 0) {
    addError(c, 'ERR the ANY argument requires COUNT argument');
    return;
  }

  if (z === undefined) {
    if (storekey !== null) {
      deleteStoreKey(c, storekey);
      addRaw(c, ':0\r\n');
    } else {
      addRaw(c, '*0\r\n');
    }
    return;
  }

  // COUNT without ANY means "the closest N": sort ascending unless told otherwise.
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const ga = membersOfAllNeighbors(z, shape, any ? count : 0);
  if (ga.length === 0 && storekey === null) {
    addRaw(c, '*0\r\n');
    return;
  }
  const returned = count === 0 || ga.length < count ? ga.length : count;
  // Redis sorts the whole list with glibc's qsort (a stable merge sort, as Array.prototype.sort), and
  // only the first `returned` places with pqsort when COUNT cuts the list: equal distances keep the
  // order each gives them.
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? sortAsc : sortDesc;
    if (returned === ga.length) ga.sort(cmp);
    else pqsort(ga, cmp, 0, returned - 1);
  }

  if (storekey === null) {
    const optionLength = (withdist ? 1 : 0) + (withcoords ? 1 : 0) + (withhash ? 1 : 0);
    let out = '*' + returned + '\r\n';
    for (let i = 0; i < returned; i++) {
      const gp = ga[i];
      if (optionLength !== 0) out += '*' + (optionLength + 1) + '\r\n';
      out += bulkProto(gp.member);
      if (withdist) out += distanceReply(gp.dist / shape.conversion);
      if (withhash) out += hashInt(gp.score);
      if (withcoords) out += '*2\r\n' + humanCoord(c, gp.lon) + humanCoord(c, gp.lat);
    }
    addRaw(c, out);
    return;
  }

  if (returned > 0) {
    const dst = zsetCreate('skiplist');
    let maxelelen = 0;
    for (let i = 0; i < returned; i++) {
      const gp = ga[i];
      const score = storedist ? gp.dist / shape.conversion : gp.score;
      if (gp.member.length > maxelelen) maxelelen = gp.member.length;
      if (dst.dict.has(gp.member)) continue;
      zslInsert(dst, score, gp.member);
      dst.dict.set(gp.member, score);
    }
    convertToListpackIfNeeded(dst, maxelelen);
    setKey(db, storekey, dst);
    notifyKeyspaceEvent(NOTIFY_ZSET, search ? 'geosearchstore' : 'georadiusstore', storekey, db.id);
    dirty(returned);
  } else {
    deleteStoreKey(c, storekey);
  }
  addRaw(c, ':' + returned + '\r\n');
}

/** An empty result deletes the destination (a `del` event when it existed). */
function deleteStoreKey(c: Client, key: string): void {
  const db = dbOf(c);
  if (dbDelete(db, key)) {
    signalModifiedKey(db, key);
    notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
    dirty(1);
  }
}

/** extractDistanceOrReply: radius and unit at argv[at], argv[at + 1]. */
function extractDistance(c: Client, argv: string[], at: number, shape: GeoShape): boolean {
  const d = getDouble(c, argv[at], 'ERR need numeric radius');
  if (d === null) return false;
  if (d < 0) {
    addError(c, 'ERR radius cannot be negative');
    return false;
  }
  shape.radius = d;
  const conv = extractUnit(c, argv[at + 1]);
  if (conv < 0) return false;
  shape.conversion = conv;
  return true;
}

/** extractBoxOrReply: width, height and unit at argv[at..at + 2]. */
function extractBox(c: Client, argv: string[], at: number, shape: GeoShape): boolean {
  const w = getDouble(c, argv[at], 'ERR need numeric width');
  if (w === null) return false;
  const h = getDouble(c, argv[at + 1], 'ERR need numeric height');
  if (h === null) return false;
  if (h < 0 || w < 0) {
    addError(c, 'ERR height or width cannot be negative');
    return false;
  }
  shape.width = w;
  shape.height = h;
  const conv = extractUnit(c, argv[at + 2]);
  if (conv < 0) return false;
  shape.conversion = conv;
  return true;
}

function georadius(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_COORDS);
}
function georadiusbymember(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_MEMBER);
}
function georadiusRo(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE);
}
function georadiusbymemberRo(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE);
}
function geosearch(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 1, GEOSEARCH);
}
function geosearchstore(c: Client, argv: string[]): void {
  georadiusGeneric(c, argv, 2, GEOSEARCH | GEOSEARCHSTORE);
}

export const commands: CommandSpec[] = [
  { name: 'geoadd', fn: geoadd },
  { name: 'geohash', fn: geohash },
  { name: 'geopos', fn: geopos },
  { name: 'geodist', fn: geodist },
  { name: 'georadius', fn: georadius },
  { name: 'georadiusbymember', fn: georadiusbymember },
  { name: 'georadius_ro', fn: georadiusRo },
  { name: 'georadiusbymember_ro', fn: georadiusbymemberRo },
  { name: 'geosearch', fn: geosearch },
  { name: 'geosearchstore', fn: geosearchstore },
];

// Self-test cases: idempotent (each round starts from deleted keys).
selfTestCases.push(
  { send: 'DEL gt:a gt:d\r\n', expect: ':0\r\n' },
  { send: 'GEOADD gt:a 13.361389 38.115556 Palermo 15.087269 37.502669 Catania\r\n', expect: ':2\r\n' },
  { send: 'GEODIST gt:a Palermo Catania km\r\n', expect: '$8\r\n166.2742\r\n' },
  { send: 'GEOHASH gt:a Palermo\r\n', expect: '*1\r\n$11\r\nsqc8b49rny0\r\n' },
  { send: 'GEOPOS gt:a Palermo\r\n', expect: '*1\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n' },
  { send: 'GEOSEARCH gt:a FROMLONLAT 15 37 BYRADIUS 200 km ASC WITHDIST\r\n',
    expect: '*2\r\n*2\r\n$7\r\nCatania\r\n$7\r\n56.4413\r\n*2\r\n$7\r\nPalermo\r\n$8\r\n190.4424\r\n' },
  { send: 'GEOSEARCHSTORE gt:d gt:a FROMMEMBER Palermo BYBOX 400 400 km STOREDIST\r\n', expect: ':2\r\n' },
  { send: 'GEOADD gt:a 200 100 x\r\n', expect: '-ERR invalid longitude,latitude pair 200.000000,100.000000\r\n' },
  { send: 'DEL gt:a gt:d\r\n', expect: ':2\r\n' },
);
