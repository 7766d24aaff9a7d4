// node --import tsx bench/micro.ts [--bundles DIR/FILE.cjs,...] [--tests set,get,...] [-P 16] [--runs 3]
//
// The logic's hot path in process, without sockets: a bundle is loaded as the shell loads it, activated on a
// scratch State, and redis-benchmark's requests (the same command lines, P of them per chunk) are fed
// through onData for 50 fake clients whose writes are dropped. Prints the CPU time per command (user +
// system of this process, so a loaded machine disturbs it less than wall time). With several bundles, each
// run of each bundle is a separate process and the bundles alternate; the median of the runs is printed.
// Used for bench/PROFILE.md.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { ClientRecord } from '../src/abi';
import { loadBundle } from '../src/shell/loader';
import { scratchHost } from '../src/shell/shell';
import { DEFAULT_BUNDLE, LOGIC_DIR } from '../test/helpers/servers';
import { median } from './lib/tools';

/** redis-benchmark 7.0's request for each test (no -r: the literal key names; -d 3: "xxx"). */
const REQUESTS: Record<string, string[]> = {
  set: ['SET', 'key:__rand_int__', 'xxx'],
  get: ['GET', 'key:__rand_int__'],
  incr: ['INCR', 'counter:__rand_int__'],
  lpush: ['LPUSH', 'mylist', 'xxx'],
  rpush: ['RPUSH', 'mylist', 'xxx'],
  sadd: ['SADD', 'myset', 'element:__rand_int__'],
  hset: ['HSET', 'myhash', 'element:__rand_int__', 'xxx'],
  zadd: ['ZADD', 'myzset', '0', 'element:__rand_int__'],
  lrange_100: ['LRANGE', 'mylist', '0', '99'],
  lrange_600: ['LRANGE', 'mylist', '0', '599'],
  mset: ['MSET', ...Array.from({ length: 10 }, () => ['key:__rand_int__', 'xxx']).flat()],
};

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}

const resp = (args: string[]) => Buffer.from(`*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`, 'latin1');

/** One process, one bundle: ns of CPU per command for each test. */
function measure(bundle: string, tests: string[], pipeline: number): Record<string, number> {
  const b = loadBundle(path.dirname(bundle), path.basename(bundle));
  const host = { ...scratchHost(b.logic, '0'.repeat(40)), write: () => true };
  b.logic.activate(host);
  const clients: ClientRecord[] = [];
  for (let id = 1; id <= 50; id++) {
    const c = { id, socket: { writableLength: 0, destroyed: false } as unknown as ClientRecord['socket'], addr: '127.0.0.1:1',
      laddr: '127.0.0.1:2', local: true, unixSocket: false, createdMs: Date.now(), closed: false } as ClientRecord;
    host.state.clients.set(id, c);
    b.logic.onConnect(c);
    clients.push(c);
  }
  // LRANGE reads a list of 1,000 items, as redis-benchmark's LPUSH preload leaves it
  b.logic.onData(clients[0], resp(['LPUSH', 'mylist', ...Array<string>(1000).fill('xxx')]));
  const out: Record<string, number> = {};
  for (const t of tests) {
    const chunk = Buffer.concat(Array<Buffer>(pipeline).fill(resp(REQUESTS[t])));
    const chunks = Math.max(200, Math.round((t.startsWith('lrange') ? 20000 : 400000) / pipeline));
    let best: number[] = [];
    for (let round = 0; round < 4; round++) { // the first round warms the JIT up
      const t0 = process.cpuUsage();
      for (let i = 0; i < chunks; i++) b.logic.onData(clients[i % 50], chunk);
      const used = process.cpuUsage(t0);
      if (round > 0) best.push(((used.user + used.system) * 1000) / (chunks * pipeline));
    }
    best = best.sort((x, y) => x - y);
    out[t] = best[1];
  }
  return out;
}

const tests = arg('--tests', Object.keys(REQUESTS).join(',')).split(',');
for (const t of tests) if (REQUESTS[t] === undefined) throw new Error(`unknown test ${t}; known: ${Object.keys(REQUESTS).join(',')}`);
const pipeline = Number(arg('-P', '16'));
if (process.argv.includes('--child')) {
  process.stdout.write(JSON.stringify(measure(arg('--bundles', ''), tests, pipeline)));
} else {
  const bundles = arg('--bundles', path.join(LOGIC_DIR, DEFAULT_BUNDLE)).split(',').map((f) => path.resolve(f));
  const runs = Number(arg('--runs', '3'));
  const results = bundles.map(() => [] as Record<string, number>[]);
  for (let r = 0; r < runs; r++) {
    for (let i = 0; i < bundles.length; i++) {
      const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', '--bundles', bundles[i], '--tests', tests.join(','),
        '-P', String(pipeline)], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${bundles[i]}: ${child.stderr}`);
      results[i].push(JSON.parse(child.stdout) as Record<string, number>);
    }
  }
  console.log(`ns of CPU per command, -P ${pipeline}, median of ${runs} runs`);
  console.log(['test'.padEnd(12), ...bundles.map((b) => path.basename(path.dirname(b)).padStart(12))].join(''));
  for (const t of tests) console.log([t.padEnd(12), ...results.map((rs) => median(rs.map((x) => x[t])).toFixed(0).padStart(12))].join(''));
}
