// npm run bench [-- --quick] [--repeats N] [--seconds S] [--budget S] [--n N] [--tests a,b] [--pipelines 1,16]
//                 [--clients N] [--keys N] [--hashes N] [--no-memory] [--no-load] [--out DIR]
//
// hotkv and Debian's redis-server 7.0 side by side: both start on free loopback ports with the same
// settings (no persistence), the same redis-benchmark tests run against each one after the other, and
// each (hotkv, redis) pair is repeated with the order alternating; the table shows median ops/s and the
// median per-pair ratio, without and with pipelining. Then memory: 1,000,000 string keys with 16-byte
// values and 100,000 hashes of 10 fields, loaded into fresh servers, RSS per key (the median of up to 3
// loads per server: --repeats, at most 3; see lib/memory.ts for why more than one). Then start-up: the
// time each server takes to load a dump of --keys string keys that redis-server wrote (--no-load skips it).
// Writes bench/out/bench.json, bench.md and bench.png.
//
// Sizing: a short calibration run of every test (which also warms hotkv's JIT) measures both servers;
// each test then gets n = seconds * geometric mean of the two rates, so one run takes about `seconds`
// (the slower server longer). If the repeats would take more than --budget seconds, n shrinks to fit.
// --quick: one repeat, fixed small n, 100,000 keys and 10,000 hashes - a check that it all works.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHotkv, startRedis, type RunningServer } from '../test/helpers/servers';
import { renderPng } from './upgrade';
import { benchSvg } from './lib/chart';
import { measureMemory, type MemoryResult } from './lib/memory';
import { measureRdbLoad, type RdbLoadResult } from './lib/rdbload';
import { consoleTable, markdown, type BenchReport, type PairRun, type ThroughputRow } from './lib/report';
import { cli, median, redisBenchmark, run, TESTS, type BenchResult } from './lib/tools';

interface Options {
  quick: boolean;
  repeats: number;
  seconds: number;
  budget: number;
  n: number;
  tests: string[];
  pipelines: number[];
  clients: number;
  keys: number;
  hashes: number;
  memory: boolean;
  /** time to load a dump of `keys` keys at start */
  load: boolean;
  out: string;
}

/** Relative cost of a request, for the calibration / --quick n (LRANGE_600 moves 600 elements). */
const WEIGHT: Record<string, number> = { lrange_100: 1 / 3, lrange_600: 1 / 10, mset: 1 / 3 };
const SERVER_ARGS = ['--save', '', '--appendonly', 'no'];

function parseArgs(argv: string[]): Options {
  const o: Options = {
    quick: false, repeats: 5, seconds: 1.5, budget: 540, n: 0, tests: Object.keys(TESTS), pipelines: [1, 16], clients: 50,
    keys: 1_000_000, hashes: 100_000, memory: true, load: true, out: path.join(__dirname, 'out'),
  };
  if (argv.includes('--quick')) Object.assign(o, { quick: true, repeats: 1, keys: 100_000, hashes: 10_000 });
  const num = (a: string, v: string | undefined, min: number) => {
    const x = Number(v);
    if (v === undefined || !Number.isFinite(x) || x < min) throw new Error(`${a} needs a number >= ${min}`);
    return x;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') continue;
    else if (a === '--repeats') o.repeats = Math.floor(num(a, argv[++i], 1));
    else if (a === '--seconds') o.seconds = num(a, argv[++i], 0.01);
    else if (a === '--budget') o.budget = num(a, argv[++i], 1);
    else if (a === '--n') o.n = Math.floor(num(a, argv[++i], 1));
    else if (a === '--clients') o.clients = Math.floor(num(a, argv[++i], 1));
    else if (a === '--keys') o.keys = Math.floor(num(a, argv[++i], 100));
    else if (a === '--hashes') o.hashes = Math.floor(num(a, argv[++i], 1));
    else if (a === '--no-memory') o.memory = false;
    else if (a === '--no-load') o.load = false;
    else if (a === '--out') o.out = path.resolve(argv[++i] ?? '');
    else if (a === '--tests') {
      o.tests = (argv[++i] ?? '').split(',').filter((t) => t !== '');
      for (const t of o.tests) if (TESTS[t] === undefined) throw new Error(`unknown test ${t}; known: ${Object.keys(TESTS).join(',')}`);
    } else if (a === '--pipelines') o.pipelines = (argv[++i] ?? '').split(',').map((x) => Math.floor(num(a, x, 1)));
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.tests.length === 0 || o.pipelines.length === 0) throw new Error('no tests or pipelines');
  return o;
}

const log = (s: string) => console.error(`  .. ${s}`);
/** Two significant digits, at least 100. */
const roundN = (x: number) => {
  const e = 10 ** Math.max(2, Math.floor(Math.log10(Math.max(x, 1))) - 1);
  return Math.max(100, Math.round(x / e) * e);
};
const baseN = (test: string, pipeline: number, quick: boolean) =>
  roundN((pipeline === 1 ? (quick ? 5000 : 4000) : (quick ? 50000 : 40000)) * (WEIGHT[test] ?? 1));

interface Plan {
  test: string;
  pipeline: number;
  n: number;
}

/** Calibrate every (test, pipeline) on both servers and choose n; also the JIT warm-up. */
async function plan(o: Options, h: RunningServer, r: RunningServer): Promise<Plan[]> {
  const plans: Plan[] = [];
  const cells = o.pipelines.flatMap((pipeline) => o.tests.map((test) => ({ test, pipeline })));
  if (o.n > 0 || o.quick) {
    for (const c of cells) {
      const n = o.n > 0 ? o.n : baseN(c.test, c.pipeline, true);
      // a short warm-up (hotkv's JIT), the same on both servers so their data stays alike
      for (const s of [h, r]) await redisBenchmark(s.port, c.test, Math.max(100, Math.round(n / 5)), c.pipeline, o.clients);
      plans.push({ ...c, n });
    }
    return plans;
  }
  let estMs = 0;
  const rates: { c: (typeof cells)[number]; rh: number; rr: number; wallPerReq: number }[] = [];
  for (const c of cells) {
    const n = baseN(c.test, c.pipeline, false);
    const bh = await redisBenchmark(h.port, c.test, n, c.pipeline, o.clients);
    const br = await redisBenchmark(r.port, c.test, n, c.pipeline, o.clients);
    rates.push({ c, rh: bh.rps, rr: br.rps, wallPerReq: (bh.wallMs + br.wallMs) / n });
    log(`calibrate ${c.test} -P ${c.pipeline}: hotkv ${Math.round(bh.rps)}/s redis ${Math.round(br.rps)}/s`);
  }
  let seconds = o.seconds;
  for (let round = 0; round < 2; round++) {
    estMs = 0;
    for (const x of rates) estMs += roundN(seconds * Math.sqrt(x.rh * x.rr)) * x.wallPerReq;
    estMs *= o.repeats;
    if (estMs <= o.budget * 1000) break;
    seconds *= (o.budget * 1000) / estMs;
  }
  if (seconds < o.seconds) log(`--budget ${o.budget} s: ${o.seconds} s per test shrinks to ${seconds.toFixed(2)} s`);
  log(`estimated ${(estMs / 1000).toFixed(0)} s for ${o.repeats} repeat(s) of ${cells.length} tests on both servers`);
  for (const x of rates) plans.push({ ...x.c, n: roundN(seconds * Math.sqrt(x.rh * x.rr)) });
  return plans;
}

async function throughput(o: Options, h: RunningServer, r: RunningServer): Promise<ThroughputRow[]> {
  const plans = await plan(o, h, r);
  const results = plans.map(() => ({ runs: [] as PairRun[], bh: [] as BenchResult[], br: [] as BenchResult[] }));
  for (let rep = 0; rep < o.repeats; rep++) {
    // the same command stream reaches both servers, so each starts every repeat from the same data
    await cli(h.port, 'FLUSHALL');
    await cli(r.port, 'FLUSHALL');
    for (let i = 0; i < plans.length; i++) {
      const { test, pipeline, n } = plans[i];
      const hotkvFirst = (rep + i) % 2 === 0;
      let bh: BenchResult;
      let br: BenchResult;
      if (hotkvFirst) {
        bh = await redisBenchmark(h.port, test, n, pipeline, o.clients);
        br = await redisBenchmark(r.port, test, n, pipeline, o.clients);
      } else {
        br = await redisBenchmark(r.port, test, n, pipeline, o.clients);
        bh = await redisBenchmark(h.port, test, n, pipeline, o.clients);
      }
      results[i].bh.push(bh);
      results[i].br.push(br);
      results[i].runs.push({ hotkv: bh.rps, redis: br.rps, ratio: bh.rps / br.rps, first: hotkvFirst ? 'hotkv' : 'redis' });
      log(`repeat ${rep + 1}/${o.repeats} ${test} -P ${pipeline} n=${n}: hotkv ${Math.round(bh.rps)}/s redis ${Math.round(br.rps)}/s ` +
        `ratio ${(bh.rps / br.rps).toFixed(2)}`);
    }
  }
  return plans.map((p, i) => {
    const { runs, bh, br } = results[i];
    const ratios = runs.map((x) => x.ratio);
    return {
      ...p, runs, hotkv: median(runs.map((x) => x.hotkv)), redis: median(runs.map((x) => x.redis)), ratio: median(ratios),
      ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios),
      hotkvP50ms: median(bh.map((x) => x.p50ms)), redisP50ms: median(br.map((x) => x.p50ms)),
    };
  });
}

const running = new Set<RunningServer>();
async function track(p: Promise<RunningServer>): Promise<RunningServer> {
  const s = await p;
  running.add(s);
  return s;
}
async function stopAll(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
  running.clear();
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => { void stopAll().finally(() => process.exit(130)); });
  }
  const redisVersion = (await run('redis-server', ['--version'])).stdout.trim().replace(/ sha=.*$/, '');
  let rows: ThroughputRow[] = [];
  const h = await track(startHotkv({ nodeFlags: ['--expose-gc'], args: SERVER_ARGS }));
  const r = await track(startRedis(SERVER_ARGS));
  try {
    log(`hotkv on ${h.port} (pid ${h.proc.pid}), redis-server on ${r.port} (pid ${r.proc.pid})`);
    rows = await throughput(o, h, r);
  } finally {
    await stopAll();
  }
  const memory: MemoryResult[] = [];
  if (o.memory) {
    for (const [dataset, keys] of [['strings', o.keys], ['hashes', o.hashes]] as const) {
      log(`memory: ${dataset} x ${keys}`);
      memory.push(await measureMemory(dataset, keys, SERVER_ARGS, Math.min(3, o.repeats)));
    }
  }
  let rdbLoad: RdbLoadResult | undefined;
  if (o.load) {
    log(`load: dump of ${o.keys} keys`);
    rdbLoad = await measureRdbLoad(o.keys, o.repeats, SERVER_ARGS);
  }
  const cpus = os.cpus();
  const report: BenchReport = {
    meta: {
      date: new Date().toISOString(),
      command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
      host: `${cpus.length} x ${cpus[0]?.model.trim() ?? '?'}, load ${os.loadavg()[0].toFixed(2)}`,
      node: process.version,
      redisServer: redisVersion,
      clients: o.clients,
      repeats: o.repeats,
      secondsPerTest: o.seconds,
      quick: o.quick,
      durationS: (performance.now() - t0) / 1000,
    },
    throughput: rows,
    memory,
    rdbLoad,
  };
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'bench.json'), JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(path.join(o.out, 'bench.md'), markdown(report));
  fs.writeFileSync(path.join(o.out, 'bench.png'), renderPng(benchSvg(report)));
  for (const l of consoleTable(report)) console.log(l);
  console.log(`wrote ${['bench.json', 'bench.md', 'bench.png'].map((f) => path.relative(process.cwd(), path.join(o.out, f))).join(', ')} ` +
    `in ${report.meta.durationS.toFixed(0)} s`);
}

main().catch(async (e) => {
  console.error(`bench: ${(e as Error).stack ?? String(e)}`);
  await stopAll();
  process.exit(1);
});
