// npm run bench:upgrade [-- --upgrades N --clients N --pipeline N --keys N --warmup-ms N --baseline-ms N --gap-ms N
//                           --probation-ms N --out FILE]
//
// Runs hotkv (with --expose-gc) under pipelined load from several connections, every reply checked and
// every command's latency recorded, performs N hot upgrades (default 1000) alternating between two bundles,
// and prints the swap pause, the latency clients saw before and during the upgrades, errors, reconnects,
// and the server's memory (INFO memory after MEMORY PURGE) after the 10th and the last upgrade with its
// drift (goal: within 5%). Writes a PNG chart of latency over time with the upgrades marked
// (bench/out/upgrade-latency.png). Ends with a SUMMARY line; exits 1 when it says FAIL (a client error, a
// reconnect, a failed upgrade, or a memory drift beyond the goal).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import {
  BEFORE, DEFAULTS, DURING, IN_UPGRADE, percentile, runUpgradeBench, type UpgradeBenchOptions, type UpgradeBenchResult,
} from './upgrade-run';

const DRIFT_GOAL = 5;

function parseArgs(argv: string[]): { opts: UpgradeBenchOptions; out: string } {
  const opts = { ...DEFAULTS };
  let out = path.join(__dirname, 'out', 'upgrade-latency.png');
  const names: Record<string, keyof UpgradeBenchOptions> = {
    '--upgrades': 'upgrades', '--clients': 'clients', '--pipeline': 'pipeline', '--keys': 'keys',
    '--warmup-ms': 'warmupMs', '--baseline-ms': 'baselineMs', '--gap-ms': 'gapMs', '--probation-ms': 'probationMs',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = path.resolve(argv[++i]);
    else if (names[a] !== undefined) {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      (opts as Record<string, unknown>)[names[a]] = v;
    } else throw new Error(`unknown argument ${a}`);
  }
  if (opts.upgrades < 1 || opts.clients < 1 || opts.pipeline < 1 || opts.keys < 1) throw new Error('counts must be at least 1');
  opts.memoryAt = Math.min(10, opts.upgrades);
  return { opts, out };
}

const ms = (x: number) => (x >= 100 ? `${x.toFixed(0)} ms` : x >= 10 ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ms`);
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
const pct = (a: number, b: number) => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(2)}%`;

function stats(sorted: Float64Array): string {
  return `p50 ${ms(percentile(sorted, 50))}  p99 ${ms(percentile(sorted, 99))}  max ${ms(percentile(sorted, 100))}  (${sorted.length} commands)`;
}

function report(r: UpgradeBenchResult): { lines: string[]; ok: boolean; summary: string } {
  const o = r.options;
  const pauses = Float64Array.from(r.pausesUs).sort();
  const trips = Float64Array.from(r.roundTripsMs).sort();
  const before = r.samples.select((f) => (f & BEFORE) !== 0);
  const during = r.samples.select((f) => (f & DURING) !== 0);
  const inUpgrade = r.samples.select((f) => (f & IN_UPGRADE) !== 0);
  const [m10, mLast] = [r.memory[0], r.memory[r.memory.length - 1]];
  const mHalf = r.memory.length > 2 ? r.memory[1] : null;
  const heapDrift = ((mLast.usedMemory - m10.usedMemory) / m10.usedMemory) * 100;
  const rssDrift = ((mLast.rss - m10.rss) / m10.rss) * 100;
  const lines = [
    `hotkv upgrade bench: ${r.pausesUs.length}/${o.upgrades} upgrades, ${o.clients} connections x ${o.pipeline} pipelined, ` +
      `${o.keys} keys, probation ${o.probationMs} ms (node ${process.version}, ${os.cpus().length} cpus, ${(r.durationMs / 1000).toFixed(1)} s)`,
    `  swap pause (pause_us)          median ${percentile(pauses, 50)} us  p99 ${percentile(pauses, 99)} us  max ${percentile(pauses, 100)} us`,
    `  HOTUPGRADE LOAD round trip     median ${ms(percentile(trips, 50))}  p99 ${ms(percentile(trips, 99))}  max ${ms(percentile(trips, 100))}`,
    `  latency before upgrades        ${stats(before)}`,
    `  latency during upgrade phase   ${stats(during)}`,
    `    of which overlapping a LOAD  ${stats(inUpgrade)}`,
    `  errors ${r.errors}, reconnects ${r.reconnects}, ${r.commands} commands checked`,
    ...r.memory.map((m) => `  memory after upgrade ${String(m.afterUpgrade).padEnd(5)} used_memory ${mib(m.usedMemory)}  rss ${mib(m.rss)}  ` +
      `bundles loaded ${m.bundlesLoaded} collected ${m.bundlesCollected}, code cache ${m.codeCache}`),
    `  drift ${m10.afterUpgrade} -> ${mLast.afterUpgrade}: used_memory ${pct(m10.usedMemory, mLast.usedMemory)}  rss ${pct(m10.rss, mLast.rss)}  ` +
      `(goal: within ${DRIFT_GOAL}%)`,
  ];
  if (mHalf) {
    lines.push(`  drift ${mHalf.afterUpgrade} -> ${mLast.afterUpgrade}: used_memory ${pct(mHalf.usedMemory, mLast.usedMemory)}  ` +
      `rss ${pct(mHalf.rss, mLast.rss)}`);
  }
  for (const e of r.errorTexts) lines.push(`  ! ${e}`);
  const memOk = Math.abs(heapDrift) <= DRIFT_GOAL && Math.abs(rssDrift) <= DRIFT_GOAL;
  const ok = r.errors === 0 && r.reconnects === 0 && r.pausesUs.length === o.upgrades;
  const summary = `SUMMARY ${ok && memOk ? 'PASS' : 'FAIL'}: ${r.pausesUs.length} upgrades, ${r.errors} errors, ${r.reconnects} reconnects, ` +
    `pause median ${percentile(pauses, 50)} us / p99 ${percentile(pauses, 99)} us / max ${percentile(pauses, 100)} us, ` +
    `client p99 ${ms(percentile(before, 99))} before / ${ms(percentile(during, 99))} during, ` +
    `memory drift ${pct(m10.usedMemory, mLast.usedMemory)} used / ${pct(m10.rss, mLast.rss)} rss`;
  return { lines, ok: ok && memOk, summary };
}

// ------------------------------------------------------------------------------------ chart

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Latency over time (p50, p99 and max per time bucket, log scale) with each upgrade marked below the plot. */
export function chartSvg(r: UpgradeBenchResult, title: string): string {
  const W = 1400;
  const H = 640;
  const L = 80;
  const R = 30;
  const T = 60;
  const plotH = 440;
  const B = T + plotH;
  const s = r.samples;
  const tEnd = Math.max(r.phases.upgrades[1], 1);
  const buckets = Math.min(700, Math.max(50, Math.round(tEnd / 100)));
  const per: number[][] = Array.from({ length: buckets }, () => []);
  s.forEach((t, v) => per[Math.min(buckets - 1, Math.floor((t / tEnd) * buckets))].push(v));
  const series = per.map((a) => {
    if (a.length === 0) return null;
    const sorted = Float64Array.from(a).sort();
    return [percentile(sorted, 50), percentile(sorted, 99), sorted[sorted.length - 1]];
  });
  let lo = Infinity;
  let hi = 0;
  for (const v of series) if (v) { lo = Math.min(lo, v[0]); hi = Math.max(hi, v[2]); }
  const yMin = 10 ** Math.floor(Math.log10(Math.max(lo, 0.001)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(hi, yMin * 10)));
  const x = (t: number) => L + ((W - L - R) * t) / tEnd;
  const y = (v: number) => B - (plotH * (Math.log10(Math.max(v, yMin)) - Math.log10(yMin))) / (Math.log10(yMax) - Math.log10(yMin));
  const parts: string[] = [];
  const text = (tx: number, ty: number, str: string, extra = '', size = 13) =>
    parts.push(`<text x="${tx.toFixed(1)}" y="${ty.toFixed(1)}" font-family="Roboto Mono" font-size="${size}" fill="#222" ${extra}>${esc(str)}</text>`);
  parts.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  // baseline phase
  parts.push(`<rect x="${x(r.phases.baseline[0]).toFixed(1)}" y="${T}" width="${(x(r.phases.baseline[1]) - x(r.phases.baseline[0])).toFixed(1)}" height="${plotH}" fill="#eef3ee"/>`);
  text(x(r.phases.baseline[0]) + 6, T + 16, 'before: no upgrades');
  if (x(r.phases.baseline[0]) - L > 70) text(L + 6, T + 16, 'warm-up');
  // decades
  for (let v = yMin; v <= yMax * 1.0001; v *= 10) {
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
    text(L - 8, y(v) + 4, v >= 1 ? `${v} ms` : `${v.toPrecision(1)} ms`, 'text-anchor="end"');
  }
  // time axis
  const step = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600].find((st) => tEnd / 1000 / st <= 12) ?? 1200;
  for (let sec = 0; sec * 1000 <= tEnd; sec += step) {
    parts.push(`<line x1="${x(sec * 1000).toFixed(1)}" x2="${x(sec * 1000).toFixed(1)}" y1="${T}" y2="${B}" stroke="#eee"/>`);
    text(x(sec * 1000), B + 18, `${sec} s`, 'text-anchor="middle"');
  }
  // upgrades: a tick each in a strip under the axis
  const stripY = B + 30;
  for (const [a] of r.upgradeWindows) {
    parts.push(`<line x1="${x(a).toFixed(1)}" x2="${x(a).toFixed(1)}" y1="${stripY}" y2="${stripY + 22}" stroke="#c0392b" stroke-opacity="0.55" stroke-width="1"/>`);
  }
  text(L - 8, stripY + 16, 'upgrades', 'text-anchor="end"');
  // the series
  const colors = ['#2471a3', '#e67e22', '#c0392b'];
  const names = ['p50', 'p99', 'max'];
  for (let k = 2; k >= 0; k--) {
    let d = '';
    series.forEach((v, i) => {
      if (!v) return;
      const px = x(((i + 0.5) * tEnd) / buckets);
      d += `${d === '' ? 'M' : 'L'}${px.toFixed(1)},${y(v[k]).toFixed(1)}`;
    });
    parts.push(`<path d="${d}" fill="none" stroke="${colors[k]}" stroke-width="${k === 2 ? 1 : 1.6}" stroke-opacity="${k === 2 ? 0.6 : 1}"/>`);
  }
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${plotH}" fill="none" stroke="#888"/>`);
  // title and legend
  text(L, 26, title, '', 16);
  text(L, 46, `client-observed command latency per ${(tEnd / buckets / 1000).toFixed(2)} s bucket (log scale); red ticks: HOTUPGRADE LOAD`);
  names.forEach((n, k) => {
    const lx = W - R - 260 + k * 85;
    parts.push(`<line x1="${lx}" x2="${lx + 24}" y1="40" y2="40" stroke="${colors[k]}" stroke-width="3"/>`);
    text(lx + 30, 45, n);
  });
  text(L, H - 14, `${r.pausesUs.length} upgrades, ${r.commands} commands, ${r.errors} errors, ${r.reconnects} reconnects`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join('')}</svg>`;
}

export function renderPng(svg: string): Buffer {
  const font = require.resolve('@expo-google-fonts/roboto-mono/400Regular/RobotoMono_400Regular.ttf');
  const resvg = new Resvg(svg, { font: { fontFiles: [font], loadSystemFonts: false, defaultFontFamily: 'Roboto Mono' } });
  return resvg.render().asPng();
}

async function main(): Promise<void> {
  const { opts, out } = parseArgs(process.argv.slice(2));
  const deadline = setTimeout(() => {
    console.error('bench:upgrade: gave up after 30 minutes');
    process.exit(2);
  }, 30 * 60 * 1000);
  deadline.unref();
  const r = await runUpgradeBench({ ...opts, log: (l) => console.error(`  .. ${l}`) });
  const { lines, ok, summary } = report(r);
  for (const l of lines) console.log(l);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, renderPng(chartSvg(r, `hotkv: ${r.pausesUs.length} hot upgrades under load`)));
  console.log(`  chart: ${path.relative(process.cwd(), out)}`);
  console.log(summary);
  process.exit(ok ? 0 : 1);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`bench:upgrade: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  });
}
