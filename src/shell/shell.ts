// The long-lived half: owns State, sockets, timers and the logic slot. Every event enters the
// logic through `this.slot.logic`, so after a swap the very next event runs the new code.

import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type {
  BundleListing, ClientRecord, HostApi, LogicModule, LogLevel, SelfTestWarmUp, State, UpgradeHistoryEntry, UpgradeLoadResult,
} from '../abi';
import { BundleError, describeBundle, loadBundle, loadBundleAsync, type LoadedBundle, type Trust } from './loader';
import { Logger } from './log';

declare const __SHELL_VERSION__: string;
export const SHELL_VERSION: string = typeof __SHELL_VERSION__ === 'string' ? __SHELL_VERSION__ : '0.0.0-dev';

const HISTORY_MAX = 1000;

/** Counts bundles the GC has freed, so tests and INFO can prove that old logic does not linger. */
const collected = new FinalizationRegistry<{ shell: Shell }>((held) => {
  held.shell.state.upgrade.bundlesCollected++;
});

/**
 * Self-test rounds a candidate bundle must pass, one per event-loop turn. Besides verifying, they warm the JIT:
 * each round also replays the live command mix (SelfTestWarmUp), which is what makes the code fast after the
 * swap (the cases alone, 30 rounds of them, left the live hot path to be optimised after the swap).
 */
const SELFTEST_ROUNDS = 12;
/** Live commands (most called first) whose self-test cases each round replays through onData to warm them. */
const HOT_COMMANDS = 8;
/**
 * Share of the CPU preparing an upgrade (compiling the bundle, running its module body and self-test rounds)
 * may take while clients are being served (Pacer): after each step the clients get the event loop for up to
 * (1 - share) / share times as long as the step took, so they keep most of the CPU (the LOAD takes longer).
 */
const PREPARE_CPU_SHARE = 0.3;
/** the longest rest after one step, so that one slow step (a GC) does not stall the LOAD */
const PREPARE_REST_MAX_MS = 20;

export class Shell {
  state!: State;
  readonly logger = new Logger();
  readonly host: HostApi;
  /** the active bundle; `current.logic` is the only way events reach the logic */
  current!: LoadedBundle;
  /** the bundle before the last swap, kept loaded during probation for a fast rollback */
  previous: LoadedBundle | null = null;
  /** file name of the bundle before the last swap (for a rollback after probation, from disk) */
  previousFile = '';
  private probationTimer: NodeJS.Timeout | null = null;
  /** when the probation of the last swap began (unix ms) */
  private probationStartMs = 0;
  /** during the probation of a newly loaded logic: count its exceptions (hotupgrade-max-errors) */
  private watching = false;
  /** state.stats.logicExceptions when last looked at, and the exceptions counted in this probation */
  private watchSeen = 0;
  private probationErrors = 0;
  private autoRollbackQueued = false;
  /** bumped by every swap: an upgrade prepared while another swap happened is refused */
  private generation = 0;
  /** an upgrade or rollback is being prepared */
  private busy = false;
  private ticks = new Map<string, { timer: NodeJS.Timeout; ms: number }>();
  /** during a swap: the ticks of the old logic that the new one has not asked for again (yet) */
  private staleTicks: Set<string> | null = null;
  private timers = new Map<string, NodeJS.Timeout>();
  private servers: net.Server[] = [];
  private exiting = false;

  /** trust: with hotupgrade-require-signature, the public key every bundle's signed MANIFEST must verify with */
  constructor(readonly logicDir: string, readonly trust: Trust | null = null) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const shell = this;
    this.host = hostApi({
      state: () => shell.state,
      write: (c, data) => shell.write(c, data),
      closeClient: (c) => shell.closeClient(c),
      pauseReading: (c, paused) => { if (!c.closed) { if (paused) c.socket.pause(); else c.socket.resume(); } },
      log: (level, msg) => shell.logger.log(level, msg),
      every: (name, ms) => shell.every(name, ms),
      timerAt: (key, at) => shell.timerAt(key, at),
      clearTimer: (key) => shell.clearTimer(key),
      upgradeLoad: (name, client) => shell.beginUpgrade(name, client, 'load'),
      upgradeRollback: (client) => shell.beginRollback(client),
      upgradeList: () => shell.listBundles(),
      shutdown: (code) => shell.exit(code),
      configChanged: (name) => shell.configChanged(name),
      loadingDone: (error) => shell.loadingDone(error),
    });
  }

  /** Set by main once the listeners are open. */
  listening = false;

  /** "Ready to accept connections" once the listeners are open and the dataset is loaded (as Redis logs it). */
  announceReady(): void {
    if (this.listening && !this.state.loading) this.log('notice', 'Ready to accept connections');
  }

  private loadingDone(error: string): void {
    this.state.loading = false;
    if (error) {
      this.log('warning', error);
      this.exit(1);
      return;
    }
    this.announceReady();
  }

  get logic(): LogicModule { return this.current.logic; }

  log(level: LogLevel, msg: string): void { this.logger.log(level, msg); }

  // ------------------------------------------------------------------ start-up

  /** Load the first bundle, build State, apply config, restore data. Returns an error text or ''. */
  boot(logicFile: string, runId: string, configText: string, configFile: string, argDirectives: string[][]): string {
    this.current = loadBundle(this.logicDir, logicFile, this.trust);
    const logic = this.current.logic;
    this.state = logic.createState(runId);
    addShellFields(this.state);
    this.track(this.current);
    this.state.configFile = configFile;
    const err = logic.configure(this.state, { configText, configFile, argDirectives });
    if (err) return err;
    this.applyLogConfig();
    this.recordLoaded(this.current);
    logic.activate(this.host);
    const restoreErr = logic.restore(this.host);
    if (restoreErr) return restoreErr;
    return '';
  }

  applyLogConfig(): void {
    const cfg = this.state.config;
    this.logger.configure(cfg.get('logfile') ?? '', cfg.get('loglevel') ?? 'notice');
  }

  /** Every bundle this shell compiles goes through here (the live one, candidates, rollbacks, LIST peeks). */
  private track(b: LoadedBundle): LoadedBundle {
    this.state.upgrade.bundlesLoaded++;
    collected.register(b.logic, { shell: this });
    return b;
  }

  private recordLoaded(b: LoadedBundle): void {
    const u = this.state.upgrade;
    u.logicVersion = b.logic.version;
    u.logicSha256 = b.sha256;
    u.logicFile = b.file;
    u.logicCodeCache = b.codeCache;
    u.loadedAtMs = Date.now();
  }

  // ------------------------------------------------------------------ listeners and sockets

  listen(): Promise<string> {
    const cfg = this.state.config;
    const port = Number(cfg.get('port') ?? '6379');
    const binds = (cfg.get('bind') ?? '127.0.0.1').split(/\s+/).filter(Boolean);
    const unixPath = cfg.get('unixsocket') ?? '';
    const backlog = Number(cfg.get('tcp-backlog') ?? '511');
    const wanted: { opts: net.ListenOptions; optional: boolean; label: string }[] = [];
    if (port > 0) {
      for (const b of binds) {
        // Redis: a leading '-' marks an address that may be unavailable.
        const optional = b.startsWith('-');
        const host = optional ? b.slice(1) : b;
        wanted.push({ opts: { host: host === '*' ? '0.0.0.0' : host, port, backlog, ipv6Only: host.includes(':') }, optional, label: `${host}:${port}` });
      }
    }
    if (unixPath) {
      try { fs.unlinkSync(unixPath); } catch { /* not there */ }
      wanted.push({ opts: { path: unixPath, backlog }, optional: false, label: unixPath });
    }
    return new Promise((resolve) => {
      let left = wanted.length;
      let failure = '';
      if (left === 0) resolve('');
      for (const w of wanted) {
        const server = net.createServer({ noDelay: true, keepAlive: false }, (s) => this.accept(s, w.opts.path !== undefined));
        server.maxConnections = Number(cfg.get('maxclients') ?? '10000') + 32;
        server.once('error', (e: NodeJS.ErrnoException) => {
          if (!w.optional) failure ||= `Could not create server TCP listening socket ${w.label}: ${e.message}`;
          if (--left === 0) resolve(failure);
        });
        server.listen(w.opts, () => {
          this.servers.push(server);
          const addr = server.address();
          if (addr && typeof addr === 'object' && !this.state.boundPort) this.state.boundPort = addr.port;
          if (w.opts.path) {
            const perm = cfg.get('unixsocketperm');
            if (perm && perm !== '0') fs.chmodSync(w.opts.path, parseInt(perm, 8));
          }
          if (--left === 0) resolve(failure);
        });
      }
    });
  }

  /** CONFIG SET of a directive the shell acts on. */
  configChanged(name: string): string {
    switch (name) {
      case 'port': case 'bind': case 'unixsocket':
        return this.relisten();
      case 'loglevel': case 'logfile':
        this.applyLogConfig();
        return '';
      case 'maxclients':
        for (const s of this.servers) s.maxConnections = Number(this.state.config.get('maxclients') ?? '10000') + 32;
        return '';
      case 'hotupgrade-probation-ms':
        // A running probation now ends probation-ms after its swap (at once if that is past).
        if (this.probationTimer) this.armProbation();
        return '';
      default:
        return '';
    }
  }

  relisten(): string {
    // Close current listeners and open new ones asynchronously; existing clients stay connected.
    const old = this.servers;
    this.servers = [];
    for (const s of old) s.close();
    this.state.boundPort = 0;
    this.listen().then((err) => { if (err) this.log('warning', err); });
    return '';
  }

  private accept(socket: net.Socket, unix: boolean): void {
    const st = this.state;
    if (this.exiting || st.shuttingDown) { socket.destroy(); return; }
    const remote = unix ? `${socket.localAddress ?? ''}:0` : `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const ra = socket.remoteAddress ?? '';
    const client = newClientRecord(
      st.nextClientId++,
      socket,
      unix ? `/unix:0` : remote.replace(/^::ffff:/, ''),
      unix ? `${this.state.config.get('unixsocket') ?? ''}:0` : `${(socket.localAddress ?? '').replace(/^::ffff:/, '')}:${socket.localPort ?? 0}`,
      unix || ra === '127.0.0.1' || ra === '::1' || ra.startsWith('127.') || ra.startsWith('::ffff:127.'),
      unix,
    );
    st.clients.set(client.id, client);
    st.stats.totalConnections++;
    const keepalive = Number(st.config.get('tcp-keepalive') ?? '300');
    if (!unix && keepalive > 0) socket.setKeepAlive(true, keepalive * 1000);
    socket.on('data', (chunk: Buffer) => {
      st.stats.netInputBytes += chunk.length;
      try {
        this.current.logic.onData(client, chunk);
      } catch (e) {
        this.logicFault('onData', e);
        this.closeClient(client);
      }
      if (this.watching) this.watchProbation();
    });
    socket.on('drain', () => this.guard('onDrain', () => this.current.logic.onDrain(client)));
    socket.on('error', () => { /* 'close' follows */ });
    socket.on('close', () => {
      if (client.closed) return;
      client.closed = true;
      this.guard('onClose', () => this.current.logic.onClose(client));
      st.clients.delete(client.id);
    });
    this.guard('onConnect', () => this.current.logic.onConnect(client));
  }

  private guard(what: string, fn: () => void): void {
    try { fn(); } catch (e) { this.logicFault(what, e); }
    if (this.watching) this.watchProbation();
  }

  private logicFault(what: string, e: unknown): void {
    this.state.stats.logicExceptions++;
    this.log('warning', `logic ${this.current.logic.version} threw in ${what}: ${(e as Error)?.stack ?? String(e)}`);
  }

  write(c: ClientRecord, data: string | Buffer): boolean {
    if (c.closed || c.socket.destroyed) return false;
    this.state.stats.netOutputBytes += data.length;
    return typeof data === 'string' ? c.socket.write(data, 'latin1') : c.socket.write(data);
  }

  closeClient(c: ClientRecord): void {
    if (c.socket.destroyed) return;
    // end() flushes what was written before it, then closes: a reply before a close still arrives.
    c.socket.end();
    c.socket.destroySoon();
  }

  // ------------------------------------------------------------------ timers (rule 3: they call the slot)

  every(name: string, ms: number): void {
    const period = Math.max(1, ms);
    const old = this.ticks.get(name);
    if (old) {
      // During a swap, a tick the new logic asks for again with the same period keeps its interval (it calls
      // the slot, rule 3): clearing and re-creating the timers was about a quarter of the swap pause.
      if (this.staleTicks !== null && this.staleTicks.delete(name) && old.ms === period) return;
      clearInterval(old.timer);
    }
    this.ticks.set(name, { timer: setInterval(() => this.guard('onTick', () => this.current.logic.onTick(name)), period), ms: period });
  }

  timerAt(key: string, atMs: number): void {
    this.clearTimer(key);
    const t = setTimeout(() => {
      this.timers.delete(key);
      this.guard('onTimer', () => this.current.logic.onTimer(key));
    }, Math.max(0, atMs - Date.now()));
    this.timers.set(key, t);
  }

  clearTimer(key: string): void {
    const t = this.timers.get(key);
    if (t) { clearTimeout(t); this.timers.delete(key); }
  }

  private clearTicks(): void {
    for (const t of this.ticks.values()) clearInterval(t.timer);
    this.ticks.clear();
  }

  /** After a swap's activate: stop the ticks the new logic did not ask for again. */
  private retireStaleTicks(): void {
    const stale = this.staleTicks;
    this.staleTicks = null;
    if (stale === null) return;
    for (const name of stale) {
      const t = this.ticks.get(name);
      if (t) {
        clearInterval(t.timer);
        this.ticks.delete(name);
      }
    }
  }

  // ------------------------------------------------------------------ upgrades

  private failure(from: string, to: string, sha: string, err: string, action: UpgradeHistoryEntry['action']): UpgradeLoadResult {
    const u = this.state.upgrade;
    u.upgradesFailed++;
    u.lastUpgradeResult = `failed: ${err}`;
    u.lastUpgradeTimeMs = Date.now();
    this.addHistory({ timeMs: Date.now(), action, from, to, sha256: sha, pauseUs: 0, result: err });
    this.log('warning', `Hot upgrade (${action}) to '${to}' refused: ${err}`);
    return { ok: false, error: err, fromVersion: from, toVersion: to, sha256: sha, pauseUs: 0 };
  }

  private addHistory(e: UpgradeHistoryEntry): void {
    const h = this.state.upgrade.history;
    // Each load hashes the file into a new string; a bundle that comes back (a rollback, two versions in turn)
    // shares the copy of an earlier entry: with 1,000 entries kept, 80 bytes each counted in the memory soak.
    for (let i = h.length - 1; i >= 0 && i >= h.length - 8; i--) {
      if (h[i].sha256 === e.sha256) {
        e.sha256 = h[i].sha256;
        break;
      }
    }
    h.push(e);
    if (h.length > HISTORY_MAX) h.splice(0, h.length - HISTORY_MAX);
  }

  /**
   * Start an upgrade: returns null once it is under way (the result reaches the client through
   * onUpgradeDone), or a failure at once when another attempt is still running.
   */
  beginUpgrade(name: string, client: ClientRecord | null, action: UpgradeHistoryEntry['action']): UpgradeLoadResult | null {
    if (this.busy) return this.failure(this.current.logic.version, name, '', 'another upgrade is already in progress', action);
    this.busy = true;
    this.state.upgrade.preparing = name;
    void this.prepareAndSwap(name, (pace) => loadBundleAsync(this.logicDir, name, this.trust, pace), true, client, action);
    return null;
  }

  beginRollback(client: ClientRecord | null): UpgradeLoadResult | null {
    const from = this.current.logic.version;
    if (this.busy) return this.failure(from, '', '', 'another upgrade is already in progress', 'rollback');
    const loaded = this.previous;
    if (!loaded && !this.previousFile) return this.failure(from, '', '', 'no previous logic to roll back to', 'rollback');
    this.busy = true;
    this.state.upgrade.preparing = loaded ? loaded.file : this.previousFile;
    if (loaded) {
      // Still loaded from before the last swap (probation): it passed its self-test then.
      void this.prepareAndSwap(loaded.file, () => Promise.resolve(loaded), false, client, 'rollback');
    } else {
      const file = this.previousFile;
      void this.prepareAndSwap(file, (pace) => loadBundleAsync(this.logicDir, file, this.trust, pace), true, client, 'rollback');
    }
    return null;
  }

  /**
   * Read and compile the bundle, run its self-test one round per event-loop turn (the live logic keeps
   * serving in between, PREPARE_CPU_SHARE), then swap between two events. Every outcome ends in finish().
   */
  private async prepareAndSwap(name: string, load: (pace: () => Promise<void>) => Promise<LoadedBundle>, selfTest: boolean,
    client: ClientRecord | null, action: UpgradeHistoryEntry['action']): Promise<void> {
    const generation = this.generation;
    const pacer = new Pacer(this);
    const hooksBefore = processHooks();
    let next: LoadedBundle;
    try {
      const loaded = await load(pacer.pace);
      next = loaded === this.previous ? loaded : this.track(loaded);
    } catch (e) {
      const msg = e instanceof BundleError ? e.message : `load failed: ${(e as Error).message}`;
      this.finish(client, this.failure(this.current.logic.version, name, '', msg, action));
      return;
    }
    let verr = await this.verify(next, selfTest, action, pacer) || hooksAdded(hooksBefore);
    if (!verr) await new Promise<void>((resolve) => setImmediate(resolve));
    // An automatic rollback may have swapped meanwhile: what was verified is no longer what it replaces.
    if (!verr && generation !== this.generation) verr = 'the active logic changed while this upgrade was being prepared (automatic rollback)';
    if (verr) {
      this.finish(client, this.failure(this.current.logic.version, next.logic.version, next.sha256, verr, action));
      return;
    }
    this.finish(client, this.swap(next, action));
  }

  private finish(client: ClientRecord | null, result: UpgradeLoadResult): void {
    this.busy = false;
    this.state.upgrade.preparing = '';
    if (client && !client.closed) this.guard('onUpgradeDone', () => this.current.logic.onUpgradeDone(client, result));
  }

  /**
   * Schema compatibility, then the self-test rounds on a scratch State. Each round also gets a client made
   * as live ones are and the live command mix (SelfTestWarmUp): V8 specialises the code it optimises during
   * the rounds to the hidden classes it saw, and code warmed only on scratch-made objects was deoptimised by
   * the first live client after the swap (measured with --trace-deopt: processInput, call, execute ... "wrong
   * map"), then re-optimised over the next few hundred ms.
   */
  private async verify(b: LoadedBundle, selfTest: boolean, action: UpgradeHistoryEntry['action'], pacer: Pacer): Promise<string> {
    const logic = b.logic;
    const serr = schemaError(logic, this.state.schema, action) || takeOverError(logic, this.state);
    if (serr) return serr;
    if (!selfTest) return '';
    // Two hosts around one scratch State, used in turn: a call site that saw the methods of only one host
    // (runtime.host.write, host.every ...) is compiled for that very closure and deoptimised when it meets the
    // live host's ("wrong call target"); one that saw two closures of hostApi()'s sites accepts any of them.
    let scratch: [HostApi, HostApi];
    try {
      const first = scratchHost(logic, this.state.runId);
      scratch = [first, scratchHostFor(first.state)];
    } catch (e) {
      return `self-test threw: ${(e as Error)?.message ?? String(e)}`;
    }
    const hotCommands = hottestCommands(this.state, HOT_COMMANDS);
    // The socket a live client record holds (never connected, never written: the scratch host does not use it).
    const socket = new net.Socket();
    try {
      for (let round = 0; round < SELFTEST_ROUNDS; round++) {
        await pacer.pace();
        const host = scratch[round & 1];
        const client = newClientRecord(host.state.nextClientId++, socket, '127.0.0.1:1', '127.0.0.1:0', true, false);
        try {
          const err = logic.selfTest(host, round, { client, hotCommands });
          if (err) return `self-test failed: ${err}`;
        } catch (e) {
          return `self-test threw: ${(e as Error)?.message ?? String(e)}`;
        }
      }
    } finally {
      socket.destroy();
    }
    return '';
  }

  /** Runs between two events (setImmediate): nothing else is executing. */
  private swap(next: LoadedBundle, action: UpgradeHistoryEntry['action']): UpgradeLoadResult {
    const old = this.current;
    const st = this.state;
    // Asked here too, not only in verify: an automatic rollback swaps without verify, and the State moves on meanwhile.
    const terr = takeOverError(next.logic, st);
    if (terr) return this.failure(old.logic.version, next.logic.version, next.sha256, terr, action);
    const t0 = process.hrtime.bigint();
    let error = '';
    try {
      old.logic.deactivate();
    } catch (e) {
      this.logicFault('deactivate', e);
    }
    // The old logic's ticks end with it (rule 3), except those the new one asks for again in activate().
    this.staleTicks = new Set(this.ticks.keys());
    try {
      // A newer schema is migrated to; an older logic that declares it reads the current schema leaves it as is.
      const target = next.logic.stateSchema;
      if (st.schema !== target && !(target < st.schema && (next.logic.readsSchemas ?? []).includes(st.schema))) {
        next.logic.migrate(st, st.schema);
        st.schema = target;
      }
      next.logic.activate(this.host);
      this.current = next;
      this.generation++;
    } catch (e) {
      error = `activation failed: ${(e as Error)?.message ?? String(e)}`;
      try { next.logic.deactivate(); } catch { /* best effort */ }
      this.clearTicks();
      old.logic.activate(this.host);
    }
    this.retireStaleTicks();
    const pauseUs = Number((process.hrtime.bigint() - t0) / 1000n);
    if (error) return this.failure(old.logic.version, next.logic.version, next.sha256, error, action);
    const u = st.upgrade;
    if (action !== 'rollback' && action !== 'auto-rollback') u.upgradesTotal++;
    else u.rollbacksTotal++;
    u.lastUpgradePauseUs = pauseUs;
    u.lastUpgradeResult = 'ok';
    u.lastUpgradeTimeMs = Date.now();
    this.recordLoaded(next);
    this.addHistory({ timeMs: Date.now(), action, from: old.logic.version, to: next.logic.version, sha256: next.sha256, pauseUs, result: 'ok' });
    this.keepPrevious(old, action);
    this.log('notice', `Hot upgrade (${action}) ${old.logic.version} -> ${next.logic.version} done in ${pauseUs} us`);
    return { ok: true, fromVersion: old.logic.version, toVersion: next.logic.version, sha256: next.sha256, pauseUs };
  }

  /**
   * Probation: the replaced logic stays loaded for hotupgrade-probation-ms so a rollback needs no disk
   * read, and a newly loaded logic (not a rollback target) that throws in more than hotupgrade-max-errors
   * calls meanwhile is rolled back automatically. After an automatic rollback the faulty logic is released
   * at once (a later HOTUPGRADE ROLLBACK would reload it from disk and self-test it again).
   */
  private keepPrevious(old: LoadedBundle, action: UpgradeHistoryEntry['action']): void {
    this.endProbation();
    this.previousFile = old.file;
    const u = this.state.upgrade;
    u.previousVersion = old.logic.version;
    if (action === 'auto-rollback') return;
    this.previous = old;
    u.previousLoaded = true;
    this.probationStartMs = Date.now();
    this.watching = action === 'load' || action === 'signal';
    this.watchSeen = this.state.stats.logicExceptions;
    this.probationErrors = 0;
    u.probationErrors = 0;
    this.armProbation();
  }

  /** (Re)arm the end of the probation: hotupgrade-probation-ms after the swap. */
  private armProbation(): void {
    if (this.probationTimer) clearTimeout(this.probationTimer);
    this.probationTimer = null;
    const ends = this.probationStartMs + Number(this.state.config.get('hotupgrade-probation-ms') ?? '10000');
    const left = ends - Date.now();
    if (left <= 0) {
      this.endProbation();
      return;
    }
    this.state.upgrade.probationEndsMs = ends;
    this.probationTimer = setTimeout(() => this.endProbation(), left);
    this.probationTimer.unref();
  }

  private endProbation(): void {
    if (this.probationTimer) clearTimeout(this.probationTimer);
    this.probationTimer = null;
    this.previous = null; // the old bundle becomes garbage here
    this.watching = false;
    const u = this.state.upgrade;
    u.previousLoaded = false;
    u.probationEndsMs = 0;
  }

  /** After each event during a watched probation: count the new logic's exceptions (cheap when there are none). */
  private watchProbation(): void {
    const n = this.state.stats.logicExceptions;
    if (n === this.watchSeen) return;
    this.probationErrors += n > this.watchSeen ? n - this.watchSeen : n; // n < seen: the counter was reset
    this.watchSeen = n;
    this.state.upgrade.probationErrors = this.probationErrors;
    const max = Number(this.state.config.get('hotupgrade-max-errors') ?? '0');
    if (max > 0 && this.probationErrors > max && !this.autoRollbackQueued) {
      this.autoRollbackQueued = true;
      // Rule 4: swap between events, never inside the one that noticed.
      setImmediate(() => this.autoRollback(max));
    }
  }

  private autoRollback(max: number): void {
    this.autoRollbackQueued = false;
    const prev = this.previous;
    if (!this.watching || prev === null) return; // probation ended meanwhile
    const bad = this.current.logic.version;
    const reason = `logic ${bad} threw in ${this.probationErrors} calls during its probation (hotupgrade-max-errors ${max})`;
    this.log('warning', `Hot upgrade probation failed: ${reason}, rolling back to ${prev.logic.version}`);
    this.watching = false;
    // The previous logic passed its self-test when it was loaded; only the schema can have moved since.
    const serr = schemaError(prev.logic, this.state.schema, 'auto-rollback');
    const r = serr ? this.failure(bad, prev.logic.version, prev.sha256, serr, 'auto-rollback') : this.swap(prev, 'auto-rollback');
    if (!r.ok) return;
    const u = this.state.upgrade;
    u.autoRollbacksTotal = (u.autoRollbacksTotal ?? 0) + 1;
    u.lastAutoRollback = reason;
  }

  /** SIGUSR2: reload the configured logic-file. */
  reloadLogicFile(): void {
    const file = this.state.config.get('logic-file') ?? '';
    this.log('notice', `Received SIGUSR2, loading logic-file '${file}'`);
    this.beginUpgrade(file, null, 'signal');
  }

  listBundles(): BundleListing[] {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.logicDir).filter((n) => n.endsWith('.cjs') || n.endsWith('.js')).sort();
    } catch { /* missing dir: empty list */ }
    return names.map((file) => {
      const d = describeBundle(this.logicDir, file, this.trust);
      return { file, version: d.version, sha256: d.sha256, abi: d.abi, stateSchema: d.stateSchema, current: file === this.current.file, error: d.error };
    });
  }

  // ------------------------------------------------------------------ exit

  exit(code: number): void {
    if (this.exiting) return;
    this.exiting = true;
    this.state.shuttingDown = true;
    for (const s of this.servers) s.close();
    for (const c of this.state.clients.values()) {
      c.closed = true;
      c.socket.destroy();
    }
    this.clearTicks();
    for (const t of this.timers.values()) clearTimeout(t);
    const unixPath = this.state.config.get('unixsocket');
    if (unixPath) { try { fs.unlinkSync(unixPath); } catch { /* gone */ } }
    // Let the final log line reach its file, then leave.
    setImmediate(() => process.exit(code));
  }
}

/**
 * Can `logic` take over a State of schema `cur`? A newer schema migrates; an older logic must declare in
 * readsSchemas that it reads `cur` (rolling back across a state-schema change otherwise loses data).
 */
function schemaError(logic: LogicModule, cur: number, action: UpgradeHistoryEntry['action']): string {
  const reads = logic.readsSchemas ?? [];
  if (logic.stateSchema >= cur || reads.includes(cur)) return '';
  const what = action === 'rollback' || action === 'auto-rollback' ? 'cannot roll back across a state-schema change: ' : '';
  return `${what}logic ${logic.version} uses state schema ${logic.stateSchema} and does not declare that it reads ` +
    `the current state schema ${cur} (readsSchemas [${reads.join(', ')}])`;
}

/** The logic's own veto (LogicModule.canTakeOver), e.g. a lazy state migration runs that it cannot continue. */
function takeOverError(logic: LogicModule, st: State): string {
  if (typeof logic.canTakeOver !== 'function') return '';
  try {
    return logic.canTakeOver(st);
  } catch (e) {
    return `canTakeOver threw: ${(e as Error)?.message ?? String(e)}`;
  }
}

/** What a host does; hostApi() wraps it into the HostApi the logic sees. */
type HostOps = { state(): State } & Pick<HostApi, 'write' | 'closeClient' | 'pauseReading' | 'log' | 'every' | 'timerAt' |
  'clearTimer' | 'upgradeLoad' | 'upgradeRollback' | 'upgradeList' | 'shutdown' | 'configChanged' | 'loadingDone'>;

/**
 * The one place a HostApi object is made: the live host and every scratch host share this literal, so they
 * have one hidden class and their methods are closures of the same sites. Code the self-test warmed on a
 * scratch host (runtime.host.write in flushPending ...) then stays optimised with the live one.
 */
function hostApi(ops: HostOps): HostApi {
  return {
    abiMajor: 1,
    get state() { return ops.state(); },
    shellVersion: SHELL_VERSION,
    pid: process.pid,
    executable: process.argv[1] ?? process.execPath,
    nodeVersion: process.version,
    write: (c, data) => ops.write(c, data),
    closeClient: (c) => ops.closeClient(c),
    pauseReading: (c, paused) => ops.pauseReading(c, paused),
    log: (level, msg) => ops.log(level, msg),
    every: (name, ms) => ops.every(name, ms),
    timerAt: (key, at) => ops.timerAt(key, at),
    clearTimer: (key) => ops.clearTimer(key),
    upgradeLoad: (name, client) => ops.upgradeLoad(name, client),
    upgradeRollback: (client) => ops.upgradeRollback(client),
    upgradeList: () => ops.upgradeList(),
    shutdown: (code) => ops.shutdown(code),
    configChanged: (name) => ops.configChanged(name),
    loadingDone: (error) => ops.loadingDone(error),
    nowUs: () => Number(process.hrtime.bigint() / 1000n),
  };
}

/** The one place a ClientRecord is made (live connections, and the self-test's warm-up client): one hidden class. */
export function newClientRecord(id: number, socket: net.Socket, addr: string, laddr: string, local: boolean, unixSocket: boolean): ClientRecord {
  return { id, socket, addr, laddr, local, unixSocket, createdMs: Date.now(), closed: false } as ClientRecord;
}

/** Fields the shell keeps in state.upgrade (the live State, and the scratch ones so that they have its shape). */
function addShellFields(st: State): void {
  const u = st.upgrade;
  u.probationEndsMs = 0;
  u.probationErrors = 0;
  u.autoRollbacksTotal = 0;
  u.lastAutoRollback = '';
}

/** The live server's most called commands (commandStats names), most first: what the self-test warms most. */
function hottestCommands(st: State, n: number): SelfTestWarmUp['hotCommands'] {
  const all: { name: string; calls: number }[] = [];
  for (const [name, s] of st.stats.commandStats) if (s[0] > 0) all.push({ name, calls: s[0] });
  all.sort((a, b) => b.calls - a.calls);
  return all.slice(0, n);
}

/**
 * A scratch host around a fresh State: what selfTest runs against, never the live State. The State is made
 * and completed as the live one is (createState, the shell's fields, configure) so that it has its hidden
 * classes, with no save points and no AOF: nothing the self-test runs (its cron ticks included) writes a file.
 */
export function scratchHost(logic: LogicModule, runId: string): HostApi {
  const state = logic.createState(runId);
  addShellFields(state);
  const err = logic.configure(state, { configText: '', configFile: '', argDirectives: [['save', ''], ['appendonly', 'no']] });
  if (err) throw new Error(`cannot configure the scratch State: ${err}`);
  return scratchHostFor(state);
}

/**
 * For scripts/build.mjs: run a freshly loaded bundle's self-test rounds on a scratch host, as verify() does
 * before a swap, so that the code cache the build then makes holds the bytecode of every function they reach
 * (V8 compiles functions lazily, on first call). Without it each upgrade compiled them again while it
 * prepared, Lua's parser alone (creating the VM for the EVAL cases) about a third of the time. Returns the
 * self-test's error, or ''.
 */
export function runSelfTestForCodeCache(logic: LogicModule): string {
  const first = scratchHost(logic, '0'.repeat(40));
  const hosts = [first, scratchHostFor(first.state)];
  const socket = new net.Socket();
  try {
    for (let round = 0; round < SELFTEST_ROUNDS; round++) {
      const host = hosts[round & 1];
      const client = newClientRecord(host.state.nextClientId++, socket, '127.0.0.1:1', '127.0.0.1:0', true, false);
      const err = logic.selfTest(host, round, { client, hotCommands: [] });
      if (err) return err;
    }
  } finally {
    socket.destroy();
  }
  return '';
}

/** A scratch host around an existing scratch State. */
function scratchHostFor(state: State): HostApi {
  const notHere: UpgradeLoadResult = { ok: false, error: 'not in self-test', fromVersion: '', toVersion: '', sha256: '', pauseUs: 0 };
  return hostApi({
    state: () => state,
    write: () => true,
    closeClient: (c) => { c.closed = true; },
    pauseReading: () => {},
    log: () => {},
    every: () => {},
    timerAt: () => {},
    clearTimer: () => {},
    upgradeLoad: () => notHere,
    upgradeRollback: () => notHere,
    upgradeList: () => [],
    shutdown: () => {},
    configChanged: () => '',
    loadingDone: () => {},
  });
}

/**
 * Paces the preparation of an upgrade (PREPARE_CPU_SHARE): pace() is awaited between two steps (file reads,
 * compile, module body, each self-test round). While clients are active it gives them the event loop for up to
 * (1 - share) / share times the CPU time the last step took, a millisecond at a time, and goes on as soon as a
 * millisecond passes in which none ran a command. An idle server prepares at full speed (a turn of the loop).
 */
class Pacer {
  private stepStart = performance.now();
  /** clients ran commands while the event loop was theirs the last time */
  private clientsActive = true;
  constructor(private readonly shell: Shell) {}

  readonly pace = async (): Promise<void> => {
    const now = performance.now();
    const stats = this.shell.state.stats;
    const restEnd = this.clientsActive ? now + Math.min(PREPARE_REST_MAX_MS, ((now - this.stepStart) * (1 - PREPARE_CPU_SHARE)) / PREPARE_CPU_SHARE) : now;
    let ran = false;
    for (;;) {
      const seen = stats.totalCommands;
      if (restEnd - performance.now() < 1) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        ran ||= stats.totalCommands !== seen;
        break;
      }
      // A timer, not setImmediate: the poll phase then waits for the clients' next requests.
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      if (stats.totalCommands === seen) break;
      ran = true;
    }
    this.clientsActive = ran;
    this.stepStart = performance.now();
  };
}

export function defaultLogicDir(installRoot: string): string {
  return path.join(installRoot, 'dist', 'logic');
}

/** Listener counts on `process` and the names on globalThis: what a bundle must leave alone (DESIGN rule 3). */
function processHooks(): { listeners: Map<string | symbol, number>; globals: Set<string> } {
  const listeners = new Map<string | symbol, number>();
  for (const name of process.eventNames()) listeners.set(name, process.listenerCount(name));
  return { listeners, globals: new Set(Object.getOwnPropertyNames(globalThis)) };
}

/**
 * What loading and self-testing a bundle added to the process, as an upgrade error, or ''. A listener on
 * `process` or a global that holds one of the bundle's functions keeps the whole bundle alive after it is
 * replaced: fengari's `tmp` dependency added an 'exit' listener per bundle, ~2.5 MB per upgrade, and the
 * bundle's exports were collected all the same, so only the memory showed it.
 */
function hooksAdded(before: ReturnType<typeof processHooks>): string {
  const now = processHooks();
  const added: string[] = [];
  for (const [name, n] of now.listeners) {
    const was = before.listeners.get(name) ?? 0;
    if (n > was) added.push(`process '${String(name)}' listener +${n - was}`);
  }
  for (const g of now.globals) if (!before.globals.has(g)) added.push(`global '${g}'`);
  return added.length === 0 ? '' : `the bundle hooked the process (${added.join(', ')}); it could never be freed after a swap`;
}
