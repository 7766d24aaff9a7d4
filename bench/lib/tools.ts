// Helpers for `npm run bench`: run Debian's redis-benchmark / redis-cli and read their output, read a
// process's resident memory, medians.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run a program with optional stdin; resolves when it exits (killed after timeoutMs). */
export function run(cmd: string, args: string[], input?: Buffer | string, timeoutMs = 120000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => err.push(d));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.once('error', (e) => { clearTimeout(t); reject(e); });
    p.once('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString('latin1'), ms: performance.now() - t0 });
    });
    p.stdin.on('error', () => { /* the program may exit before reading everything */ });
    p.stdin.end(input ?? '');
  });
}

/** The redis-benchmark tests the bench runs, with the CSV "test" column redis-benchmark 7.0 prints for each. */
export const TESTS: Record<string, string> = {
  set: 'SET',
  get: 'GET',
  incr: 'INCR',
  lpush: 'LPUSH',
  rpush: 'RPUSH',
  lpop: 'LPOP',
  rpop: 'RPOP',
  sadd: 'SADD',
  hset: 'HSET',
  spop: 'SPOP',
  zadd: 'ZADD',
  zpopmin: 'ZPOPMIN',
  lrange_100: 'LRANGE_100 (first 100 elements)',
  lrange_600: 'LRANGE_600 (first 600 elements)',
  mset: 'MSET (10 keys)',
};

export interface BenchResult {
  /** requests per second redis-benchmark reports for the test */
  rps: number;
  p50ms: number;
  p99ms: number;
  /** wall-clock time of the whole redis-benchmark run (includes LRANGE's LPUSH preload) */
  wallMs: number;
}

/** One redis-benchmark test against 127.0.0.1:port, --csv. Throws on a non-zero exit or unexpected output. */
export async function redisBenchmark(port: number, test: string, n: number, pipeline: number, clients: number): Promise<BenchResult> {
  const row = TESTS[test];
  if (row === undefined) throw new Error(`unknown test ${test}`);
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', String(n), '-P', String(pipeline), '-t', test, '--csv'];
  const r = await run('redis-benchmark', args, undefined, 600000);
  if (r.code !== 0 || /error/i.test(r.stdout + r.stderr)) {
    throw new Error(`redis-benchmark ${args.join(' ')} exited with ${r.code}\n${r.stdout}\n${r.stderr}`);
  }
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith(`"${row}",`)) continue;
    const nums = line.slice(row.length + 3).split(',').map((x) => (x === '"inf"' ? Infinity : Number(x.replace(/"/g, ''))));
    // columns: rps, avg, min, p50, p95, p99, max
    if (nums.length !== 7 || !nums.slice(1).every(Number.isFinite) || Number.isNaN(nums[0])) break;
    // redis-benchmark prints "inf" when the run took under its 1 ms clock: fall back to the wall time
    // (an underestimate, since it includes starting redis-benchmark; only tiny n gets there).
    const rps = Number.isFinite(nums[0]) ? nums[0] : (n * 1000) / Math.max(1, r.ms);
    return { rps, p50ms: nums[3], p99ms: nums[5], wallMs: r.ms };
  }
  throw new Error(`redis-benchmark ${args.join(' ')}: no "${row}" row in\n${r.stdout}`);
}

/** redis-cli against 127.0.0.1:port; returns stdout. */
export async function cli(port: number, ...args: string[]): Promise<string> {
  const r = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')} exited with ${r.code}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Feed a RESP command stream through `redis-cli --pipe`; throws unless every reply came back without an error. */
export async function pipe(port: number, data: Buffer, commands: number): Promise<void> {
  const r = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), '--pipe', '--pipe-timeout', '120'], data, 300000);
  const m = /errors: (\d+), replies: (\d+)/.exec(r.stdout);
  if (r.code !== 0 || !m || m[1] !== '0' || Number(m[2]) !== commands) {
    throw new Error(`redis-cli --pipe: exit ${r.code}, expected ${commands} replies:\n${r.stdout}${r.stderr}`);
  }
}

/** Resident set size of a process in bytes (VmRSS in /proc/<pid>/status). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** An INFO field as a number. */
export async function infoField(port: number, section: string, field: string): Promise<number> {
  const m = new RegExp(`^${field}:(\\d+)\\r?$`, 'm').exec(await cli(port, 'INFO', section));
  if (!m) throw new Error(`INFO ${section} has no ${field}`);
  return Number(m[1]);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
