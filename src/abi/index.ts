// The whole contract between the long-lived shell and a swappable logic bundle.
// Types only: every import of this file is erased at build time, so neither half
// carries code of the other. Change it deliberately and bump ABI_MAJOR when a change
// is not backward compatible (the shell refuses a bundle of another major).

import type { Socket } from 'node:net';

/** Major version of this contract. A bundle declares the major it was built against. */
export type AbiMajor = 1;

// ---------------------------------------------------------------------------------------------
// State: everything that must outlive a logic swap. Plain data only (see DESIGN.md, rule 1).
// ---------------------------------------------------------------------------------------------

/** A value stored under a key. The logic owns the shapes; the shell never looks inside. */
export type StoredValue = string | { type: string };

export interface Db {
  id: number;
  /** key (latin1 string) -> value */
  dict: Map<string, StoredValue>;
  /** key -> absolute expiry time, unix ms */
  expires: Map<string, number>;
  /** key -> last access, in LRU clock units (seconds); drives OBJECT IDLETIME */
  access: Map<string, number>;
  /** binary min-heap of (expiry time, key) for the active expire cycle; entries may be stale
   *  (the key's TTL changed or it was deleted) and are checked against `expires` when popped */
  expireHeapWhen: number[];
  expireHeapKey: string[];
}

/** A connected client. Created by the shell with the shell-owned fields; the logic fills the rest in onConnect. */
export interface ClientRecord {
  // --- owned by the shell ---
  id: number;
  /** Shell-owned handle. The logic may only hand it back to HostApi, never attach listeners. */
  socket: Socket;
  /** "ip:port" of the peer, or "/path:0" for a unix socket client */
  addr: string;
  laddr: string;
  /** true for loopback TCP peers and unix-socket peers */
  local: boolean;
  unixSocket: boolean;
  createdMs: number;
  /** set by the shell when the socket has closed; the record is dropped right after onClose */
  closed: boolean;

  // --- owned by the logic (initialised in onConnect, migrated by migrate()) ---
  /** unparsed request bytes (DESIGN rule 5): the next parser continues from here */
  inbuf: Buffer | null;
  /** chunks of a large pending bulk argument, concatenated once it is complete */
  inchunks: Buffer[] | null;
  inchunksLen: number;
  /** total bytes the pending command needs before it can be parsed (0 = unknown) */
  inNeed: number;
  /** reply bytes (latin1) produced during the current event, flushed at its end */
  out: string;
  db: number;
  resp: 2 | 3;
  name: string;
  libName: string;
  libVer: string;
  /** 'on' | 'off' | 'skip' (CLIENT REPLY) */
  replyMode: 'on' | 'off' | 'skip';
  /** true while the current command is the one after CLIENT REPLY SKIP */
  skipThis: boolean;
  noEvict: boolean;
  /** close the connection once the pending output has been written (QUIT, protocol error, KILL) */
  closeAfterReply: boolean;
  lastInteractionMs: number;
  lastCmd: string;
  /** why parsing of this client's input is paused ('' when not paused): e.g. 'upgrade', 'blocked' */
  pausedFor: string;
  /** authenticated as the default user (true at connect when it needs no password, as in Redis) */
  authenticated: boolean;
  /** bit flags the logic defines (MULTI, subscribed, blocked ...); 0 lets dispatch skip every gate */
  flags: number;
  /** total commands processed for this client */
  commandsProcessed: number;
  /** free-form per-family data the logic may add (MULTI queue, subscriptions, blocking ...) */
  ext: Record<string, unknown>;
}

export interface UpgradeHistoryEntry {
  timeMs: number;
  action: 'load' | 'rollback' | 'auto-rollback' | 'signal';
  from: string;
  to: string;
  sha256: string;
  pauseUs: number;
  result: 'ok' | string;
}

/** Shell-maintained record of the logic slot; rendered by INFO upgrade. */
export interface UpgradeInfo {
  logicVersion: string;
  logicSha256: string;
  logicFile: string;
  loadedAtMs: number;
  upgradesTotal: number;
  upgradesFailed: number;
  rollbacksTotal: number;
  lastUpgradePauseUs: number;
  lastUpgradeResult: string;
  lastUpgradeTimeMs: number;
  /** the previous logic is still loaded and can be swapped back without reading the disk */
  previousLoaded: boolean;
  previousVersion: string;
  /** bundles compiled by this process / bundles the garbage collector has since freed */
  bundlesLoaded: number;
  bundlesCollected: number;
  history: UpgradeHistoryEntry[];
  // Kept by the shell (optional: a logic built before they existed does not create them).
  /** unix ms when the probation of the last swap ends; 0 when none is running */
  probationEndsMs?: number;
  /** exceptions the newly loaded logic has thrown during its probation (hotupgrade-max-errors) */
  probationErrors?: number;
  /** automatic rollbacks: a new logic threw in more than hotupgrade-max-errors calls during its probation */
  autoRollbacksTotal?: number;
  /** why the last automatic rollback happened ('' if none) */
  lastAutoRollback?: string;
  /** whether V8 used the live bundle's code cache: 'used', 'rejected' or 'none' (no .cache file) */
  logicCodeCache?: string;
  /** the bundle an upgrade or rollback is being prepared for (read, compiled, self-tested); '' when none */
  preparing?: string;
}

export interface Stats {
  startTimeMs: number;
  totalConnections: number;
  rejectedConnections: number;
  totalCommands: number;
  netInputBytes: number;
  netOutputBytes: number;
  expiredKeys: number;
  evictedKeys: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  totalErrorReplies: number;
  /** error prefix (e.g. "ERR", "WRONGTYPE") -> count */
  errorCounts: Map<string, number>;
  /** command full name -> [calls, usec, rejected, failed] */
  commandStats: Map<string, number[]>;
  /** commands that threw inside the logic (a logic bug) */
  logicExceptions: number;
  /** changes since the last save */
  dirty: number;
  lastSaveMs: number;
  /** how many clients were killed / closed due to protocol errors */
  protocolErrors: number;
}

export interface State {
  /** state-schema version, set by the logic that last migrated/created it */
  schema: number;
  /** directive -> value, as CONFIG GET would print it; the logic owns names and validation */
  config: Map<string, string>;
  /** absolute path of the config file given at start, '' if none (CONFIG REWRITE) */
  configFile: string;
  dbs: Db[];
  clients: Map<number, ClientRecord>;
  nextClientId: number;
  stats: Stats;
  upgrade: UpgradeInfo;
  /** logic-owned extension records (pubsub, blocked keys, persistence jobs ...), plain data */
  ext: Record<string, unknown>;
  /** run id of this process (40 hex chars), kept across upgrades */
  runId: string;
  /** the TCP port actually bound (after listen); 0 before */
  boundPort: number;
  shuttingDown: boolean;
  /** true while restore() goes on loading the dataset in the background (the shell holds back "Ready to
   *  accept connections" until host.loadingDone). Optional: logic built before it existed never sets it. */
  loading?: boolean;
}

// ---------------------------------------------------------------------------------------------
// HostApi: what the shell offers to the logic. Every call returns data, never a closure.
// ---------------------------------------------------------------------------------------------

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning';

export interface UpgradeLoadResult {
  ok: boolean;
  error?: string;
  fromVersion: string;
  toVersion: string;
  sha256: string;
  pauseUs: number;
}

export interface BundleListing {
  file: string;
  version: string;
  sha256: string;
  abi: number | null;
  stateSchema: number | null;
  current: boolean;
  error?: string;
}

export interface HostApi {
  readonly abiMajor: AbiMajor;
  readonly state: State;
  /** shell build identity, for INFO server */
  readonly shellVersion: string;
  readonly pid: number;
  readonly executable: string;
  readonly nodeVersion: string;

  /** Write bytes (latin1 string or Buffer) to a client. Returns false once the kernel buffer is full. */
  write(client: ClientRecord, data: string | Buffer): boolean;
  /** Close a client now (pending writes are flushed first by the socket). */
  closeClient(client: ClientRecord): void;
  /** Stop reading from a client socket (true) or resume (false). */
  pauseReading(client: ClientRecord, paused: boolean): void;
  log(level: LogLevel, message: string): void;

  /** Periodic work: the shell calls logic.onTick(name) every intervalMs until the logic is deactivated. */
  every(name: string, intervalMs: number): void;
  /** One-shot timer that survives swaps: the shell calls (the then current) logic.onTimer(key) at atMs. */
  timerAt(key: string, atMs: number): void;
  clearTimer(key: string): void;

  /**
   * Begin an upgrade on behalf of a client. The shell locates, reads, compiles and self-tests the bundle
   * over several turns of the event loop (the current logic keeps serving), swaps it in between two
   * events, and then calls onUpgradeDone(client, result) on whichever logic is active. Returns null when
   * the attempt has started, or a failure result at once when it cannot start (e.g. one is in progress).
   */
  upgradeLoad(name: string, client: ClientRecord | null): UpgradeLoadResult | null;
  upgradeRollback(client: ClientRecord | null): UpgradeLoadResult | null;
  upgradeList(): BundleListing[];

  /** Request process shutdown after the current event (SHUTDOWN). exitCode 0 for a clean stop. */
  shutdown(exitCode: number): void;
  /** Tell the shell a directive it acts on changed (CONFIG SET): port, bind, loglevel, maxclients,
   *  tcp-keepalive, hotupgrade-probation-ms ... Returns an error text or ''. */
  configChanged(name: string): string;
  /** The background part of restore() is over: '' when the dataset is loaded, else the error that must stop
   *  the process (the shell logs it and exits with status 1, as Redis does on a bad file). */
  loadingDone(error: string): void;
  /** High resolution monotonic clock in microseconds (for latency stats). */
  nowUs(): number;
}

// ---------------------------------------------------------------------------------------------
// LogicModule: what a bundle exports (module.exports = logicModule).
// ---------------------------------------------------------------------------------------------

export interface StartupOptions {
  /** raw text of the config file ('' if none) */
  configText: string;
  configFile: string;
  /** `--directive value ...` pairs from the command line, already split into [name, ...args] */
  argDirectives: string[][];
}

/**
 * What the shell hands each self-test round so that the candidate's JIT-compiled code is specialised for what
 * it will see after the swap (V8 deoptimises code that meets objects of a hidden class it was not warmed on).
 */
export interface SelfTestWarmUp {
  /** A client record made by the same factory as live ones (so of the same hidden class), not connected and
   *  not in any State: the round runs it through onConnect, onData and onClose on the scratch host. */
  client: ClientRecord;
  /** The commands (commandStats names) the live server has run most, with their calls, most first: the
   *  round warms them in proportion. */
  hotCommands: readonly { name: string; calls: number }[];
}

export interface LogicModule {
  readonly abi: AbiMajor;
  readonly version: string;
  /** state schema this logic reads and writes */
  readonly stateSchema: number;
  /** older schemas this logic can still read (a rollback target must list the current schema) */
  readonly readsSchemas: number[];

  /** Build a fresh State (first start, and the scratch State of selfTest). */
  createState(runId: string): State;
  /** Parse config file text and command-line directives into state.config. Returns error text or ''. */
  configure(state: State, opts: StartupOptions): string;
  /** Load data from disk at first start (never on upgrade). Returns error text or ''. A large dataset may
   *  go on loading after it returns: it then sets state.loading and later calls host.loadingDone. */
  restore(host: HostApi): string;

  /** Convert state written by schema fromSchema to this logic's schema. Runs inside the swap pause: work that
   *  grows with the keyspace is only recorded here and done lazily (docs/HACKING.md, "Schema migrations"). */
  migrate(state: State, fromSchema: number): void;
  /**
   * Can this logic serve `state` as it is? '' or the reason it cannot (e.g. a lazy migration runs that it
   * does not know how to continue). The shell asks before the swap, after the schema check; a refusal leaves
   * the old logic serving and nothing changed. Optional: a logic built before it existed is not asked.
   */
  canTakeOver?(state: State): string;
  activate(host: HostApi): void;
  deactivate(): void;
  /**
   * One round of the bundle's self-test against a scratch host whose State was made by createState (never
   * the live State); returns '' or an error text, or throws. The shell runs rounds 0..n-1, one per turn of
   * the event loop, so the live logic keeps serving while a candidate is verified and warmed up. `warm`
   * (optional: a shell built before it existed passes nothing) lets the round warm the code on the shapes
   * and the command mix it will meet once live.
   */
  selfTest(scratch: HostApi, round: number, warm?: SelfTestWarmUp): string;

  onConnect(client: ClientRecord): void;
  onData(client: ClientRecord, chunk: Buffer): void;
  onClose(client: ClientRecord): void;
  /** socket drained after write returned false */
  onDrain(client: ClientRecord): void;
  onTick(name: string): void;
  onTimer(key: string): void;
  onUpgradeDone(client: ClientRecord, result: UpgradeLoadResult): void;
  /** SIGTERM/SIGINT: the logic runs its shutdown (final save ...) and calls host.shutdown(0), or logs why
   *  it cannot and keeps serving, as Redis does when the final save fails. */
  onShutdownSignal(signal: string): void;
}
