// The GEO command family, compared with redis-server 7.0 byte for byte: GEOADD (options, errors, the
// scores it stores), GEODIST, GEOHASH, GEOPOS, and the searches (GEORADIUS, GEORADIUSBYMEMBER, their
// _RO forms, GEOSEARCH, GEOSEARCHSTORE) over seeded datasets (points worldwide, a dense city cluster,
// the poles and the antimeridian) with every option combination, unsorted replies included (the
// order of Redis's 9-box walk), RESP2 and RESP3, the STORE variants read back with ZRANGE
// WITHSCORES, keyspace events, counters and the AOF.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { startPair, type Pair } from './helpers/diff';
import { hello, prng, sameCounters, sameEvents, seededMix, withEventsPair } from './helpers/unordered';

const SEED = Number(process.env.HOTKV_TEST_SEED ?? 20261126);

/** A coordinate as text, at most 6 decimals (as clients usually send them). */
function coord(v: number): string {
  return String(Math.round(v * 1e6) / 1e6);
}

/** Points worldwide, a dense cluster around Paris, and points on the poles' limits and the antimeridian. */
function dataset(seed: number): { world: string[]; city: string[]; edges: string[] } {
  const rnd = prng(seed);
  const world: string[] = [];
  for (let i = 0; i < 300; i++) world.push(coord(rnd() * 360 - 180), coord(rnd() * 170 - 85), `w${i}`);
  const city: string[] = [];
  for (let i = 0; i < 200; i++) city.push(coord(2.35 + (rnd() - 0.5) * 0.4), coord(48.85 + (rnd() - 0.5) * 0.25), `c${i}`);
  const edges = [
    '180', '0', 'e1', '-180', '0', 'e2', '179.9999', '10', 'e3', '-179.9999', '-10', 'e4', '0', '85.05112878', 'e5',
    '0', '-85.05112878', 'e6', '180', '85.05112878', 'e7', '-180', '-85.05112878', 'e8', '179.5', '84.9', 'e9',
    '-179.5', '-84.9', 'e10', '90', '80.5', 'e11', '-90', '-80.5', 'e12', '0', '0', 'e13', '0.000001', '-0.000001', 'e14',
    '179', '66.5', 'e15', '-179', '-66.5', 'e16',
  ];
  return { world, city, edges };
}

const OPTION_SETS: string[][] = [
  [], ['WITHDIST'], ['WITHCOORD'], ['WITHHASH'], ['WITHDIST', 'WITHHASH', 'WITHCOORD'], ['ASC'], ['DESC', 'WITHDIST'],
  ['COUNT', '3'], ['COUNT', '5', 'DESC', 'WITHDIST'], ['COUNT', '4', 'ANY'], ['COUNT', '2', 'ANY', 'ASC', 'WITHCOORD'],
  ['COUNT', '1000'], ['withdist', 'count', '7', 'asc'],
];

describe('GEO commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });
  afterEach(async () => {
    await hello(p, '2');
    await p.reset();
  });

  it('GEOADD: options, replies, stored scores, errors', async () => {
    await p.script([
      ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'], ['ZRANGE', 'g', '0', '-1', 'WITHSCORES'],
      ['GEOADD', 'g', 'NX', '1', '1', 'Palermo', '2', '2', 'x'], ['GEOADD', 'g', 'XX', '1', '1', 'Palermo', '2', '2', 'y'],
      ['GEOADD', 'g', 'CH', 'XX', '1', '1', 'Palermo'], ['GEOADD', 'g', 'xx', 'ch', '1', '1', 'Palermo'], ['GEOADD', 'g', 'ch', '5', '5', 'z'],
      ['ZRANGE', 'g', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'g'], ['TYPE', 'g'],
      ['GEOADD', 'g', 'NX', 'XX', '1', '1', 'a'], ['GEOADD', 'g', 'XX', 'NX', '1', '1', 'a'], ['GEOADD', 'g', 'GT', '1', '1', 'a'],
      ['GEOADD', 'g', '1', '1'], ['GEOADD', 'g', '1', '1', 'a', '2'], ['GEOADD', 'g', 'CH'], ['GEOADD', 'g'],
      ['GEOADD', 'g', '200', '100', 'a'], ['GEOADD', 'g', '1', '85.06', 'a'], ['GEOADD', 'g', '-180.0001', '0', 'a'],
      ['GEOADD', 'g', 'inf', '2', 'a'], ['GEOADD', 'g', '1', '-inf', 'a'], ['GEOADD', 'g', 'nan', '2', 'a'], ['GEOADD', 'g', 'abc', '2', 'a'],
      ['GEOADD', 'g', '1e400', '1', 'a'], ['GEOADD', 'g', '1e30', '1', 'a'], ['GEOADD', 'g', '1.0000005', '100', 'a'],
      ['GEOADD', 'g', '0.0000005', '-90.5', 'a'], ['GEOADD', 'g', '1', '1', 'ok', '1', '91', 'bad'], ['ZSCORE', 'g', 'ok'],
      ['GEOADD', 'g', ' 1', '1', 'a'], ['GEOADD', 'g', '0x10', '1', 'hex'], ['GEOADD', 'g', '1e1', '-0', 'exp'],
      ['GEOADD', 'edge', '180', '85.05112878', 'ne', '-180', '-85.05112878', 'sw', '180', '-85.05112878', 'se', '-180', '85.05112878', 'nw'],
      ['ZRANGE', 'edge', '0', '-1', 'WITHSCORES'], ['GEOPOS', 'edge', 'ne', 'sw', 'se', 'nw'], ['GEOHASH', 'edge', 'ne', 'sw', 'se', 'nw'],
      ['SET', 'str', 'v'], ['GEOADD', 'str', '1', '1', 'a'], ['GEOADD', 'str', '1', '100', 'a'],
    ]);
  });

  it('GEODIST, GEOHASH, GEOPOS: units, missing members and keys, WRONGTYPE, RESP3', async () => {
    const { world, edges } = dataset(SEED);
    await p.same('GEOADD', 'w', ...world.slice(0, 60), ...edges);
    const steps: string[][] = [];
    for (let i = 0; i < 20; i++) {
      const unit = ['m', 'km', 'ft', 'mi', 'KM', 'Mi'][i % 6];
      steps.push(['GEODIST', 'w', `w${i}`, `w${i + 1}`, unit], ['GEODIST', 'w', `w${i}`, `e${(i % 16) + 1}`]);
    }
    steps.push(
      ['GEODIST', 'w', 'w1', 'w1'], ['GEODIST', 'w', 'w1', 'nope'], ['GEODIST', 'w', 'nope', 'w1'], ['GEODIST', 'nokey', 'a', 'b'],
      ['GEODIST', 'w', 'w1', 'w2', 'parsec'], ['GEODIST', 'w', 'w1', 'w2', 'km', 'x'], ['GEODIST', 'nokey', 'a', 'b', 'bad'],
      ['GEODIST', 'w', 'e1', 'e2'], ['GEODIST', 'w', 'e5', 'e6', 'km'], ['GEODIST', 'w', 'e13', 'e14'], ['GEODIST', 'w', 'e7', 'e8', 'mi'],
      ['GEOHASH', 'w', ...Array.from({ length: 60 }, (_, i) => `w${i}`), 'nope'], ['GEOHASH', 'w'], ['GEOHASH', 'nokey', 'a', 'b'],
      ['GEOHASH', 'w', ...Array.from({ length: 16 }, (_, i) => `e${i + 1}`)],
      ['GEOPOS', 'w', ...Array.from({ length: 60 }, (_, i) => `w${i}`), 'nope'], ['GEOPOS', 'w'], ['GEOPOS', 'nokey', 'a'],
      ['GEOPOS', 'w', ...Array.from({ length: 16 }, (_, i) => `e${i + 1}`)],
      ['SET', 'str', 'v'], ['GEODIST', 'str', 'a', 'b'], ['GEOHASH', 'str', 'a'], ['GEOPOS', 'str', 'a'], ['GEODIST', 'str', 'a', 'b', 'bad'],
      ['GEOSEARCH', 'str', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'], ['GEORADIUS', 'str', '0', '0', '1', 'km'],
      ['GEORADIUSBYMEMBER', 'str', 'a', '1', 'km'], ['GEOSEARCHSTORE', 'd', 'str', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
      ['GEORADIUS', 'str', 'bad', 'args'],
    );
    // scores that are not geohashes (ZADD) decode as Redis's casts make them
    steps.push(['ZADD', 'z', '-1', 'neg', '1.5', 'frac', '1e20', 'huge', '9007199254740993', 'big', '-inf', 'minf', 'inf', 'pinf'],
      ['GEOPOS', 'z', 'neg', 'frac', 'huge', 'big', 'minf', 'pinf'], ['GEOHASH', 'z', 'neg', 'frac', 'huge', 'big', 'minf', 'pinf'],
      ['GEODIST', 'z', 'neg', 'huge'], ['GEORADIUS', 'z', '0', '0', '20000', 'km', 'WITHHASH', 'WITHCOORD']);
    await p.script(steps);
    await hello(p, '3');
    await p.script(steps);
  });

  it('search argument errors, in Redis order', async () => {
    await p.same('GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    const base = ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37'];
    await p.script([
      ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37'], ['GEOSEARCH', 'g', 'BYRADIUS', '1', 'km'], ['geosearch', 'g', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '1', 'km', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMMEMBER', 'nope', 'BYRADIUS', '1', 'km'], ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope'], ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYRADIUS', 'x', 'km'],
      [...base, 'BYRADIUS', 'x', 'km'], [...base, 'BYRADIUS', '-1', 'km'], [...base, 'BYRADIUS', '1', 'parsec'],
      [...base, 'BYRADIUS', '1'], [...base, 'BYBOX', '1', '1'], [...base, 'BYBOX', 'x', '1', 'km'], [...base, 'BYBOX', '1', 'y', 'km'],
      [...base, 'BYBOX', '-1', '1', 'km'], [...base, 'BYBOX', '1', '-1', 'm'], [...base, 'BYBOX', '1', '1', 'yd'],
      [...base, 'BYRADIUS', '1', 'km', 'COUNT', '0'], [...base, 'BYRADIUS', '1', 'km', 'COUNT', '-1'],
      [...base, 'BYRADIUS', '1', 'km', 'COUNT', 'x'], [...base, 'BYRADIUS', '1', 'km', 'COUNT'], [...base, 'BYRADIUS', '1', 'km', 'ANY'],
      [...base, 'BYRADIUS', '1', 'km', 'STORE', 'x'], [...base, 'BYRADIUS', '1', 'km', 'STOREDIST'], [...base, 'BYRADIUS', '1', 'km', 'bogus'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '200', '37', 'BYRADIUS', '1', 'km'], ['GEOSEARCH', 'g', 'FROMLONLAT', 'x', '37', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '15', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHDIST'],
      ['GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'WITHHASH', 'STOREDIST'],
      ['GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'STORE', 'x'],
      ['GEOSEARCHSTORE', 'd', 'g', 'BYRADIUS', '200', 'km'], ['GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '15', '37'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'd', 'WITHDIST'], ['GEORADIUS', 'g', '15', '37', '200', 'km', 'WITHCOORD', 'STOREDIST', 'd'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE'], ['GEORADIUS', 'g', '15', '37', '200', 'km', 'FROMMEMBER', 'Palermo'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'BYBOX', '1', '1', 'km'], ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STOREDIST'],
      ['GEORADIUS', 'g', '15', '37', '-1', 'km'], ['GEORADIUS', 'g', '15', '37', 'x', 'km'], ['GEORADIUS', 'g', '15', '37', '1', 'x'],
      ['GEORADIUS', 'g', '190', '37', '1', 'km'], ['GEORADIUS', 'g', '15', '37', '1', 'km', 'COUNT', '0', 'WITHDIST'],
      ['GEORADIUS', 'g', '15', '37', '1', 'km', 'ANY'], ['GEORADIUS', 'g', '15', '37', '1', 'km', 'ANY', 'COUNT', '3'],
      ['GEORADIUS_RO', 'g', '15', '37', '200', 'km', 'STORE', 'd'], ['GEORADIUS_RO', 'g', '15', '37', '200', 'km', 'STOREDIST', 'd'],
      ['GEORADIUSBYMEMBER_RO', 'g', 'Palermo', '200', 'km', 'STORE', 'd'], ['GEORADIUSBYMEMBER', 'g', 'nope', '200', 'km'],
      ['GEORADIUSBYMEMBER', 'g', 'nope', 'x', 'km'], ['GEORADIUSBYMEMBER', 'g', 'Palermo', 'x', 'km'],
      ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'x', 'km', 'bogus'], ['GEORADIUSBYMEMBER', 'nokey', 'nope', '1', 'km', 'STORE', 'd'],
      ['GEORADIUSBYMEMBER', 'nokey', 'nope', '1', 'km', 'ANY'], ['GEORADIUS', 'nokey', '1', '1', '1', 'km'],
      ['GEORADIUS', 'nokey', '1', '1', '1', 'km', 'STORE', 'd'], ['GEORADIUS', 'g'], ['GEORADIUSBYMEMBER', 'g', 'a', '1'],
      ['GEOSEARCH', 'g'], ['GEOSEARCHSTORE', 'd', 'g'], ['GEORADIUS_RO', 'g', '1', '1', '1'],
    ]);
  });

  it('searches over a seeded world, a city cluster and the edges: every option, RESP2 and RESP3', async () => {
    const { world, city, edges } = dataset(SEED);
    await p.same('GEOADD', 'geo', ...world, ...city, ...edges);
    await p.same('GEOADD', 'small', ...city.slice(0, 60), ...edges.slice(0, 30)); // listpack encoding
    await p.same('OBJECT', 'ENCODING', 'small');
    const rnd = prng(SEED + 1);
    const centres: string[][] = [
      ['2.35', '48.85'], ['2.3', '48.9'], ['0', '0'], ['180', '0'], ['-180', '0'], ['179.99', '5'], ['-179.99', '-5'],
      ['0', '85.05112878'], ['0', '-85.05112878'], ['180', '85.05112878'], ['45', '70'], ['-45', '-81'], ['100', '-30'],
    ];
    for (let i = 0; i < 8; i++) centres.push([coord(rnd() * 360 - 180), coord(rnd() * 170 - 85)]);
    const radii: string[][] = [['500', 'm'], ['3', 'km'], ['15', 'km'], ['300', 'km'], ['2500', 'km'], ['7000', 'km'], ['12000', 'mi'], ['0', 'm'], ['40000', 'km']];
    const boxes: string[][] = [['1', '1', 'km'], ['10', '30', 'km'], ['400', '100', 'km'], ['5000', '3000', 'km'], ['30000', '60000', 'km'], ['20000', '20000', 'ft']];
    let steps = 0;
    const run = async (proto: '2' | '3'): Promise<void> => {
      await hello(p, proto);
      await seededMix(`geo searches (RESP${proto})`, SEED, centres.length, async (i) => {
        const [lon, lat] = centres[i];
        for (const key of ['geo', 'small']) {
          for (let j = 0; j < radii.length; j++) {
            const opts = OPTION_SETS[(i + j) % OPTION_SETS.length];
            const opts2 = OPTION_SETS[(i * 3 + j + 5) % OPTION_SETS.length];
            await p.same('GEORADIUS', key, lon, lat, ...radii[j], ...opts);
            await p.same('GEOSEARCH', key, 'FROMLONLAT', lon, lat, 'BYRADIUS', ...radii[j], ...opts2);
            steps += 2;
          }
          for (let j = 0; j < boxes.length; j++) {
            await p.same('GEOSEARCH', key, 'FROMLONLAT', lon, lat, 'BYBOX', ...boxes[j], ...OPTION_SETS[(i + j * 2) % OPTION_SETS.length]);
            steps++;
          }
        }
      });
      // around members: the searches from a member's own (decoded) position
      const members = ['c1', 'c50', 'w3', 'w77', 'w150', 'e1', 'e2', 'e5', 'e6', 'e7', 'e9', 'e13'];
      await seededMix(`geo member searches (RESP${proto})`, SEED, members.length, async (i) => {
        const m = members[i];
        for (let j = 0; j < radii.length; j++) {
          const opts = OPTION_SETS[(i + j) % OPTION_SETS.length];
          await p.same('GEORADIUSBYMEMBER', 'geo', m, ...radii[j], ...opts);
          await p.same('GEORADIUSBYMEMBER_RO', 'geo', m, ...radii[j], ...OPTION_SETS[(i + j + 3) % OPTION_SETS.length]);
          await p.same('GEOSEARCH', 'geo', 'FROMMEMBER', m, 'BYBOX', ...boxes[j % boxes.length], ...OPTION_SETS[(i + 2 * j) % OPTION_SETS.length]);
          steps += 3;
        }
        await p.same('GEORADIUS_RO', 'geo', '2.35', '48.85', '5', 'km', ...OPTION_SETS[i % OPTION_SETS.length]);
      });
    };
    await run('2');
    await run('3');
    assert.ok(steps > 1000, `ran ${steps} searches`);
  });

  it('equal distances keep Redis order: stable qsort without COUNT, its partial quicksort with COUNT', async () => {
    // groups of members at the same position, and positions mirrored around the centre (10, 20)
    const rnd = prng(SEED + 3);
    const args: string[] = [];
    for (let g = 0; g < 25; g++) {
      const dlon = Math.round((rnd() - 0.5) * 2e5) / 1e5;
      const dlat = Math.round((rnd() - 0.5) * 2e5) / 1e5;
      for (let k = 0; k < 1 + (g % 4); k++) args.push(String(10 + dlon), String(20 + dlat), `g${g}m${k}`);
      args.push(String(10 - dlon), String(20 + dlat), `g${g}x`);
    }
    await p.same('GEOADD', 't', ...args);
    const total = Number((await p.same('ZCARD', 't')).slice(1, -2));
    for (const order of [[], ['ASC'], ['DESC']]) {
      for (const count of [0, 1, 2, 3, 5, 6, 7, 8, 12, 20, 40, 41, 50, total - 1, total, total + 5]) {
        const c = count === 0 ? [] : ['COUNT', String(count)];
        await p.same('GEORADIUS', 't', '10', '20', '400', 'km', ...order, ...c);
        await p.same('GEOSEARCH', 't', 'FROMLONLAT', '10', '20', 'BYBOX', '500', '500', 'km', ...order, ...c, 'WITHDIST');
      }
    }
    await p.same('GEORADIUSBYMEMBER', 't', 'g0m0', '300', 'km', 'COUNT', '9', 'DESC');
    await p.same('GEOSEARCHSTORE', 'd', 't', 'FROMMEMBER', 'g3m0', 'BYRADIUS', '300', 'km', 'COUNT', '9', 'STOREDIST');
    await p.same('ZRANGE', 'd', '0', '-1', 'WITHSCORES');
  });

  it('points exactly on the radius or the box edge are in, one unit less leaves them out', async () => {
    const { city } = dataset(SEED + 5);
    await p.same('GEOADD', 'c', ...city);
    // the exact distances (meters, all 17 digits) from c0, as Redis stores them
    await p.same('GEOSEARCHSTORE', 'dist', 'c', 'FROMMEMBER', 'c0', 'BYRADIUS', '30', 'km', 'STOREDIST');
    const pairs = (await p.same('ZRANGE', 'dist', '0', '-1', 'WITHSCORES')).split('\r\n').filter((l, i) => i % 2 === 0 && i > 0);
    const scores = pairs.filter((_, i) => i % 2 === 1).slice(1, 40);
    assert.ok(scores.length > 20, `${scores.length} distances`);
    for (const d of scores) {
      const below = Number(d) * (1 - 2 ** -52);
      await p.same('GEORADIUSBYMEMBER', 'c', 'c0', d, 'm', 'WITHDIST', 'DESC', 'COUNT', '2');
      await p.same('GEORADIUSBYMEMBER', 'c', 'c0', String(below), 'm', 'DESC', 'COUNT', '2');
      await p.same('GEOSEARCH', 'c', 'FROMMEMBER', 'c0', 'BYBOX', String(Number(d) * 2), String(Number(d) * 2), 'm', 'DESC', 'COUNT', '3');
    }
  });

  it('STORE / STOREDIST / GEOSEARCHSTORE: the stored zsets, encodings, empty results and missing sources', async () => {
    // A fixed dataset: worldwide STOREDIST scores show distances to the last bit, and glibc's sin/cos/asin
    // round a few arguments in ~10^3 differently from the correctly rounded ones used here (see libm.ts).
    const { world, city, edges } = dataset(20261133);
    await p.same('GEOADD', 'geo', ...world, ...city, ...edges);
    const stores: string[][] = [
      ['GEORADIUS', 'geo', '2.35', '48.85', '5', 'km', 'STORE', 'd'], ['GEORADIUS', 'geo', '2.35', '48.85', '5', 'km', 'STOREDIST', 'd'],
      ['GEORADIUS', 'geo', '2.35', '48.85', '50', 'km', 'STORE', 'd'], ['GEORADIUS', 'geo', '2.35', '48.85', '50', 'mi', 'STOREDIST', 'd'],
      ['GEORADIUS', 'geo', '2.35', '48.85', '50', 'km', 'COUNT', '10', 'DESC', 'STOREDIST', 'd'],
      ['GEORADIUS', 'geo', '2.35', '48.85', '50', 'km', 'COUNT', '10', 'ANY', 'STORE', 'd'],
      ['GEORADIUS', 'geo', '0', '0', '20000', 'km', 'STORE', 'd'], ['GEORADIUS', 'geo', '0', '0', '20000', 'km', 'STOREDIST', 'd'],
      ['GEORADIUSBYMEMBER', 'geo', 'c3', '2', 'km', 'STORE', 'd'], ['GEORADIUSBYMEMBER', 'geo', 'w5', '3000', 'km', 'STOREDIST', 'd'],
      ['GEORADIUSBYMEMBER', 'geo', 'c3', '2', 'km', 'STORE', 'd', 'STOREDIST', 'd2'],
      ['GEOSEARCHSTORE', 'd', 'geo', 'FROMMEMBER', 'c3', 'BYBOX', '4', '2', 'km'],
      ['GEOSEARCHSTORE', 'd', 'geo', 'FROMMEMBER', 'c3', 'BYBOX', '4', '2', 'km', 'STOREDIST'],
      ['GEOSEARCHSTORE', 'd', 'geo', 'FROMLONLAT', '180', '0', 'BYRADIUS', '3000', 'km', 'STOREDIST', 'ASC', 'COUNT', '5'],
      ['GEOSEARCHSTORE', 'd', 'geo', 'FROMLONLAT', '0', '85', 'BYBOX', '6000', '800', 'km'],
      ['GEOSEARCHSTORE', 'd', 'geo', 'FROMLONLAT', '2.35', '48.85', 'BYRADIUS', '200', 'km', 'storedist'],
      ['GEOSEARCHSTORE', 'geo2', 'geo', 'FROMLONLAT', '2.35', '48.85', 'BYRADIUS', '200', 'km'],
    ];
    for (const cmd of stores) {
      await p.same(...cmd);
      await p.same('ZRANGE', 'd', '0', '-1', 'WITHSCORES');
      await p.same('OBJECT', 'ENCODING', 'd');
    }
    await p.script([
      ['ZRANGE', 'd2', '0', '-1', 'WITHSCORES'], ['ZCARD', 'geo2'], ['GEOPOS', 'geo2', 'c1', 'c2', 'c3'],
      // empty results and missing sources delete the destination
      ['SET', 'd', 'x'], ['GEORADIUS', 'geo', '30', '30', '1', 'm', 'STORE', 'd'], ['EXISTS', 'd'], ['GEORADIUS', 'geo', '30', '30', '1', 'm', 'STORE', 'd'],
      ['SET', 'd', 'x'], ['GEOSEARCHSTORE', 'd', 'geo', 'FROMLONLAT', '30', '30', 'BYBOX', '1', '1', 'm'], ['EXISTS', 'd'],
      ['SET', 'd', 'x'], ['GEORADIUS', 'nokey', '30', '30', '1', 'm', 'STORE', 'd'], ['EXISTS', 'd'],
      ['SET', 'd', 'x'], ['GEORADIUSBYMEMBER', 'nokey', 'x', '1', 'm', 'STOREDIST', 'd'], ['EXISTS', 'd'],
      ['SET', 'd', 'x'], ['GEOSEARCHSTORE', 'd', 'nokey', 'FROMMEMBER', 'x', 'BYBOX', '1', '1', 'm'], ['EXISTS', 'd'],
      ['SET', 'd', 'x'], ['EXPIRE', 'd', '100'], ['GEOSEARCHSTORE', 'd', 'geo', 'FROMMEMBER', 'c3', 'BYRADIUS', '1', 'km'], ['TTL', 'd'], ['TYPE', 'd'],
      ['GEOSEARCHSTORE', 'geo', 'geo', 'FROMMEMBER', 'c3', 'BYRADIUS', '1', 'km', 'STOREDIST'], ['ZRANGE', 'geo', '0', '-1', 'WITHSCORES'],
    ]);
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '4');
    await p.script([
      ['GEOSEARCHSTORE', 'd', 'geo2', 'FROMLONLAT', '2.35', '48.85', 'BYRADIUS', '200', 'km', 'COUNT', '4'], ['OBJECT', 'ENCODING', 'd'],
      ['GEOSEARCHSTORE', 'd', 'geo2', 'FROMLONLAT', '2.35', '48.85', 'BYRADIUS', '200', 'km', 'COUNT', '5'], ['OBJECT', 'ENCODING', 'd'],
    ]);
    await p.same('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
  });

  it('dirty counter and keyspace hits/misses move as in Redis', async () => {
    await sameCounters(p, [
      ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'], ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo'],
      ['GEOADD', 'g', 'CH', '13', '38', 'Palermo'], ['GEOADD', 'g', 'XX', '1', '1', 'new'], ['GEOADD', 'g', '200', '1', 'bad'],
      ['GEODIST', 'g', 'Palermo', 'Catania'], ['GEODIST', 'nokey', 'a', 'b'], ['GEOHASH', 'g', 'Palermo'], ['GEOPOS', 'nokey', 'a'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km'], ['GEORADIUS', 'nokey', '15', '37', '200', 'km'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'd'], ['GEORADIUS', 'g', '15', '37', '1', 'm', 'STORE', 'd'],
      ['GEORADIUS', 'g', '15', '37', '1', 'm', 'STORE', 'd'], ['GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '500', 'km'],
      ['GEOSEARCHSTORE', 'd', 'nokey', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '500', 'km'],
    ]);
  });
});

describe('GEO keyspace events match redis-server', () => {
  const t = withEventsPair();

  it('GEOADD is a zadd, stores are georadiusstore / geosearchstore, empty stores delete', async () => {
    const events = await sameEvents(t.d, [
      ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'], ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo'],
      ['GEOADD', 'g', 'XX', '1', '1', 'Palermo'], ['GEOADD', 'g', '1', '100', 'bad'], ['GEODIST', 'g', 'Palermo', 'Catania'],
      ['GEORADIUS', 'g', '15', '37', '500', 'km', 'STORE', 'd'], ['GEORADIUSBYMEMBER', 'g', 'Catania', '500', 'km', 'STOREDIST', 'd'],
      ['GEOSEARCHSTORE', 'd2', 'g', 'FROMMEMBER', 'Catania', 'BYRADIUS', '500', 'km'], ['GEOSEARCHSTORE', 'd2', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
      ['GEORADIUS', 'g', '0', '0', '1', 'km', 'STORE', 'd'], ['GEORADIUS', 'nokey', '0', '0', '1', 'km', 'STORE', 'g'],
      ['GEOSEARCH', 'd', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
    ]);
    assert.ok(events >= 8, `saw ${events} events`);
  });
});

describe('GEO propagation to the AOF matches redis-server', () => {
  let p: Pair;
  const aofArgs = ['--appendonly', 'yes'];
  before(async () => { p = await startPair({ args: aofArgs }, aofArgs); });
  after(async () => { await p.stop(); });

  it('GEOADD is written as the zadd it ran; stores as sent; reads and no-op stores not at all', async () => {
    await p.script([
      ['GEOADD', 'g', 'ch', 'NX', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '180', '85.05112878', 'pole'],
      ['GEOADD', 'g', 'XX', '1', '1', 'nope'], ['GEOADD', 'g', '1', '100', 'bad'], ['GEOADD', 'g', '-180', '-85.05112878', 'sw', '0.5', '0.25', 'mid'],
      ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'd'], ['GEORADIUS', 'g', '15', '37', '200', 'km'],
      ['GEOSEARCHSTORE', 'd2', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '10', 'km', 'STOREDIST'],
      ['GEORADIUS', 'g', '15', '37', '1', 'm', 'STORE', 'nothing'], ['GEORADIUS', 'g', '15', '37', '1', 'm', 'STORE', 'd'],
      ['MULTI'], ['GEOADD', 'g', '2', '2', 'm1'], ['GEORADIUSBYMEMBER', 'g', 'm1', '1', 'km', 'STORE', 'd3'], ['EXEC'],
    ]);
    const incr = (dir: string) => fs.readFileSync(path.join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof'), 'latin1');
    assert.equal(JSON.stringify(incr(p.hotkv.dir)), JSON.stringify(incr(p.redis.dir)));
    assert.match(incr(p.hotkv.dir), /\$4\r\nzadd\r\n/);
  });
});
