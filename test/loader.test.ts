// The bundle loader: locating inside logic-dir, sha256 sidecars, the build's V8 code cache, and that a
// dropped bundle is garbage-collected (the JavaScript form of unloading a shared library).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadBundle, resolveBundle } from '../src/shell/loader';
import { RawClient } from './helpers/resp';
import { DEFAULT_BUNDLE, LOGIC_DIR, ROOT, startHotkv } from './helpers/servers';

/** The version the default bundle declares. */
function readVersion(): string {
  return loadBundle(LOGIC_DIR, DEFAULT_BUNDLE).logic.version;
}

describe('bundle loader', () => {
  it('loads the built bundle with the code cache the build made', () => {
    const b = loadBundle(LOGIC_DIR, DEFAULT_BUNDLE);
    assert.equal(b.logic.abi, 1);
    assert.equal(typeof b.logic.version, 'string');
    assert.match(b.sha256, /^[0-9a-f]{64}$/);
  });

  it('a process with the build\'s V8 flags accepts the code cache', () => {
    // This runner has --expose-gc, which changes V8's flag hash and so rejects any cache; ask a plain child.
    const code = `const {loadBundle}=require(${JSON.stringify(path.join(ROOT, 'src/shell/loader.ts'))});` +
      `process.stdout.write(String(loadBundle(${JSON.stringify(LOGIC_DIR)}, ${JSON.stringify(DEFAULT_BUNDLE)}).codeCacheUsed))`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } }).toString();
    assert.equal(out, 'true', 'code cache rejected: do the build and the loader wrap the source identically?');
  });

  it('a bundle loaded while an upgrade holds the shared read buffer gets its own (the upgrade keeps its code cache)', () => {
    // Bundles and caches are read into one long-lived buffer (loader.ts, FileReader). HOTUPGRADE LIST loads
    // synchronously while an upgrade is paced between reading its cache and compiling: if LIST read into the
    // same buffer, the upgrade's cache would be overwritten and V8 would reject it. Plain child: see above.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-loader-'));
    try {
      for (const suffix of ['', '.cache']) fs.copyFileSync(path.join(LOGIC_DIR, DEFAULT_BUNDLE + suffix), path.join(dir, 'a.cjs' + suffix));
      const fns = ['createState', 'configure', 'restore', 'migrate', 'activate', 'deactivate', 'selfTest', 'onConnect', 'onData',
        'onClose', 'onDrain', 'onTick', 'onTimer', 'onUpgradeDone', 'onShutdownSignal'];
      fs.writeFileSync(path.join(dir, 'stub.cjs'), `module.exports = { abi: 1, version: 'stub', stateSchema: 1, ${fns.map((f) => `${f}() {}`).join(', ')} };\n` +
        `// ${'x'.repeat(4096)}\n`);
      const code = `const {loadBundle, loadBundleAsync}=require(${JSON.stringify(path.join(ROOT, 'src/shell/loader.ts'))});` +
        `let nested = null;` +
        `loadBundleAsync(${JSON.stringify(dir)}, 'a.cjs', null, async () => { nested ??= loadBundle(${JSON.stringify(dir)}, 'stub.cjs'); })` +
        `.then((b) => process.stdout.write(JSON.stringify([b.codeCache, b.logic.version === ${JSON.stringify(readVersion())}, nested.logic.version])));`;
      const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } }).toString();
      assert.deepEqual(JSON.parse(out), ['used', true, 'stub']);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('upgrades keep using the code cache once the logic has set its heap policy (V8 flags)', async () => {
    // V8 rejects a cache when any flag differs from when it was made, flags set at run time included: the
    // logic's heap policy (src/logic/heap.ts) used to change one on activate, and every later upgrade then
    // compiled from source (slower, and it left the first bundle's script alive for tens of upgrades).
    const server = await startHotkv();
    const c = await RawClient.connect(server.port);
    const cacheState = async () => /logic_code_cache:(\w*)/.exec(await c.command('INFO', 'upgrade'))?.[1];
    const load = async () => assert.match(await c.command('HOTUPGRADE', 'LOAD', DEFAULT_BUNDLE), /pause_us/);
    try {
      assert.equal(await cacheState(), 'used', 'the first bundle');
      await load();
      assert.equal(await cacheState(), 'used', 'a bundle loaded after the logic applied its heap policy');
      // V8's own young-generation policy is another flag value: bundles then compile from source, as documented.
      assert.equal(await c.command('CONFIG', 'SET', 'v8-young-generation-growth', 'yes'), '+OK\r\n');
      await load();
      assert.equal(await cacheState(), 'rejected');
      assert.equal(await c.command('CONFIG', 'SET', 'v8-young-generation-growth', 'no'), '+OK\r\n');
      await load();
      assert.equal(await cacheState(), 'used');
    } finally {
      c.close();
      await server.stop();
    }
  });

  it('refuses names that leave logic-dir', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-loader-'));
    fs.copyFileSync(path.join(LOGIC_DIR, DEFAULT_BUNDLE), path.join(dir, 'a.cjs'));
    fs.symlinkSync(path.join(LOGIC_DIR, DEFAULT_BUNDLE), path.join(dir, 'link.cjs'));
    assert.equal(path.basename(resolveBundle(dir, 'a.cjs')), 'a.cjs');
    assert.throws(() => resolveBundle(dir, '../a.cjs'), /outside logic-dir|not found/);
    assert.throws(() => resolveBundle(dir, path.join(LOGIC_DIR, DEFAULT_BUNDLE)), /outside logic-dir/);
    assert.throws(() => resolveBundle(dir, 'link.cjs'), /outside logic-dir/);
    assert.throws(() => resolveBundle(dir, 'missing.cjs'), /not found/);
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses a bundle whose .sha256 sidecar does not match', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-loader-'));
    fs.copyFileSync(path.join(LOGIC_DIR, DEFAULT_BUNDLE), path.join(dir, 'a.cjs'));
    fs.writeFileSync(path.join(dir, 'a.cjs.sha256'), '0'.repeat(64) + '  a.cjs\n');
    assert.throws(() => loadBundle(dir, 'a.cjs'), /does not match/);
    fs.rmSync(dir, { recursive: true });
  });

  it('a dropped bundle is collected (200 loads, FinalizationRegistry)', async (t) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (typeof gc !== 'function') {
      assert.fail('run with --expose-gc (npm test does)');
    }
    let freed = 0;
    const reg = new FinalizationRegistry(() => { freed++; });
    for (let i = 0; i < 200; i++) {
      const b = loadBundle(LOGIC_DIR, DEFAULT_BUNDLE);
      reg.register(b.logic, i);
    }
    const deadline = Date.now() + 20000;
    while (freed < 199 && Date.now() < deadline) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
    t.diagnostic(`freed ${freed} of 200 bundles`);
    assert.ok(freed >= 199, `only ${freed} of 200 dropped bundles were collected`);
  });
});
