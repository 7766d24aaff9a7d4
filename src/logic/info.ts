// INFO rendering: the sections and field names of redis-server 7.0's genRedisInfoString, in its
// order, filled with hotkv's real numbers where it has them, plus hotkv's own `upgrade` section.
//
// Families that own numbers INFO shows (pub/sub, blocking, persistence, scripting ...) register
// field providers in `infoFields`: a provider returns { field: value } for one section; known
// fields are replaced in place, new ones are appended to the section.

import * as os from 'node:os';
import { isGone } from './commands/client';
import { allDefs } from './commands/table';
import { getTable } from './dispatch';
import { youngGenerationBytes } from './heap';
import { cfg, cfgInt, host, LOGIC_VERSION, now, state } from './runtime';
import { functionCounts } from './scripting/library';
import { REDIS_VERSION } from './version';

export type InfoValue = string | number;
export type InfoProvider = () => Record<string, InfoValue>;

/** Section (lowercase) -> providers registered by families at module load. */
export const infoFields: Record<string, InfoProvider[]> = {};

export function addInfoFields(section: string, provider: InfoProvider): void {
  (infoFields[section] ??= []).push(provider);
}

/** Every section, in Redis's order; hotkv's `upgrade` comes last. */
const ALL_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules',
  'commandstats', 'errorstats', 'cluster', 'keyspace', 'upgrade'];
const DEFAULT_SECTIONS = new Set(['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules',
  'errorstats', 'cluster', 'keyspace', 'upgrade']);

// ------------------------------------------------------------------------------------------------
// Logic-owned INFO bookkeeping, kept as plain data in state.ext.info (survives upgrades)
// ------------------------------------------------------------------------------------------------

/** Redis's STATS_METRIC_SAMPLES ring of instantaneous metrics. */
const METRIC_SAMPLES = 16;

interface Metric {
  lastMs: number;
  lastReading: number;
  idx: number;
  samples: number[];
}

export interface InfoState {
  ops: Metric;
  netIn: Metric;
  netOut: Metric;
  lastSampleMs: number;
  peakMemory: number;
  startupMemory: number;
  /** per-db estimate of the average TTL of keys with an expire (ms), as Redis's db->avg_ttl */
  avgTtl: number[];
}

function newMetric(): Metric {
  return { lastMs: 0, lastReading: 0, idx: 0, samples: new Array(METRIC_SAMPLES).fill(0) };
}

export function infoState(): InfoState {
  let s = state.ext.info as InfoState | undefined;
  if (!s) {
    s = {
      ops: newMetric(), netIn: newMetric(), netOut: newMetric(), lastSampleMs: 0, peakMemory: 0,
      startupMemory: usedMemory(process.memoryUsage()), avgTtl: [],
    };
    state.ext.info = s;
  }
  return s;
}

export function usedMemory(m: NodeJS.MemoryUsage): number {
  return m.heapUsed + m.external;
}

function track(m: Metric, reading: number, t: number): void {
  if (m.lastMs !== 0) {
    const dt = t - m.lastMs;
    const ops = reading - m.lastReading;
    m.samples[m.idx] = dt > 0 ? (ops * 1000) / dt : 0;
    m.idx = (m.idx + 1) % METRIC_SAMPLES;
  }
  m.lastMs = t;
  m.lastReading = reading;
}

function average(m: Metric): number {
  let sum = 0;
  for (const v of m.samples) sum += v;
  return sum / METRIC_SAMPLES;
}

/** Cron work (Redis's serverCron run_with_period(100)): instantaneous metrics, peak memory, avg TTL. */
export function infoCron(): void {
  const t = Date.now();
  const s = infoState();
  if (t - s.lastSampleMs < 100) return;
  s.lastSampleMs = t;
  const st = state.stats;
  track(s.ops, st.totalCommands, t);
  track(s.netIn, st.netInputBytes, t);
  track(s.netOut, st.netOutputBytes, t);
  const used = usedMemory(process.memoryUsage());
  if (used > s.peakMemory) s.peakMemory = used;
  sampleAvgTtl(s, t);
}

/** Sample a few keys with a TTL per db, as activeExpireCycle does, and fold them into the running average. */
function sampleAvgTtl(s: InfoState, t: number): void {
  for (const db of state.dbs) {
    if (db.expires.size === 0) {
      s.avgTtl[db.id] = 0;
      continue;
    }
    const w = db.expireHeapWhen;
    const k = db.expireHeapKey;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < 20 && w.length > 0; i++) {
      const j = Math.floor(Math.random() * w.length);
      const when = w[j];
      if (db.expires.get(k[j]) !== when || when <= t) continue;
      sum += when - t;
      n++;
    }
    if (n === 0) continue;
    const avg = sum / n;
    const prev = s.avgTtl[db.id] ?? 0;
    s.avgTtl[db.id] = prev === 0 ? avg : (prev / 50) * 49 + avg / 50;
  }
}

/** CONFIG RESETSTAT's share: instantaneous metrics and the memory peak. */
export function resetInfoStats(): void {
  const s = infoState();
  s.ops = newMetric();
  s.netIn = newMetric();
  s.netOut = newMetric();
  s.peakMemory = 0;
}

// ------------------------------------------------------------------------------------------------
// Formatting helpers (Redis's printf formats)
// ------------------------------------------------------------------------------------------------

/** Redis's bytesToHuman. */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(2)}K`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)}M`;
  if (n < 1024 ** 4) return `${(n / 1024 ** 3).toFixed(2)}G`;
  if (n < 1024 ** 5) return `${(n / 1024 ** 4).toFixed(2)}T`;
  if (n < 1024 ** 6) return `${(n / 1024 ** 5).toFixed(2)}P`;
  return `${n}B`;
}

/** "%ld.%06ld" of a microsecond count (used_cpu_*). */
function cpuSeconds(us: number): string {
  return `${Math.floor(us / 1e6)}.${String(Math.floor(us % 1e6)).padStart(6, '0')}`;
}

/** Wall clock with microseconds (TIME, INFO server_time_usec). */
export function wallClockUs(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

const f2 = (x: number): string => (Number.isFinite(x) ? x : 0).toFixed(2);

// ------------------------------------------------------------------------------------------------
// Sections
// ------------------------------------------------------------------------------------------------

type Fields = [string, InfoValue][];

/** Clients that count as connected: not already killed (their socket closes asynchronously). */
export function liveClients(): number {
  let n = 0;
  for (const c of state.clients.values()) if (!isGone(c)) n++;
  return n;
}

function serverSection(): Fields {
  const t = now();
  const uptime = Math.floor((t - state.stats.startTimeMs) / 1000);
  const hz = cfgInt('hz');
  return [
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', state.upgrade.logicSha256.slice(0, 15) || '0'],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.includes('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'iocp' : 'kqueue'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', host.pid],
    ['process_supervised', 'no'],
    ['run_id', state.runId],
    ['tcp_port', cfgInt('port')],
    ['server_time_usec', wallClockUs()],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', hz],
    ['configured_hz', hz],
    ['lru_clock', Math.floor(t / 1000) & 0xffffff],
    ['executable', host.executable],
    ['config_file', state.configFile],
    ['io_threads_active', 0],
    ['hotkv_version', LOGIC_VERSION],
    ['hotkv_shell_version', host.shellVersion],
    ['node_version', host.nodeVersion],
  ];
}

function clientsSection(): Fields {
  let maxIn = 0;
  let maxOut = 0;
  let blocked = 0;
  for (const c of state.clients.values()) {
    const qin = (c.inbuf?.length ?? 0) + c.inchunksLen;
    if (qin > maxIn) maxIn = qin;
    const qout = c.out.length + (c.socket?.writableLength ?? 0);
    if (qout > maxOut) maxOut = qout;
    if (c.pausedFor === 'blocked') blocked++;
  }
  return [
    ['connected_clients', liveClients()],
    ['cluster_connections', 0],
    ['maxclients', cfgInt('maxclients')],
    ['client_recent_max_input_buffer', maxIn],
    ['client_recent_max_output_buffer', maxOut],
    ['blocked_clients', blocked],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', 0],
  ];
}

/** Redis's getMemoryOverheadData, with V8's numbers: what INFO memory and MEMORY STATS/DOCTOR report. */
export interface MemOverhead {
  peak: number;
  used: number;
  startup: number;
  clientsNormal: number;
  overhead: number;
  keys: number;
  dataset: number;
  rss: number;
  active: number;
  dbs: { id: number; main: number; expires: number }[];
}

/** Per key: dict entry, expires entry and access entry of the JS Maps (an estimate, as Redis's dictEntry). */
const MAP_ENTRY = 40;

export function memOverhead(): MemOverhead {
  const m = process.memoryUsage();
  const s = infoState();
  const used = usedMemory(m);
  if (used > s.peakMemory) s.peakMemory = used;
  let clientsNormal = 0;
  for (const cl of state.clients.values()) {
    clientsNormal += (cl.inbuf?.length ?? 0) + cl.inchunksLen + cl.out.length + (cl.socket?.writableLength ?? 0);
  }
  let overhead = s.startupMemory + clientsNormal;
  let keys = 0;
  const dbs: MemOverhead['dbs'] = [];
  for (const db of state.dbs) {
    if (db.dict.size === 0) continue;
    const main = db.dict.size * MAP_ENTRY * 2;
    const expires = db.expires.size * MAP_ENTRY;
    dbs.push({ id: db.id, main, expires });
    overhead += main + expires;
    keys += db.dict.size;
  }
  return {
    peak: s.peakMemory, used, startup: s.startupMemory, clientsNormal, overhead, keys,
    dataset: Math.max(0, used - overhead), rss: m.rss, active: m.heapTotal + m.external, dbs,
  };
}

function memorySection(): Fields {
  const mh = memOverhead();
  const { used, peak, startup, overhead, dataset, rss, active } = mh;
  const clientsMem = mh.clientsNormal;
  const allocated = used;
  const resident = rss;
  const maxmemory = Number(cfg('maxmemory') || '0');
  const total = os.totalmem();
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', f2(peak ? (used * 100) / peak : 0) + '%'],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', f2(used > startup ? (dataset * 100) / (used - startup) : 0) + '%'],
    ['allocator_allocated', allocated],
    ['allocator_active', active],
    ['allocator_resident', resident],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', bytesToHuman(0)],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', functionCounts().functions],
    ['number_of_libraries', functionCounts().libraries],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', bytesToHuman(0)],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', bytesToHuman(0)],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', cfg('maxmemory-policy')],
    ['allocator_frag_ratio', f2(active / allocated)],
    ['allocator_frag_bytes', active - allocated],
    ['allocator_rss_ratio', f2(resident / active)],
    ['allocator_rss_bytes', resident - active],
    ['rss_overhead_ratio', f2(rss / resident)],
    ['rss_overhead_bytes', rss - resident],
    ['mem_fragmentation_ratio', f2(rss / used)],
    ['mem_fragmentation_bytes', rss - used],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', clientsMem],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', `v8-${process.versions.v8}`],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
    // hotkv's own: see heap.ts (v8-young-generation-growth)
    ['mem_v8_young_generation', youngGenerationBytes()],
  ];
}

function persistenceSection(): Fields {
  const st = state.stats;
  return [
    ['loading', 0],
    ['async_loading', 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', 0],
    ['current_save_keys_total', 0],
    ['rdb_changes_since_last_save', st.dirty],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', Math.floor(st.lastSaveMs / 1000)],
    ['rdb_last_bgsave_status', 'ok'],
    ['rdb_last_bgsave_time_sec', -1],
    ['rdb_current_bgsave_time_sec', -1],
    ['rdb_saves', 0],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', 0],
    ['rdb_last_load_keys_loaded', 0],
    ['aof_enabled', cfg('appendonly') === 'yes' ? 1 : 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ];
}

function statsSection(): Fields {
  const st = state.stats;
  const s = infoState();
  return [
    ['total_connections_received', st.totalConnections],
    ['total_commands_processed', st.totalCommands],
    ['instantaneous_ops_per_sec', Math.floor(average(s.ops))],
    ['total_net_input_bytes', st.netInputBytes],
    ['total_net_output_bytes', st.netOutputBytes],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', f2(average(s.netIn) / 1024)],
    ['instantaneous_output_kbps', f2(average(s.netOut) / 1024)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', st.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', st.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', st.keyspaceHits],
    ['keyspace_misses', st.keyspaceMisses],
    ['pubsub_channels', 0],
    ['pubsub_patterns', 0],
    ['pubsubshard_channels', 0],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', 0],
    ['total_error_replies', st.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', 0],
    ['total_writes_processed', 0],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ];
}

function replicationSection(): Fields {
  return [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', state.runId],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', cfgInt('repl-backlog-size')],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ];
}

function cpuSection(): Fields {
  // Node.js 20 has no per-thread CPU time; the main thread does (nearly) all of hotkv's work.
  const u = process.cpuUsage();
  return [
    ['used_cpu_sys', cpuSeconds(u.system)],
    ['used_cpu_user', cpuSeconds(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', cpuSeconds(u.system)],
    ['used_cpu_user_main_thread', cpuSeconds(u.user)],
  ];
}

function commandStatsSection(): Fields {
  const out: Fields = [];
  for (const def of allDefs(getTable())) {
    const [calls, usecF, rejected, failed] = def.stats;
    if (!calls && !rejected && !failed) continue;
    const usec = Math.round(usecF);
    out.push([`cmdstat_${def.name}`,
      `calls=${calls},usec=${usec},usec_per_call=${f2(calls ? usec / calls : 0)},rejected_calls=${rejected},failed_calls=${failed}`]);
  }
  return out;
}

function errorStatsSection(): Fields {
  const codes = [...state.stats.errorCounts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return codes.map((code) => [`errorstat_${code}`, `count=${state.stats.errorCounts.get(code)}`]);
}

function keyspaceSection(): Fields {
  const s = infoState();
  const out: Fields = [];
  for (const db of state.dbs) {
    if (db.dict.size === 0) continue;
    out.push([`db${db.id}`, `keys=${db.dict.size},expires=${db.expires.size},avg_ttl=${Math.floor(s.avgTtl[db.id] ?? 0)}`]);
  }
  return out;
}

function upgradeSection(): Fields {
  const u = state.upgrade;
  return [
    ['logic_version', LOGIC_VERSION],
    ['logic_sha256', u.logicSha256],
    ['logic_file', u.logicFile],
    ['state_schema', state.schema],
    ['upgrades_total', u.upgradesTotal],
    ['upgrades_failed', u.upgradesFailed],
    ['rollbacks_total', u.rollbacksTotal],
    ['last_upgrade_pause_us', u.lastUpgradePauseUs],
    ['last_upgrade_result', u.lastUpgradeResult],
    ['last_upgrade_time', Math.floor(u.lastUpgradeTimeMs / 1000)],
    ['previous_loaded', u.previousLoaded ? 1 : 0],
    ['previous_version', u.previousVersion],
    ['logic_code_cache', u.logicCodeCache ?? ''],
    ['logic_bundles_loaded', u.bundlesLoaded],
    ['logic_bundles_collected', u.bundlesCollected],
    ['logic_exceptions', state.stats.logicExceptions],
    ['probation_remaining_ms', Math.max(0, (u.probationEndsMs ?? 0) - Date.now())],
    ['probation_errors', u.probationErrors ?? 0],
    ['auto_rollbacks_total', u.autoRollbacksTotal ?? 0],
    ['last_auto_rollback', u.lastAutoRollback ?? ''],
    ['upgrade_in_progress', u.preparing ? 1 : 0],
    ['upgrade_preparing', u.preparing ?? ''],
  ];
}

const SECTIONS: Record<string, [string, () => Fields]> = {
  server: ['Server', serverSection],
  clients: ['Clients', clientsSection],
  memory: ['Memory', memorySection],
  persistence: ['Persistence', persistenceSection],
  stats: ['Stats', statsSection],
  replication: ['Replication', replicationSection],
  cpu: ['CPU', cpuSection],
  modules: ['Modules', () => []],
  commandstats: ['Commandstats', commandStatsSection],
  errorstats: ['Errorstats', errorStatsSection],
  cluster: ['Cluster', () => [['cluster_enabled', 0]]],
  keyspace: ['Keyspace', keyspaceSection],
  upgrade: ['Upgrade', upgradeSection],
};

function applyProviders(section: string, fields: Fields): Fields {
  const providers = infoFields[section];
  if (!providers) return fields;
  for (const p of providers) {
    for (const [k, v] of Object.entries(p())) {
      const at = fields.findIndex((f) => f[0] === k);
      if (at >= 0) fields[at][1] = v;
      else fields.push([k, v]);
    }
  }
  return fields;
}

/** The set of sections an INFO call asks for (Redis 7.0 accepts several, plus default/all/everything). */
export function infoSectionsFor(args: readonly string[]): Set<string> {
  const wanted = new Set<string>();
  if (args.length === 0) return new Set(DEFAULT_SECTIONS);
  for (const a of args) {
    const name = a.toLowerCase();
    if (name === 'default') for (const s of DEFAULT_SECTIONS) wanted.add(s);
    else if (name === 'all' || name === 'everything') for (const s of ALL_SECTIONS) wanted.add(s);
    else wanted.add(name);
  }
  return wanted;
}

/** The INFO text for the given section names (already expanded by infoSectionsFor). */
export function renderInfo(wanted: Set<string>): string {
  let out = '';
  let n = 0;
  for (const name of ALL_SECTIONS) {
    if (!wanted.has(name)) continue;
    const [title, build] = SECTIONS[name];
    if (n++ > 0) out += '\r\n';
    out += `# ${title}\r\n`;
    for (const [k, v] of applyProviders(name, build())) out += `${k}:${v}\r\n`;
  }
  return out;
}
