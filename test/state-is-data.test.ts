// DESIGN rule 1, checked mechanically: after every family has left its traces in State (blocked clients,
// MULTI queues, WATCHes, subscriptions, scan cursors, INFO samples ...), State holds only plain data:
// plain objects, arrays, Map, Set, strings, numbers, bigints, booleans, null and Buffers, plus the
// shell's own socket handles. A function, Promise or logic-defined class instance would keep the old
// bundle alive after a hot upgrade and run old code.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClientRecord, LogicModule, State } from '../src/abi';
import { loadBundle } from '../src/shell/loader';
import { scratchHost } from '../src/shell/shell';
import { encodeCommand } from './helpers/resp';
import { DEFAULT_BUNDLE, LOGIC_DIR, ROOT } from './helpers/servers';
import { run } from './helpers/upgrade';

/**
 * Built-in Map and Set iterators count as data: a lazy state migration keeps its sweep position as one
 * (src/logic/migration.ts). They hold no logic code, so they keep no bundle alive, and V8 keeps them
 * correct over inserts and deletes. Their entries cannot be walked without consuming them, but the Map
 * or Set they iterate is itself in State (the migration record lists the dicts it sweeps), so it is walked.
 */
const BUILTIN_ITERATORS = new Set<unknown>([Object.getPrototypeOf(new Map().entries()), Object.getPrototypeOf(new Set().values())]);

function findNonData(root: unknown, skip: Set<unknown>): string[] {
  const bad: string[] = [];
  const seen = new Set<unknown>();
  const stack: [unknown, string][] = [[root, 'state']];
  while (stack.length > 0 && bad.length < 20) {
    const [v, where] = stack.pop()!;
    if (v === null || v === undefined) continue;
    const t = typeof v;
    if (t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean') continue;
    if (t === 'function' || t === 'symbol') {
      bad.push(`${where}: ${t}`);
      continue;
    }
    if (seen.has(v) || skip.has(v)) continue;
    seen.add(v);
    if (Buffer.isBuffer(v)) continue;
    if (v instanceof Map) {
      let i = 0;
      for (const [k, x] of v) {
        stack.push([k, `${where}.<key ${i}>`], [x, `${where}.get(${typeof k === 'string' ? JSON.stringify(k.slice(0, 30)) : i})`]);
        i++;
      }
      continue;
    }
    if (v instanceof Set) {
      let i = 0;
      for (const x of v) stack.push([x, `${where}.<member ${i++}>`]);
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (BUILTIN_ITERATORS.has(proto)) continue;
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
      bad.push(`${where}: instance of ${(proto?.constructor?.name as string) ?? '?'}`);
      continue;
    }
    for (const k of Object.keys(v as object)) stack.push([(v as Record<string, unknown>)[k], `${where}.${k}`]);
  }
  return bad;
}

describe('State is plain data (DESIGN rule 1)', () => {
  it('holds no function, Promise or class instance after every family has run', () => {
    const logic: LogicModule = loadBundle(LOGIC_DIR, DEFAULT_BUNDLE).logic;
    const host = scratchHost(logic, 'f'.repeat(40));
    const state: State = host.state;
    logic.activate(host);
    const sockets = new Set<unknown>();
    const clients: ClientRecord[] = [];
    for (let id = 1; id <= 6; id++) {
      // The socket is the shell's handle; the logic only hands it back to the host.
      const socket = { fake: 'socket' } as unknown as ClientRecord['socket'];
      sockets.add(socket);
      const c = { id, socket, addr: `127.0.0.1:${1000 + id}`, laddr: '127.0.0.1:6379', local: true, unixSocket: false,
        createdMs: Date.now(), closed: false } as ClientRecord;
      state.clients.set(id, c);
      logic.onConnect(c);
      clients.push(c);
    }
    const send = (c: ClientRecord, ...argv: string[]) => logic.onData(c, encodeCommand(argv));
    const [a, b, sub, blocked, mon, postponed] = clients;
    send(a, 'SET', 's', 'v', 'EX', '100');
    send(a, 'APPEND', 's', 'x');
    send(a, 'HSET', 'h', 'f', '1', 'g', '2');
    send(a, 'RPUSH', 'l', 'a', 'b', 'c');
    send(a, 'SADD', 'set', 'a', '1', '2');
    send(a, 'SADD', 'iset', '1', '2', '3');
    send(a, 'ZADD', 'z', '1', 'a', '2', 'b');
    send(a, 'XADD', 'x', '*', 'f', 'v');
    send(a, 'XADD', 'x', 'MAXLEN', '~', '5', '*', 'f', 'v', 'g', 'w');
    send(a, 'XDEL', 'x', '0-1');
    for (let i = 0; i < 200; i++) send(a, 'SET', `k${i}`, String(i));
    send(a, 'SCAN', '0', 'COUNT', '10');
    send(a, 'SORT', 'l', 'ALPHA', 'STORE', 'sorted');
    send(b, 'WATCH', 'h');
    send(b, 'MULTI');
    send(b, 'INCR', 'counter');
    send(sub, 'SUBSCRIBE', 'chan');
    send(sub, 'PSUBSCRIBE', 'ch*');
    send(blocked, 'BLPOP', 'nolist', '100');
    send(a, 'PUBLISH', 'chan', 'hello');
    send(a, 'CLIENT', 'SETNAME', 'named');
    send(a, 'INFO', 'everything');
    send(a, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    send(a, 'DEL', 'k1');
    // the families added in session 4: slow log, MONITOR, bitmaps, HLL, geo, consumer groups, DUMP, maxmemory,
    // and last CLIENT PAUSE with a postponed write
    send(a, 'CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    send(mon, 'MONITOR');
    send(a, 'SETBIT', 'bm', '7', '1');
    send(a, 'PFADD', 'hll', 'a', 'b', 'c');
    send(a, 'GEOADD', 'geo', '13.361389', '38.115556', 'Palermo');
    send(a, 'XGROUP', 'CREATE', 'x', 'grp', '0');
    send(a, 'XREADGROUP', 'GROUP', 'grp', 'alice', 'STREAMS', 'x', '>');
    send(a, 'DUMP', 'h');
    send(a, 'FUNCTION', 'LOAD', "#!lua name=sd\nredis.register_function{function_name='sdf', callback=function(k) return redis.call('get', k[1]) end, flags={'no-writes'}, description='d'}");
    send(a, 'FCALL', 'sdf', '1', 's');
    send(a, 'CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    send(a, 'CONFIG', 'SET', 'maxmemory', '1gb');
    send(a, 'SET', 'under-limit', 'v');
    send(a, 'CLIENT', 'PAUSE', '100000', 'WRITE');
    send(postponed, 'SET', 'waits', 'v');
    assert.equal(blocked.pausedFor !== '', true, 'the BLPOP client should be blocked');
    assert.equal(postponed.pausedFor, 'postponed', 'the SET should wait for the pause');
    for (const k of ['slowlog', 'monitors', 'clientPause', 'functions']) assert.ok(state.ext[k] !== undefined, `state.ext.${k}`);
    const bad = findNonData(state, sockets);
    logic.deactivate();
    assert.deepEqual(bad, [], `State holds non-data values:\n${bad.join('\n')}`);
  });
});

describe('State with a lazy state migration in progress', () => {
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-state-data-'));
    await run(path.join(ROOT, 'scripts', 'build.mjs'), ['--logic-only', '--version', '0.0.4-s3', '--outdir', dir, '--state-schema', '4']);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('holds the sweep position as a built-in Map iterator, and nothing else that is not data', () => {
    const v1: LogicModule = loadBundle(LOGIC_DIR, DEFAULT_BUNDLE).logic;
    const v2: LogicModule = loadBundle(dir, 'logic-0.0.4-s3.cjs').logic;
    const host = scratchHost(v1, 'f'.repeat(40));
    const state: State = host.state;
    v1.activate(host);
    const c = { id: 1, socket: null, addr: '127.0.0.1:1', laddr: '127.0.0.1:6379', local: true, unixSocket: false,
      createdMs: Date.now(), closed: false } as unknown as ClientRecord;
    state.clients.set(1, c);
    v1.onConnect(c);
    const send = (logic: LogicModule, ...argv: string[]) => logic.onData(c, encodeCommand(argv));
    for (let i = 0; i < 10000; i += 1000) send(v1, 'MSET', ...Array.from({ length: 2000 }, (_, j) => `k${i + (j >> 1)}`));
    send(v1, 'APPEND', 'k1', 'x');
    v1.deactivate();
    // the swap, as the shell does it
    v2.migrate(state, v1.stateSchema);
    state.schema = v2.stateSchema;
    v2.activate(host);
    send(v2, 'GET', 'k1');
    v2.onTimer('migration:sweep'); // one slice: the sweep stops inside db 0
    const m = state.ext.migration as { cursor: unknown } | undefined;
    assert.ok(m !== undefined && m.cursor !== null, 'a sweep slice left a cursor behind');
    assert.equal(Object.prototype.toString.call(m.cursor), '[object Map Iterator]');
    const bad = findNonData(state, new Set());
    v2.deactivate();
    assert.deepEqual(bad, [], `State holds non-data values:\n${bad.join('\n')}`);
  });
});

describe('the State walker itself', () => {
  it('finds functions, Promises and class instances nested in Maps, Sets and arrays', () => {
    class Logicish { x = 1; }
    const tree = { ok: [1, 'a', 2n, Buffer.from('x'), new Map([['k', new Set(['m'])]]), new Map([['k', 1]]).entries(), new Set([1]).values()],
      fn: new Map([['k', () => 1]]), p: [Promise.resolve(1)], inst: new Set([new Logicish()]) };
    const bad = findNonData(tree, new Set());
    assert.equal(bad.length, 3, bad.join('\n'));
    assert.ok(bad.some((b) => b.includes('function')));
    assert.ok(bad.some((b) => b.includes('Promise')));
    assert.ok(bad.some((b) => b.includes('Logicish')));
  });
});
