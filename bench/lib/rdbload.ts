// Start-up side of `npm run bench`: the time to load a dump of N string keys (DEBUG POPULATE N key 16,
// written by redis-server 7.0 itself), hotkv and redis-server loading the same file, alternating,
// each `repeats` times. The time is the one both servers log ("DB loaded from disk: X seconds"), plus
// the wall time from spawning the process to "Ready to accept connections"; RSS right after the load.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHotkv, startRedis, type RunningServer } from '../../test/helpers/servers';
import { cli, median, rssBytes } from './tools';

export interface RdbLoadReading {
  /** "DB loaded from disk" seconds of every run */
  loadS: number[];
  /** spawn to "Ready to accept connections", seconds, every run */
  readyS: number[];
  /** RSS after the load (last run) */
  rss: number;
}

export interface RdbLoadResult {
  keys: number;
  fileBytes: number;
  hotkv: RdbLoadReading;
  redis: RdbLoadReading;
  /** median hotkv load time / median redis load time (above 1: hotkv is slower) */
  ratio: number;
}

const LOADED = /DB loaded from disk: ([\d.]+) seconds/;

async function timed(start: () => Promise<RunningServer>, keys: number): Promise<{ loadS: number; readyS: number; rss: number }> {
  const t0 = performance.now();
  const s = await start();
  const readyS = (performance.now() - t0) / 1000;
  try {
    const m = LOADED.exec(s.output());
    if (!m) throw new Error(`no "DB loaded from disk" line in:\n${s.output()}`);
    const dbsize = Number((await cli(s.port, 'DBSIZE')).trim());
    if (dbsize !== keys) throw new Error(`loaded ${dbsize} keys, expected ${keys}`);
    return { loadS: Number(m[1]), readyS, rss: rssBytes(s.proc.pid!) };
  } finally {
    await s.stop();
  }
}

export async function measureRdbLoad(keys: number, repeats: number, serverArgs: string[]): Promise<RdbLoadResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-bench-rdb-'));
  try {
    const maker = await startRedis(['--enable-debug-command', 'yes']);
    try {
      await cli(maker.port, 'DEBUG', 'POPULATE', String(keys), 'key', '16');
      await cli(maker.port, 'SAVE');
      fs.copyFileSync(path.join(maker.dir, 'dump.rdb'), path.join(work, 'dump.rdb'));
    } finally {
      await maker.stop();
    }
    const fileBytes = fs.statSync(path.join(work, 'dump.rdb')).size;
    const h: RdbLoadReading = { loadS: [], readyS: [], rss: 0 };
    const r: RdbLoadReading = { loadS: [], readyS: [], rss: 0 };
    const args = [...serverArgs, '--dir', work];
    for (let i = 0; i < repeats; i++) {
      const order = i % 2 === 0 ? ['hotkv', 'redis'] : ['redis', 'hotkv'];
      for (const who of order) {
        const x = who === 'hotkv' ? await timed(() => startHotkv({ dir: work, args }), keys) : await timed(() => startRedis(args), keys);
        const into = who === 'hotkv' ? h : r;
        into.loadS.push(x.loadS);
        into.readyS.push(x.readyS);
        into.rss = x.rss;
      }
    }
    return { keys, fileBytes, hotkv: h, redis: r, ratio: median(h.loadS) / Math.max(1e-3, median(r.loadS)) };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
