// Memory side of `npm run bench`: load the same data set into a fresh hotkv and a fresh redis-server
// (pipelined MSET / HSET through `redis-cli --pipe`), and read each process's RSS before and after,
// both times after MEMORY PURGE (full GCs that compact the heap in hotkv, which runs under --expose-gc;
// jemalloc's purge in Redis) and a short settle. Each server is loaded `repeats` times and the median load
// (by bytes per key) is reported with every load's figure: hotkv's RSS for the same 1,000,000 strings varied
// by up to 29 B/key between loads one after the other (138-167), at the fifth session's code and at the
// third's alike, while V8's own spaces came out the same to 0.1 MB each time: the difference is anonymous
// memory outside V8's heap (malloc's arenas, by our reading). redis-server's did not vary.
import { startHotkv, startRedis, type RunningServer } from '../../test/helpers/servers';
import { cli, infoField, pipe, rssBytes, sleep } from './tools';

export type Dataset = 'strings' | 'hashes';

export interface MemoryReading {
  /** RSS of the empty server, bytes */
  rssEmpty: number;
  /** RSS with the data set loaded, bytes */
  rssLoaded: number;
  /** INFO used_memory with the data set loaded */
  usedMemory: number;
  /** (rssLoaded - rssEmpty) / keys */
  bytesPerKey: number;
  loadMs: number;
}

export interface MemoryResult {
  dataset: Dataset;
  description: string;
  keys: number;
  hotkv: MemoryReading;
  redis: MemoryReading;
  /** hotkv bytes per key / redis bytes per key (the median loads) */
  ratio: number;
  /** bytes per key of every load, each server's in load order */
  allBytesPerKey: { hotkv: number[]; redis: number[] };
}

const pad = (i: number, w: number) => String(i).padStart(w, '0');

function resp(args: string[]): string {
  let s = '*' + args.length + '\r\n';
  for (const a of args) s += '$' + a.length + '\r\n' + a + '\r\n';
  return s;
}

/** The RESP stream that loads the data set, and how many commands it holds. */
export function datasetCommands(dataset: Dataset, keys: number): { data: Buffer; commands: number; description: string } {
  const parts: Buffer[] = [];
  let commands = 0;
  if (dataset === 'strings') {
    // MSET with 100 keys per command: key:00000000 (12 bytes) -> a 16-byte value
    for (let i = 0; i < keys; i += 100) {
      const args = ['MSET'];
      for (let j = i; j < Math.min(keys, i + 100); j++) args.push('key:' + pad(j, 8), 'val:' + pad(j, 12));
      parts.push(Buffer.from(resp(args), 'latin1'));
      commands++;
    }
    return { data: Buffer.concat(parts), commands, description: `${keys} string keys (12-byte names, 16-byte values)` };
  }
  // one HSET per hash: hash:0000000 (12 bytes) with field:0 .. field:9 (7 bytes) -> 16-byte values
  for (let i = 0; i < keys; i++) {
    const args = ['HSET', 'hash:' + pad(i, 7)];
    for (let f = 0; f < 10; f++) args.push('field:' + f, 'val:' + pad(i, 10) + '-' + f);
    parts.push(Buffer.from(resp(args), 'latin1'));
    commands++;
  }
  return { data: Buffer.concat(parts), commands, description: `${keys} hashes of 10 fields (7-byte fields, 16-byte values)` };
}

/** MEMORY PURGE twice with a pause, then the RSS. */
async function settledRss(s: RunningServer): Promise<number> {
  for (let i = 0; i < 2; i++) {
    await cli(s.port, 'MEMORY', 'PURGE');
    await sleep(300);
  }
  return rssBytes(s.proc.pid!);
}

async function measureOne(start: () => Promise<RunningServer>, data: Buffer, commands: number, keys: number): Promise<MemoryReading> {
  const s = await start();
  try {
    const rssEmpty = await settledRss(s);
    const t0 = performance.now();
    await pipe(s.port, data, commands);
    const loadMs = performance.now() - t0;
    const dbsize = Number((await cli(s.port, 'DBSIZE')).trim());
    if (dbsize !== keys) throw new Error(`DBSIZE ${dbsize} after loading ${keys} keys`);
    const rssLoaded = await settledRss(s);
    const usedMemory = await infoField(s.port, 'memory', 'used_memory');
    return { rssEmpty, rssLoaded, usedMemory, bytesPerKey: (rssLoaded - rssEmpty) / keys, loadMs };
  } finally {
    await s.stop();
  }
}

/** Load the data set into a fresh hotkv and then a fresh redis-server (same settings), `repeats` times, and
 *  compare the median loads. */
export async function measureMemory(dataset: Dataset, keys: number, serverArgs: string[], repeats = 3): Promise<MemoryResult> {
  const { data, commands, description } = datasetCommands(dataset, keys);
  const runs: { hotkv: MemoryReading[]; redis: MemoryReading[] } = { hotkv: [], redis: [] };
  for (let i = 0; i < repeats; i++) {
    runs.hotkv.push(await measureOne(() => startHotkv({ nodeFlags: ['--expose-gc'], args: serverArgs }), data, commands, keys));
    runs.redis.push(await measureOne(() => startRedis(serverArgs), data, commands, keys));
  }
  // The median load itself, not tools.ts's median of numbers (which averages two middles): its RSS empty, RSS
  // loaded and used_memory then belong to one load.
  const medianLoad = (a: MemoryReading[]) => [...a].sort((x, y) => x.bytesPerKey - y.bytesPerKey)[(a.length - 1) >> 1];
  const hotkv = medianLoad(runs.hotkv);
  const redis = medianLoad(runs.redis);
  return {
    dataset, description, keys, hotkv, redis, ratio: hotkv.bytesPerKey / redis.bytesPerKey,
    allBytesPerKey: { hotkv: runs.hotkv.map((r) => r.bytesPerKey), redis: runs.redis.map((r) => r.bytesPerKey) },
  };
}
