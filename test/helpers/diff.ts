// Differential testing: the same bytes to hotkv and to Debian's redis-server 7.0, replies compared
// byte for byte. One pair of servers per test file (started in before(), stopped in after()).
import assert from 'node:assert/strict';
import { RawClient } from './resp';
import { startHotkv, startRedis, type HotkvOptions, type RunningServer } from './servers';

export interface Pair {
  hotkv: RunningServer;
  redis: RunningServer;
  h: RawClient;
  r: RawClient;
  /** Send one command to both (through the persistent connections), assert identical replies, return hotkv's. */
  same(...args: string[]): Promise<string>;
  /** Run a script (arrays of args) and compare every reply; the message names the failing step. */
  script(steps: string[][]): Promise<void>;
  /** Send raw bytes on fresh connections and compare everything received until close (or timeout). */
  sameRaw(bytes: string, opts?: { untilClose?: boolean; replies?: number }): Promise<string>;
  /** FLUSHALL on both and SELECT 0 on the persistent connections. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export function show(s: string): string {
  return JSON.stringify(s);
}

export async function startPair(hotkvOpts: HotkvOptions = {}, redisArgs: string[] = []): Promise<Pair> {
  const [hotkv, redis] = await Promise.all([startHotkv(hotkvOpts), startRedis(redisArgs)]);
  const [h, r] = await Promise.all([RawClient.connect(hotkv.port), RawClient.connect(redis.port)]);
  const pair: Pair = {
    hotkv, redis, h, r,
    async same(...args) {
      const [hr, rr] = await Promise.all([h.command(...args), r.command(...args)]);
      assert.equal(show(hr), show(rr), `reply to ${show(args.join(' '))} differs (hotkv vs redis)`);
      return hr;
    },
    async script(steps) {
      for (let i = 0; i < steps.length; i++) {
        const args = steps[i];
        const [hr, rr] = await Promise.all([h.command(...args), r.command(...args)]);
        assert.equal(show(hr), show(rr), `step ${i} ${show(args.join(' '))}: hotkv vs redis`);
      }
    },
    async sameRaw(bytes, opts = {}) {
      const [hc, rc] = await Promise.all([RawClient.connect(hotkv.port), RawClient.connect(redis.port)]);
      try {
        hc.write(bytes);
        rc.write(bytes);
        if (opts.untilClose) {
          const [hr, rr] = await Promise.all([hc.readUntilClose(5000), rc.readUntilClose(5000)]);
          assert.equal(show(hr.data), show(rr.data), `raw ${show(bytes.slice(0, 200))}: replies differ`);
          assert.equal(hr.closed, rr.closed, `raw ${show(bytes.slice(0, 200))}: hotkv closed=${hr.closed}, redis closed=${rr.closed}`);
          return hr.data;
        }
        let all = '';
        for (let i = 0; i < (opts.replies ?? 1); i++) {
          const [hr, rr] = await Promise.all([hc.reply(), rc.reply()]);
          assert.equal(show(hr), show(rr), `raw ${show(bytes.slice(0, 200))}: reply ${i} differs`);
          all += hr;
        }
        return all;
      } finally {
        hc.close();
        rc.close();
      }
    },
    async reset() {
      await pair.same('FLUSHALL');
      await pair.same('SELECT', '0');
    },
    async stop() {
      h.close();
      r.close();
      await Promise.all([hotkv.stop(), redis.stop()]);
    },
  };
  return pair;
}
