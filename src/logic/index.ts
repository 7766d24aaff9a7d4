// Entry of the logic bundle: the LogicModule the shell loads (module.exports).

import type { ClientRecord, HostApi, LogicModule, SelfTestWarmUp, State, StartupOptions, UpgradeLoadResult } from '../abi';
import { allSpecs } from './commands';
import { upgradeDone } from './commands/hotupgrade';
import { allDefs, buildTable, type CommandDef } from './commands/table';
import { defaultConfig, loadConfig } from './config';
import { feed, processInput, refreshDispatchConfig, setTable } from './dispatch';
import { activeExpireCycle } from './expire';
import './evict'; // maxmemory: registers its gate and hooks (evict.ts)
import { emptyDb } from './keyspace';
import { lifecycleHooks } from './lifecycle';
import { beginMigration, takeOverError } from './migration';
import { runShutdown } from './commands/server';
import { bindHost, cfg, cfgInt, flushPending, host, LOGIC_VERSION, pendingFlush, READS_SCHEMAS, resetClock, state, STATE_SCHEMA } from './runtime';
import { runSelfTestRound } from './selftest';
import { loadDumpAtStart } from './persistence/save';
import { loadAofAtStart } from './persistence/aof';

let table: Map<string, CommandDef> | null = null;
/** Every command and subcommand of `table`: activate() binds their stats with a plain loop (walking the
 *  allDefs generator took 50-90 us of a swap pause of 150-300 us). Disposable, as the table. */
let defs: CommandDef[] = [];

function ensureTable(): Map<string, CommandDef> {
  if (table === null) {
    table = buildTable(allSpecs);
    defs = [...allDefs(table)];
  }
  setTable(table);
  return table;
}

function createState(runId: string): State {
  const config = defaultConfig();
  const dbs = [];
  for (let i = 0; i < Number(config.get('databases')); i++) dbs.push(emptyDb(i));
  const nowMs = Date.now();
  return {
    schema: STATE_SCHEMA,
    config,
    configFile: '',
    dbs,
    clients: new Map(),
    nextClientId: 1,
    stats: {
      startTimeMs: nowMs,
      totalConnections: 0,
      rejectedConnections: 0,
      totalCommands: 0,
      netInputBytes: 0,
      netOutputBytes: 0,
      expiredKeys: 0,
      evictedKeys: 0,
      keyspaceHits: 0,
      keyspaceMisses: 0,
      totalErrorReplies: 0,
      errorCounts: new Map(),
      commandStats: new Map(),
      logicExceptions: 0,
      dirty: 0,
      lastSaveMs: nowMs,
      protocolErrors: 0,
    },
    upgrade: {
      logicVersion: LOGIC_VERSION,
      logicSha256: '',
      logicFile: '',
      logicCodeCache: '',
      loadedAtMs: nowMs,
      upgradesTotal: 0,
      upgradesFailed: 0,
      rollbacksTotal: 0,
      lastUpgradePauseUs: 0,
      lastUpgradeResult: '',
      lastUpgradeTimeMs: 0,
      previousLoaded: false,
      previousVersion: '',
      bundlesLoaded: 0,
      bundlesCollected: 0,
      history: [],
    },
    ext: {},
    runId,
    boundPort: 0,
    shuttingDown: false,
    loading: false,
  };
}

function configure(st: State, opts: StartupOptions): string {
  const err = loadConfig(st, opts.configText, opts.argDirectives);
  if (err) return err;
  const n = Number(st.config.get('databases'));
  st.dbs.length = 0;
  for (let i = 0; i < n; i++) st.dbs.push(emptyDb(i));
  return '';
}

function activate(h: HostApi): void {
  bindHost(h);
  ensureTable();
  const cs = state.stats.commandStats;
  for (let i = 0; i < defs.length; i++) {
    const def = defs[i];
    let arr = cs.get(def.name);
    if (!arr) {
      arr = [0, 0, 0, 0];
      cs.set(def.name, arr);
    }
    def.stats = arr;
  }
  refreshDispatchConfig();
  for (const hook of lifecycleHooks.activate) hook();
  h.every('cron', Math.max(1, Math.floor(1000 / (cfgInt('hz') || 10))));
}

function deactivate(): void {
  for (const hook of lifecycleHooks.deactivate) hook();
  pendingFlush.length = 0;
  bindHost(null);
}

function onConnect(c: ClientRecord): void {
  c.inbuf = null;
  c.inchunks = null;
  c.inchunksLen = 0;
  c.inNeed = 0;
  c.out = '';
  c.db = 0;
  c.resp = 2;
  c.name = '';
  c.libName = '';
  c.libVer = '';
  c.replyMode = 'on';
  c.skipThis = false;
  c.noEvict = false;
  c.closeAfterReply = false;
  c.lastInteractionMs = Date.now();
  c.lastCmd = 'NULL';
  c.pausedFor = '';
  c.commandsProcessed = 0;
  c.authenticated = cfg('requirepass') === '';
  c.flags = 0;
  c.ext = {};
  const max = cfgInt('maxclients');
  if (state.clients.size > max) {
    state.stats.rejectedConnections++;
    host.write(c, '-ERR max number of clients reached\r\n');
    host.closeClient(c);
  }
}

function onData(c: ClientRecord, chunk: Buffer): void {
  // Every entry that can run commands starts with a fresh clock: now() is read at most once per event.
  resetClock();
  feed(c, chunk);
  flushPending();
}

function onClose(c: ClientRecord): void {
  resetClock();
  for (const hook of lifecycleHooks.clientClose) hook(c);
  state.clients.delete(c.id);
}

function onDrain(c: ClientRecord): void {
  // Output is written as produced; a paused reader would resume here (client output limits).
  if (c.inbuf !== null && c.pausedFor === '') {
    resetClock();
    processInput(c);
    flushPending();
  }
}

function onTick(name: string): void {
  resetClock();
  // Nothing of serverCron runs while the dataset loads (no expiry, no save points).
  if (name === 'cron' && state.loading !== true) {
    activeExpireCycle(20000);
    for (const hook of lifecycleHooks.cron) hook();
  }
  flushPending();
}

function onTimer(key: string): void {
  resetClock();
  for (const hook of lifecycleHooks.timer) hook(key);
  flushPending();
}

function onUpgradeDone(c: ClientRecord, r: UpgradeLoadResult): void {
  resetClock();
  upgradeDone(c, r);
}

function onShutdownSignal(signal: string): void {
  host.log('warning', state.loading === true ? 'Received shutdown signal during loading, scheduling shutdown.' : `Received ${signal} scheduling shutdown...`);
  // As Redis: a failed final save (a shutdown hook throwing) keeps the server running.
  if (!runShutdown({ save: null, now: false, force: false })) {
    host.log('warning', `${signal} received but errors trying to shut down the server, check the logs for more information`);
  }
}

function migrate(st: State, fromSchema: number): void {
  // Only lazy migrations so far (migration.ts); an eager one (cost independent of the keyspace) would go here.
  beginMigration(st, fromSchema);
}

function restore(_h: HostApi): string {
  resetClock();
  // The AOF, when enabled, is loaded instead of the RDB (as Redis's loadDataFromDisk).
  if (cfg('appendonly') === 'yes') return loadAofAtStart();
  return loadDumpAtStart();
}

function selfTest(scratch: HostApi, round: number, warm?: SelfTestWarmUp): string {
  const prevHost = host;
  activate(scratch);
  try {
    return runSelfTestRound(round, warm ?? null, warm === undefined ? null : { onConnect, onData, onClose, onTick });
  } finally {
    deactivate();
    // Only a module that is already active (never the case for a freshly loaded bundle) is re-bound.
    if (prevHost) activate(prevHost);
  }
}

const logicModule: LogicModule = {
  abi: 1,
  version: LOGIC_VERSION,
  stateSchema: STATE_SCHEMA,
  readsSchemas: [...READS_SCHEMAS],
  createState,
  configure,
  restore,
  migrate,
  canTakeOver: takeOverError,
  activate,
  deactivate,
  selfTest,
  onConnect,
  onData,
  onClose,
  onDrain,
  onTick,
  onTimer,
  onUpgradeDone,
  onShutdownSignal,
};

module.exports = logicModule;
