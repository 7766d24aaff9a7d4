// Loads one logic bundle from disk without touching require.cache or the ESM loader, so that the
// bundle becomes garbage as soon as the shell drops its last reference (DESIGN: "How a bundle is loaded").

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import type { LogicModule } from '../abi';

export const SHELL_ABI_MAJOR = 1;

export interface LoadedBundle {
  logic: LogicModule;
  file: string; // path relative to logic-dir
  fullPath: string;
  sha256: string;
  codeCacheUsed: boolean;
}

export class BundleError extends Error {}

const REQUIRED_FUNCTIONS: (keyof LogicModule)[] = [
  'createState', 'configure', 'restore', 'migrate', 'activate', 'deactivate', 'selfTest',
  'onConnect', 'onData', 'onClose', 'onDrain', 'onTick', 'onTimer', 'onUpgradeDone', 'onShutdownSignal',
];

/** CommonJS wrapper, the same text the build uses to make the V8 code cache. */
export function wrapSource(source: string): string {
  return '(function (exports, require, module, __filename, __dirname) {' + source + '\n})';
}

/** Resolve a bundle name inside logic-dir; refuses names whose real path leaves the directory. */
export function resolveBundle(logicDir: string, name: string): string {
  if (!name || name.includes('\0')) throw new BundleError('invalid bundle name');
  let dirReal: string;
  try {
    dirReal = fs.realpathSync(logicDir);
  } catch {
    throw new BundleError(`logic-dir '${logicDir}' does not exist`);
  }
  const candidate = path.resolve(dirReal, name);
  if (!isInside(dirReal, candidate)) throw new BundleError(`bundle '${name}' is outside logic-dir`);
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    throw new BundleError(`bundle '${name}' not found in logic-dir`);
  }
  if (!isInside(dirReal, real)) throw new BundleError(`bundle '${name}' resolves outside logic-dir`);
  if (!fs.statSync(real).isFile()) throw new BundleError(`bundle '${name}' is not a file`);
  return real;
}

function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The hash in a `<bundle>.sha256` sidecar written by the build ("hex  name"). */
function parseShaFile(text: Buffer): string | null {
  const hex = text.toString('utf8').trim().split(/\s+/)[0];
  return /^[0-9a-f]{64}$/i.test(hex) ? hex.toLowerCase() : null;
}

function readOptional(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

async function readOptionalAsync(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.promises.readFile(file);
  } catch {
    return undefined;
  }
}

/** Load synchronously (start-up, HOTUPGRADE LIST). */
export function loadBundle(logicDir: string, name: string): LoadedBundle {
  const fullPath = resolveBundle(logicDir, name);
  return instantiate(logicDir, name, fullPath, fs.readFileSync(fullPath), readOptional(fullPath + '.sha256'), readOptional(fullPath + '.cache'));
}

/** Load with the file reads off the event loop (upgrades): only compiling and instantiating block. */
export async function loadBundleAsync(logicDir: string, name: string): Promise<LoadedBundle> {
  const fullPath = resolveBundle(logicDir, name);
  const [bytes, shaFile, cache] = await Promise.all([
    fs.promises.readFile(fullPath), readOptionalAsync(fullPath + '.sha256'), readOptionalAsync(fullPath + '.cache'),
  ]);
  return instantiate(logicDir, name, fullPath, bytes, shaFile, cache);
}

function instantiate(logicDir: string, name: string, fullPath: string, bytes: Buffer, shaFile: Buffer | undefined,
  cachedData: Buffer | undefined): LoadedBundle {
  const sha256 = sha256Hex(bytes);
  const expected = shaFile ? parseShaFile(shaFile) : null;
  if (expected !== null && expected !== sha256) {
    throw new BundleError(`bundle '${name}' sha256 ${sha256} does not match its .sha256 file (${expected})`);
  }
  const source = bytes.toString('utf8');
  let script: vm.Script;
  try {
    script = new vm.Script(wrapSource(source), { filename: fullPath, cachedData });
  } catch (e) {
    throw new BundleError(`bundle '${name}' does not compile: ${(e as Error).message}`);
  }
  const codeCacheUsed = cachedData !== undefined && !script.cachedDataRejected;
  const mod: { exports: unknown } = { exports: {} };
  try {
    const fn = script.runInThisContext() as (...a: unknown[]) => void;
    fn.call(mod.exports, mod.exports, require, mod, fullPath, path.dirname(fullPath));
  } catch (e) {
    throw new BundleError(`bundle '${name}' threw while loading: ${(e as Error).message}`);
  }
  const logic = mod.exports as LogicModule;
  checkShape(name, logic);
  return { logic, file: path.relative(fs.realpathSync(logicDir), fullPath), fullPath, sha256, codeCacheUsed };
}

function checkShape(name: string, logic: LogicModule): void {
  if (!logic || typeof logic !== 'object') throw new BundleError(`bundle '${name}' exports no logic module`);
  if (logic.abi !== SHELL_ABI_MAJOR) {
    throw new BundleError(`bundle '${name}' was built for ABI ${String(logic.abi)}, this shell speaks ABI ${SHELL_ABI_MAJOR}`);
  }
  if (typeof logic.version !== 'string' || !Number.isInteger(logic.stateSchema)) {
    throw new BundleError(`bundle '${name}' does not declare version and stateSchema`);
  }
  for (const f of REQUIRED_FUNCTIONS) {
    if (typeof logic[f] !== 'function') throw new BundleError(`bundle '${name}' lacks ${String(f)}()`);
  }
}

/** Peek at a bundle for HOTUPGRADE LIST without keeping it: version/abi/schema are read by loading it. */
export function describeBundle(logicDir: string, name: string): { version: string; sha256: string; abi: number | null; stateSchema: number | null; error?: string } {
  try {
    const b = loadBundle(logicDir, name);
    return { version: b.logic.version, sha256: b.sha256, abi: b.logic.abi, stateSchema: b.logic.stateSchema };
  } catch (e) {
    let sha = '';
    try {
      sha = sha256Hex(fs.readFileSync(path.join(logicDir, name)));
    } catch { /* unreadable */ }
    return { version: '', sha256: sha, abi: null, stateSchema: null, error: (e as Error).message };
  }
}
