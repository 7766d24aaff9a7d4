#!/usr/bin/env node
// Builds the shell (dist/shell/main.cjs) and one logic bundle per version
// (dist/logic/logic-<version>.cjs with .sha256 and a V8 code cache .cache).
//
//   node scripts/build.mjs                  build both
//   node scripts/build.mjs --if-needed      only when a source file is newer than the outputs
//   node scripts/build.mjs --logic-only [--version V] [--outdir DIR]
//        [--state-schema N] [--reads-schemas A,B] [--no-lazy-migrations]
//
// The logic version is package.json's unless HOTKV_LOGIC_VERSION (or --version) sets it, so tests can
// build a second bundle with another version.
//
// The state-schema options build the fixture bundles of the lazy-migration tests from the real source
// (docs/HACKING.md, "Schema migrations"): --state-schema 4 makes a bundle that stores string values as
// Buffer records (src/logic/types/string.ts) and migrates schema-3 strings lazily; --reads-schemas 3,4
// makes a schema-3 bundle that also reads schema 4 (a rollback target); --no-lazy-migrations leaves out
// every lazy migration (as a later release that dropped them); --state-schema 1 makes a bundle that
// declares the schema before streams (the upgrade-from-schema-1 test). They become literal build-time
// constants, so the production bundle (schema 3) has no branch for the schema-4 string representation.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import * as v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const ifNeeded = process.argv.includes('--if-needed');
const logicOnly = process.argv.includes('--logic-only');
const logicVersion = arg('--version') ?? process.env.HOTKV_LOGIC_VERSION ?? pkg.version;
const logicOutDir = path.resolve(arg('--outdir') ?? path.join(root, 'dist', 'logic'));
const shellOut = path.join(root, 'dist', 'shell', 'main.cjs');
const logicOut = path.join(logicOutDir, `logic-${logicVersion}.cjs`);
// Without these options the schema is the one src/logic/runtime.ts declares (production: 3).
const stateSchema = Number(arg('--state-schema') ?? '0');
const readsSchemas = (arg('--reads-schemas') ?? String(stateSchema)).split(',').map(Number);
if (![stateSchema, ...readsSchemas].every((n) => Number.isInteger(n) && n >= 0)) throw new Error('--state-schema / --reads-schemas take positive integers');
/** The fixture schema whose string values are Buffer records (test/migration.test.ts). */
const BUFFER_STRING_SCHEMA = 4;
const logicDefines = {
  ...(arg('--state-schema') ? { __HOTKV_STATE_SCHEMA__: JSON.stringify(stateSchema) } : {}),
  ...(arg('--reads-schemas') ? { __HOTKV_READS_SCHEMAS__: JSON.stringify(readsSchemas) } : {}),
  // schema 3 stores string values as Buffer records; a bundle reading schema 3 must understand them
  __HOTKV_STRING_BUFFERS__: JSON.stringify(stateSchema >= BUFFER_STRING_SCHEMA),
  __HOTKV_READS_STRING_BUFFERS__: JSON.stringify(stateSchema >= BUFFER_STRING_SCHEMA || readsSchemas.some((n) => n >= BUFFER_STRING_SCHEMA)),
  __HOTKV_LAZY_MIGRATIONS__: JSON.stringify(!process.argv.includes('--no-lazy-migrations')),
  // fengari (the Lua VM of EVAL) reads its options from this variable; integral floats print as Lua 5.1 does
  'process.env.FENGARICONF': JSON.stringify(JSON.stringify({ LUA_COMPAT_FLOATSTRING: true })),
};

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}
function mtime(p) {
  try { return fs.statSync(p).mtimeMs; } catch { return 0; }
}

/** The V8 flags the shell runs bundles under (src/shell/loader.ts sets them before compiling any): a code
 *  cache made under other flag values is rejected. */
const BUNDLE_V8_FLAGS = JSON.parse(fs.readFileSync(path.join(root, 'src', 'abi', 'bundle-v8-flags.json'), 'utf8'));

/** Must stay identical to wrapSource() in src/shell/loader.ts: the code cache is keyed on this text
 *  (test/loader.test.ts checks that the shell accepts the cache the build made). */
function wrapSource(source) {
  return '(function (exports, require, module, __filename, __dirname) {' + source + '\n})';
}

/** Write via rename so a server starting at the same moment never reads half a file. */
function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: false, logLevel: 'warning', legalComments: 'none' };

async function buildShell() {
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'src/shell/main.ts')],
    outfile: shellOut,
    define: { __SHELL_VERSION__: JSON.stringify(pkg.version) },
  });
}

/**
 * JSON imports (commands/meta.json, 250 KB) become `JSON.parse("...")` instead of esbuild's object literal:
 * V8 parses JSON about twice as fast as it compiles and runs the same data as a literal, which halved the
 * compile and module-body steps of loading a bundle (each blocks the event loop during a hot upgrade) and
 * shrank the code cache by a third.
 */
const jsonAsParse = {
  name: 'json-as-parse',
  setup(build) {
    build.onLoad({ filter: /\.json$/ }, async (args) => {
      const text = JSON.stringify(JSON.parse(await fs.promises.readFile(args.path, 'utf8')));
      return { contents: `export default JSON.parse(${JSON.stringify(text)});`, loader: 'js' };
    });
  },
};

/**
 * fengari (the Lua VM of EVAL) requires `tmp` and `readline-sync` for Lua's os.tmpname and debug.debug,
 * which hotkv's scripts do not get (Redis exposes neither). `tmp` adds a process 'exit' listener when it is
 * loaded: bundled, every logic bundle added one, which kept each replaced bundle (its closures and the Lua
 * VM of its self-test) alive: ~2.5 MB per upgrade. Both resolve to inert stand-ins instead (fengari's debug
 * library calls readline-sync's setDefaultOptions when it loads); a bundle must never register anything on
 * the process (DESIGN rule 3), and the upgrade soak test checks the memory.
 */
const INERT_MODULES = {
  tmp: 'module.exports = {};',
  'readline-sync': "module.exports = { setDefaultOptions() {}, prompt() { return ''; } };",
};
const noProcessHooks = {
  name: 'no-process-hooks',
  setup(build) {
    build.onResolve({ filter: /^(tmp|readline-sync)$/ }, (args) => ({ path: args.path, namespace: 'empty-module' }));
    build.onLoad({ filter: /.*/, namespace: 'empty-module' }, (args) => ({ contents: INERT_MODULES[args.path], loader: 'js' }));
  },
};

/**
 * Lua 5.1 (Redis's) numbers are doubles: 0x100000000 is 4294967296 and 0xffffffff is 4294967295. fengari's
 * integers are 32-bit and its lexer and tonumber wrap a hex numeral to them (Lua 5.3's rule), so BullMQ's
 * `counter % 0x100000000` became `n % 0` ("attempt to perform 'n%0'"). A hex numeral beyond the 32-bit
 * integers is read as a float instead, as 5.1 reads every numeral.
 */
const HEX_WRAP = 'a = (a * 16 + luaO_hexavalue(s[i]))|0;';
const lua51HexNumerals = {
  name: 'lua51-hex-numerals',
  setup(build) {
    build.onLoad({ filter: /fengari[\\/]src[\\/]lobject\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      if (!text.includes(HEX_WRAP)) throw new Error(`${args.path}: l_str2int changed, update the lua51-hex-numerals patch`);
      return { contents: text.replace(HEX_WRAP, 'a = a * 16 + luaO_hexavalue(s[i]); if (a > 0x7fffffff) return null;'), loader: 'js' };
    });
  },
};

/** src/shell/shell.ts as a module (in memory; main.cjs would start a server): the build runs the self-test with it. */
async function shellLibrary() {
  const res = await esbuild.build({ ...common, entryPoints: [path.join(root, 'src/shell/shell.ts')], write: false,
    define: { __SHELL_VERSION__: JSON.stringify(pkg.version) } });
  const mod = { exports: {} };
  const file = path.join(root, 'src/shell/shell.ts');
  new vm.Script(wrapSource(res.outputFiles[0].text), { filename: file })
    .runInThisContext().call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  return mod.exports;
}

async function buildLogic() {
  fs.mkdirSync(logicOutDir, { recursive: true });
  const res = await esbuild.build({
    ...common,
    entryPoints: [path.join(root, 'src/logic/index.ts')],
    outfile: logicOut,
    write: false,
    plugins: [jsonAsParse, noProcessHooks, lua51HexNumerals],
    define: { __LOGIC_VERSION__: JSON.stringify(logicVersion), ...logicDefines },
  });
  const bytes = Buffer.from(res.outputFiles[0].contents);
  const sha = createHash('sha256').update(bytes).digest('hex');
  writeAtomic(logicOut + '.sha256', `${sha}  ${path.basename(logicOut)}\n`);
  // Compile and run the module body, then the self-test rounds an upgrade runs, so that the cache holds the
  // bytecode of every function they reach (V8 compiles lazily: what the cache lacks, each upgrade compiles).
  for (const flag of BUNDLE_V8_FLAGS) v8.setFlagsFromString(flag);
  const script = new vm.Script(wrapSource(bytes.toString('utf8')), { filename: logicOut });
  const mod = { exports: {} };
  script.runInThisContext().call(mod.exports, mod.exports, createRequire(logicOut), mod, logicOut, logicOutDir);
  const err = (await shellLibrary()).runSelfTestForCodeCache(mod.exports);
  if (err) throw new Error(`logic ${logicVersion} fails its own self-test: ${err}`);
  writeAtomic(logicOut + '.cache', script.createCachedData());
  writeAtomic(logicOut, bytes);
  return sha;
}

const srcNewest = newestMtime(path.join(root, 'src'));
const needShell = !logicOnly && (!ifNeeded || mtime(shellOut) < srcNewest);
const needLogic = !ifNeeded || mtime(logicOut) < srcNewest;
if (needShell) await buildShell();
if (needLogic) {
  const sha = await buildLogic();
  process.stdout.write(`built ${path.relative(root, logicOut)} sha256=${sha}\n`);
}
