// Geohash arithmetic for the GEO commands, as Redis 7.0 does it (geohash.c, geohash_helper.c): a
// point is a sorted-set score, the 52-bit interleave of its latitude and longitude cells at step 26.
// Hand-written to reproduce Redis's numbers exactly: the same double operations in the same order
// (cell bounds, the search-step estimate, the bounding box, the haversine distance), so the same
// members fall in the same boxes and the same distances print.
//
// A hash is kept as its two cell numbers (lat, lon) rather than interleaved: Redis's neighbour moves
// act on one coordinate's bits only, and a coordinate at the very top of its range (latitude
// 85.05112878 or longitude 180) makes a cell number of 2^step, one bit above the others, which the
// interleave keeps (score bits 52 and 53). Interleaving is done in two 32-bit halves, so no BigInt
// is needed on the search path.

import { asin, cos, sin } from '../util/libm';

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;

const D_R = Math.PI / 180.0;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const TWO32 = 4294967296;

export interface GeoHash {
  /** latitude cell number (0 .. 2^step, 2^step only at the top edge) */
  lat: number;
  /** longitude cell number */
  lon: number;
  /** bits per coordinate; 0 marks an excluded box (Redis's GZERO) */
  step: number;
}

export interface GeoArea {
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

function degRad(a: number): number {
  return a * D_R;
}
function radDeg(a: number): number {
  return a / D_R;
}

/** Spread the low 16 bits of v to the even bit positions of a 32-bit value. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

/** Gather the even bits of a 32-bit value into 16 bits. */
function gather16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  return (v | (v >>> 8)) & 0x0000ffff;
}

/** The interleaved 64-bit hash (latitude bits even, longitude bits odd) as [high 32, low 32]. */
const halves = [0, 0];
function interleave(h: GeoHash): number[] {
  halves[0] = (spread16(h.lat >>> 16) | (spread16(h.lon >>> 16) << 1)) >>> 0;
  halves[1] = (spread16(h.lat) | (spread16(h.lon) << 1)) >>> 0;
  return halves;
}

/** geohashEncode: null when the point is outside the ranges (or Redis's hard limits). */
export function geohashEncode(lonMin: number, lonMax: number, latMin: number, latMax: number, lon: number, lat: number,
  step: number): GeoHash | null {
  if (lon > 180 || lon < -180 || lat > 85.05112878 || lat < -85.05112878) return null;
  if (lat < latMin || lat > latMax || lon < lonMin || lon > lonMax) return null;
  let latOffset = (lat - latMin) / (latMax - latMin);
  let lonOffset = (lon - lonMin) / (lonMax - lonMin);
  latOffset *= 2 ** step;
  lonOffset *= 2 ** step;
  return { lat: Math.trunc(latOffset), lon: Math.trunc(lonOffset), step };
}

/** geohashEncodeWGS84 */
export function encodeWGS84(lon: number, lat: number, step: number): GeoHash | null {
  return geohashEncode(GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX, lon, lat, step);
}

/** geohashDecode over the WGS84 ranges: the cell's bounds. */
export function decodeArea(h: GeoHash): GeoArea {
  const scale = 2 ** h.step;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  return {
    latMin: GEO_LAT_MIN + (h.lat / scale) * latScale,
    latMax: GEO_LAT_MIN + (((h.lat + 1) >>> 0) / scale) * latScale,
    lonMin: GEO_LONG_MIN + (h.lon / scale) * lonScale,
    lonMax: GEO_LONG_MIN + (((h.lon + 1) >>> 0) / scale) * lonScale,
  };
}

/** geohashAlign52Bits as a score (a double, as Redis's range bounds are), optionally of the hash + 1. */
export function align52(h: GeoHash, plusOne = false): number {
  const [hi, lo] = interleave(h);
  const v = plusOne ? (lo === 0xffffffff ? (hi + 1) * TWO32 : hi * TWO32 + lo + 1) : hi * TWO32 + lo;
  return v * 2 ** (52 - 2 * h.step);
}

/** The exact integer text of geohashAlign52Bits (what GEOADD hands to ZADD). */
export function align52Text(h: GeoHash): string {
  const [hi, lo] = interleave(h);
  return (((BigInt(hi) << 32n) | BigInt(lo)) << BigInt(52 - 2 * h.step)).toString();
}

/** The cell numbers of a step-26 score, after C's (uint64_t) conversion of the double. */
function scoreCells(score: number): GeoHash {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < 9007199254740992) {
    const t = Math.trunc(score);
    hi = Math.floor(t / TWO32);
    lo = t - hi * TWO32;
  } else {
    // Not a geo score (set by ZADD): x86-64's conversion of such doubles, as Redis runs it.
    let u: bigint;
    if (score >= 18446744073709551616 || score !== score) u = 0n;
    else if (score >= 9223372036854775808) u = BigInt(score);
    else if (score <= -9223372036854775808) u = 1n << 63n;
    else u = BigInt.asUintN(64, BigInt(Math.trunc(score)));
    hi = Number(u >> 32n);
    lo = Number(u & 0xffffffffn);
  }
  return {
    lat: (gather16(lo) | (gather16(hi) << 16)) >>> 0,
    lon: (gather16(lo >>> 1) | (gather16(hi >>> 1) << 16)) >>> 0,
    step: GEO_STEP_MAX,
  };
}

/** decodeGeohash: the centre of a score's cell, clamped to the valid ranges, as [lon, lat]. */
export function decodeScore(score: number, xy: number[]): void {
  const a = decodeArea(scoreCells(score));
  let lon = (a.lonMin + a.lonMax) / 2;
  if (lon > GEO_LONG_MAX) lon = GEO_LONG_MAX;
  if (lon < GEO_LONG_MIN) lon = GEO_LONG_MIN;
  let lat = (a.latMin + a.latMax) / 2;
  if (lat > GEO_LAT_MAX) lat = GEO_LAT_MAX;
  if (lat < GEO_LAT_MIN) lat = GEO_LAT_MIN;
  xy[0] = lon;
  xy[1] = lat;
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11 characters: the centre re-encoded over latitude -90..90, 10 groups of 5 bits and a '0'. */
export function standardGeohash(score: number): string {
  const xy = [0, 0];
  decodeScore(score, xy);
  const h = geohashEncode(-180, 180, -90, 90, xy[0], xy[1], GEO_STEP_MAX);
  if (h === null) return '00000000000'; // not reached: a decoded centre is always in range
  const [hi, lo] = interleave(h);
  const bits = (BigInt(hi) << 32n) | BigInt(lo);
  let out = '';
  for (let i = 0; i < 10; i++) out += GEOALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
  return out + '0';
}

// --- distances ------------------------------------------------------------------------------------

export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** The last cosine of the first latitude (a search's centre, the same for every point). Disposable. */
const cosCache = new Float64Array([0, 1]);

/** geohashGetDistance: haversine, with Redis's shortcut for equal longitudes. */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = sin((lon2r - lon1r) / 2);
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = sin((lat2r - lat1r) / 2);
  if (cosCache[0] !== lat1r) {
    cosCache[0] = lat1r;
    cosCache[1] = cos(lat1r);
  }
  const a = u * u + cosCache[1] * cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * asin(Math.sqrt(a));
}

/**
 * The same formula with V8's Math functions: a few units in the last place from Redis's value, up to
 * a few decimeters near antipodes (where asin is steep). Only used to reject points clearly outside
 * a limit before the exact (slower) computation.
 */
function roughDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const v = Math.sin((degRad(lon2) - degRad(lon1)) / 2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v));
}

/** Certainly farther than `limit` meters (by more than the rough distance can be off)? */
function clearlyBeyond(limit: number, lon1: number, lat1: number, lon2: number, lat2: number): boolean {
  return roughDistance(lon1, lat1, lon2, lat2) > limit * (1 + 1e-9) + 1;
}

// --- search areas ---------------------------------------------------------------------------------

/** A search: centre, and a radius or a box (width/height), in the unit `conversion` converts to meters. */
export interface GeoShape {
  lon: number;
  lat: number;
  box: boolean;
  radius: number;
  width: number;
  height: number;
  conversion: number;
}

/** geohashEstimateStepsByRadius */
export function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

/** Redis's neighbour move: one coordinate's cell number +-1, wrapping within the step's bits. */
function moved(h: GeoHash, dlon: number, dlat: number): GeoHash {
  const mask = 2 ** h.step - 1;
  return {
    lat: dlat === 0 ? h.lat : (h.lat + dlat) & mask,
    lon: dlon === 0 ? h.lon : (h.lon + dlon) & mask,
    step: h.step,
  };
}

const ZERO_HASH: GeoHash = { lat: 0, lon: 0, step: 0 };

/**
 * geohashCalculateAreasByShapeWGS84: the 9 boxes (centre, N, S, E, W, NE, NW, SE, SW, in the order
 * Redis walks them) that cover the shape; excluded ones have step 0.
 */
export function areasByShape(s: GeoShape): GeoHash[] {
  // geohashBoundingBox
  const height = s.conversion * (s.box ? s.height / 2 : s.radius);
  const width = s.conversion * (s.box ? s.width / 2 : s.radius);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(s.lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / cos(degRad(s.lat - latDelta)));
  const southern = s.lat < 0;
  const minLon = southern ? s.lon - lonDeltaBottom : s.lon - lonDeltaTop;
  const maxLon = southern ? s.lon + lonDeltaBottom : s.lon + lonDeltaTop;
  const minLat = s.lat - latDelta;
  const maxLat = s.lat + latDelta;

  let radiusMeters = s.box ? Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2)) : s.radius;
  radiusMeters *= s.conversion;
  let steps = estimateSteps(radiusMeters, s.lat);
  // The centre is a valid point (checked by the caller), so encoding cannot fail.
  let hash = encodeWGS84(s.lon, s.lat, steps)!;
  const north = decodeArea(moved(hash, 0, 1));
  const south = decodeArea(moved(hash, 0, -1));
  const east = decodeArea(moved(hash, 1, 0));
  const west = decodeArea(moved(hash, -1, 0));
  const decrease = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encodeWGS84(s.lon, s.lat, steps)!;
  }
  const area = decodeArea(hash);
  const n = [
    hash,
    moved(hash, 0, 1), // north
    moved(hash, 0, -1), // south
    moved(hash, 1, 0), // east
    moved(hash, -1, 0), // west
    moved(hash, 1, 1), // north east
    moved(hash, -1, 1), // north west
    moved(hash, 1, -1), // south east
    moved(hash, -1, -1), // south west
  ];
  if (steps >= 2) {
    if (area.latMin < minLat) n[2] = n[8] = n[7] = ZERO_HASH;
    if (area.latMax > maxLat) n[1] = n[5] = n[6] = ZERO_HASH;
    if (area.lonMin < minLon) n[4] = n[8] = n[6] = ZERO_HASH;
    if (area.lonMax > maxLon) n[3] = n[7] = n[5] = ZERO_HASH;
  }
  return n;
}

/**
 * geoWithinShape after decoding: the distance (meters) from the centre when the point is inside the
 * shape, else -1.
 */
export function distanceIfWithin(s: GeoShape, lon: number, lat: number): number {
  if (!s.box) {
    const limit = s.radius * s.conversion;
    if (clearlyBeyond(limit, s.lon, s.lat, lon, lat)) return -1;
    const d = geoDistance(s.lon, s.lat, lon, lat);
    return d > limit ? -1 : d;
  }
  const widthM = s.width * s.conversion;
  const heightM = s.height * s.conversion;
  if (latDistance(lat, s.lat) > heightM / 2) return -1;
  if (clearlyBeyond(widthM / 2, lon, lat, s.lon, lat) || geoDistance(lon, lat, s.lon, lat) > widthM / 2) return -1;
  return geoDistance(s.lon, s.lat, lon, lat);
}
