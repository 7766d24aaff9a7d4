// The short form of `npm run bench:upgrade`: 100 hot upgrades under pipelined load, every reply checked.
// No client error, no dropped connection, the replaced bundles are collected, and memory does not grow.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS, runUpgradeBench } from '../bench/upgrade-run';

describe('upgrade soak', () => {
  // Preparing an upgrade leaves most of the CPU to clients that keep sending (src/shell/shell.ts, Pacer), so 100
  // back-to-back upgrades under this load take 30-40 s on two shared cores where they took about 20 s before,
  // and 70 s on a machine loaded with other test runs (the bundle has grown too). The timeout only guards
  // against a hang: the work is bounded by the upgrade count.
  it('100 upgrades under load: zero client errors, zero reconnects, no memory growth', { timeout: 300000 }, async (t) => {
    const r = await runUpgradeBench({
      ...DEFAULTS, upgrades: 100, clients: 4, pipeline: 16, keys: 1000, warmupMs: 200, baselineMs: 300, gapMs: 0,
      memoryAt: 10, probationMs: 0,
    });
    assert.deepEqual(r.errorTexts, []);
    assert.equal(r.errors, 0);
    assert.equal(r.reconnects, 0);
    assert.equal(r.pausesUs.length, 100);
    assert.ok(r.commands > 1000, `only ${r.commands} commands ran`);
    assert.deepEqual(r.memory.map((m) => m.afterUpgrade), [10, 50, 100]);
    const [m10, , m100] = r.memory;
    t.diagnostic(`commands ${r.commands}; used_memory ${m10.usedMemory} -> ${m100.usedMemory}; rss ${m10.rss} -> ${m100.rss}; ` +
      `bundles collected ${m100.bundlesCollected} of ${m100.bundlesLoaded}`);
    // Probation 0 releases each replaced bundle at once: all but the active one (and at most one the
    // collector has not reached yet) are gone.
    assert.ok(m100.bundlesCollected >= m100.bundlesLoaded - 2, `${m100.bundlesCollected} of ${m100.bundlesLoaded} bundles collected`);
    // A generous bound (the bench's goal is 5%): 90 more upgrades must not keep anything of the bundles they replaced.
    assert.ok(m100.usedMemory < m10.usedMemory * 1.2, `used_memory ${m10.usedMemory} -> ${m100.usedMemory}`);
    // MEMORY PURGE compacts the heap and returns the freed pages before replying, so RSS is no longer at the
    // mercy of V8's background threads: within 1 MB across a probe's samples; the bound is generous again.
    assert.ok(m100.rss < m10.rss * 1.1, `rss ${m10.rss} -> ${m100.rss}`);
    // The purge changes two V8 flags for its collections and puts them back: every upgrade after one still
    // loads from the bundle's code cache (V8 rejects a cache when any flag differs).
    assert.deepEqual(r.memory.map((m) => m.codeCache), ['used', 'used', 'used']);
  });
});
