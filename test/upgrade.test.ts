// Hot upgrade, end to end: real clients (ioredis, node-redis, redis-cli) and raw connections stay
// connected and correct while the logic is swapped; every refused upgrade leaves the old logic serving;
// rollback, LIST/HISTORY, SIGUSR2, the permission directive, the old bundle being garbage collected,
// and the process conventions (--version, --help, config file, SIGTERM) that hotkv shares with redis-server.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { decodeReply as decode, RawClient, type ReplyValue as Value } from './helpers/resp';
import { freePort, startHotkv, startRedis, type RunningServer } from './helpers/servers';
import {
  asMap, BIN, buildLogic, cmd, countEvents, escapeRe, hotupgrade, info, IOREDIS_EVENTS, ioredisLoad, load, loadRefused,
  NODE_REDIS_EVENTS, nodeRedisLoad, patched, rawLoad, status, waitUntil, zeroCounts, type NodeRedis,
  FA, FB, VA, VB,
} from './helpers/upgrade';

const versionOf = (file: string) => (file === FA ? VA : VB);

/** redis-cli driven line by line through its stdin (non-tty mode reads and answers one line at a time). */
class Cli {
  private out = '';
  private wake: (() => void) | null = null;
  readonly exited: Promise<number | null>;
  private constructor(readonly proc: ChildProcess) {
    proc.stdout!.on('data', (d: Buffer) => { this.out += d.toString('latin1'); this.wake?.(); });
    proc.stderr!.on('data', (d: Buffer) => { this.out += d.toString('latin1'); this.wake?.(); });
    this.exited = new Promise((resolve) => proc.once('exit', (code) => { this.wake?.(); resolve(code); }));
  }
  static start(port: number): Cli {
    return new Cli(spawn('redis-cli', ['-p', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }
  /** Send one command line; resolves with the first output line it produced. */
  async send(line: string, timeoutMs = 5000): Promise<string> {
    this.proc.stdin!.write(line + '\n');
    const deadline = Date.now() + timeoutMs;
    while (!this.out.includes('\n')) {
      if (Date.now() > deadline || this.proc.exitCode !== null) throw new Error(`redis-cli: no answer to ${line}; output ${JSON.stringify(this.out)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.wake = () => { clearTimeout(t); resolve(); };
      });
    }
    const i = this.out.indexOf('\n');
    const first = this.out.slice(0, i);
    this.out = this.out.slice(i + 1);
    return first;
  }
  async close(): Promise<number | null> {
    this.proc.stdin!.end();
    return this.exited;
  }
}

function runCli(args: string[]): { proc: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const proc = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => { out += d; });
  proc.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

// ------------------------------------------------------------------------------------ tests

describe('hot upgrade', () => {
  let work: string;
  let logicDir: string;
  let outsideDir: string;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-upgrade-'));
    logicDir = path.join(work, 'logic');
    outsideDir = path.join(work, 'outside');
    fs.mkdirSync(outsideDir);
    await Promise.all([buildLogic(VA, logicDir), buildLogic(VB, logicDir)]);
    // A valid bundle outside logic-dir: loading it must be refused however it is named.
    fs.copyFileSync(path.join(logicDir, FB), path.join(outsideDir, 'logic-evil.cjs'));
  });
  after(() => {
    fs.rmSync(work, { recursive: true, force: true });
  });

  describe('with clients connected', () => {
    let s: RunningServer;
    let ctl: RawClient;
    /** the bundle that is not active: the next upgrade target */
    let other = FB;
    const flip = async (c: RawClient = ctl) => {
      const target = other;
      const r = await load(c, target);
      assert.equal(r.to, versionOf(target));
      other = target === FA ? FB : FA;
      return r;
    };

    before(async () => {
      s = await startHotkv({ logicDir, logicFile: FA });
      ctl = await RawClient.connect(s.port);
    });
    after(async () => {
      ctl.close();
      await s.stop();
    });

    it('starts on the configured logic-file', async () => {
      const st = await status(ctl);
      assert.equal(st.logic_version, VA);
      assert.equal(st.logic_file, FA);
      assert.equal(st.upgrades_total, 0);
      assert.equal(await ctl.command('CONFIG', 'GET', 'logic-file'), `*2\r\n$10\r\nlogic-file\r\n$${FA.length}\r\n${FA}\r\n`);
    });

    it('ioredis, node-redis and redis-cli stay connected and correct across upgrades', async () => {
      const io = new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      const ioEvents = countEvents(io, IOREDIS_EVENTS);
      const nr: NodeRedis = createClient({ socket: { port: s.port, host: '127.0.0.1' } });
      const nrEvents = countEvents(nr, NODE_REDIS_EVENTS);
      await nr.connect();
      await io.ping();
      const raw = await RawClient.connect(s.port);
      const cli = Cli.start(s.port);
      try {
        // Per-connection state that must survive: selected db, client name.
        assert.equal(await raw.command('SELECT', '3'), '+OK\r\n');
        assert.equal(await raw.command('SET', 'db3:key', 'in-db-3'), '+OK\r\n');
        assert.equal(await raw.command('CLIENT', 'SETNAME', 'raw-conn'), '+OK\r\n');
        assert.equal(await io.client('SETNAME', 'io-conn'), 'OK');
        assert.equal(await nr.sendCommand(['CLIENT', 'SETNAME', 'nr-conn']), 'OK');
        assert.equal(await cli.send('CLIENT SETNAME cli-conn'), 'OK');
        assert.equal(await cli.send('SET cli:k "cli value"'), 'OK');
        // Both libraries negotiate RESP3 (HELLO 3) on connect; that must survive the upgrades too.
        assert.match(String(await io.client('INFO')), / resp=3\b/);
        assert.match(String(await nr.sendCommand(['CLIENT', 'INFO'])), / resp=3\b/);
        const cliId = await cli.send('CLIENT ID');
        assert.match(cliId, /^\d+$/);
        // Data with TTLs.
        assert.equal(await io.set('ttl:long', 'L', 'EX', 100), 'OK');
        assert.equal(await io.set('ttl:short', 'S', 'PX', 1500), 'OK');
        const pttlBefore = await io.pttl('ttl:long');
        const pttlBeforeAt = Date.now();

        const loads = [ioredisLoad(io, 'io'), nodeRedisLoad(nr, 'nr')];
        // redis-cli repeating INCR on its own connection, 1 ms apart (at least a second in all).
        const rep = runCli(['-p', String(s.port), '-r', '1000', '-i', '0.001', 'INCR', 'cli:repeat']);
        let repExitedEarly = false;
        void rep.exited.then(() => { repExitedEarly = true; });
        await waitUntil('redis-cli -r to start', async () => (await ctl.command('GET', 'cli:repeat')) !== '$-1\r\n');
        const connsBefore = Number((await info(ctl, 'stats')).total_connections_received);

        for (let i = 0; i < 6; i++) {
          const marks = loads.map((l) => l.rounds);
          await flip();
          // let every client get through a few round trips on the new logic before the next swap
          await waitUntil('load progress', () => loads.every((l, k) => l.rounds >= marks[k] + 2 || l.errors.length > 0));
          if (i === 0) assert.equal(repExitedEarly, false, 'redis-cli -r was running during the first upgrade');
        }
        // One more, issued by redis-cli itself.
        const cliUp = runCli(['-p', String(s.port), 'HOTUPGRADE', 'LOAD', other]);
        assert.equal(await cliUp.exited, 0);
        assert.match(cliUp.output(), new RegExp(`^from\\n${versionOf(other === FA ? FB : FA)}\\nto\\n${versionOf(other)}\\nsha256\\n[0-9a-f]{64}\\npause_us\\n\\d+\\n$`));
        other = other === FA ? FB : FA;

        for (const l of loads) l.stop = true;
        await Promise.all(loads.map((l) => l.done));
        assert.deepEqual(loads.flatMap((l) => l.errors), []);
        assert.equal(await rep.exited, 0);
        assert.equal(rep.output(), Array.from({ length: 1000 }, (_, i) => `${i + 1}\n`).join(''));

        // Every connection is the one it was, with its state.
        assert.equal(await cli.send('CLIENT ID'), cliId);
        assert.equal(await cli.send('CLIENT GETNAME'), 'cli-conn');
        assert.equal(await cli.send('GET cli:k'), 'cli value');
        assert.equal(await raw.command('GET', 'db3:key'), '$7\r\nin-db-3\r\n');
        assert.equal(await raw.command('CLIENT', 'GETNAME'), '$8\r\nraw-conn\r\n');
        assert.equal(await ctl.command('GET', 'db3:key'), '$-1\r\n', 'db 0 does not have the db 3 key');
        assert.equal(await io.client('GETNAME'), 'io-conn');
        assert.match(String(await io.client('INFO')), / resp=3\b/);
        assert.match(String(await nr.sendCommand(['CLIENT', 'INFO'])), / resp=3\b/);
        assert.equal(await nr.sendCommand(['CLIENT', 'GETNAME']), 'nr-conn');
        // one new connection: the redis-cli that ran HOTUPGRADE LOAD
        assert.equal(Number((await info(ctl, 'stats')).total_connections_received), connsBefore + 1, 'nobody reconnected');

        // TTLs kept counting down, and expiry still works on the new logic.
        const pttlAfter = await io.pttl('ttl:long');
        // (counted down by the time that passed, not reset or lost: the bound follows the clock, since a
        // loaded machine can take many seconds over this test)
        const elapsed = Date.now() - pttlBeforeAt;
        assert.ok(pttlAfter < pttlBefore && pttlAfter >= pttlBefore - elapsed - 1000, `PTTL ${pttlBefore} -> ${pttlAfter} in ${elapsed} ms`);
        await waitUntil('ttl:short to expire', async () => (await io.exists('ttl:short')) === 0, 5000, 50);
        assert.equal(await io.get('ttl:long'), 'L');

        assert.equal(await io.get('io:ctr'), String(loads[0].rounds * 20));
        assert.equal(await nr.get('nr:ctr'), String(loads[1].rounds * 20));
        assert.deepEqual(ioEvents, zeroCounts(IOREDIS_EVENTS));
        assert.deepEqual(nrEvents, zeroCounts(NODE_REDIS_EVENTS));
      } finally {
        io.disconnect();
        await nr.close();
        raw.close();
        await cli.close();
      }
    });

    it('a command half-sent before an upgrade completes after it', async () => {
      const multi = await RawClient.connect(s.port);
      const inline = await RawClient.connect(s.port);
      const big = await RawClient.connect(s.port);
      try {
        const setCmd = cmd('SET', 'half:k', 'value-of-half');
        multi.write(setCmd.slice(0, 25)); // inside the value's bulk
        inline.write('ECHO "half ');
        const bigValue = 'x'.repeat(300 * 1024);
        const bigCmd = cmd('SET', 'half:big', bigValue);
        big.write(bigCmd.slice(0, 100 * 1024)); // a large argument, collected in pieces
        // The server has taken the first halves once a PING behind them on another connection is answered.
        assert.equal(await ctl.command('PING'), '+PONG\r\n');
        const r = await flip();
        multi.write(setCmd.slice(25));
        inline.write('line"\r\n');
        big.write(bigCmd.slice(100 * 1024));
        assert.equal(await multi.reply(), '+OK\r\n');
        assert.equal(await inline.reply(), '$9\r\nhalf line\r\n');
        assert.equal(await big.reply(), '+OK\r\n');
        assert.equal(await multi.command('GET', 'half:k'), '$13\r\nvalue-of-half\r\n');
        assert.equal(await big.command('STRLEN', 'half:big'), `:${bigValue.length}\r\n`);
        assert.equal((await status(ctl)).logic_version, r.to);
      } finally {
        multi.close();
        inline.close();
        big.close();
      }
    });

    it('commands pipelined behind HOTUPGRADE LOAD are answered in order by the new logic', async () => {
      const c = await RawClient.connect(s.port);
      try {
        const from = versionOf(other === FA ? FB : FA);
        const to = versionOf(other);
        c.write(cmd('HOTUPGRADE', 'STATUS') + cmd('SET', 'pl:k', 'before') + cmd('HOTUPGRADE', 'LOAD', other) +
          cmd('GET', 'pl:k') + cmd('SET', 'pl:k', 'after') + 'GET pl:k\r\n' + cmd('HOTUPGRADE', 'STATUS') + 'PING\r\n');
        assert.equal(asMap(decode(await c.reply())).logic_version, from);
        assert.equal(await c.reply(), '+OK\r\n');
        const up = asMap(decode(await c.reply()));
        assert.equal(up.from, from);
        assert.equal(up.to, to);
        assert.equal(await c.reply(), '$6\r\nbefore\r\n');
        assert.equal(await c.reply(), '+OK\r\n');
        assert.equal(await c.reply(), '$5\r\nafter\r\n');
        assert.equal(asMap(decode(await c.reply())).logic_version, to);
        assert.equal(await c.reply(), '+PONG\r\n');
        other = other === FA ? FB : FA;
      } finally {
        c.close();
      }
    });

    it('INFO upgrade and HOTUPGRADE STATUS follow the upgrades', async () => {
      const i0 = await info(ctl, 'upgrade');
      const st0 = await status(ctl);
      assert.equal(i0.logic_version, st0.logic_version);
      assert.equal(i0.logic_sha256, st0.logic_sha256);
      const r = await flip();
      const i1 = await info(ctl, 'upgrade');
      assert.equal(i1.logic_version, r.to);
      assert.equal(i1.logic_sha256, r.sha256);
      assert.equal(i1.logic_file, other === FA ? FB : FA);
      assert.equal(Number(i1.upgrades_total), Number(i0.upgrades_total) + 1);
      assert.equal(Number(i1.last_upgrade_pause_us), r.pause_us);
      assert.equal(i1.last_upgrade_result, 'ok');
      assert.equal(i1.previous_loaded, '1');
      assert.equal(i1.previous_version, r.from);
      assert.ok(Number(i1.logic_bundles_loaded) > Number(i0.logic_bundles_loaded));
      const expectedSha = fs.readFileSync(path.join(logicDir, `logic-${String(r.to)}.cjs.sha256`), 'utf8').split(/\s+/)[0];
      assert.equal(r.sha256, expectedSha);
      const st1 = await status(ctl);
      assert.equal(st1.upgrades_total, Number(i1.upgrades_total));
      assert.equal(st1.logic_version, r.to);
    });

    it('100 consecutive upgrades under pipelined load from 4 connections', async () => {
      const conns = await Promise.all([0, 1, 2, 3].map(() => RawClient.connect(s.port)));
      const loads = conns.map((c, i) => rawLoad(c, `u${i}`));
      try {
        const before = Number((await info(ctl, 'upgrade')).upgrades_total);
        for (let i = 0; i < 100; i++) {
          const marks = loads.map((l) => l.rounds);
          const r = await flip();
          assert.ok(Number.isInteger(r.pause_us));
          await waitUntil('load progress', () => loads.every((l, k) => l.rounds > marks[k] || l.errors.length > 0));
        }
        for (const l of loads) l.stop = true;
        await Promise.all(loads.map((l) => l.done));
        assert.deepEqual(loads.flatMap((l) => l.errors), []);
        for (let i = 0; i < 4; i++) {
          assert.equal(conns[i].closed, false);
          assert.equal(await conns[i].command('GET', `ctr:u${i}`), `$${String(loads[i].incrs()).length}\r\n${loads[i].incrs()}\r\n`);
        }
        assert.equal(Number((await info(ctl, 'upgrade')).upgrades_total), before + 100);
      } finally {
        for (const l of loads) l.stop = true;
        for (const c of conns) c.close();
      }
    });

    it('rollback within probation swaps back to the loaded previous logic', async () => {
      const from = versionOf(other === FA ? FB : FA);
      const up = await flip();
      const i0 = await info(ctl, 'upgrade');
      assert.equal(i0.previous_loaded, '1');
      const rb = asMap(await hotupgrade(ctl, 'ROLLBACK'));
      assert.equal(rb.from, up.to);
      assert.equal(rb.to, from);
      other = other === FA ? FB : FA;
      const i1 = await info(ctl, 'upgrade');
      assert.equal(i1.logic_version, from);
      assert.equal(Number(i1.rollbacks_total), Number(i0.rollbacks_total) + 1);
      assert.equal(i1.upgrades_total, i0.upgrades_total);
      assert.equal(i1.logic_bundles_loaded, i0.logic_bundles_loaded, 'no bundle was read from disk');
      const h = decode(await ctl.command('HOTUPGRADE', 'HISTORY', '1')) as Value[];
      assert.equal(h.length, 1);
      const e = asMap(h[0]);
      assert.equal(e.action, 'rollback');
      assert.equal(e.result, 'ok');
      assert.equal(e.from, up.to);
      assert.equal(e.to, from);
    });

    describe('refused upgrades leave the old logic serving', () => {
      let io: Redis;
      let ioEvents: Record<string, number>;
      let base: Record<string, Value>;
      let incrs = 0;
      const bad: Record<string, string> = {};

      before(async () => {
        const b = FB;
        bad.syntax = 'bad-syntax.cjs';
        fs.writeFileSync(path.join(logicDir, bad.syntax), 'module.exports = {;\n');
        bad.throwsOnLoad = 'throws-on-load.cjs';
        fs.writeFileSync(path.join(logicDir, bad.throwsOnLoad), "throw new Error('no loading today');\n");
        bad.notModule = patched(logicDir, b, 'not-a-module.cjs', 'module.exports = 42;');
        bad.noOnData = patched(logicDir, b, 'no-ondata.cjs', 'module.exports = Object.assign({}, module.exports, { onData: undefined });');
        bad.abi = patched(logicDir, b, 'abi-2.cjs', 'module.exports = Object.assign({}, module.exports, { abi: 2 });');
        bad.selfTestText = patched(logicDir, b, 'selftest-fails.cjs',
          "module.exports = Object.assign({}, module.exports, { selfTest() { return 'broken on purpose'; } });");
        bad.selfTestThrows = patched(logicDir, b, 'selftest-throws.cjs',
          "module.exports = Object.assign({}, module.exports, { selfTest() { throw new Error('self-test exploded'); } });");
        bad.activateThrows = patched(logicDir, b, 'activate-throws.cjs',
          "module.exports = Object.assign({}, module.exports, { activate() { throw new Error('activate refused on purpose'); } });");
        bad.exitHook = patched(logicDir, b, 'hooks-exit.cjs', "process.on('exit', function keepsTheBundleAlive() {});");
        bad.globalHook = patched(logicDir, b, 'hooks-global.cjs', 'globalThis.hotkvTestLeak = function keepsTheBundleAlive() {};');
        bad.badSha = 'logic-badsha.cjs';
        fs.copyFileSync(path.join(logicDir, b), path.join(logicDir, bad.badSha));
        fs.writeFileSync(path.join(logicDir, bad.badSha + '.sha256'), `${'0'.repeat(64)}  ${bad.badSha}\n`);
        bad.dir = 'subdir.cjs';
        fs.mkdirSync(path.join(logicDir, bad.dir));
        bad.symlink = 'link-out.cjs';
        fs.symlinkSync(path.join(outsideDir, 'logic-evil.cjs'), path.join(logicDir, bad.symlink));

        io = new Redis({ port: s.port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
        ioEvents = countEvents(io, IOREDIS_EVENTS);
        assert.equal(await io.set('refused:data', 'intact', 'EX', 1000), 'OK');
        base = await status(ctl);
      });
      after(() => {
        io.disconnect();
      });

      const cases: [string, (dir: string) => string, RegExp][] = [
        ['a missing file', () => 'no-such-bundle.cjs', /^ERR hot upgrade failed: bundle 'no-such-bundle\.cjs' not found in logic-dir$/],
        ['a name escaping logic-dir with ..', () => '../outside/logic-evil.cjs', /^ERR hot upgrade failed: bundle '\.\.\/outside\/logic-evil\.cjs' is outside logic-dir$/],
        ['an absolute path outside logic-dir', () => path.join(outsideDir, 'logic-evil.cjs'), /^ERR hot upgrade failed: bundle '\/.*\/logic-evil\.cjs' is outside logic-dir$/],
        ['a symlink pointing outside logic-dir', () => bad.symlink, /^ERR hot upgrade failed: bundle 'link-out\.cjs' resolves outside logic-dir$/],
        ['logic-dir itself', () => '.', /^ERR hot upgrade failed: bundle '\.' is outside logic-dir$/],
        ['a directory', () => bad.dir, /^ERR hot upgrade failed: bundle 'subdir\.cjs' is not a file$/],
        ['a syntax error', () => bad.syntax, /^ERR hot upgrade failed: bundle 'bad-syntax\.cjs' does not compile: Unexpected token/],
        ['a bundle that throws while loading', () => bad.throwsOnLoad, /^ERR hot upgrade failed: bundle 'throws-on-load\.cjs' threw while loading: no loading today$/],
        ['a bundle exporting no logic module', () => bad.notModule, /^ERR hot upgrade failed: bundle 'not-a-module\.cjs' exports no logic module$/],
        ['a bundle missing onData', () => bad.noOnData, /^ERR hot upgrade failed: bundle 'no-ondata\.cjs' lacks onData\(\)$/],
        ['the wrong ABI', () => bad.abi, /^ERR hot upgrade failed: bundle 'abi-2\.cjs' was built for ABI 2, this shell speaks ABI 1$/],
        ['a self-test that reports an error', () => bad.selfTestText, /^ERR hot upgrade failed: self-test failed: broken on purpose$/],
        ['a self-test that throws', () => bad.selfTestThrows, /^ERR hot upgrade failed: self-test threw: self-test exploded$/],
        ['an activate() that throws', () => bad.activateThrows, /^ERR hot upgrade failed: activation failed: activate refused on purpose$/],
        ['a bundle that adds a process listener (it would never be freed)', () => bad.exitHook,
          /^ERR hot upgrade failed: the bundle hooked the process \(process 'exit' listener \+1\); it could never be freed after a swap$/],
        ['a bundle that adds a global', () => bad.globalHook,
          /^ERR hot upgrade failed: the bundle hooked the process \(global 'hotkvTestLeak'\); it could never be freed after a swap$/],
        ['a .sha256 sidecar that does not match', () => bad.badSha, /^ERR hot upgrade failed: bundle 'logic-badsha\.cjs' sha256 [0-9a-f]{64} does not match its \.sha256 file \(0{64}\)$/],
      ];
      for (const [what, name, expected] of cases) {
        it(what, async () => {
          const before = await status(ctl);
          const err = await loadRefused(ctl, name(logicDir));
          assert.match(err, expected);
          const st = await status(ctl);
          assert.equal(st.logic_version, base.logic_version);
          assert.equal(st.logic_sha256, base.logic_sha256);
          assert.equal(st.upgrades_failed, (before.upgrades_failed as number) + 1);
          assert.equal(st.upgrades_total, before.upgrades_total);
          assert.equal(st.last_upgrade_result, `failed: ${err.replace('ERR hot upgrade failed: ', '')}`);
          // still serving, on the same connections, with the data
          assert.equal(await io.get('refused:data'), 'intact');
          assert.equal(await io.incr('refused:counter'), ++incrs);
          assert.ok((await io.ttl('refused:data')) > 900);
          assert.equal(await ctl.command('PING'), '+PONG\r\n');
          assert.deepEqual(ioEvents, zeroCounts(IOREDIS_EVENTS));
          assert.match(s.output(), new RegExp(`# Hot upgrade \\(load\\) to '[^']*' refused: ${escapeRe(err.replace('ERR hot upgrade failed: ', ''))}\\n`));
        });
      }

      it('a good bundle still loads after the refusals', async () => {
        const r = await flip();
        assert.notEqual(r.to, base.logic_version);
        assert.equal(await io.get('refused:data'), 'intact');
      });

      it('HOTUPGRADE LIST shows every bundle in logic-dir, marking the active one and the broken ones', async () => {
        const list = (decode(await ctl.command('HOTUPGRADE', 'LIST')) as Value[]).map(asMap);
        const byFile = new Map(list.map((e) => [e.file as string, e]));
        const names = fs.readdirSync(logicDir).filter((n) => n.endsWith('.cjs')).sort();
        assert.deepEqual(list.map((e) => e.file), names);
        const cur = (await status(ctl)).logic_file;
        for (const e of list) assert.equal(e.current, e.file === cur ? 1 : 0, `current flag of ${String(e.file)}`);
        assert.equal(byFile.get(FA)!.version, VA);
        assert.equal(byFile.get(FB)!.version, VB);
        assert.equal(byFile.get(FA)!.state_schema, 3);
        assert.equal(byFile.get(FA)!.error, undefined);
        assert.equal(byFile.get(FB)!.sha256, fs.readFileSync(path.join(logicDir, FB + '.sha256'), 'utf8').split(/\s+/)[0]);
        assert.match(String(byFile.get(bad.abi)!.error), /was built for ABI 2/);
        assert.match(String(byFile.get(bad.syntax)!.error), /does not compile/);
        assert.match(String(byFile.get(bad.symlink)!.error), /resolves outside logic-dir/);
        assert.match(String(byFile.get(bad.badSha)!.error), /does not match its \.sha256 file/);
        // a bundle whose failure only shows when it runs is listed as loadable
        assert.equal(byFile.get(bad.selfTestThrows)!.version, VB);
        assert.equal(byFile.get(bad.selfTestThrows)!.error, undefined);
      });

      it('HOTUPGRADE HISTORY lists attempts newest first, failures included', async () => {
        const all = (decode(await ctl.command('HOTUPGRADE', 'HISTORY')) as Value[]).map(asMap);
        const st = await status(ctl);
        assert.equal(all.length, (st.upgrades_total as number) + (st.upgrades_failed as number) + (st.rollbacks_total as number));
        assert.equal(all[0].action, 'load');
        assert.equal(all[0].result, 'ok');
        assert.equal(all[0].to, st.logic_version);
        assert.equal(all[0].sha256, st.logic_sha256);
        assert.match(String(all[1].result), /sha256 [0-9a-f]{64} does not match/);
        for (let i = 1; i < all.length; i++) assert.ok((all[i - 1].time_ms as number) >= (all[i].time_ms as number));
        assert.deepEqual(Object.keys(all[0]), ['time_ms', 'action', 'from', 'to', 'sha256', 'pause_us', 'result']);
        const two = (decode(await ctl.command('HOTUPGRADE', 'HISTORY', '2')) as Value[]).map(asMap);
        assert.deepEqual(two, all.slice(0, 2));
        assert.equal(await ctl.command('HOTUPGRADE', 'HISTORY', '0'), '*0\r\n');
        assert.equal(await ctl.command('HOTUPGRADE', 'HISTORY', '-1'), '-ERR value is out of range, must be positive\r\n');
        assert.equal(await ctl.command('HOTUPGRADE', 'HISTORY', '1', '2'), '-ERR syntax error\r\n');
      });
    });

    it('SIGUSR2 loads logic-file, which CONFIG SET can change', async () => {
      const from = versionOf(other === FA ? FB : FA);
      assert.equal(await ctl.command('CONFIG', 'SET', 'logic-file', other), '+OK\r\n');
      const u0 = Number((await info(ctl, 'upgrade')).upgrades_total);
      s.proc.kill('SIGUSR2');
      await s.waitFor(`Hot upgrade (signal) ${from} -> ${versionOf(other)} done in `);
      assert.match(s.output(), new RegExp(`\\* Received SIGUSR2, loading logic-file '${escapeRe(other)}'\\n`));
      const i1 = await info(ctl, 'upgrade');
      assert.equal(i1.logic_version, versionOf(other));
      assert.equal(Number(i1.upgrades_total), u0 + 1);
      const h = asMap((decode(await ctl.command('HOTUPGRADE', 'HISTORY', '1')) as Value[])[0]);
      assert.equal(h.action, 'signal');
      other = other === FA ? FB : FA;
      // A signal naming a missing file is refused and logged; the server keeps serving.
      assert.equal(await ctl.command('CONFIG', 'SET', 'logic-file', 'gone.cjs'), '+OK\r\n');
      s.proc.kill('SIGUSR2');
      await s.waitFor("Hot upgrade (signal) to 'gone.cjs' refused: bundle 'gone.cjs' not found in logic-dir");
      assert.equal((await status(ctl)).logic_version, versionOf(other === FA ? FB : FA));
      assert.equal(await ctl.command('PING'), '+PONG\r\n');
    });

    it('logs each upgrade in redis-server log format', () => {
      const line = /^\d+:M \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} \* Hot upgrade \(load\) 0\.0\.1-[ab] -> 0\.0\.1-[ab] done in \d+ us$/m;
      assert.match(s.output(), line);
    });
  });

  describe('probation 0 and garbage collection', () => {
    let s: RunningServer;
    let c: RawClient;
    before(async () => {
      s = await startHotkv({ logicDir, logicFile: FA, nodeFlags: ['--expose-gc'], args: ['--hotupgrade-probation-ms', '0'] });
      c = await RawClient.connect(s.port);
    });
    after(async () => {
      c.close();
      await s.stop();
    });

    it('ROLLBACK with nothing to roll back to is refused', async () => {
      assert.equal(await c.command('HOTUPGRADE', 'ROLLBACK'), '-ERR hot upgrade failed: no previous logic to roll back to\r\n');
      assert.equal((await status(c)).logic_version, VA);
    });

    it('the replaced bundle is collected after MEMORY PURGE', async () => {
      assert.equal(await c.command('SET', 'gc:k', 'v'), '+OK\r\n');
      const collected0 = Number((await info(c, 'upgrade')).logic_bundles_collected);
      const r = await load(c, FB);
      assert.equal(r.to, VB);
      const i1 = await info(c, 'upgrade');
      assert.equal(i1.previous_loaded, '0', 'probation 0 releases the previous logic at once');
      let collected = collected0;
      await waitUntil('logic_bundles_collected to increase', async () => {
        assert.equal(await c.command('MEMORY', 'PURGE'), '+OK\r\n');
        collected = Number((await info(c, 'upgrade')).logic_bundles_collected);
        return collected > collected0;
      }, 20000, 100);
      assert.equal(await c.command('GET', 'gc:k'), '$1\r\nv\r\n');
    });

    it('ROLLBACK after probation reloads the previous bundle from disk', async () => {
      const i0 = await info(c, 'upgrade');
      assert.equal(i0.logic_version, VB);
      const rb = asMap(await hotupgrade(c, 'ROLLBACK'));
      assert.equal(rb.from, VB);
      assert.equal(rb.to, VA);
      const i1 = await info(c, 'upgrade');
      assert.equal(i1.logic_version, VA);
      assert.equal(i1.logic_file, FA);
      assert.equal(Number(i1.logic_bundles_loaded), Number(i0.logic_bundles_loaded) + 1, 'the previous bundle was compiled again');
      assert.equal(Number(i1.rollbacks_total), Number(i0.rollbacks_total) + 1);
      assert.equal(await c.command('GET', 'gc:k'), '$1\r\nv\r\n');
    });
  });

  it('enable-hotupgrade-command no refuses HOTUPGRADE as Redis refuses DEBUG', async () => {
    const [h, r] = await Promise.all([startHotkv({ logicDir, logicFile: FA, args: ['--enable-hotupgrade-command', 'no'] }), startRedis()]);
    const [hc, rc] = await Promise.all([RawClient.connect(h.port), RawClient.connect(r.port)]);
    try {
      const redisText = await rc.command('DEBUG', 'SLEEP', '0');
      const expected = redisText.replace('DEBUG', 'HOTUPGRADE').replace('enable-debug-command', 'enable-hotupgrade-command');
      assert.match(expected, /^-ERR HOTUPGRADE command not allowed\. If the enable-hotupgrade-command option is set to "local"/);
      for (const args of [['LOAD', FB], ['ROLLBACK'], ['STATUS'], ['LIST'], ['HISTORY']]) {
        assert.equal(await hc.command('HOTUPGRADE', ...args), expected, `HOTUPGRADE ${args.join(' ')}`);
      }
      assert.match(await hc.command('HOTUPGRADE', 'HELP'), /^\*\d+\r\n\+HOTUPGRADE <subcommand>/);
      const immutable = (await rc.command('CONFIG', 'SET', 'enable-debug-command', 'yes')).replace('enable-debug-command', 'enable-hotupgrade-command');
      assert.equal(await hc.command('CONFIG', 'SET', 'enable-hotupgrade-command', 'yes'), immutable);
      assert.equal(await hc.command('CONFIG', 'GET', 'enable-hotupgrade-command'), '*2\r\n$25\r\nenable-hotupgrade-command\r\n$2\r\nno\r\n');
      assert.equal((await info(hc, 'upgrade')).logic_version, VA);
    } finally {
      hc.close();
      rc.close();
      await Promise.all([h.stop(), r.stop()]);
    }
  });

  describe('process conventions shared with redis-server', () => {
    const both = (args: string[]) => ({
      hotkv: spawnSync(process.execPath, [BIN, ...args], { encoding: 'latin1' }),
      redis: spawnSync('redis-server', args, { encoding: 'latin1' }),
    });

    it('--version and -v print one line on stdout and exit 0', () => {
      for (const flag of ['--version', '-v']) {
        const { hotkv, redis } = both([flag]);
        assert.equal(hotkv.status, redis.status);
        assert.equal(hotkv.status, 0);
        assert.equal(hotkv.stderr, redis.stderr);
        assert.match(redis.stdout, /^Redis server v=\S+ sha=\S+ malloc=\S+ bits=64 build=\S+\n$/);
        assert.match(hotkv.stdout, /^hotkv server v=0\.1\.0 sha=\S+ malloc=\S+ bits=64 node=v\d+\.\d+\.\d+ build=\S+\n$/);
      }
    });

    it('--help and -h print the usage on stderr and exit 1', () => {
      for (const flag of ['--help', '-h']) {
        const { hotkv, redis } = both([flag]);
        assert.equal(hotkv.status, redis.status);
        assert.equal(hotkv.status, 1);
        assert.equal(hotkv.stdout, redis.stdout);
        assert.match(redis.stderr, /^Usage: \.\/redis-server \[\/path\/to\/redis\.conf\] \[options\] \[-\]\n/);
        assert.match(hotkv.stderr, /^Usage: \.\/hotkv-server \[\/path\/to\/hotkv\.conf\] \[options\] \[-\]\n/);
        assert.match(hotkv.stderr, /--logic-dir/);
      }
    });

    const running: RunningServer[] = [];
    after(async () => {
      // servers a failed test left behind
      await Promise.all(running.map((srv) => srv.stop('SIGKILL')));
    });

    /** Start a server with a config file as its first argument, as an operator would. */
    async function startWithConfig(exe: string[], conf: string, extra: string[]): Promise<RunningServer> {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-conf-'));
      const file = path.join(dir, 'server.conf');
      fs.writeFileSync(file, conf);
      const proc = spawn(exe[0], [...exe.slice(1), file, ...extra], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let done = false;
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => { done = true; resolve(code); }));
      const srv: RunningServer = {
        port: 0, proc, dir,
        output: () => out,
        waitFor: () => Promise.resolve(),
        stop: async (signal = 'SIGTERM') => {
          if (!done) proc.kill(signal);
          const code = await exited;
          fs.rmSync(dir, { recursive: true, force: true });
          return code;
        },
      };
      running.push(srv);
      await new Promise<void>((resolve, reject) => {
        const onData = (d: Buffer) => { out += d; if (out.includes('Ready to accept connections')) resolve(); };
        proc.stdout!.on('data', onData);
        proc.stderr!.on('data', onData);
        void exited.then((code) => reject(new Error(`${exe.join(' ')} exited ${code}: ${out}`)));
      });
      return srv;
    }

    it('a config file with --directive overrides; SIGTERM exits 0 and logs the shutdown', async () => {
      const [hp, rp] = await Promise.all([freePort(), freePort()]);
      const common = 'bind 127.0.0.1\nsave ""\nmaxclients 123\n# a comment\ntimeout 7\nhz 20\nloglevel notice\n';
      const h = await startWithConfig([process.execPath, BIN],
        `port ${hp}\n${common}logic-dir ${logicDir}\nlogic-file ${FA}\nhotupgrade-probation-ms 4321\nenable-hotupgrade-command yes\n`,
        ['--maxclients', '456', '--hz', '15', '--logic-file', FB]);
      const r = await startWithConfig(['redis-server'], `port ${rp}\n${common}`, ['--maxclients', '456', '--hz', '15']);
      const [hc, rc] = await Promise.all([RawClient.connect(hp), RawClient.connect(rp)]);
      try {
        for (const name of ['maxclients', 'timeout', 'hz', 'save', 'bind', 'loglevel']) {
          assert.equal(await hc.command('CONFIG', 'GET', name), await rc.command('CONFIG', 'GET', name), `CONFIG GET ${name}`);
        }
        assert.equal(await hc.command('CONFIG', 'GET', 'maxclients'), '*2\r\n$10\r\nmaxclients\r\n$3\r\n456\r\n');
        assert.equal(await hc.command('CONFIG', 'GET', 'hotupgrade-probation-ms'), '*2\r\n$23\r\nhotupgrade-probation-ms\r\n$4\r\n4321\r\n');
        assert.equal(await hc.command('CONFIG', 'GET', 'enable-hotupgrade-command'), '*2\r\n$25\r\nenable-hotupgrade-command\r\n$3\r\nyes\r\n');
        // the command line's logic-file wins over the file's
        assert.equal((await status(hc)).logic_version, VB);
      } finally {
        hc.close();
        rc.close();
      }
      const [hcode, rcode] = await Promise.all([h.stop('SIGTERM'), r.stop('SIGTERM')]);
      assert.equal(rcode, 0);
      assert.equal(hcode, 0);
      for (const out of [h.output(), r.output()]) {
        assert.match(out, /Received SIGTERM scheduling shutdown\.\.\.\n/);
        assert.match(out, /User requested shutdown\.\.\.\n/);
        assert.match(out, / is now ready to exit, bye bye\.\.\.\n/);
      }
    });

    it('a bad directive in the config file is fatal, with the same report as redis-server', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-conf-'));
      const file = path.join(dir, 'bad.conf');
      fs.writeFileSync(file, 'port 0\nno-such-directive 1\n');
      const { hotkv, redis } = both([file]);
      fs.rmSync(dir, { recursive: true, force: true });
      assert.equal(hotkv.status, 1);
      assert.equal(redis.status, 1);
      const body = (s: string) => s.slice(s.indexOf('***'));
      assert.equal(body(hotkv.stderr).replace(/\(hotkv [^)]*\)/, '(X)'), body(redis.stderr).replace(/\(Redis [^)]*\)/, '(X)'));
      assert.match(hotkv.stderr, /\*\*\* FATAL CONFIG FILE ERROR \(hotkv 0\.1\.0\) \*\*\*\nReading the configuration file, at line 2\n>>> 'no-such-directive 1'\nBad directive or wrong number of arguments\n/);
    });
  });
});

