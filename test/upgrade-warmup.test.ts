// The candidate bundle is warmed on what it will meet once live (src/shell/shell.ts verify(), SelfTestWarmUp):
// objects of the live hidden classes, the live command mix through the real entry points, and ticks that
// survive the swap. V8 deoptimised code warmed on scratch-shaped objects at the first live request after a
// swap; these tests keep the shapes and the warm-up from drifting apart again.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import type { ClientRecord, LogicModule } from '../src/abi';
import { loadBundle } from '../src/shell/loader';
import { Shell, newClientRecord, scratchHost } from '../src/shell/shell';
import { DEFAULT_BUNDLE, LOGIC_DIR, ROOT } from './helpers/servers';

/** A Shell booted in this process reads no dataset (there is no such file) and writes none. */
const NOTHING_ON_DISK = [['save', ''], ['appendonly', 'no'], ['dbfilename', 'hotkv-upgrade-warmup-test-no-such-file.rdb']];

describe('upgrade warm-up', () => {
  it('the scratch host, State and warm-up client have the hidden classes of the live ones', () => {
    // %HaveSameMap needs --allow-natives-syntax: ask a child (new Function, so that no transpiler sees the %).
    const code = `
      const net = require('node:net');
      const { Shell, newClientRecord, scratchHost } = require(${JSON.stringify(`${ROOT}/src/shell/shell.ts`)});
      const same = new Function('a', 'b', 'return %HaveSameMap(a, b)');
      const shell = new Shell(${JSON.stringify(LOGIC_DIR)});
      const err = shell.boot(${JSON.stringify(DEFAULT_BUNDLE)}, 'f'.repeat(40), '', '', ${JSON.stringify(NOTHING_ON_DISK)});
      if (err) throw new Error(err);
      const socket = new net.Socket();
      const live = newClientRecord(shell.state.nextClientId++, socket, '127.0.0.1:50000', '127.0.0.1:6379', true, false);
      shell.state.clients.set(live.id, live);
      shell.logic.onConnect(live);
      const h = scratchHost(shell.logic, 'f'.repeat(40));
      const warm = newClientRecord(h.state.nextClientId++, socket, '127.0.0.1:1', '127.0.0.1:0', true, false);
      const terr = shell.logic.selfTest(h, 0, { client: warm, hotCommands: [{ name: 'set', calls: 1 }] });
      if (terr) throw new Error(terr);
      const st = shell.state, sc = h.state;
      process.stdout.write(JSON.stringify({ host: same(shell.host, h), state: same(st, sc), stats: same(st.stats, sc.stats),
        upgrade: same(st.upgrade, sc.upgrade), db: same(st.dbs[0], sc.dbs[0]), client: same(live, warm) }));
      process.exit(0);`;
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '-e', code],
      { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } }).toString();
    assert.deepEqual(JSON.parse(out), { host: true, state: true, stats: true, upgrade: true, db: true, client: true });
  });

  it('rounds with the warm-up pass, replay the live mix through onData in the last database only, and write no file', () => {
    const logic: LogicModule = loadBundle(LOGIC_DIR, DEFAULT_BUNDLE).logic;
    const h = scratchHost(logic, 'f'.repeat(40));
    const st = h.state;
    // the self-test runs the cron on this State: nothing may be saved
    assert.equal(st.config.get('save'), '');
    assert.equal(st.config.get('appendonly'), 'no');
    const socket = new net.Socket();
    const rounds = 3;
    try {
      for (let round = 0; round < rounds; round++) {
        const client: ClientRecord = newClientRecord(st.nextClientId++, socket, '127.0.0.1:1', '127.0.0.1:0', true, false);
        const err = logic.selfTest(h, round, { client, hotCommands: [{ name: 'set', calls: 300 }, { name: 'get', calls: 100 }] });
        assert.equal(err, '', `round ${round}`);
        assert.equal(client.closed, true, 'the round closes its client through onClose');
      }
    } finally {
      socket.destroy();
    }
    assert.equal(st.clients.size, 0);
    const calls = (name: string) => st.stats.commandStats.get(name)?.[0] ?? 0;
    // set gets three quarters of the warm-up calls, get the rest; the cases alone run each a few times a round
    assert.ok(calls('set') > rounds * 100, `set ran ${calls('set')} times`);
    assert.ok(calls('get') > rounds * 40, `get ran ${calls('get')} times`);
    assert.ok(calls('set') > calls('get'), 'warmed in proportion to the live calls');
    const last = st.dbs[st.dbs.length - 1].dict;
    assert.ok(last.size > 0, 'the warm-up writes to the last database');
    // keys with every length of padding, so that the parser's per-length paths all have type feedback
    assert.ok([...last.keys()].some((k) => k.endsWith('~'.repeat(20))));
    for (let i = 0; i < st.dbs.length - 1; i++) {
      for (const k of st.dbs[i].dict.keys()) assert.ok(!k.includes('~'), `warm-up key ${JSON.stringify(k)} in db ${i}`);
    }
  });

  it('a swap keeps the ticks the new logic asks for again and stops the others', () => {
    const shell = new Shell(LOGIC_DIR);
    const err = shell.boot(DEFAULT_BUNDLE, 'f'.repeat(40), '', '', NOTHING_ON_DISK);
    assert.equal(err, '');
    const internals = shell as unknown as {
      ticks: Map<string, { timer: NodeJS.Timeout; ms: number }>;
      swap(next: unknown, action: string): { ok: boolean; error?: string };
      clearTicks(): void;
      endProbation(): void;
    };
    try {
      const cron = internals.ticks.get('cron');
      assert.ok(cron, 'activate asked for the cron tick');
      shell.host.every('only-the-old-logic-asked', 1000);
      const r = internals.swap(loadBundle(LOGIC_DIR, DEFAULT_BUNDLE), 'load');
      assert.equal(r.error, undefined);
      assert.equal(r.ok, true);
      assert.equal(internals.ticks.get('cron'), cron, 'the cron interval was kept, not re-created');
      assert.equal(internals.ticks.has('only-the-old-logic-asked'), false);
    } finally {
      internals.clearTicks();
      internals.endProbation();
    }
  });
});
