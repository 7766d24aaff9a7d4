// Start hotkv and the reference redis-server on free loopback ports for a test, and stop them.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const LOGIC_DIR = path.join(ROOT, 'dist', 'logic');
const PKG_VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
export const DEFAULT_BUNDLE = `logic-${PKG_VERSION}.cjs`;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningServer {
  port: number;
  proc: ChildProcess;
  dir: string;
  /** everything the process printed so far */
  output(): string;
  /** resolves when `text` appears in the output (or rejects after timeoutMs) */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function track(proc: ChildProcess, port: number, dir: string, ready: string | RegExp, what: string): Promise<RunningServer> {
  let out = '';
  const waiters: { re: string | RegExp; resolve: () => void }[] = [];
  const matches = (re: string | RegExp) => (typeof re === 'string' ? out.includes(re) : re.test(out));
  const onOut = (d: Buffer) => {
    out += d.toString();
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (matches(waiters[i].re)) {
        waiters[i].resolve();
        waiters.splice(i, 1);
      }
    }
  };
  proc.stdout?.on('data', onOut);
  proc.stderr?.on('data', onOut);
  let exited = false;
  let exitCode: number | null = null;
  const exitPromise = new Promise<number | null>((resolve) => proc.once('exit', (code) => { exited = true; exitCode = code; resolve(code); }));
  const server: RunningServer = {
    port,
    proc,
    dir,
    output: () => out,
    waitFor(re, timeoutMs = 20000) {
      if (matches(re)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${what}: timed out waiting for ${String(re)}; output:\n${out}`)), timeoutMs);
        waiters.push({ re, resolve: () => { clearTimeout(t); resolve(); } });
        exitPromise.then(() => { if (!matches(re)) { clearTimeout(t); reject(new Error(`${what} exited (${exitCode}) before ${String(re)}; output:\n${out}`)); } });
      });
    },
    async stop(signal = 'SIGTERM') {
      if (!exited) proc.kill(signal);
      const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
      const code = await exitPromise;
      clearTimeout(t);
      return code;
    },
  };
  return server.waitFor(ready).then(() => server);
}

export interface HotkvOptions {
  args?: string[];
  logicDir?: string;
  logicFile?: string;
  /** extra node flags, e.g. ['--expose-gc'] */
  nodeFlags?: string[];
  dir?: string;
  /** the log line that means started (default: "Ready to accept connections", logged once the dataset is loaded) */
  ready?: string | RegExp;
}

/**
 * Start bin/hotkv-server on a free port with its own temp dir. HOTKV_TEST_LOGIC_DIR replaces dist/logic for the
 * tests that do not choose their own: e.g. a dir holding a schema-4 build named logic-<version>.cjs (scripts/build.mjs
 * --state-schema 4 --outdir DIR) runs the differential tests against it.
 */
export async function startHotkv(opts: HotkvOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-test-'));
  const args = [...(opts.nodeFlags ?? []), path.join(ROOT, 'bin', 'hotkv-server'), '--port', String(port), '--bind', '127.0.0.1',
    '--dir', dir, '--save', '', '--logic-dir', opts.logicDir ?? process.env.HOTKV_TEST_LOGIC_DIR ?? LOGIC_DIR];
  if (opts.logicFile) args.push('--logic-file', opts.logicFile);
  args.push(...(opts.args ?? []));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  return track(proc, port, dir, opts.ready ?? 'Ready to accept connections', 'hotkv');
}

/** Start Debian's redis-server (the reference) on a free port, no persistence. */
export async function startRedis(args: string[] = [], opts: { ready?: string | RegExp } = {}): Promise<RunningServer> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-ref-'));
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
    '--appendonly', 'no', ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  proc.once('error', () => { /* reported by waitFor via exit */ });
  return track(proc, port, dir, opts.ready ?? 'Ready to accept connections', 'redis-server');
}
