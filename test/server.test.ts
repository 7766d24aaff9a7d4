// Server and introspection commands (INFO, CONFIG, CLIENT, COMMAND, TIME, LASTSAVE, SHUTDOWN,
// MEMORY), compared with redis-server 7.0 wherever its reply is deterministic.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import { show, startPair, type Pair } from './helpers/diff';
import { decodeReply, RawClient, type ReplyValue } from './helpers/resp';
import { freePort, LOGIC_DIR, ROOT, startHotkv, startRedis, type RunningServer } from './helpers/servers';

type Val = ReplyValue;
const decode = decodeReply;

function pairs(reply: string): Map<string, string> {
  const a = decode(reply) as string[];
  const m = new Map<string, string>();
  for (let i = 0; i < a.length; i += 2) m.set(a[i], a[i + 1]);
  return m;
}

/** INFO text -> section title -> ordered [field, value] list. */
function parseInfo(text: string): Map<string, [string, string][]> {
  const out = new Map<string, [string, string][]>();
  let cur: [string, string][] = [];
  for (const l of text.split('\r\n')) {
    if (l.startsWith('# ')) {
      cur = [];
      out.set(l.slice(2), cur);
    } else if (l !== '') {
      const i = l.indexOf(':');
      cur.push([l.slice(0, i), l.slice(i + 1)]);
    }
  }
  return out;
}

function clientFieldNames(line: string): string[] {
  return line.trim().split(' ').map((kv) => kv.slice(0, kv.indexOf('=')));
}

async function waitClosed(cl: RawClient, ms: number): Promise<boolean> {
  const r = await cl.readUntilClose(ms);
  return r.closed;
}

/** Directives hotkv has and redis-server does not. */
const HOTKV_OWN_DIRECTIVE = (name: string) => name === 'logic-dir' || name === 'logic-file' || name === 'enable-hotupgrade-command' ||
  name.startsWith('hotupgrade-') || name.startsWith('v8-');
const HOTKV_ONLY = (name: string) => name.startsWith('hotupgrade') || name === 'client|setinfo';

describe('server commands match redis-server', () => {
  let p: Pair;
  before(async () => { p = await startPair(); });
  after(async () => { await p.stop(); });

  it('CONFIG GET of every directive both servers have', async () => {
    const h = pairs(await p.h.command('CONFIG', 'GET', '*'));
    const r = pairs(await p.r.command('CONFIG', 'GET', '*'));
    // The servers run on different ports and in different directories.
    const differ = new Set(['port', 'dir']);
    let compared = 0;
    for (const [name, value] of h) {
      if (HOTKV_OWN_DIRECTIVE(name)) continue;
      assert.ok(r.has(name), `redis has no directive '${name}'`);
      if (differ.has(name)) continue;
      assert.equal(value, r.get(name), `CONFIG GET ${name}`);
      await p.same('CONFIG', 'GET', name);
      compared++;
    }
    assert.ok(compared > 80, `only ${compared} directives compared`);
  });

  it('CONFIG GET with several patterns, aliases and case', async () => {
    for (const args of [['*max-*-entries*', 'port'], ['hash-max-ziplist-*'], ['TIMEOUT'], ['Time*'], ['timeout', 'TIMEOUT', 'nosuch'],
      ['hash-max-ziplist-entries', 'hash-max-listpack-entries'], ['maxmemory*'], ['*'], ['slave-*', 'replica-*']]) {
      const h = pairs(await p.h.command('CONFIG', 'GET', ...args));
      const r = pairs(await p.r.command('CONFIG', 'GET', ...args));
      // hotkv knows a subset of Redis's directives; every one it returns must be identical.
      for (const [k, v] of h) {
        if (k === 'port' || k === 'dir' || HOTKV_OWN_DIRECTIVE(k)) continue;
        assert.equal(v, r.get(k), `CONFIG GET ${args.join(' ')}: ${k}`);
      }
      if (args.length === 1 && !/[*?[]/.test(args[0])) await p.same('CONFIG', 'GET', ...args);
    }
    await p.script([['CONFIG', 'GET'], ['CONFIG', 'GET', 'nosuch'], ['CONFIG', 'GET', 'TIMEOUT'], ['CONFIG', 'GET', 'Timeout', 'timeout']]);
  });

  it('CONFIG SET errors', async () => {
    await p.script([
      ['CONFIG', 'SET'], ['CONFIG', 'SET', 'timeout'], ['CONFIG', 'SET', 'timeout', '1', 'maxmemory'],
      ['CONFIG', 'SET', 'foo', 'bar'], ['CONFIG', 'SET', 'foo', '1', 'timeout', 'x'], ['CONFIG', 'SET', 'timeout', 'x', 'foo', '1'],
      ['CONFIG', 'SET', 'daemonize', 'yes'], ['CONFIG', 'SET', 'DAEMONIZE', 'yes', 'foo', '1'], ['CONFIG', 'SET', 'foo', '1', 'daemonize', 'yes'],
      ['CONFIG', 'SET', 'databases', '3'], ['CONFIG', 'SET', 'unixsocket', '/x'], ['CONFIG', 'SET', 'appendfilename', 'x'],
      ['CONFIG', 'SET', 'dir', '/tmp'], ['CONFIG', 'SET', 'dbfilename', 'x.rdb'],
      ['CONFIG', 'SET', 'timeout', '1', 'timeout', '2'], ['CONFIG', 'SET', 'Timeout', '1', 'TIMEOUT', '2'],
      ['CONFIG', 'SET', 'hash-max-ziplist-entries', '5', 'hash-max-ziplist-entries', '6'],
      ['CONFIG', 'SET', 'timeout', 'abc'], ['CONFIG', 'SET', 'TIMEOUT', '1.5'], ['CONFIG', 'SET', 'timeout', '-1'],
      ['CONFIG', 'SET', 'timeout', '+5'], ['CONFIG', 'SET', 'timeout', '0x10'], ['CONFIG', 'SET', 'timeout', ''], ['CONFIG', 'SET', 'timeout', ' 5'],
      ['CONFIG', 'SET', 'timeout', '99999999999999'], ['CONFIG', 'SET', 'timeout', '99999999999999999999999'],
      ['CONFIG', 'SET', 'port', '70000'], ['CONFIG', 'SET', 'maxclients', '0'], ['CONFIG', 'SET', 'maxclients', '-1'],
      ['CONFIG', 'SET', 'maxmemory', 'abc'], ['CONFIG', 'SET', 'maxmemory', '-1'], ['CONFIG', 'SET', 'maxmemory', '1.5gb'],
      ['CONFIG', 'SET', 'maxmemory', '10q'], ['CONFIG', 'SET', 'maxmemory', '"1"'], ['CONFIG', 'SET', 'proto-max-bulk-len', '1000'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '-1'], ['CONFIG', 'SET', 'slowlog-max-len', '-1'],
      ['CONFIG', 'SET', 'hash-max-ziplist-entries', 'x'], ['CONFIG', 'SET', 'slave-read-only', 'x'],
      ['CONFIG', 'SET', 'maxmemory-clients', '101%'], ['CONFIG', 'SET', 'maxmemory-clients', 'x%'], ['CONFIG', 'SET', 'maxmemory-clients', '-5'],
      ['CONFIG', 'SET', 'loglevel', 'foo'], ['CONFIG', 'SET', 'maxmemory-policy', 'LRU'], ['CONFIG', 'SET', 'appendfsync', 'sometimes'],
      ['CONFIG', 'SET', 'appendonly', 'maybe'], ['CONFIG', 'SET', 'notify-keyspace-events', 'Q'],
      ['CONFIG', 'SET', 'save', '100'], ['CONFIG', 'SET', 'save', 'a b'], ['CONFIG', 'SET', 'save', '100 -1'], ['CONFIG', 'SET', 'save', '0 1'],
      ['CONFIG', 'SET', 'save', '1 1 '], ['CONFIG', 'SET', 'save', ' 2 2'], ['CONFIG', 'SET', 'save', '3  3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2'], ['CONFIG', 'SET', 'client-output-buffer-limit', 'master 1 2 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'foo 1 2 3'], ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal x 2 3'],
      ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 2 -3'], ['CONFIG', 'SET', 'active-expire-effort', '11'],
      ['CONFIG', 'SET', 'list-max-listpack-size', 'x'], ['CONFIG', 'SET', 'acl-pubsub-default', 'x'],
      ['CONFIG', 'SET', 'sanitize-dump-payload', 'x'], ['CONFIG', 'SET', 'maxmemory-eviction-tenacity', '101'],
    ]);
  });

  it('CONFIG SET values and how CONFIG GET prints them', async () => {
    const steps: string[][] = [];
    const setGet = (name: string, ...values: string[]) => {
      for (const v of values) steps.push(['CONFIG', 'SET', name, v], ['CONFIG', 'GET', name]);
    };
    setGet('maxmemory', '1gb', '1K', '100000', '5mb', 'kb', '', '0');
    setGet('maxmemory-clients', '10%', '1mb', '0');
    setGet('notify-keyspace-events', 'KEA', 'Kx', 'Elg$shzxetd', 'A', 'nKm', 'KEn', 'An', 'AKn', '');
    setGet('save', '100 10 200 20', '', '3600 1 300 100 60 10000', '');
    setGet('client-output-buffer-limit', 'normal 1mb 2mb 3', 'pubsub 1 2 3 replica 4 5 6', 'slave 268435456 67108864 60 normal 0 0 0 pubsub 32mb 8mb 60');
    setGet('hash-max-ziplist-entries', '100');
    setGet('hash-max-listpack-entries', '512');
    setGet('list-max-ziplist-size', '-6', '5', '-2');
    setGet('hz', '1000', '0', '20', '10');
    setGet('maxmemory-policy', 'ALLKEYS-LRU', 'noeviction');
    setGet('appendfsync', 'Always', 'everysec');
    setGet('slowlog-log-slower-than', '-1', '10000');
    setGet('tcp-keepalive', '60', '300');
    setGet('lua-time-limit', '1000', '5000');
    setGet('requirepass', '');
    steps.push(['CONFIG', 'SET', 'hash-max-ziplist-entries', '5', 'hash-max-listpack-entries', '6'], ['CONFIG', 'GET', 'hash-max-listpack-entries']);
    steps.push(['CONFIG', 'SET', 'hash-max-listpack-entries', '512']);
    // atomic: a bad value anywhere leaves every directive unchanged
    steps.push(['CONFIG', 'SET', 'timeout', '7', 'maxmemory', 'x'], ['CONFIG', 'GET', 'timeout']);
    steps.push(['CONFIG', 'SET', 'timeout', '7', 'slowlog-max-len', '1000'], ['CONFIG', 'GET', 'timeout'], ['CONFIG', 'GET', 'slowlog-max-len']);
    steps.push(['CONFIG', 'SET', 'timeout', '0', 'slowlog-max-len', '128']);
    await p.script(steps);
  });

  it('CONFIG HELP, RESETSTAT and REWRITE without a config file', async () => {
    await p.script([['CONFIG', 'HELP'], ['CONFIG', 'REWRITE'], ['CONFIG', 'RESETSTAT'], ['CONFIG', 'RESETSTAT', 'x'], ['CONFIG', 'FOO'],
      ['CLIENT', 'HELP', 'x'], ['MEMORY', 'HELP'], ['COMMAND', 'HELP']]);
  });

  it('CLIENT HELP is the one of Redis 7.0 plus the SETINFO lines of Redis 7.2', async () => {
    const h = decode(await p.h.command('CLIENT', 'HELP')) as string[];
    const r = decode(await p.r.command('CLIENT', 'HELP')) as string[];
    const at = h.indexOf('SETINFO <option> <value>');
    assert.ok(at > 0);
    assert.deepEqual(h.slice(at, at + 4), ['SETINFO <option> <value>', '    Set client meta attr. Options are:',
      '    * LIB-NAME: the client lib name.', '    * LIB-VER: the client lib version.']);
    assert.deepEqual([...h.slice(0, at), ...h.slice(at + 4)], r);
  });

  it('CONFIG RESETSTAT resets INFO counters, errorstats and commandstats', async () => {
    for (const cl of [p.h, p.r]) {
      await cl.command('NOSUCHCOMMAND');
      await cl.command('GET');
      await cl.command('SET', 'k', 'v');
    }
    const before = parseInfo(decode(await p.h.command('INFO', 'everything')) as string);
    assert.ok(Number(new Map(before.get('Stats')).get('total_error_replies')) >= 2);
    assert.ok(new Map(before.get('Errorstats')).has('errorstat_ERR'));
    assert.ok(new Map(before.get('Commandstats')).has('cmdstat_set'));
    await p.same('CONFIG', 'RESETSTAT');
    const [h, r] = await Promise.all([p.h.command('INFO', 'stats', 'errorstats', 'commandstats'), p.r.command('INFO', 'stats', 'errorstats', 'commandstats')]);
    const hi = parseInfo(decode(h) as string);
    const ri = parseInfo(decode(r) as string);
    for (const f of ['total_error_replies', 'keyspace_hits', 'keyspace_misses', 'expired_keys', 'rejected_connections']) {
      assert.equal(new Map(hi.get('Stats')).get(f), new Map(ri.get('Stats')).get(f), f);
    }
    assert.deepEqual(hi.get('Errorstats'), ri.get('Errorstats'));
    assert.deepEqual(hi.get('Commandstats')!.map((f) => f[0]), ri.get('Commandstats')!.map((f) => f[0]));
    assert.equal(new Map(hi.get('Stats')).get('total_commands_processed'), '1');
    await p.same('DEL', 'k');
  });

  it('INFO has every field of redis, in the same order, and the same sections', async () => {
    await p.same('SET', 'info:a', '1');
    await p.same('SET', 'info:b', '1', 'EX', '100');
    const [h, r] = await Promise.all([p.h.command('INFO', 'everything'), p.r.command('INFO', 'everything')]);
    const hi = parseInfo(decode(h) as string);
    const ri = parseInfo(decode(r) as string);
    // Latencystats (per-command latency histograms) is the one Redis section hotkv does not have.
    assert.deepEqual([...hi.keys()], [...ri.keys()].filter((s) => s !== 'Latencystats').concat(['Upgrade']));
    for (const [section, fields] of ri) {
      if (section === 'Latencystats' || section === 'Commandstats' || section === 'Errorstats' || section === 'Keyspace') continue;
      const hnames = hi.get(section)!.map((f) => f[0]);
      const rnames = fields.map((f) => f[0]);
      for (const n of rnames) assert.ok(hnames.includes(n), `INFO ${section}: hotkv lacks ${n}`);
      assert.deepEqual(hnames.filter((n) => rnames.includes(n)), rnames, `INFO ${section}: field order`);
    }
    const hk = new Map(hi.get('Keyspace'));
    const rk = new Map(ri.get('Keyspace'));
    assert.deepEqual([...hk.keys()], [...rk.keys()]);
    for (const [db, v] of rk) assert.equal(hk.get(db)!.replace(/avg_ttl=\d+/, ''), v.replace(/avg_ttl=\d+/, ''));
    const hs = new Map(hi.get('Server'));
    assert.equal(hs.get('redis_version'), '7.0.15');
    assert.match(hs.get('hotkv_version')!, /^\d+\.\d+\.\d+/);
    assert.equal(new Map(hi.get('Replication')).get('role'), 'master');
    assert.match(new Map(hi.get('Replication')).get('master_replid')!, /^[0-9a-f]{40}$/);
    const up = new Map(hi.get('Upgrade'));
    for (const f of ['logic_version', 'logic_sha256', 'logic_file', 'state_schema', 'upgrades_total', 'upgrades_failed', 'rollbacks_total',
      'last_upgrade_pause_us', 'last_upgrade_result', 'last_upgrade_time', 'previous_loaded', 'previous_version', 'logic_bundles_loaded',
      'logic_bundles_collected', 'logic_exceptions']) {
      assert.ok(up.has(f), `INFO upgrade lacks ${f}`);
    }
    assert.match(up.get('logic_sha256')!, /^[0-9a-f]{64}$/);
    await p.same('DEL', 'info:a', 'info:b');
  });

  it('INFO section selection', async () => {
    // An empty keyspace: Redis keeps a stale avg_ttl until its expire cycle next visits a db.
    await p.reset();
    const headers = async (cl: RawClient, ...args: string[]) => [...parseInfo(decode(await cl.command('INFO', ...args)) as string).keys()];
    for (const args of [[], ['default'], ['server', 'clients'], ['CPU'], ['cluster', 'modules'], ['server', 'server'], ['keyspace', 'default']]) {
      const hh = await headers(p.h, ...args);
      const rh = await headers(p.r, ...args);
      assert.deepEqual(hh.filter((s) => s !== 'Upgrade'), rh, `INFO ${args.join(' ')}`);
    }
    await p.script([['INFO', 'foo'], ['INFO', 'foo', 'bar'], ['INFO', 'keyspace'], ['INFO', 'cluster', 'modules'], ['INFO', 'errorstats', 'foo']]);
    assert.ok((decode(await p.h.command('INFO', 'upgrade')) as string).startsWith('# Upgrade\r\nlogic_version:'));
  });

  it('INFO and CLIENT INFO are verbatim strings in RESP3', async () => {
    await p.reset();
    const [hc, rc] = await Promise.all([RawClient.connect(p.hotkv.port), RawClient.connect(p.redis.port)]);
    try {
      await Promise.all([hc.command('HELLO', '3'), rc.command('HELLO', '3')]);
      const [h, r] = await Promise.all([hc.command('INFO', 'keyspace'), rc.command('INFO', 'keyspace')]);
      assert.equal(show(h), show(r));
      const [hi, ri] = await Promise.all([hc.command('CLIENT', 'INFO'), rc.command('CLIENT', 'INFO')]);
      assert.match(hi, /^=\d+\r\ntxt:id=/);
      assert.match(ri, /^=\d+\r\ntxt:id=/);
      assert.match(hi, / resp=3\n\r\n$/);
    } finally {
      hc.close();
      rc.close();
    }
  });

  it('CLIENT LIST / INFO field names and order', async () => {
    const [h, r] = await Promise.all([p.h.command('CLIENT', 'INFO'), p.r.command('CLIENT', 'INFO')]);
    const hn = clientFieldNames(decode(h) as string);
    assert.deepEqual(hn, clientFieldNames(decode(r) as string));
    const hl = (decode(await p.h.command('CLIENT', 'LIST')) as string).trim().split('\n');
    for (const line of hl) assert.deepEqual(clientFieldNames(line), hn);
    const mine = hl.find((l) => l.includes(' cmd=client|list '));
    assert.ok(mine, 'the caller shows the running command');
    assert.match(mine!, / flags=N db=0 /);
    assert.match(mine!, / addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:\d+ fd=\d+ name= /);
    await p.script([['CLIENT', 'LIST', 'TYPE', 'foo'], ['CLIENT', 'LIST', 'TYPE', 'master'], ['CLIENT', 'LIST', 'TYPE', 'replica'],
      ['CLIENT', 'LIST', 'TYPE', 'pubsub'], ['CLIENT', 'LIST', 'ID'], ['CLIENT', 'LIST', 'ID', 'x'], ['CLIENT', 'LIST', 'ID', '0'],
      ['CLIENT', 'LIST', 'ID', '-1'], ['CLIENT', 'LIST', 'foo'], ['CLIENT', 'LIST', 'TYPE'], ['CLIENT', 'LIST', 'ID', '1', 'TYPE', 'normal'],
      ['CLIENT', 'INFO', 'x'], ['CLIENT', 'ID', 'x'], ['CLIENT'], ['CLIENT', 'FOO']]);
    const id = decode(await p.h.command('CLIENT', 'ID')) as number;
    const byId = decode(await p.h.command('CLIENT', 'LIST', 'ID', String(id), '999999')) as string;
    assert.equal(byId.trim().split('\n').length, 1);
    assert.ok(byId.startsWith(`id=${id} `));
    const normal = decode(await p.h.command('CLIENT', 'LIST', 'TYPE', 'NORMAL')) as string;
    assert.ok(normal.includes(`id=${id} `));
  });

  it('CLIENT SETNAME / GETNAME / NO-EVICT', async () => {
    await p.script([['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', 'foo'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', 'a b'],
      ['CLIENT', 'SETNAME', 'a\nb'], ['CLIENT', 'SETNAME', 'é'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME'], ['CLIENT', 'SETNAME', 'a', 'b'], ['CLIENT', 'NO-EVICT'], ['CLIENT', 'NO-EVICT', 'on'],
      ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'NO-EVICT', 'OFF'], ['CLIENT', 'NO-EVICT', 'on', 'x'], ['CLIENT', 'SETNAME', 'named']]);
    const info = decode(await p.h.command('CLIENT', 'INFO')) as string;
    assert.match(info, / name=named /);
    await p.same('CLIENT', 'NO-EVICT', 'on');
    assert.match(decode(await p.h.command('CLIENT', 'INFO')) as string, / flags=e /);
    await p.script([['CLIENT', 'NO-EVICT', 'off'], ['CLIENT', 'SETNAME', '']]);
  });

  it('CLIENT REPLY ON / OFF / SKIP', async () => {
    await p.sameRaw('CLIENT REPLY OFF\r\nPING\r\nECHO a\r\nCLIENT REPLY ON\r\nPING\r\n', { replies: 2 });
    await p.sameRaw('CLIENT REPLY SKIP\r\nPING\r\nECHO b\r\n', { replies: 1 });
    await p.sameRaw('CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING\r\n', { replies: 2 });
    await p.sameRaw('CLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nPING\r\nCLIENT REPLY ON\r\nECHO c\r\n', { replies: 2 });
    await p.sameRaw('CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING\r\nECHO d\r\n', { replies: 1 });
    await p.sameRaw('CLIENT REPLY OFF\r\nNOSUCH\r\nCLIENT REPLY maybe\r\nCLIENT REPLY ON\r\nCLIENT REPLY maybe\r\n', { replies: 2 });
  });

  it('CLIENT KILL', async () => {
    await p.script([['CLIENT', 'KILL'], ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'KILL', 'ID'], ['CLIENT', 'KILL', 'ID', 'x'],
      ['CLIENT', 'KILL', 'ID', '0'], ['CLIENT', 'KILL', 'ID', '-5'], ['CLIENT', 'KILL', 'ID', '99999999999999999999999'],
      ['CLIENT', 'KILL', 'ID', '999999'], ['CLIENT', 'KILL', 'foo', 'bar'], ['CLIENT', 'KILL', 'TYPE', 'foo'],
      ['CLIENT', 'KILL', 'SKIPME', 'maybe'], ['CLIENT', 'KILL', 'USER', 'nobody'], ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5'],
      ['CLIENT', 'KILL', 'LADDR', '1.2.3.4:5'], ['CLIENT', 'KILL', 'MAXAGE', '5'], ['CLIENT', 'KILL', 'ID', '1', 'SKIPME'],
      ['CLIENT', 'KILL', 'TYPE', 'master'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'], ['CLIENT', 'KILL', 'TYPE', 'replica'],
      ['CLIENT', 'KILL', 'id', '999999', 'type', 'normal', 'laddr', 'x']]);
    // Each server kills a victim connection of its own, by ID, ADDR, and with the old form.
    for (const form of ['id', 'addr', 'old', 'user']) {
      const replies: string[] = [];
      for (const port of [p.hotkv.port, p.redis.port]) {
        const killer = await RawClient.connect(port);
        const victim = await RawClient.connect(port);
        const vid = decode(await victim.command('CLIENT', 'ID')) as number;
        const vinfo = decode(await victim.command('CLIENT', 'INFO')) as string;
        const vaddr = /addr=(\S+)/.exec(vinfo)![1];
        const args = form === 'id' ? ['CLIENT', 'KILL', 'ID', String(vid)]
          : form === 'addr' ? ['CLIENT', 'KILL', 'ADDR', vaddr, 'SKIPME', 'yes']
            : form === 'old' ? ['CLIENT', 'KILL', vaddr] : ['CLIENT', 'KILL', 'USER', 'default', 'ID', String(vid)];
        replies.push(await killer.command(...args));
        assert.ok(await waitClosed(victim, 5000), `${form}: victim closed`);
        const list = decode(await killer.command('CLIENT', 'LIST')) as string;
        assert.ok(!list.includes(`id=${vid} `), `${form}: victim still listed`);
        killer.close();
      }
      assert.equal(show(replies[0]), show(replies[1]), `CLIENT KILL (${form})`);
    }
    // Killing yourself: the reply arrives, then the connection closes.
    await p.sameRaw('CLIENT KILL SKIPME no TYPE normal LADDR 1.2.3.4:1\r\nPING\r\n', { replies: 2 });
    const selfKills: string[] = [];
    for (const port of [p.hotkv.port, p.redis.port]) {
      const self = await RawClient.connect(port);
      const id = String(decode(await self.command('CLIENT', 'ID')));
      self.write(`CLIENT KILL ID ${id} SKIPME no\r\nPING\r\n`);
      const r = await self.readUntilClose(5000);
      assert.ok(r.closed);
      selfKills.push(r.data);
    }
    assert.equal(show(selfKills[0]), show(selfKills[1]));
    assert.equal(selfKills[0], ':1\r\n');
    for (const port of [p.hotkv.port, p.redis.port]) {
      const self = await RawClient.connect(port);
      const addr = /addr=(\S+)/.exec(decode(await self.command('CLIENT', 'INFO')) as string)![1];
      self.write(`CLIENT KILL ${addr}\r\nPING\r\n`);
      const r = await self.readUntilClose(5000);
      assert.equal(show(r.data), show('+OK\r\n'));
      assert.ok(r.closed);
    }
  });

  it('COMMAND INFO / DOCS / COUNT / LIST of the implemented commands', async () => {
    const names = decode(await p.h.command('COMMAND', 'LIST')) as string[];
    const rnames = new Set(decode(await p.r.command('COMMAND', 'LIST')) as string[]);
    for (const n of names) if (!HOTKV_ONLY(n)) assert.ok(rnames.has(n), `redis has no command ${n}`);
    const top = names.filter((n) => !n.includes('|'));
    assert.equal(decode(await p.h.command('COMMAND', 'COUNT')), top.length);
    assert.equal((decode(await p.h.command('COMMAND')) as Val[]).length, top.length);
    assert.equal((decode(await p.h.command('COMMAND', 'INFO')) as Val[]).length, top.length);
    assert.equal((decode(await p.h.command('COMMAND', 'DOCS')) as Val[]).length, 2 * top.length);
    // Containers list only the subcommands hotkv implements; everything else must be Redis's own data.
    const containers = new Set(names.filter((n) => n.includes('|')).map((n) => n.split('|')[0]));
    for (const n of names) {
      if (HOTKV_ONLY(n) || containers.has(n)) continue;
      await p.same('COMMAND', 'INFO', n);
      await p.same('COMMAND', 'DOCS', n);
    }
    await p.script([['COMMAND', 'INFO', 'get', 'GET', 'nosuch'], ['COMMAND', 'INFO', 'set'], ['COMMAND', 'INFO', 'config|get'],
      ['COMMAND', 'INFO', 'CONFIG|GET'], ['COMMAND', 'DOCS', 'get'], ['COMMAND', 'DOCS', 'nosuch'], ['COMMAND', 'DOCS', 'get', 'GET'],
      ['COMMAND', 'DOCS', 'config|get'], ['COMMAND', 'INFO', 'config|nosuch'], ['COMMAND', 'COUNT', 'x'], ['COMMAND', 'FOO'],
      ['COMMAND', 'LIST', 'FILTERBY'], ['COMMAND', 'LIST', 'FILTERBY', 'foo', 'bar'], ['COMMAND', 'LIST', 'foo'],
      ['COMMAND', 'LIST', 'FILTERBY', 'aclcat', 'nosuch'], ['COMMAND', 'LIST', 'FILTERBY', 'module', 'x']]);
    // The CONFIG container implements every subcommand: its docs match once the subcommands are put in order.
    const sortSubs = (docs: Val): string => {
      const m = (docs as Val[])[1] as Val[];
      const i = m.indexOf('subcommands');
      const subs = m[i + 1] as Val[];
      const entries: [Val, Val][] = [];
      for (let j = 0; j < subs.length; j += 2) entries.push([subs[j], subs[j + 1]]);
      entries.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      m[i + 1] = entries.flat();
      return JSON.stringify(docs);
    };
    assert.equal(sortSubs(decode(await p.h.command('COMMAND', 'DOCS', 'config'))), sortSubs(decode(await p.r.command('COMMAND', 'DOCS', 'config'))));
    for (const [kind, arg] of [['pattern', 'config*'], ['pattern', 'CONFIG|*'], ['aclcat', 'connection'], ['aclcat', 'KEYSPACE']]) {
      const h = decode(await p.h.command('COMMAND', 'LIST', 'FILTERBY', kind, arg)) as string[];
      const r = new Set(decode(await p.r.command('COMMAND', 'LIST', 'FILTERBY', kind, arg)) as string[]);
      assert.ok(h.length > 0, `${kind} ${arg}`);
      for (const n of h) if (!HOTKV_ONLY(n)) assert.ok(r.has(n), `${kind} ${arg}: ${n}`);
      for (const n of r) if (names.includes(n)) assert.ok(h.includes(n), `${kind} ${arg}: hotkv lacks ${n}`);
    }
  });

  it('COMMAND GETKEYS / GETKEYSANDFLAGS', async () => {
    await p.script([['COMMAND', 'GETKEYS'], ['COMMAND', 'GETKEYS', 'get'], ['COMMAND', 'GETKEYS', 'get', 'a'],
      ['COMMAND', 'GETKEYS', 'nosuch', 'a'], ['COMMAND', 'GETKEYS', 'ping', 'x'], ['COMMAND', 'GETKEYS', 'config', 'get', 'x'],
      ['COMMAND', 'GETKEYS', 'config'], ['COMMAND', 'GETKEYS', 'get', 'a', 'b'], ['COMMAND', 'GETKEYS', 'mset', 'a', '1', 'b', '2'],
      ['COMMAND', 'GETKEYS', 'mget', 'a', 'b', 'c'], ['COMMAND', 'GETKEYS', 'set', 'a', 'b'], ['COMMAND', 'GETKEYS', 'SET', 'a', 'b', 'GET'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'set', 'a', 'b', 'get'],
      ['COMMAND', 'GETKEYSANDFLAGS', 'get', 'a'], ['COMMAND', 'GETKEYSANDFLAGS', 'mset', 'a', '1', 'b', '2'],
      ['COMMAND', 'GETKEYS', 'memory', 'usage', 'k'], ['COMMAND', 'GETKEYSANDFLAGS', 'memory', 'usage', 'k'],
      ['COMMAND', 'GETKEYS', 'del', 'a', 'b'], ['COMMAND', 'GETKEYS', 'client', 'list'], ['COMMAND', 'GETKEYS', 'client', 'nosuch']]);
  });

  it('TIME, LASTSAVE and MEMORY', async () => {
    const [h, r] = await Promise.all([p.h.command('TIME'), p.r.command('TIME')]);
    const ht = decode(h) as string[];
    const rt = decode(r) as string[];
    assert.ok(Math.abs(Number(ht[0]) - Number(rt[0])) <= 2);
    assert.match(ht[1], /^\d{1,6}$/);
    const ls = decode(await p.h.command('LASTSAVE')) as number;
    assert.ok(Math.abs(ls - Date.now() / 1000) < 600);
    await p.script([['TIME', 'x'], ['LASTSAVE', 'x'], ['SET', 'mk', 'v'], ['MEMORY', 'USAGE', 'nokey'], ['MEMORY', 'USAGE', 'mk', 'SAMPLES', 'x'],
      ['MEMORY', 'USAGE', 'mk', 'SAMPLES', '-1'], ['MEMORY', 'USAGE', 'mk', 'foo'], ['MEMORY', 'USAGE', 'mk', 'SAMPLES'],
      ['MEMORY', 'PURGE'], ['MEMORY', 'PURGE', 'x'], ['MEMORY'], ['MEMORY', 'FOO'], ['MEMORY', 'USAGE']]);
    const small = decode(await p.h.command('MEMORY', 'USAGE', 'mk', 'SAMPLES', '0')) as number;
    await p.same('SET', 'mk2', 'x'.repeat(10000));
    const big = decode(await p.h.command('MEMORY', 'USAGE', 'mk2')) as number;
    assert.ok(small > 0 && big > 10000 && big < 11000, `${small} ${big}`);
    const statNames = (decode(await p.h.command('MEMORY', 'STATS')) as Val[]).filter((_, i) => i % 2 === 0);
    const rstatNames = (decode(await p.r.command('MEMORY', 'STATS')) as Val[]).filter((_, i) => i % 2 === 0);
    assert.deepEqual(statNames, rstatNames);
    assert.match(decode(await p.h.command('MEMORY', 'DOCTOR')) as string, /Sam/);
    await p.same('DEL', 'mk', 'mk2');
  });

  it('CLIENT SETINFO (Redis 7.2 semantics)', async () => {
    await p.h.command('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib');
    assert.equal(await p.h.command('CLIENT', 'SETINFO', 'lib-ver', '1.2.3'), '+OK\r\n');
    assert.equal(await p.h.command('CLIENT', 'SETINFO', 'lib-foo', 'x'), "-ERR Unrecognized option 'lib-foo'\r\n");
    assert.equal(await p.h.command('CLIENT', 'SETINFO', 'LIB-NAME', 'a b'), '-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n');
    assert.equal(await p.h.command('CLIENT', 'SETINFO', 'lib-name'), "-ERR wrong number of arguments for 'client|setinfo' command\r\n");
    const info = decode(await p.h.command('COMMAND', 'INFO', 'client|setinfo')) as Val[];
    assert.equal((info[0] as Val[])[0], 'client|setinfo');
    assert.equal((info[0] as Val[])[1], 4);
  });

  it('clients that send CLIENT SETINFO on connect (node-redis) work', async () => {
    const client = createClient({ socket: { port: p.hotkv.port, host: '127.0.0.1' } });
    await client.connect();
    try {
      assert.equal(await client.ping(), 'PONG');
      const info = await client.sendCommand(['CLIENT', 'INFO']);
      assert.match(String(info), /cmd=client\|info/);
    } finally {
      await client.quit();
    }
  });

  it('redis-cli --stat reads hotkv', async () => {
    // redis-cli block-buffers its output when it is not a terminal: ask for line buffering.
    const proc = spawn('stdbuf', ['-oL', 'redis-cli', '-p', String(p.hotkv.port), '--stat', '-i', '0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { out += d; });
    const t0 = Date.now();
    while (!/\n\s*\d+\s+\S+\s+\d+\s+\d+\s+\d+ \(\+\d+\)\s+\d+/.test(out) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    proc.kill('SIGTERM');
    assert.match(out, /keys\s+mem\s+clients\s+blocked\s+requests\s+connections/);
    assert.match(out, /\n\s*\d+\s+\S+\s+\d+\s+\d+\s+\d+ \(\+\d+\)\s+\d+/, out);
  });
});

describe('timeout closes idle clients', () => {
  let p: Pair;
  before(async () => { p = await startPair({ args: ['--timeout', '1'] }, ['--timeout', '1']); });
  after(async () => { await p.stop(); });

  it('an idle client is closed after `timeout` seconds, an active one is not', async () => {
    await p.same('CONFIG', 'GET', 'timeout');
    for (const port of [p.hotkv.port, p.redis.port]) {
      const idle = await RawClient.connect(port);
      const active = await RawClient.connect(port);
      const t0 = Date.now();
      const ticker = setInterval(() => active.write('PING\r\n'), 250);
      const closed = await waitClosed(idle, 6000);
      clearInterval(ticker);
      const dt = Date.now() - t0;
      assert.ok(closed, `idle client closed (port ${port})`);
      assert.ok(dt >= 900, `closed too early: ${dt} ms`);
      assert.ok(!active.closed, 'the active client stays connected');
      idle.close();
      active.close();
    }
  });
});

/** Start a server with a config file as its first argument. */
async function startWithConfig(kind: 'hotkv' | 'redis', conf: string): Promise<{ port: number; stop: () => Promise<void>; proc: ChildProcess }> {
  const port = await freePort();
  const args = kind === 'hotkv'
    ? [path.join(ROOT, 'bin', 'hotkv-server'), conf, '--port', String(port), '--logic-dir', LOGIC_DIR]
    : [conf, '--port', String(port)];
  const proc = spawn(kind === 'hotkv' ? process.execPath : 'redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: path.dirname(conf) });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const on = (d: Buffer) => {
      out += d;
      if (out.includes('Ready to accept connections')) resolve();
    };
    proc.stdout!.on('data', on);
    proc.stderr!.on('data', on);
    proc.once('exit', (code) => reject(new Error(`${kind} exited ${code}: ${out}`)));
  });
  return {
    port, proc,
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) { resolve(); return; }
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    }),
  };
}

describe('config file: loading and CONFIG REWRITE', () => {
  const dirs: string[] = [];
  after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  it('multiple save lines accumulate, save "" resets, and CONFIG REWRITE edits the file like Redis', async () => {
    const text = [
      '# my comment', 'bind 127.0.0.1', 'save ""', 'hash-max-ziplist-entries 10', 'save 100 1', 'save 200 2', '', '',
      '# another', 'slave-read-only yes', 'timeout 5', 'timeout 6', 'maxmemory 1mb', 'loglevel notice', 'appendonly no', '',
    ].join('\n');
    const results: string[] = [];
    for (const kind of ['hotkv', 'redis'] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cfg-${kind}-`));
      dirs.push(dir);
      const conf = path.join(dir, 'test.conf');
      fs.writeFileSync(conf, text + `dir ${dir}\n`);
      const s = await startWithConfig(kind, conf);
      const cl = await RawClient.connect(s.port);
      try {
        assert.equal(show(await cl.command('CONFIG', 'GET', 'save')), show('*2\r\n$4\r\nsave\r\n$11\r\n100 1 200 2\r\n'), kind);
        for (const args of [['hash-max-listpack-entries', '20'], ['timeout', '7'], ['maxmemory', '2gb'], ['replica-read-only', 'no'],
          ['notify-keyspace-events', 'KEA'], ['client-output-buffer-limit', 'normal 1mb 2mb 3'], ['maxmemory-clients', '5%'],
          ['hz', '20'], ['loglevel', 'warning'], ['list-max-listpack-size', '5'], ['save', '300 3']]) {
          assert.equal(await cl.command('CONFIG', 'SET', ...args), '+OK\r\n', `${kind} CONFIG SET ${args.join(' ')}`);
        }
        assert.equal(await cl.command('CONFIG', 'REWRITE'), '+OK\r\n', kind);
      } finally {
        cl.close();
        await s.stop();
      }
      results.push(fs.readFileSync(conf, 'utf8'));
    }
    // Lines Redis writes that hotkv has no equivalent for, and lines naming each server's own paths/ports.
    const skip = (l: string) => /^(dir|port|user|latency-tracking-info-percentiles|logic-dir|logic-file) /.test(l);
    const split = (t: string) => {
      const lines = t.split('\n').filter((l) => !skip(l));
      const sig = lines.indexOf('# Generated by CONFIG REWRITE');
      return { head: lines.slice(0, sig), tail: lines.slice(sig).sort() };
    };
    const [h, r] = results.map(split);
    assert.deepEqual(h.head, r.head, `rewritten file:\n${results[0]}\nredis:\n${results[1]}`);
    assert.deepEqual(h.tail, r.tail, `appended lines:\n${results[0]}\nredis:\n${results[1]}`);
  });

  it('a bad command-line directive is reported like Redis', async () => {
    const run = (cmd: string, args: string[]) => new Promise<string>((resolve) => {
      const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      proc.stdout.on('data', (d) => { out += d; });
      proc.stderr.on('data', (d) => { out += d; });
      proc.once('exit', () => resolve(out));
    });
    const h = await run(process.execPath, [path.join(ROOT, 'bin', 'hotkv-server'), '--port', '0', '--timeout', 'x']);
    const r = await run('redis-server', ['--port', '0', '--timeout', 'x']);
    const body = (s: string) => s.slice(s.indexOf('Reading the configuration file'));
    assert.equal(body(h), body(r));
  });
});

describe('SHUTDOWN', () => {
  let h: RunningServer;
  let r: RunningServer;
  before(async () => { [h, r] = await Promise.all([startHotkv(), startRedis()]); });
  after(async () => { await Promise.all([h.stop(), r.stop()]); });

  it('argument errors, then SHUTDOWN NOSAVE stops the server without a reply', async () => {
    const codes: (number | null)[] = [];
    const replies: string[][] = [];
    for (const s of [h, r]) {
      const cl = await RawClient.connect(s.port);
      const got: string[] = [];
      for (const args of [['SHUTDOWN', 'foo'], ['SHUTDOWN', 'NOSAVE', 'SAVE'], ['SHUTDOWN', 'ABORT'], ['SHUTDOWN', 'ABORT', 'NOW']]) {
        got.push(await cl.command(...args));
      }
      replies.push(got);
      const exited = new Promise<number | null>((resolve) => s.proc.once('exit', (code) => resolve(code)));
      cl.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
      const end = await cl.readUntilClose(5000);
      assert.equal(end.data, '');
      assert.ok(end.closed);
      codes.push(await exited);
    }
    assert.deepEqual(replies[0], replies[1]);
    assert.deepEqual(codes, [0, 0]);
    assert.match(h.output(), /User requested shutdown\.\.\./);
  });
});

describe('v8-young-generation-growth (hotkv heap policy, src/logic/heap.ts)', () => {
  /** Write 300,000 keys in MSETs of 100 (kept data: what makes V8 grow its young generation) and
   *  return INFO memory's mem_v8_young_generation before and after. */
  async function youngGenerationAround(bulkWriteOn: RunningServer): Promise<[number, number]> {
    const c = await RawClient.connect(bulkWriteOn.port);
    try {
      const young = async () => Number(/mem_v8_young_generation:(\d+)/.exec(await c.command('INFO', 'memory'))![1]);
      const before = await young();
      let batch = '';
      for (let i = 0; i < 3000; i++) {
        batch += '*201\r\n$4\r\nMSET\r\n';
        for (let j = 0; j < 100; j++) {
          const k = `key:${i * 100 + j}`;
          batch += `$${k.length}\r\n${k}\r\n$16\r\nvalue-0123456789\r\n`;
        }
      }
      c.write(batch);
      for (let i = 0; i < 3000; i++) assert.equal(await c.reply(), '+OK\r\n');
      assert.equal(await c.command('DBSIZE'), ':300000\r\n');
      return [before, await young()];
    } finally {
      c.close();
    }
  }

  it('by default the young generation does not grow under a bulk write; with yes it does, as V8 does by default', async () => {
    const plain = await startHotkv();
    try {
      const c = await RawClient.connect(plain.port);
      assert.equal(await c.command('CONFIG', 'GET', 'v8-young-generation-growth'), '*2\r\n$26\r\nv8-young-generation-growth\r\n$2\r\nno\r\n');
      c.close();
      const [before, after] = await youngGenerationAround(plain);
      assert.ok(after <= before, `young generation grew from ${before} to ${after} bytes`);
    } finally {
      await plain.stop();
    }
    const growing = await startHotkv({ args: ['--v8-young-generation-growth', 'yes'] });
    try {
      const [before, after] = await youngGenerationAround(growing);
      assert.ok(after >= 4 * before, `with growth on: ${before} -> ${after} bytes`);
      const c = await RawClient.connect(growing.port);
      assert.equal(await c.command('CONFIG', 'SET', 'v8-young-generation-growth', 'no'), '+OK\r\n');
      assert.equal(await c.command('CONFIG', 'SET', 'v8-young-generation-growth', 'maybe'),
        "-ERR CONFIG SET failed (possibly related to argument 'v8-young-generation-growth') - argument must be 'yes' or 'no'\r\n");
      c.close();
    } finally {
      await growing.stop();
    }
  });
});
