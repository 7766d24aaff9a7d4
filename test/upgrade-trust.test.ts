// Upgrades you can trust: a new logic that keeps throwing during its probation is rolled back by the shell
// on its own (hotupgrade-max-errors) while clients stay connected; rolling back across a state-schema change
// is refused unless the older logic declares it reads the newer schema; and with
// hotupgrade-require-signature only bundles listed in an Ed25519-signed MANIFEST load, start-up included.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { wrapSource } from '../src/shell/loader';
import { decodeReply as decode, RawClient, type ReplyValue as Value } from './helpers/resp';
import { ROOT, startHotkv, type RunningServer } from './helpers/servers';
import {
  asMap, BIN, buildLogic, cmd, countEvents, escapeRe, hotupgrade, info, IOREDIS_EVENTS, ioredisLoad, load, loadRefused,
  patched, rawLoad, run, status, waitUntil, zeroCounts, type Load,
  FA, FB, VA, VB,
} from './helpers/upgrade';

/** B, whose onData throws for input containing FAULT-INJECT: a logic bug the self-test does not catch. */
const FAULTY = 'logic-faulty.cjs';
const FAULT_TAIL = `module.exports = Object.assign({}, module.exports, { onData: ((onData) => function (c, chunk) {
  if (chunk.includes('FAULT-INJECT')) throw new Error('injected fault');
  return onData(c, chunk);
})(module.exports.onData) });`;
/** B with state schema 4 (migrates 3 -> 4; production is 3), and A declaring that it also reads schema 4. */
const SCHEMA3 = 'logic-schema3.cjs';
const SCHEMA3_TAIL = `module.exports = Object.assign({}, module.exports, { stateSchema: 4, readsSchemas: [4],
  migrate(st, from) { if (from !== 3) throw new Error('cannot migrate from ' + from); st.schema = 4; } });`;
const A_READS3 = 'logic-a-reads3.cjs';
const A_READS3_TAIL = 'module.exports = Object.assign({}, module.exports, { readsSchemas: [3, 4] });';

let work: string;
let logicDir: string;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-trust-'));
  logicDir = path.join(work, 'logic');
  await Promise.all([buildLogic(VA, logicDir), buildLogic(VB, logicDir)]);
  patched(logicDir, FB, FAULTY, FAULT_TAIL);
  patched(logicDir, FB, SCHEMA3, SCHEMA3_TAIL);
  patched(logicDir, FA, A_READS3, A_READS3_TAIL);
});
after(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** Send the input the faulty logic throws on, on a connection of its own: the shell closes that connection. */
async function fault(port: number): Promise<void> {
  const c = await RawClient.connect(port);
  c.write(cmd('ECHO', 'FAULT-INJECT'));
  const r = await c.readUntilClose(5000);
  assert.deepEqual(r, { data: '', closed: true });
}

const history = async (c: RawClient, n: number) => (decode(await c.command('HOTUPGRADE', 'HISTORY', String(n))) as Value[]).map(asMap);

describe('probation and automatic rollback (hotupgrade-max-errors)', () => {
  let s: RunningServer;
  let ctl: RawClient;
  let io: Redis;
  let ioEvents: Record<string, number>;
  let loads: Load[];
  let conns: RawClient[];

  before(async () => {
    s = await startHotkv({ logicDir, logicFile: FA, args: ['--hotupgrade-probation-ms', '30000'] });
    ctl = await RawClient.connect(s.port);
    io = new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
    ioEvents = countEvents(io, IOREDIS_EVENTS);
    await io.ping();
    conns = await Promise.all([0, 1].map(() => RawClient.connect(s.port)));
    loads = [ioredisLoad(io, 'io'), ...conns.map((c, i) => rawLoad(c, `p${i}`))];
  });
  after(async () => {
    for (const l of loads) l.stop = true;
    await Promise.all(loads.map((l) => l.done));
    io.disconnect();
    for (const c of conns) c.close();
    ctl.close();
    await s.stop();
  });

  /** The load made progress on every connection since now, with no wrong reply. */
  async function loadProgresses(): Promise<void> {
    const marks = loads.map((l) => l.rounds);
    await waitUntil('load progress', () => loads.every((l, k) => l.rounds >= marks[k] + 2 || l.errors.length > 0));
    assert.deepEqual(loads.flatMap((l) => l.errors), []);
  }

  it('with hotupgrade-max-errors 0 (the default) a failing logic is never rolled back', async () => {
    const exceptions0 = Number((await info(ctl, 'upgrade')).logic_exceptions);
    await load(ctl, FAULTY);
    const i0 = await info(ctl, 'upgrade');
    assert.equal(i0.logic_file, FAULTY);
    assert.equal(i0.probation_errors, '0');
    assert.ok(Number(i0.probation_remaining_ms) > 20000 && Number(i0.probation_remaining_ms) <= 30000, i0.probation_remaining_ms);
    for (let i = 0; i < 5; i++) await fault(s.port);
    await loadProgresses();
    const i1 = await info(ctl, 'upgrade');
    assert.equal(i1.logic_file, FAULTY);
    assert.equal(i1.probation_errors, '5');
    assert.equal(Number(i1.logic_exceptions), exceptions0 + 5);
    assert.equal(i1.auto_rollbacks_total, '0');
    const rb = asMap(await hotupgrade(ctl, 'ROLLBACK'));
    assert.equal(rb.to, VA);
  });

  it('more than hotupgrade-max-errors exceptions during probation roll back by themselves; clients stay connected', async () => {
    assert.equal(await ctl.command('CONFIG', 'SET', 'hotupgrade-max-errors', '3'), '+OK\r\n');
    const i0 = await info(ctl, 'upgrade');
    const up = await load(ctl, FAULTY);
    assert.equal(up.from, VA);
    // exceptions thrown before the swap (the previous test's) do not count against the new logic
    assert.equal((await info(ctl, 'upgrade')).probation_errors, '0');
    for (let i = 0; i < 3; i++) await fault(s.port);
    await loadProgresses();
    const i1 = await info(ctl, 'upgrade');
    assert.equal(i1.logic_file, FAULTY, '3 errors are not more than 3');
    assert.equal(i1.probation_errors, '3');
    await fault(s.port);
    await waitUntil('the automatic rollback', async () => (await info(ctl, 'upgrade')).logic_file === FA);
    const i2 = await info(ctl, 'upgrade');
    assert.equal(i2.logic_version, VA);
    assert.equal(Number(i2.auto_rollbacks_total), Number(i0.auto_rollbacks_total) + 1);
    assert.equal(Number(i2.rollbacks_total), Number(i0.rollbacks_total) + 1);
    assert.equal(i2.upgrades_total, String(Number(i0.upgrades_total) + 1));
    assert.equal(i2.last_auto_rollback, `logic ${VB} threw in 4 calls during its probation (hotupgrade-max-errors 3)`);
    assert.equal(i2.previous_loaded, '0', 'the faulty logic is released at once');
    assert.equal(i2.probation_remaining_ms, '0');
    const [h] = await history(ctl, 1);
    assert.deepEqual([h.action, h.from, h.to, h.result], ['auto-rollback', VB, VA, 'ok']);
    assert.equal(h.sha256, i2.logic_sha256);
    assert.match(s.output(), new RegExp(`# Hot upgrade probation failed: logic ${escapeRe(VB)} threw in 4 calls during its probation ` +
      `\\(hotupgrade-max-errors 3\\), rolling back to ${escapeRe(VA)}\\n`));
    assert.match(s.output(), new RegExp(`\\* Hot upgrade \\(auto-rollback\\) ${escapeRe(VB)} -> ${escapeRe(VA)} done in \\d+ us\\n`));
    // The old logic serves again, the input that made the new one throw included, and nobody was dropped.
    const c = await RawClient.connect(s.port);
    assert.equal(await c.command('ECHO', 'FAULT-INJECT'), '$12\r\nFAULT-INJECT\r\n');
    c.close();
    await loadProgresses();
    for (const rc of conns) assert.equal(rc.closed, false);
    assert.deepEqual(ioEvents, zeroCounts(IOREDIS_EVENTS));
    // ROLLBACK now goes back to the faulty bundle, from disk: the operator's explicit choice.
    assert.equal((await status(ctl)).previous_version, VB);
  });

  it('after the probation ends, errors no longer roll back (CONFIG SET shortens a running probation)', async () => {
    await load(ctl, FAULTY);
    assert.equal((await info(ctl, 'upgrade')).previous_loaded, '1');
    assert.equal(await ctl.command('CONFIG', 'SET', 'hotupgrade-probation-ms', '1'), '+OK\r\n');
    await waitUntil('the probation to end', async () => (await info(ctl, 'upgrade')).previous_loaded === '0');
    assert.equal((await info(ctl, 'upgrade')).probation_remaining_ms, '0');
    for (let i = 0; i < 5; i++) await fault(s.port);
    await loadProgresses();
    const i1 = await info(ctl, 'upgrade');
    assert.equal(i1.logic_file, FAULTY);
    assert.equal(i1.probation_errors, '0');
    // ROLLBACK after probation reloads the previous logic from disk
    assert.equal(asMap(await hotupgrade(ctl, 'ROLLBACK')).to, VA);
    assert.equal(await ctl.command('CONFIG', 'SET', 'hotupgrade-probation-ms', '30000'), '+OK\r\n');
  });

  it('an automatic rollback makes an upgrade that was being prepared meanwhile fail, not swap', async () => {
    await load(ctl, FAULTY);
    for (let i = 0; i < 3; i++) await fault(s.port);
    const f = await RawClient.connect(s.port);
    const c = await RawClient.connect(s.port);
    try {
      c.write(cmd('HOTUPGRADE', 'LOAD', FB));
      // the LOAD is being prepared (read, compiled, self-tested over many loop turns) ...
      await waitUntil('the LOAD to be in preparation', async () => (await info(ctl, 'upgrade')).upgrade_in_progress === '1', 5000, 1);
      assert.equal((await info(ctl, 'upgrade')).upgrade_preparing, FB);
      assert.equal(await ctl.command('HOTUPGRADE', 'LOAD', FB), '-ERR hot upgrade failed: another upgrade is already in progress\r\n');
      // ... when the fourth error rolls the faulty logic back
      f.write(cmd('ECHO', 'FAULT-INJECT'));
      assert.deepEqual(await f.readUntilClose(5000), { data: '', closed: true });
      assert.equal(await c.reply(), '-ERR hot upgrade failed: the active logic changed while this upgrade was being prepared (automatic rollback)\r\n');
    } finally {
      f.close();
      c.close();
    }
    const i = await info(ctl, 'upgrade');
    assert.equal(i.logic_file, FA);
    assert.equal(i.last_upgrade_result, 'failed: the active logic changed while this upgrade was being prepared (automatic rollback)');
    await loadProgresses();
    assert.deepEqual(ioEvents, zeroCounts(IOREDIS_EVENTS));
  });
});

describe('rollback across a state-schema change', () => {
  let s: RunningServer;
  let c: RawClient;
  const refusal = (version: string) => `cannot roll back across a state-schema change: logic ${version} uses state schema 3 ` +
    'and does not declare that it reads the current state schema 4 (readsSchemas [3])';

  before(async () => {
    s = await startHotkv({ logicDir, logicFile: FA, args: ['--hotupgrade-probation-ms', '30000'] });
    c = await RawClient.connect(s.port);
    assert.equal(await c.command('SET', 'schema:k', 'kept'), '+OK\r\n');
  });
  after(async () => {
    c.close();
    await s.stop();
  });

  it('a newer schema migrates on LOAD', async () => {
    assert.equal((await info(c, 'upgrade')).state_schema, '3');
    await load(c, SCHEMA3);
    const i = await info(c, 'upgrade');
    assert.equal(i.state_schema, '4');
    assert.equal(i.logic_file, SCHEMA3);
    assert.equal(await c.command('GET', 'schema:k'), '$4\r\nkept\r\n');
  });

  it('ROLLBACK from memory (during probation) to a logic that cannot read schema 4 is refused', async () => {
    assert.equal((await info(c, 'upgrade')).previous_loaded, '1');
    assert.equal(await c.command('HOTUPGRADE', 'ROLLBACK'), `-ERR hot upgrade failed: ${refusal(VA)}\r\n`);
    const i = await info(c, 'upgrade');
    assert.equal(i.logic_file, SCHEMA3);
    assert.equal(i.state_schema, '4');
    const [h] = await history(c, 1);
    assert.deepEqual([h.action, h.result], ['rollback', refusal(VA)]);
    assert.match(s.output(), new RegExp(`# Hot upgrade \\(rollback\\) to '${escapeRe(VA)}' refused: ${escapeRe(refusal(VA))}\\n`));
  });

  it('ROLLBACK from disk (after probation) is refused the same way, and so is LOAD of an older logic', async () => {
    assert.equal(await c.command('CONFIG', 'SET', 'hotupgrade-probation-ms', '0'), '+OK\r\n');
    await waitUntil('the probation to end', async () => (await info(c, 'upgrade')).previous_loaded === '0');
    assert.equal(await c.command('HOTUPGRADE', 'ROLLBACK'), `-ERR hot upgrade failed: ${refusal(VA)}\r\n`);
    assert.equal(await loadRefused(c, FB), `ERR hot upgrade failed: logic ${VB} uses state schema 3 and does not declare ` +
      'that it reads the current state schema 4 (readsSchemas [3])');
    assert.equal((await info(c, 'upgrade')).logic_file, SCHEMA3);
    assert.equal(await c.command('GET', 'schema:k'), '$4\r\nkept\r\n');
  });

  it('an older logic that declares readsSchemas [3, 4] may take over; the state keeps schema 4', async () => {
    await load(c, A_READS3);
    let i = await info(c, 'upgrade');
    assert.equal(i.logic_file, A_READS3);
    assert.equal(i.state_schema, '4');
    assert.equal((await status(c)).state_schema, 3, 'the logic itself writes schema 3');
    // and the rollback path: schema 4 again (no migration needed), then back from memory
    assert.equal(await c.command('CONFIG', 'SET', 'hotupgrade-probation-ms', '30000'), '+OK\r\n');
    await load(c, SCHEMA3);
    const rb = asMap(await hotupgrade(c, 'ROLLBACK'));
    assert.deepEqual([rb.from, rb.to], [VB, VA]);
    i = await info(c, 'upgrade');
    assert.equal(i.logic_file, A_READS3);
    assert.equal(i.state_schema, '4');
    assert.equal(await c.command('GET', 'schema:k'), '$4\r\nkept\r\n');
    assert.equal(await c.command('INCR', 'schema:n'), ':1\r\n');
  });
});

describe('signed bundles (hotupgrade-require-signature)', () => {
  let dir: string;
  let signed: string;
  let pub: string;
  let priv: string;
  let otherPriv: string;
  const keyArgs = () => ['--hotupgrade-require-signature', 'yes', '--hotupgrade-public-key', pub];
  const signDir = (d = signed, key = priv) => run(path.join(ROOT, 'scripts', 'sign-bundles.mjs'), ['--key', key, '--logic-dir', d]);
  const pem = (k: { export(o: object): string | Buffer }, type: string) => String(k.export({ type, format: 'pem' }));

  before(async () => {
    dir = path.join(work, 'trust');
    signed = path.join(dir, 'logic');
    fs.mkdirSync(signed, { recursive: true });
    for (const f of fs.readdirSync(logicDir)) {
      if (f.startsWith(FA) || f.startsWith(FB)) fs.copyFileSync(path.join(logicDir, f), path.join(signed, f));
    }
    fs.copyFileSync(path.join(logicDir, FB), path.join(signed, 'logic-tampered.cjs'));
    const k = generateKeyPairSync('ed25519');
    pub = path.join(dir, 'hotkv.pub.pem');
    priv = path.join(dir, 'hotkv.pem');
    fs.writeFileSync(pub, pem(k.publicKey, 'spki'));
    fs.writeFileSync(priv, pem(k.privateKey, 'pkcs8'));
    otherPriv = path.join(dir, 'other.pem');
    fs.writeFileSync(otherPriv, pem(generateKeyPairSync('ed25519').privateKey, 'pkcs8'));
    await signDir();
  });

  /** Start-up that must fail: exit status 1 and the fatal report. */
  function startFails(args: string[], logicFile = FA): string {
    const r = spawnSync(process.execPath, [BIN, '--port', '0', '--save', '', '--logic-dir', signed, '--logic-file', logicFile, ...args],
      { encoding: 'utf8', timeout: 20000 });
    assert.equal(r.status, 1, `expected exit 1: ${r.stdout}${r.stderr}`);
    const m = /\*\*\* FATAL CONFIG FILE ERROR \(hotkv [^)]*\) \*\*\*\n(.*)\n/.exec(r.stderr);
    assert.ok(m, r.stderr);
    return m[1];
  }

  it('sign-bundles writes MANIFEST (every bundle and code cache) and its Ed25519 signature', () => {
    const m = JSON.parse(fs.readFileSync(path.join(signed, 'MANIFEST'), 'utf8'));
    assert.deepEqual(Object.keys(m.bundles), [FA, FB, 'logic-tampered.cjs']);
    assert.equal(m.bundles[FB], fs.readFileSync(path.join(signed, FB + '.sha256'), 'utf8').split(/\s+/)[0]);
    assert.deepEqual(Object.keys(m.codeCaches), [FA + '.cache', FB + '.cache']);
    assert.match(fs.readFileSync(path.join(signed, 'MANIFEST.sig'), 'utf8'), /^[A-Za-z0-9+/]{86}==\n$/);
  });

  it('start-up refuses a missing, unreadable, private or non-Ed25519 key', () => {
    assert.equal(startFails(['--hotupgrade-require-signature', 'yes']),
      'hotupgrade-require-signature is yes but hotupgrade-public-key is not set');
    const missing = path.join(dir, 'nope.pem');
    assert.equal(startFails(['--hotupgrade-require-signature', 'yes', '--hotupgrade-public-key', missing]),
      `cannot read hotupgrade-public-key '${missing}': ENOENT: no such file or directory, open '${missing}'`);
    assert.equal(startFails(['--hotupgrade-require-signature', 'yes', '--hotupgrade-public-key', priv]),
      `hotupgrade-public-key '${priv}' holds a private key; give the server only the public key`);
    const rsa = path.join(dir, 'rsa.pub.pem');
    fs.writeFileSync(rsa, pem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, 'spki'));
    assert.equal(startFails(['--hotupgrade-require-signature', 'yes', '--hotupgrade-public-key', rsa]),
      `hotupgrade-public-key '${rsa}' is a rsa key, not Ed25519`);
    const junk = path.join(dir, 'junk.pem');
    fs.writeFileSync(junk, 'not a key\n');
    assert.match(startFails(['--hotupgrade-require-signature', 'yes', '--hotupgrade-public-key', junk]),
      new RegExp(`^hotupgrade-public-key '${escapeRe(junk)}' is not a PEM public key: `));
  });

  it('the start-up bundle must be signed too', () => {
    fs.copyFileSync(path.join(signed, FA), path.join(signed, 'logic-unsigned.cjs'));
    try {
      assert.equal(startFails(keyArgs(), 'logic-unsigned.cjs'), `cannot start with logic 'logic-unsigned.cjs' from '${signed}': ` +
        "bundle 'logic-unsigned.cjs' refused: 'logic-unsigned.cjs' is not listed in the signed MANIFEST");
    } finally {
      fs.rmSync(path.join(signed, 'logic-unsigned.cjs'));
    }
  });

  it('the directives can be given in the config file', () => {
    const conf = path.join(dir, 'hotkv.conf');
    fs.writeFileSync(conf, `hotupgrade-require-signature yes\nhotupgrade-public-key "${pub}"\n`);
    fs.copyFileSync(path.join(signed, FA), path.join(signed, 'logic-unsigned.cjs'));
    try {
      const r = spawnSync(process.execPath, [BIN, conf, '--port', '0', '--logic-dir', signed, '--logic-file', 'logic-unsigned.cjs'],
        { encoding: 'utf8', timeout: 20000 });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /'logic-unsigned\.cjs' is not listed in the signed MANIFEST/);
    } finally {
      fs.rmSync(path.join(signed, 'logic-unsigned.cjs'));
    }
  });

  describe('a running server', () => {
    let s: RunningServer;
    let c: RawClient;
    const refused = async (file: string, why: RegExp | string) => {
      const before = await status(c);
      const err = await loadRefused(c, file);
      if (typeof why === 'string') assert.equal(err, `ERR hot upgrade failed: ${why}`);
      else assert.match(err, why);
      const st = await status(c);
      assert.equal(st.logic_sha256, before.logic_sha256);
      assert.equal(await c.command('GET', 'trust:k'), '$4\r\nkept\r\n');
    };
    const requireYes = ' (hotupgrade-require-signature is yes)';

    before(async () => {
      s = await startHotkv({ logicDir: signed, logicFile: FA, args: keyArgs() });
      c = await RawClient.connect(s.port);
      assert.equal(await c.command('SET', 'trust:k', 'kept'), '+OK\r\n');
    });
    after(async () => {
      c.close();
      await s.stop();
    });

    it('starts on a signed bundle and says so; the directives are immutable', async () => {
      assert.match(s.output(), new RegExp(`\\* Logic bundles must be listed in logic-dir's MANIFEST signed for ${escapeRe(pub)}\\n`));
      assert.equal(await c.command('CONFIG', 'GET', 'hotupgrade-require-signature'), '*2\r\n$28\r\nhotupgrade-require-signature\r\n$3\r\nyes\r\n');
      assert.equal(await c.command('CONFIG', 'SET', 'hotupgrade-require-signature', 'no'),
        "-ERR CONFIG SET failed (possibly related to argument 'hotupgrade-require-signature') - can't set immutable config\r\n");
      assert.equal(await c.command('CONFIG', 'SET', 'hotupgrade-public-key', '/tmp/k.pem'),
        "-ERR CONFIG SET failed (possibly related to argument 'hotupgrade-public-key') - can't set immutable config\r\n");
    });

    it('a signed bundle loads', async () => {
      assert.equal((await load(c, FB)).to, VB);
      assert.equal((await load(c, FA)).to, VA);
    });

    it('a bundle missing from the manifest is refused', async () => {
      fs.copyFileSync(path.join(signed, FB), path.join(signed, 'logic-new.cjs'));
      await refused('logic-new.cjs', "bundle 'logic-new.cjs' refused: 'logic-new.cjs' is not listed in the signed MANIFEST");
    });

    it('a tampered bundle is refused', async () => {
      fs.appendFileSync(path.join(signed, 'logic-tampered.cjs'), '\n;globalThis.pwned = true;\n');
      await refused('logic-tampered.cjs', /^ERR hot upgrade failed: bundle 'logic-tampered\.cjs' refused: its sha256 [0-9a-f]{64} does not match the signed MANIFEST \([0-9a-f]{64}\)$/);
    });

    it('a manifest changed after signing, a signature by another key, or garbage, is refused for every bundle', async () => {
      const manifest = path.join(signed, 'MANIFEST');
      const sigFile = path.join(signed, 'MANIFEST.sig');
      const good = { m: fs.readFileSync(manifest), sig: fs.readFileSync(sigFile) };
      const badSig = `bundle '${FB}' refused: MANIFEST.sig is not a valid signature of MANIFEST for hotupgrade-public-key '${pub}'${requireYes}`;
      try {
        // an attacker lists their bundle with its real hash but cannot sign
        const m = JSON.parse(good.m.toString());
        m.bundles['logic-new.cjs'] = m.bundles[FB];
        fs.writeFileSync(manifest, JSON.stringify(m, null, 2) + '\n');
        await refused(FB, badSig);
        await refused('logic-new.cjs', badSig.replace(`'${FB}'`, "'logic-new.cjs'"));
        fs.writeFileSync(sigFile, sign(null, fs.readFileSync(manifest), fs.readFileSync(otherPriv)).toString('base64') + '\n');
        await refused(FB, badSig);
        fs.writeFileSync(manifest, good.m);
        fs.writeFileSync(sigFile, 'AAAA\n');
        await refused(FB, badSig);
        fs.rmSync(sigFile);
        await refused(FB, `bundle '${FB}' refused: logic-dir has no MANIFEST.sig${requireYes}`);
        fs.rmSync(manifest);
        await refused(FB, `bundle '${FB}' refused: logic-dir has no MANIFEST${requireYes}`);
      } finally {
        fs.writeFileSync(manifest, good.m);
        fs.writeFileSync(sigFile, good.sig);
      }
      assert.equal((await load(c, FB)).to, VB);
    });

    it('HOTUPGRADE LIST reports refused bundles without running them', async () => {
      const list = (decode(await c.command('HOTUPGRADE', 'LIST')) as Value[]).map(asMap);
      const byFile = new Map(list.map((e) => [e.file as string, e]));
      assert.equal(byFile.get(FA)!.error, undefined);
      assert.equal(byFile.get(FA)!.version, VA);
      assert.match(String(byFile.get('logic-new.cjs')!.error), /is not listed in the signed MANIFEST/);
      assert.match(String(byFile.get('logic-tampered.cjs')!.error), /does not match the signed MANIFEST/);
      assert.equal(byFile.get('logic-tampered.cjs')!.version, '');
    });

    it('signing again admits the new bundle', async () => {
      fs.rmSync(path.join(signed, 'logic-tampered.cjs'));
      await signDir();
      assert.equal((await load(c, 'logic-new.cjs')).to, VB);
      assert.equal(await c.command('GET', 'trust:k'), '$4\r\nkept\r\n');
    });
  });

  it('a V8 code cache is used only when the manifest lists it', () => {
    // In a child without --expose-gc (that flag makes V8 reject every cache, see loader.test.ts).
    const probe = (cacheBytes: Buffer | null, requireSignature: boolean) => {
      const d = fs.mkdtempSync(path.join(dir, 'cache-'));
      for (const f of [FA, FA + '.cache', 'MANIFEST', 'MANIFEST.sig']) fs.copyFileSync(path.join(signed, f), path.join(d, f));
      if (cacheBytes) fs.writeFileSync(path.join(d, FA + '.cache'), cacheBytes);
      const code = `const l=require(${JSON.stringify(path.join(ROOT, 'src/shell/loader.ts'))});` +
        `const t=l.loadTrust(${requireSignature}, ${JSON.stringify(pub)});` +
        `try{process.stdout.write(String(l.loadBundle(${JSON.stringify(d)}, ${JSON.stringify(FA)}, t).codeCacheUsed))}` +
        'catch(e){process.stdout.write(e.message)}';
      return execFileSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } }).toString();
    };
    assert.equal(probe(null, true), 'true', 'the signed cache is used');
    // V8 checks a cache against the source's length, not its content: a cache made from other code of the
    // same length is accepted and runs instead of the bundle's source. Unsigned, it must be ignored.
    const src = fs.readFileSync(path.join(signed, FA), 'utf8');
    // (Made under the flags the loader runs bundles under, or V8 would reject it for that reason alone.)
    const flags = path.join(ROOT, 'src/abi/bundle-v8-flags.json');
    const foreign = Buffer.from(execFileSync(process.execPath, ['-e', 'const vm=require("node:vm");' +
      `for(const f of require(${JSON.stringify(flags)}))require("node:v8").setFlagsFromString(f);` +
      `const s=new vm.Script(${JSON.stringify(wrapSource('@@'))}.replace('@@', ' '.repeat(${src.length})));` +
      'process.stdout.write(s.createCachedData().toString("base64"))'], { env: { ...process.env, NODE_OPTIONS: '' } }).toString(), 'base64');
    assert.equal(probe(foreign, false), `bundle '${FA}' was built for ABI undefined, this shell speaks ABI 1`, 'without signatures the foreign cache ran');
    assert.equal(probe(foreign, true), 'false', 'with signatures the unlisted cache is ignored and the source runs');
  });
});
