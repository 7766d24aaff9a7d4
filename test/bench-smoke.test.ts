// `npm run bench` in miniature: a few tests with tiny n, one repeat, small memory data sets. Checks that
// both servers ran every (test, pipeline) pair, and that the JSON, Markdown and PNG it writes are whole.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { BenchReport } from '../bench/lib/report';
import { ROOT } from './helpers/servers';

describe('npm run bench (smoke)', () => {
  it('--quick with tiny n writes bench.json, bench.md and bench.png', { timeout: 45000 }, () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hotkv-bench-smoke-'));
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'bench.ts'), '--quick', '--n', '300',
        '--tests', 'set,lrange_100,mset', '--keys', '2000', '--hashes', '200', '--out', out], { cwd: ROOT, encoding: 'utf8', timeout: 40000 });
      assert.equal(r.status, 0, `bench exited with ${r.status}\n${r.stdout}\n${r.stderr}`);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'bench.json'), 'utf8')) as BenchReport;
      assert.deepEqual(report.throughput.map((t) => `${t.test}/${t.pipeline}`),
        ['set/1', 'lrange_100/1', 'mset/1', 'set/16', 'lrange_100/16', 'mset/16']);
      for (const t of report.throughput) {
        assert.equal(t.n, 300);
        assert.equal(t.runs.length, 1);
        assert.ok(t.hotkv > 0 && t.redis > 0, `${t.test}: ${t.hotkv} / ${t.redis}`);
        assert.ok(Math.abs(t.ratio - t.hotkv / t.redis) < 1e-9, `${t.test}: ratio ${t.ratio}`);
      }
      assert.deepEqual(report.memory.map((m) => [m.dataset, m.keys]), [['strings', 2000], ['hashes', 200]]);
      for (const m of report.memory) {
        for (const s of [m.hotkv, m.redis]) assert.ok(s.rssLoaded > 0 && s.rssEmpty > 0 && s.usedMemory > 0, JSON.stringify(s));
      }
      const md = fs.readFileSync(path.join(out, 'bench.md'), 'utf8');
      assert.match(md, /^# hotkv vs redis-server 7\.0/);
      assert.match(md, /\| lrange_100 \| 300 \| [\d,]+ \| [\d,]+ \| \d+\.\d\d \|/);
      assert.match(md, /## Memory/);
      assert.equal(report.rdbLoad?.keys, 2000);
      assert.ok(report.rdbLoad.fileBytes > 2000 * 16, `dump of ${report.rdbLoad.fileBytes} bytes`);
      for (const s of [report.rdbLoad.hotkv, report.rdbLoad.redis]) assert.ok(s.loadS.length === 1 && s.loadS[0] >= 0 && s.rss > 0, JSON.stringify(s));
      assert.match(md, /## Loading a dump at start/);
      assert.match(r.stdout, /^load 2,000-key dump/m);
      const png = fs.readFileSync(path.join(out, 'bench.png'));
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.ok(png.length > 5000, `png of ${png.length} bytes`);
      assert.match(r.stdout, /^set\s+1\s+[\d,]+\s+[\d,]+\s+\d+\.\d\d/m);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
