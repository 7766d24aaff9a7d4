// V8 heap policy the logic sets at run time (process-wide, so it survives swaps; every bundle re-applies it
// on activation and after CONFIG SET).
//
// The young generation: V8 starts it at 1 MB per semi-space and doubles it up to 16 MB whenever a scavenge
// sees many survivors, which a bulk write (MSET, a pipe of SETs, a restore) always does. The grown space
// stays committed until V8's memory reducer notices the server is idle, some seconds later: about 32 MB of
// RSS that holds no data, 32 bytes per key at 1,000,000 keys. Growth pays off for programs that allocate
// many medium-lived objects; a Redis server's request objects die within the event, and its data lives
// for good, so a larger nursery mostly copies the data set once more before promoting it. Measured with
// `npm run bench` (-P 1 and -P 16, set/get/lpush/rpush/lrange_100/lrange_600/mset) against redis-server:
// lrange_100/600 at -P 16 about 10% lower with growth off, the other ratios within the run-to-run spread;
// 30-40 bytes per key less RSS after loading 1,000,000 strings (bench/PROFILE.md has the figures).
// `v8-young-generation-growth yes` restores V8's default.
//
// `semi_space_growth_factor` is read by V8 each time the space grows, so changing it at run time takes
// effect at once (unlike --max-semi-space-size, which is fixed when the heap is set up).
//
// The default policy is src/abi/bundle-v8-flags.json, which the shell puts in force before it loads any
// bundle and the build makes code caches under: V8 rejects a code cache made under other flag values, so
// while `yes` is configured, upgrades compile bundles from source (slower; INFO upgrade logic_code_cache).
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import BUNDLE_V8_FLAGS from '../abi/bundle-v8-flags.json';
import { state } from './runtime';

/** V8's own default (flag-definitions.h), for `v8-young-generation-growth yes`. */
const V8_DEFAULT_FLAGS = ['--semi-space-growth-factor=2'];
let applied: readonly string[] | null = null;

export function applyHeapPolicy(): void {
  const flags = state.config.get('v8-young-generation-growth') === 'yes' ? V8_DEFAULT_FLAGS : BUNDLE_V8_FLAGS;
  if (flags === applied) return;
  for (const flag of flags) setFlagsFromString(flag);
  applied = flags;
}

/** Committed size of V8's young generation (both semi-spaces), for INFO memory's mem_v8_young_generation. */
export function youngGenerationBytes(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_size;
  return 0;
}

// MEMORY PURGE's collection. V8's full GCs move objects off a page only when the page is fragmented past a
// threshold, and sweep and hand freed pages back to the OS on background threads after the GC returns; so
// the RSS right after even a "last resort" GC depends on where the last allocations happened to land and on
// how far those threads had got: old space held 15.5-22.3 MB for the same 13.3 MB of objects across 20
// samples of one soak (bench/upgrade-run.ts's procedure, one sample every 10 upgrades). With every page an
// evacuation candidate and sweeping done on this thread, old space is 13.3 MB at every sample and RSS stays
// within 1 MB. Both flags are put back before returning, so the flag hash that code caches are checked
// against is the one they were made under; a process started with its own value for either (or a flag that
// implies one) keeps it, and the purge is then two plain full collections.
const COMPACT_ALL_FLAGS: readonly [string, string][] = [
  ['--compact-on-every-full-gc', '--no-compact-on-every-full-gc'],
  ['--no-concurrent-sweeping', '--concurrent-sweeping'],
];
const OWN_GC_FLAGS = /compact[-_]on[-_]every|concurrent[-_]sweeping|single[-_]threaded|predictable/;

export function collectCompactingEverything(gc: () => void): void {
  const own = OWN_GC_FLAGS.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
  if (!own) for (const [on] of COMPACT_ALL_FLAGS) setFlagsFromString(on);
  try {
    gc();
    gc();
  } finally {
    if (!own) for (const [, off] of COMPACT_ALL_FLAGS) setFlagsFromString(off);
  }
}
