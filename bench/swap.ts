// npm run bench:swap [-- --swaps N] [--gap-ms MS] [--clients N] [--out DIR]
//
// Throughput around a hot upgrade, under redis-benchmark load: two redis-benchmark processes (SET and
// GET, random keys, no pipelining) run against hotkv without pause while it performs N upgrades that
// alternate between two bundles. A separate connection samples INFO stats total_commands_processed every
// 50 ms (the server's exact count). For every swap it reports the ops/s in the 1 s before the
// HOTUPGRADE LOAD was sent, while the bundle was being prepared (read, compiled, self-tested), and in
// the 0-1 s and 1-2 s after the swap; the goal (issue 5) is that both "after" windows stay within 10% of
// "before", i.e. the self-test has warmed the new code. Writes bench/out/swap.json.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RawClient, decodeReply } from '../test/helpers/resp';
import { startHotkv } from '../test/helpers/servers';
import { buildBundles } from './upgrade-run';
import { median, sleep } from './lib/tools';

interface Options {
  swaps: number;
  gapMs: number;
  clients: number;
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { swaps: 10, gapMs: 4000, clients: 50, out: path.join(__dirname, 'out') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => Number(argv[++i]);
    if (a === '--swaps') o.swaps = v();
    else if (a === '--gap-ms') o.gapMs = v();
    else if (a === '--clients') o.clients = v();
    else if (a === '--out') o.out = argv[++i];
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

interface SwapWindows {
  swap: number;
  /** ops/s in the 1 s before HOTUPGRADE LOAD was sent */
  before: number;
  /** ops/s from sending LOAD to its reply (bundle read, compiled, self-tested; then the swap) */
  preparing: number;
  prepareMs: number;
  after0to1: number;
  after1to2: number;
  pauseUs: number;
}

/** (time ms, total_commands_processed) samples; rate over [a, b] by linear interpolation. */
class Counter {
  t: number[] = [];
  n: number[] = [];
  at(time: number): number {
    const { t, n } = this;
    let i = 1;
    while (i < t.length - 1 && t[i] < time) i++;
    const f = (time - t[i - 1]) / (t[i] - t[i - 1]);
    return n[i - 1] + f * (n[i] - n[i - 1]);
  }
  rate(a: number, b: number): number {
    return ((this.at(b) - this.at(a)) * 1000) / (b - a);
  }
}

async function infoField(c: RawClient, section: string, field: string): Promise<string> {
  const text = String(decodeReply(await c.command('INFO', section)));
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(text);
  if (!m) throw new Error(`no ${field} in INFO ${section}`);
  return m[1].trim();
}

function benchmark(port: number, test: string, clients: number): ChildProcess {
  const p = spawn('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', '2000000000', '-r', '100000',
    '-d', '16', '-t', test, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  p.stderr?.on('data', (d: Buffer) => process.stderr.write(`redis-benchmark ${test}: ${d}`));
  return p;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const log = (s: string) => console.log(`.. ${s}`);
  const { logicDir, files } = buildBundles(['9.8.1-swap-a', '9.8.2-swap-b']);
  const h = await startHotkv({ logicDir, logicFile: files[0], nodeFlags: ['--expose-gc'], args: ['--appendonly', 'no'] });
  const procs: ChildProcess[] = [];
  try {
    procs.push(benchmark(h.port, 'set', Math.ceil(o.clients / 2)), benchmark(h.port, 'get', Math.floor(o.clients / 2)));
    const sampler = await RawClient.connect(h.port);
    const ctl = await RawClient.connect(h.port);
    const counter = new Counter();
    const t0 = performance.now();
    let sampling = true;
    const sampling$ = (async () => {
      while (sampling) {
        const n = Number(await infoField(sampler, 'stats', 'total_commands_processed'));
        counter.t.push(performance.now() - t0);
        counter.n.push(n);
        await sleep(50);
      }
    })();
    log(`hotkv on ${h.port}; warming up for 3 s under redis-benchmark SET+GET, ${o.clients} clients`);
    await sleep(3000);
    const rows: SwapWindows[] = [];
    for (let i = 0; i < o.swaps; i++) {
      const sent = performance.now() - t0;
      const reply = decodeReply(await ctl.command('HOTUPGRADE', 'LOAD', files[(i + 1) % 2]));
      const swapped = performance.now() - t0;
      if (!Array.isArray(reply)) throw new Error(`HOTUPGRADE LOAD: ${JSON.stringify(reply)}`);
      const fields = new Map<string, unknown>();
      for (let j = 0; j < reply.length; j += 2) fields.set(String(reply[j]), reply[j + 1]);
      await sleep(Math.max(2100, o.gapMs));
      rows.push({
        swap: i + 1,
        before: counter.rate(sent - 1000, sent),
        preparing: counter.rate(sent, swapped),
        prepareMs: swapped - sent,
        after0to1: counter.rate(swapped, swapped + 1000),
        after1to2: counter.rate(swapped + 1000, swapped + 2000),
        pauseUs: Number(fields.get('pause_us') ?? NaN),
      });
      const r = rows[rows.length - 1];
      log(`swap ${r.swap}: before ${r.before.toFixed(0)}/s, preparing ${r.preparing.toFixed(0)}/s (${r.prepareMs.toFixed(0)} ms), ` +
        `0-1 s ${r.after0to1.toFixed(0)}/s (${(r.after0to1 / r.before).toFixed(2)}), 1-2 s ${r.after1to2.toFixed(0)}/s ` +
        `(${(r.after1to2 / r.before).toFixed(2)}), pause ${r.pauseUs} us`);
    }
    sampling = false;
    await sampling$;
    sampler.close();
    ctl.close();
    const ratio0 = median(rows.map((r) => r.after0to1 / r.before));
    const ratio1 = median(rows.map((r) => r.after1to2 / r.before));
    const ratioPrep = median(rows.map((r) => r.preparing / r.before));
    const ok = ratio0 >= 0.9 && ratio1 >= 0.9;
    const summary = `${o.swaps} swaps under redis-benchmark SET+GET (${o.clients} clients, -P 1): median ops/s after/before ` +
      `0-1 s ${ratio0.toFixed(2)}, 1-2 s ${ratio1.toFixed(2)} (while preparing ${ratioPrep.toFixed(2)}); ` +
      `median before ${median(rows.map((r) => r.before)).toFixed(0)} ops/s; ${ok ? 'PASS' : 'FAIL'} (goal >= 0.90)`;
    fs.mkdirSync(o.out, { recursive: true });
    fs.writeFileSync(path.join(o.out, 'swap.json'), JSON.stringify({ date: new Date().toISOString(), options: o, rows, ratio0, ratio1, ratioPrep, ok }, null, 2) + '\n');
    console.log(summary);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await h.stop();
    fs.rmSync(logicDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench:swap: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
