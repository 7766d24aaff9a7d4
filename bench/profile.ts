// node --import tsx bench/profile.ts [-n N] [-P N] [--tests set,get] [--keep DIR]
//
// Profiles hotkv's hot path: starts it under `node --cpu-prof`, runs redis-benchmark (default
// -t set,get -P 16 -c 50 -n 1000000) against it, stops it (SIGTERM: the profile is written on exit) and
// prints where the time went: self time per function and per file (shell, logic bundle, node internals),
// and inclusive time of the logic's entry points. Findings are in bench/PROFILE.md.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHotkv } from '../test/helpers/servers';
import { run } from './lib/tools';

interface CallFrame { functionName: string; url: string; lineNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[]; hitCount?: number }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

const where = (url: string) => {
  if (url === '') return '(native/vm)';
  if (url.includes('/dist/logic/')) return 'logic';
  if (url.includes('/dist/shell/')) return 'shell';
  if (url.startsWith('node:')) return url;
  return path.basename(url);
};

function analyse(p: CpuProfile, top: number): string[] {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // time per sample: timeDeltas[i] is the time before sample i
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
  }
  let total = 0;
  for (const v of selfUs.values()) total += v;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const files = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const key = `${n.callFrame.functionName || '(anonymous)'}  [${where(n.callFrame.url)}${n.callFrame.url ? ':' + (n.callFrame.lineNumber + 1) : ''}]`;
    self.set(key, (self.get(key) ?? 0) + us);
    files.set(where(n.callFrame.url), (files.get(where(n.callFrame.url)) ?? 0) + us);
    // inclusive: every distinct function on the stack gets the sample once
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      const k = `${f.functionName || '(anonymous)'}  [${where(f.url)}]`;
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + us);
    }
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`total sampled ${(total / 1e6).toFixed(2)} s`, '', 'self time by area:'];
  for (const [k, v] of [...files].sort((a, b) => b[1] - a[1]).slice(0, 12)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push('', `top ${top} functions by inclusive time:`);
  for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  return lines;
}

async function main(): Promise<void> {
  const n = arg('-n', '1000000');
  const pipeline = arg('-P', '16');
  const tests = arg('--tests', 'set,get');
  const dir = path.resolve(arg('--keep', fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-prof-'))));
  fs.mkdirSync(dir, { recursive: true });
  const h = await startHotkv({ nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir], args: ['--save', '', '--appendonly', 'no'] });
  let bench;
  try {
    bench = await run('redis-benchmark', ['-h', '127.0.0.1', '-p', String(h.port), '-c', '50', '-n', n, '-P', pipeline, '-t', tests, '--csv']);
  } finally {
    await h.stop();
  }
  console.log(bench.stdout.trim());
  const file = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  console.log(`profile: ${file}`);
  for (const l of analyse(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, Number(arg('--top', '30')))) console.log(l);
}

main().catch((e) => {
  console.error(`profile: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
