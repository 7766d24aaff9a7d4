// Loads one logic bundle from disk without touching require.cache or the ESM loader, so that the
// bundle becomes garbage as soon as the shell drops its last reference (DESIGN: "How a bundle is loaded").

import { createHash, createPrivateKey, createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import * as vm from 'node:vm';
import type { LogicModule } from '../abi';
import BUNDLE_V8_FLAGS from '../abi/bundle-v8-flags.json';

export const SHELL_ABI_MAJOR = 1;

export interface LoadedBundle {
  logic: LogicModule;
  file: string; // path relative to logic-dir
  fullPath: string;
  sha256: string;
  codeCacheUsed: boolean;
  /** the bundle's V8 code cache: used, rejected by V8 (made under other flags or another V8), or none on disk */
  codeCache: 'used' | 'rejected' | 'none';
}

export class BundleError extends Error {}

// V8 accepts a code cache only when every V8 flag has the value it had when the cache was made; flags
// changed at run time count. scripts/build.mjs makes each bundle's cache under BUNDLE_V8_FLAGS, and they are
// the logic's default heap policy (src/logic/heap.ts sets the same values on activate), so they are put in
// force here, before this module can compile any bundle. A logic configured otherwise (e.g.
// `v8-young-generation-growth yes`) still loads every bundle, compiled from source (INFO upgrade's
// logic_code_cache says which).
for (const flag of BUNDLE_V8_FLAGS) setFlagsFromString(flag);

/**
 * hotupgrade-require-signature: only bundles whose sha256 a signed `MANIFEST` in logic-dir lists may load.
 * MANIFEST is JSON `{"bundles": {"<file>": "<sha256>"}, "codeCaches": {"<file>.cache": "<sha256>"}}`;
 * MANIFEST.sig is the base64 Ed25519 signature of MANIFEST's bytes (scripts/sign-bundles.mjs writes both).
 */
export interface Trust {
  publicKey: KeyObject;
  keyPath: string;
}

export const MANIFEST = 'MANIFEST';
export const MANIFEST_SIG = 'MANIFEST.sig';

/** Read the directives' public key at start-up: null when signatures are not required; throws a clear error. */
export function loadTrust(requireSignature: boolean, keyPath: string): Trust | null {
  if (!requireSignature) return null;
  if (!keyPath) throw new BundleError('hotupgrade-require-signature is yes but hotupgrade-public-key is not set');
  let pem: Buffer;
  try {
    pem = fs.readFileSync(keyPath);
  } catch (e) {
    throw new BundleError(`cannot read hotupgrade-public-key '${keyPath}': ${(e as Error).message}`);
  }
  let isPrivate = false;
  try {
    createPrivateKey(pem);
    isPrivate = true;
  } catch { /* not a private key: good */ }
  if (isPrivate) throw new BundleError(`hotupgrade-public-key '${keyPath}' holds a private key; give the server only the public key`);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch (e) {
    throw new BundleError(`hotupgrade-public-key '${keyPath}' is not a PEM public key: ${(e as Error).message}`);
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new BundleError(`hotupgrade-public-key '${keyPath}' is a ${String(publicKey.asymmetricKeyType)} key, not Ed25519`);
  }
  return { publicKey, keyPath };
}

/** The signed lists of MANIFEST, or a BundleError saying why the bundle `name` is refused. */
function signedManifest(trust: Trust, name: string, manifest: Buffer | undefined, sig: Buffer | undefined):
  { bundles: Record<string, unknown>; codeCaches: Record<string, unknown> } {
  const refuse = (why: string) => new BundleError(`bundle '${name}' refused: ${why} (hotupgrade-require-signature is yes)`);
  if (manifest === undefined) throw refuse(`logic-dir has no ${MANIFEST}`);
  if (sig === undefined) throw refuse(`logic-dir has no ${MANIFEST_SIG}`);
  const signature = Buffer.from(sig.toString('latin1').trim(), 'base64');
  let good = false;
  try {
    good = signature.length === 64 && verifySignature(null, manifest, trust.publicKey, signature);
  } catch { /* malformed: not good */ }
  if (!good) throw refuse(`${MANIFEST_SIG} is not a valid signature of ${MANIFEST} for hotupgrade-public-key '${trust.keyPath}'`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest.toString('utf8'));
  } catch (e) {
    throw refuse(`${MANIFEST} is not valid JSON: ${(e as Error).message}`);
  }
  const obj = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : null);
  const bundles = obj(obj(parsed)?.bundles);
  if (!bundles) throw refuse(`${MANIFEST} has no "bundles" object`);
  return { bundles, codeCaches: obj(obj(parsed)?.codeCaches) ?? {} };
}

/**
 * With a Trust, the bundle must be listed with its sha256 in the signed MANIFEST (checked before any of its
 * code runs). Returns the code cache to use: a V8 code cache is only trusted when MANIFEST lists it too
 * (V8 checks a cache against the source's length, not its content), otherwise it is ignored.
 */
function checkTrust(trust: Trust | null, name: string, file: string, sha256: string, cache: Buffer | undefined,
  manifest: Buffer | undefined, sig: Buffer | undefined): Buffer | undefined {
  if (trust === null) return cache;
  const m = signedManifest(trust, name, manifest, sig);
  const listed = m.bundles[file];
  if (listed === undefined) throw new BundleError(`bundle '${name}' refused: '${file}' is not listed in the signed ${MANIFEST}`);
  if (typeof listed !== 'string' || listed.toLowerCase() !== sha256) {
    throw new BundleError(`bundle '${name}' refused: its sha256 ${sha256} does not match the signed ${MANIFEST} (${String(listed)})`);
  }
  const cacheSha = m.codeCaches[file + '.cache'];
  return cache !== undefined && typeof cacheSha === 'string' && cacheSha.toLowerCase() === sha256Hex(cache) ? cache : undefined;
}

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
  return locate(logicDir, name).real;
}

/** The bundle's real path and its path relative to logic-dir's real path (the name MANIFEST uses). */
function locate(logicDir: string, name: string): { dirReal: string; real: string; file: string } {
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
  return { dirReal, real, file: path.relative(dirReal, real).split(path.sep).join('/') };
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
export function loadBundle(logicDir: string, name: string, trust: Trust | null = null): LoadedBundle {
  const at = locate(logicDir, name);
  const sidecar = (suffix: string) => readOptional(at.real + suffix);
  const signed = trust ? [readOptional(path.join(at.dirReal, MANIFEST)), readOptional(path.join(at.dirReal, MANIFEST_SIG))] : [];
  return instantiate(name, at, fs.readFileSync(at.real), sidecar('.sha256'), sidecar('.cache'), trust, signed[0], signed[1]);
}

/**
 * Load with the file reads off the event loop (upgrades). Checking, compiling and running the module body
 * each block the loop (several ms each for a bundle of this size): `pace` is awaited between them so the
 * live logic serves clients in between (the shell's Pacer).
 */
export async function loadBundleAsync(logicDir: string, name: string, trust: Trust | null = null,
  pace: () => Promise<void> = () => new Promise<void>((resolve) => setImmediate(resolve))): Promise<LoadedBundle> {
  const at = locate(logicDir, name);
  const [bytes, shaFile, cache, manifest, sig] = await Promise.all([
    fs.promises.readFile(at.real), readOptionalAsync(at.real + '.sha256'), readOptionalAsync(at.real + '.cache'),
    trust ? readOptionalAsync(path.join(at.dirReal, MANIFEST)) : undefined,
    trust ? readOptionalAsync(path.join(at.dirReal, MANIFEST_SIG)) : undefined,
  ]);
  const checked = check(name, at, bytes, shaFile, cache, trust, manifest, sig);
  await pace();
  const script = compile(name, checked);
  await pace();
  return evaluate(name, checked, script);
}

function instantiate(name: string, at: { real: string; file: string }, bytes: Buffer, shaFile: Buffer | undefined,
  cache: Buffer | undefined, trust: Trust | null, manifest: Buffer | undefined, sig: Buffer | undefined): LoadedBundle {
  const checked = check(name, at, bytes, shaFile, cache, trust, manifest, sig);
  return evaluate(name, checked, compile(name, checked));
}

interface CheckedBundle {
  at: { real: string; file: string };
  source: string;
  sha256: string;
  cachedData: Buffer | undefined;
}

/** The sha256 against the sidecar and the signed manifest; the source text and the code cache to use. */
function check(name: string, at: { real: string; file: string }, bytes: Buffer, shaFile: Buffer | undefined,
  cache: Buffer | undefined, trust: Trust | null, manifest: Buffer | undefined, sig: Buffer | undefined): CheckedBundle {
  const sha256 = sha256Hex(bytes);
  const expected = shaFile ? parseShaFile(shaFile) : null;
  if (expected !== null && expected !== sha256) {
    throw new BundleError(`bundle '${name}' sha256 ${sha256} does not match its .sha256 file (${expected})`);
  }
  const cachedData = checkTrust(trust, name, at.file, sha256, cache, manifest, sig);
  return { at, source: bytes.toString('utf8'), sha256, cachedData };
}

function compile(name: string, b: CheckedBundle): vm.Script {
  try {
    return new vm.Script(wrapSource(b.source), { filename: b.at.real, cachedData: b.cachedData });
  } catch (e) {
    throw new BundleError(`bundle '${name}' does not compile: ${(e as Error).message}`);
  }
}

/** Run the module body; the exports must be a LogicModule of this ABI. */
function evaluate(name: string, b: CheckedBundle, script: vm.Script): LoadedBundle {
  const { at, sha256 } = b;
  const fullPath = at.real;
  const codeCacheUsed = b.cachedData !== undefined && !script.cachedDataRejected;
  const mod: { exports: unknown } = { exports: {} };
  try {
    const fn = script.runInThisContext() as (...a: unknown[]) => void;
    fn.call(mod.exports, mod.exports, require, mod, fullPath, path.dirname(fullPath));
  } catch (e) {
    throw new BundleError(`bundle '${name}' threw while loading: ${(e as Error).message}`);
  }
  const logic = mod.exports as LogicModule;
  checkShape(name, logic);
  const codeCache = b.cachedData === undefined ? 'none' : codeCacheUsed ? 'used' : 'rejected';
  return { logic, file: at.file, fullPath, sha256, codeCacheUsed, codeCache };
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
export function describeBundle(logicDir: string, name: string, trust: Trust | null = null): { version: string; sha256: string; abi: number | null; stateSchema: number | null; error?: string } {
  try {
    const b = loadBundle(logicDir, name, trust);
    return { version: b.logic.version, sha256: b.sha256, abi: b.logic.abi, stateSchema: b.logic.stateSchema };
  } catch (e) {
    let sha = '';
    try {
      sha = sha256Hex(fs.readFileSync(path.join(logicDir, name)));
    } catch { /* unreadable */ }
    return { version: '', sha256: sha, abi: null, stateSchema: null, error: (e as Error).message };
  }
}
