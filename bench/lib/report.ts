// What `npm run bench` measured (written as bench/out/bench.json) and its Markdown form (bench.md).
import type { MemoryResult } from './memory';
import type { RdbLoadResult } from './rdbload';
import { median } from './tools';

export interface PairRun {
  hotkv: number;
  redis: number;
  /** hotkv ops/s / redis ops/s of this pair */
  ratio: number;
  /** which server ran first in this pair */
  first: 'hotkv' | 'redis';
}

export interface ThroughputRow {
  test: string;
  pipeline: number;
  /** requests per redis-benchmark run */
  n: number;
  runs: PairRun[];
  /** median ops/s over the runs */
  hotkv: number;
  redis: number;
  /** median of the per-pair ratios */
  ratio: number;
  /** smallest and largest per-pair ratio */
  ratioMin: number;
  ratioMax: number;
  /** median p50 latency (ms) redis-benchmark reported */
  hotkvP50ms: number;
  redisP50ms: number;
}

export interface BenchReport {
  meta: {
    date: string;
    command: string;
    host: string;
    node: string;
    redisServer: string;
    clients: number;
    repeats: number;
    secondsPerTest: number;
    quick: boolean;
    durationS: number;
  };
  throughput: ThroughputRow[];
  memory: MemoryResult[];
  /** loading a dump at start (absent with --no-load) */
  rdbLoad?: RdbLoadResult;
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

export function markdown(r: BenchReport): string {
  const m = r.meta;
  const lines = [
    '# hotkv vs redis-server 7.0',
    '',
    `Measured ${m.date} with \`${m.command}\` (${m.durationS.toFixed(0)} s${m.quick ? ', --quick' : ''}).`,
    `Host: ${m.host}; Node ${m.node}; ${m.redisServer}.`,
    '',
    'Both servers run on loopback with the same settings (`--save \'\' --appendonly no`), one after the',
    `other; each test is one \`redis-benchmark -c ${m.clients} -n N -P P -t TEST --csv\` run, and every pair`,
    `(hotkv, redis) is repeated ${m.repeats} time(s) with the order alternating. ops/s columns are medians;`,
    '"ratio" is the median of the per-pair hotkv/redis ratios (range in brackets); above 1 means hotkv is faster.',
    '',
  ];
  for (const p of [...new Set(r.throughput.map((t) => t.pipeline))].sort((a, b) => a - b)) {
    lines.push(`## Throughput, ${p === 1 ? 'no pipelining (-P 1)' : `pipelining -P ${p}`}`, '');
    lines.push('| test | n | hotkv ops/s | redis ops/s | ratio | hotkv p50 ms | redis p50 ms |');
    lines.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const t of r.throughput.filter((x) => x.pipeline === p)) {
      const range = t.runs.length > 1 ? ` [${t.ratioMin.toFixed(2)}-${t.ratioMax.toFixed(2)}]` : '';
      lines.push(`| ${t.test} | ${int(t.n)} | ${int(t.hotkv)} | ${int(t.redis)} | ${t.ratio.toFixed(2)}${range} | ` +
        `${t.hotkvP50ms.toFixed(3)} | ${t.redisP50ms.toFixed(3)} |`);
    }
    lines.push('');
  }
  if (r.memory.length > 0) {
    lines.push('## Memory', '');
    lines.push('Each data set is loaded into a fresh server through `redis-cli --pipe`; RSS is VmRSS of the server',
      'process after `MEMORY PURGE` (full GCs that compact the heap in hotkv, which runs with `--expose-gc`) and a short',
      'settle. "bytes/key" is (RSS loaded - RSS empty) / keys. Each server is loaded several times; the rows are the',
      'median load, "all loads" lists every load\'s bytes/key.', '');
    lines.push('| data set | server | RSS empty | RSS loaded | used_memory | bytes/key | all loads | load time |');
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|');
    for (const x of r.memory) {
      for (const s of ['hotkv', 'redis'] as const) {
        const v = x[s];
        lines.push(`| ${x.description} | ${s} | ${mib(v.rssEmpty)} | ${mib(v.rssLoaded)} | ${mib(v.usedMemory)} | ` +
          `${v.bytesPerKey.toFixed(0)} | ${x.allBytesPerKey[s].map((b) => b.toFixed(0)).join(', ')} | ${(v.loadMs / 1000).toFixed(2)} s |`);
      }
      lines.push(`| | **hotkv/redis** | | | | **${x.ratio.toFixed(2)}** | | |`);
    }
    lines.push('');
  }
  const l = r.rdbLoad;
  if (l !== undefined) {
    lines.push('## Loading a dump at start', '');
    lines.push(`A dump of ${int(l.keys)} string keys with 16-byte values (\`DEBUG POPULATE ${l.keys} key 16\` + \`SAVE\` in`,
      `redis-server), ${mib(l.fileBytes)}, loaded by each server ${l.hotkv.loadS.length} time(s), alternating. "load" is`,
      'what each server logs as "DB loaded from disk"; "ready" is spawn to "Ready to accept connections". Medians.', '');
    lines.push('| server | load | ready | RSS after load |');
    lines.push('|---|---:|---:|---:|');
    for (const s of ['hotkv', 'redis'] as const) {
      lines.push(`| ${s} | ${median(l[s].loadS).toFixed(3)} s | ${median(l[s].readyS).toFixed(3)} s | ${mib(l[s].rss)} |`);
    }
    lines.push(`| **hotkv/redis** | **${l.ratio.toFixed(2)}** | | |`, '');
  }
  return lines.join('\n');
}

/** The table printed on the terminal. */
export function consoleTable(r: BenchReport): string[] {
  const out: string[] = [];
  const w = Math.max(...r.throughput.map((t) => t.test.length), 4);
  out.push(`${'test'.padEnd(w)}  ${'-P'.padStart(3)}  ${'hotkv ops/s'.padStart(12)}  ${'redis ops/s'.padStart(12)}  ${'ratio'.padStart(6)}  range`);
  for (const t of r.throughput) {
    out.push(`${t.test.padEnd(w)}  ${String(t.pipeline).padStart(3)}  ${int(t.hotkv).padStart(12)}  ${int(t.redis).padStart(12)}  ` +
      `${t.ratio.toFixed(2).padStart(6)}  ${t.ratioMin.toFixed(2)}-${t.ratioMax.toFixed(2)}`);
  }
  for (const x of r.memory) {
    const range = (a: number[]) => `${Math.min(...a).toFixed(0)}-${Math.max(...a).toFixed(0)}`;
    out.push(`memory ${x.description}, median of ${x.allBytesPerKey.hotkv.length} loads: hotkv ${mib(x.hotkv.rssLoaded)} RSS, ` +
      `${x.hotkv.bytesPerKey.toFixed(0)} B/key (${range(x.allBytesPerKey.hotkv)}); redis ${mib(x.redis.rssLoaded)} RSS, ` +
      `${x.redis.bytesPerKey.toFixed(0)} B/key (${range(x.allBytesPerKey.redis)}); ratio ${x.ratio.toFixed(2)}`);
  }
  const l = r.rdbLoad;
  if (l !== undefined) {
    out.push(`load ${int(l.keys)}-key dump (${mib(l.fileBytes)}): hotkv ${median(l.hotkv.loadS).toFixed(3)} s, ` +
      `redis ${median(l.redis.loadS).toFixed(3)} s; ratio ${l.ratio.toFixed(2)}`);
  }
  return out;
}
