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

/**
 * A bundle and its code cache (1-1.5 MB each) are read into one buffer that lives as long as the process,
 * not into two new Buffers per load. Why: by the time of an upgrade glibc's malloc has raised its mmap
 * threshold past their size, so fresh Buffers come from the top of its main heap, and whether that memory
 * went back to the OS after they were freed depended on what had been allocated above them since: the main
 * heap's RSS sampled between upgrades moved between 7.1 and 10.4 MB, about the two files, and a 1000-upgrade
 * soak's RSS drift with it (bench/upgrade.ts). A load that finds the buffer taken (HOTUPGRADE LIST while an
 * upgrade is being prepared) reads into a Buffer of its own.
 */
let sharedReadBuffer: Buffer = Buffer.alloc(0);
let sharedReadBufferTaken = false;

/** Reads whole files into one buffer: each read's result is valid until the next read or release(). */
class FileReader {
  private buf: Buffer;
  private readonly shared: boolean;

  constructor() {
    this.shared = !sharedReadBufferTaken;
    if (this.shared) sharedReadBufferTaken = true;
    this.buf = this.shared ? sharedReadBuffer : Buffer.alloc(0);
  }

  private room(size: number): Buffer {
    if (this.buf.length <= size) {
      // One byte more than the file, so that a full buffer means the file grew; rounded up to 64 KB.
      this.buf = Buffer.allocUnsafeSlow(Math.ceil((size + 1) / 65536) * 65536);
      if (this.shared) sharedReadBuffer = this.buf;
    }
    return this.buf;
  }

  /** The file's bytes; undefined when `optional` and it cannot be opened. */
  readSync(file: string, optional = false): Buffer | undefined {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      if (optional) return undefined;
      throw e;
    }
    try {
      const buf = this.room(fs.fstatSync(fd).size);
      let n = 0;
      for (let got = -1; got !== 0 && n < buf.length; n += got) got = fs.readSync(fd, buf, n, buf.length - n, n);
      if (n === buf.length) throw new BundleError(`'${file}' grew while it was read`);
      return buf.subarray(0, n);
    } finally {
      fs.closeSync(fd);
    }
  }

  async read(file: string, optional = false): Promise<Buffer | undefined> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(file, 'r');
    } catch (e) {
      if (optional) return undefined;
      throw e;
    }
    try {
      const buf = this.room((await fh.stat()).size);
      let n = 0;
      for (let got = -1; got !== 0 && n < buf.length; n += got) got = (await fh.read(buf, n, buf.length - n, n)).bytesRead;
      if (n === buf.length) throw new BundleError(`'${file}' grew while it was read`);
      return buf.subarray(0, n);
    } finally {
      await fh.close();
    }
  }

  release(): void {
    if (this.shared) sharedReadBufferTaken = false;
  }
}

/** Load synchronously (start-up, HOTUPGRADE LIST). */
export function loadBundle(logicDir: string, name: string, trust: Trust | null = null): LoadedBundle {
  const at = locate(logicDir, name);
  const shaFile = readOptional(at.real + '.sha256');
  const [manifest, sig] = trust ? [readOptional(path.join(at.dirReal, MANIFEST)), readOptional(path.join(at.dirReal, MANIFEST_SIG))] : [];
  const reader = new FileReader();
  try {
    const bundle = checkBundle(name, at, reader.readSync(at.real)!, shaFile);
    const checked = withCodeCache(name, bundle, reader.readSync(at.real + '.cache', true), trust, manifest, sig);
    return evaluate(name, checked, compile(name, checked));
  } finally {
    reader.release();
  }
}

/**
 * Load with the file reads off the event loop (upgrades). Checking, compiling and running the module body
 * each block the loop (several ms each for a bundle of this size): `pace` is awaited between them so the
 * live logic serves clients in between (the shell's Pacer).
 */
export async function loadBundleAsync(logicDir: string, name: string, trust: Trust | null = null,
  pace: () => Promise<void> = () => new Promise<void>((resolve) => setImmediate(resolve))): Promise<LoadedBundle> {
  const at = locate(logicDir, name);
  const [shaFile, manifest, sig] = await Promise.all([
    readOptionalAsync(at.real + '.sha256'),
    trust ? readOptionalAsync(path.join(at.dirReal, MANIFEST)) : undefined,
    trust ? readOptionalAsync(path.join(at.dirReal, MANIFEST_SIG)) : undefined,
  ]);
  const reader = new FileReader();
  let script: vm.Script;
  let checked: CheckedBundle;
  try {
    const bundle = checkBundle(name, at, (await reader.read(at.real))!, shaFile);
    // The bundle's bytes are text now: the cache goes into the same buffer.
    checked = withCodeCache(name, bundle, await reader.read(at.real + '.cache', true), trust, manifest, sig);
    await pace();
    script = compile(name, checked);
  } finally {
    reader.release(); // V8 has copied what it needs of the cache
  }
  await pace();
  return evaluate(name, checked, script);
}

interface CheckedBundle {
  at: { real: string; file: string };
  source: string;
  sha256: string;
  cachedData: Buffer | undefined;
}

/** The bundle's sha256 against its sidecar, and its source text. */
function checkBundle(name: string, at: { real: string; file: string }, bytes: Buffer, shaFile: Buffer | undefined): Omit<CheckedBundle, 'cachedData'> {
  const sha256 = sha256Hex(bytes);
  const expected = shaFile ? parseShaFile(shaFile) : null;
  if (expected !== null && expected !== sha256) {
    throw new BundleError(`bundle '${name}' sha256 ${sha256} does not match its .sha256 file (${expected})`);
  }
  return { at, source: bytes.toString('utf8'), sha256 };
}

/** The signed manifest's verdict on the bundle, and the code cache to use. */
function withCodeCache(name: string, b: Omit<CheckedBundle, 'cachedData'>, cache: Buffer | undefined, trust: Trust | null,
  manifest: Buffer | undefined, sig: Buffer | undefined): CheckedBundle {
  return { ...b, cachedData: checkTrust(trust, name, b.at.file, b.sha256, cache, manifest, sig) };
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
