// Input processing and command dispatch: parse what the client sent, run each command, and leave
// any partial command as bytes in client.inbuf.

import { refreshNotifyFlags } from './notify';
import { parseCommand } from './resp/parser';
import { addError, countError, emitAlways, errorProto } from './resp/reply';
import { cfgInt, host, markPending, now, state, type Client } from './runtime';
import type { CommandDef } from './commands/table';
import { applyHeapPolicy } from './heap';
import { feedMonitors, monitoring, monitorWhen } from './monitor';
import { slowlogPush } from './slowlog';

let table: Map<string, CommandDef> = new Map();
let maxBulk = 512 * 1024 * 1024;
let queryBufferLimit = 1024 * 1024 * 1024;
/** requirepass is set: clients that have not authenticated may only run no_auth commands */
let passwordRequired = false;
/** slowlog-log-slower-than: microseconds; negative turns the slow log off */
let slowlogThreshold = 10000;

export function setTable(t: Map<string, CommandDef>): void {
  table = t;
  bySpelling = new Map();
}

/**
 * Command names exactly as clients spell them ("SET", as redis-benchmark sends it) -> command: one Map hit
 * instead of a miss, toLowerCase and a second lookup per command. Disposable (rebuilt with the table);
 * bounded, since every mix of cases of a name is a different spelling.
 */
let bySpelling: Map<string, CommandDef> = new Map();
export function findCommand(name: string): CommandDef | undefined {
  let def = bySpelling.get(name);
  if (def !== undefined) return def;
  def = table.get(name);
  if (def === undefined) def = table.get(name.toLowerCase());
  if (def !== undefined && bySpelling.size < 1024) bySpelling.set(name, def);
  return def;
}
export function getTable(): Map<string, CommandDef> {
  return table;
}
/** Re-read config values the hot path uses (on activate and after CONFIG SET). */
export function refreshDispatchConfig(): void {
  maxBulk = cfgInt('proto-max-bulk-len') || 512 * 1024 * 1024;
  queryBufferLimit = cfgInt('client-query-buffer-limit') || 1024 * 1024 * 1024;
  passwordRequired = (state.config.get('requirepass') ?? '') !== '';
  slowlogThreshold = cfgInt('slowlog-log-slower-than');
  refreshNotifyFlags();
  applyHeapPolicy();
}

/** Append newly received bytes to the client's pending input. */
export function feed(c: Client, chunk: Buffer): void {
  if (c.inchunks !== null) {
    // Waiting for a large argument whose size is known: collect chunks, join once.
    c.inchunks.push(chunk);
    c.inchunksLen += chunk.length;
    if (c.inchunksLen < c.inNeed) return;
    c.inbuf = Buffer.concat(c.inchunks, c.inchunksLen);
    c.inchunks = null;
    c.inchunksLen = 0;
    c.inNeed = 0;
  } else if (c.inbuf === null || c.inbuf.length === 0) {
    c.inbuf = chunk;
  } else {
    c.inbuf = Buffer.concat([c.inbuf, chunk]);
  }
  if (c.inbuf.length > queryBufferLimit) {
    // Redis closes such a client without a reply (freeClientAsync) and logs it.
    host.log('warning', `Closing client that reached max query buffer length: id=${c.id} addr=${c.addr} (qbuf initial bytes: ${JSON.stringify(c.inbuf.latin1Slice(0, 64))})`);
    c.inbuf = null;
    host.closeClient(c);
    return;
  }
  processInput(c);
}

/** Parse and run commands from client.inbuf until it is empty, incomplete, or the client pauses. */
export function processInput(c: Client): void {
  if (c.inbuf === null) return;
  if (timing.batching) {
    processBuffer(c);
    return;
  }
  // The outermost call times the commands it runs in runs (see `timing`).
  timing.batching = true;
  try {
    processBuffer(c);
  } finally {
    endTimingBatch();
  }
}

function processBuffer(c: Client): void {
  const buf = c.inbuf!;
  const len = buf.length;
  let pos = 0;
  while (pos < len && c.pausedFor === '' && !c.closeAfterReply && !c.closed) {
    const r = parseCommand(buf, pos, maxBulk, passwordRequired && !c.authenticated);
    if (r.argv === null) {
      if (r.error) {
        protocolError(c, r.error);
        pos = len;
      } else if (r.need > 64 * 1024) {
        // A big bulk is on its way: stop re-parsing on every chunk, collect until it is all here.
        c.inchunks = [buf.subarray(pos)];
        c.inchunksLen = len - pos;
        c.inNeed = r.need;
        c.inbuf = null;
        return;
      }
      break;
    }
    pos = r.next;
    if (r.argv.length > 0) call(c, r.argv);
  }
  c.inbuf = pos >= len ? null : pos === 0 ? buf : buf.subarray(pos);
}

function protocolError(c: Client, text: string): void {
  // Redis replies even under CLIENT REPLY OFF, then closes the connection after the reply.
  countError('ERR ' + text);
  emitAlways(c, errorProto('ERR ' + text));
  c.closeAfterReply = true;
  state.stats.protocolErrors++;
  markPending(c);
  host.log('verbose', `Protocol error (${text}) from client: id=${c.id} addr=${c.addr}`);
}

export function unknownCommandText(argv: string[]): string {
  // Redis formats with %.*s / %.128s: each argument stops at its first NUL byte
  const cstr = (s: string) => { const z = s.indexOf('\0'); return z < 0 ? s : s.slice(0, z); };
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${cstr(argv[i]).slice(0, 128 - args.length)}' `;
  }
  return `ERR unknown command '${cstr(argv[0]).slice(0, 128)}', with args beginning with: ${args}`;
}

export function lookupCommand(argv: string[]): CommandDef | undefined {
  let def = table.get(argv[0]);
  if (def === undefined) def = table.get(argv[0].toLowerCase());
  if (def !== undefined && def.sub !== null && argv.length >= 2) {
    return def.sub.get(argv[1].toLowerCase());
  }
  return def;
}

/** Run one command: lookup, arity, then the implementation; exceptions become error replies. */
/** Client flag bits (ClientRecord.flags). Any set bit makes dispatch consult the gates. */
export const CLIENT_MULTI = 1 << 0; // inside MULTI: commands are queued
export const CLIENT_DIRTY_EXEC = 1 << 1; // a queued command was rejected: EXEC answers EXECABORT
export const CLIENT_PUBSUB = 1 << 2; // has subscriptions (RESP2 restricts the allowed commands)
export const CLIENT_BLOCKED = 1 << 3; // waiting in a blocking command
export const CLIENT_IN_EXEC = 1 << 4; // EXEC is running its queue (blocking commands must not block)

/**
 * Hooks the transaction/pub-sub and blocking families install (module-level, rebuilt on load):
 * - beforeExecute: runs after lookup and arity checks when c.flags != 0; returns true when it handled
 *   the command (queued it in MULTI, refused it in subscribed mode ...).
 * - onReject: a command was refused before running (unknown, arity; `def` when it was found) - MULTI
 *   flags the transaction, a refused EXEC aborts it. Returns true when it replied itself.
 * - afterCommand: set `pending` to have `run` called once the current top-level command is done
 *   (Redis serves clients blocked on keys that became ready after the command, or after EXEC).
 */
export const gates = {
  beforeExecute: null as null | ((c: Client, def: CommandDef, argv: string[]) => boolean),
  onReject: null as null | ((c: Client, text: string, def: CommandDef | null) => boolean),
};
/**
 * Conditions that refuse commands before they run, checked after authentication and before MULTI queueing,
 * in Redis's processCommand order: MISCONF (persistence errors, commands/persistence.ts), then LOADING
 * (persistence/loading.ts). Each returns the error text or null. Empty unless such a condition holds, so
 * the check costs one length test per command.
 */
export const denials: ((c: Client, def: CommandDef, argv: string[]) => string | null)[] = [];
/**
 * CLIENT PAUSE (pause.ts): set only while a pause holds; parks the command when it must wait (returns true).
 * Checked after the denials and before MULTI queueing, as Redis's processCommand does.
 */
export const clientPause = {
  hold: null as null | ((c: Client, def: CommandDef, argv: string[]) => boolean),
};
export const afterCommand = {
  pending: false,
  run: null as null | (() => void),
};

/** Lookup, arity and gates, then execute; serves ready keys afterwards. */
export function call(c: Client, argv: string[]): void {
  // The event's cached clock, as Redis sets lastinteraction from its cached time (a clock read costs ~60 ns
  // on this kind of VM, a third of a pipelined GET's logic).
  c.lastInteractionMs = now();
  let def = findCommand(argv[0]);
  if (def === undefined) {
    reject(c, unknownCommandText(argv));
    return;
  }
  if (def.sub !== null && argv.length >= 2) {
    const sub = def.sub.get(argv[1].toLowerCase());
    if (sub === undefined) {
      reject(c, `ERR unknown subcommand '${argv[1].slice(0, 128)}'. Try ${argv[0].toUpperCase()} HELP.`);
      return;
    }
    def = sub;
  }
  const arity = def.arity;
  if ((arity > 0 && arity !== argv.length) || argv.length < -arity || def.fn === null) {
    def.stats[2]++;
    reject(c, `ERR wrong number of arguments for '${def.name}' command`, def);
    return;
  }
  // Protected commands (DEBUG): processCommand refuses them here, before authentication and MULTI queueing.
  if (def.gate !== null) {
    const err = def.gate(c);
    if (err !== null) {
      def.stats[2]++;
      reject(c, err, def);
      return;
    }
  }
  // Refusals of a known command count as its rejected_calls, as Redis's rejectCommand does.
  if (passwordRequired && !c.authenticated && !def.flags.has('no_auth')) {
    def.stats[2]++;
    reject(c, 'NOAUTH Authentication required.');
    return;
  }
  if (denials.length !== 0) {
    for (let i = 0; i < denials.length; i++) {
      const err = denials[i](c, def, argv);
      if (err !== null) {
        def.stats[2]++;
        reject(c, err, def);
        return;
      }
    }
  }
  if (clientPause.hold !== null && clientPause.hold(c, def, argv)) return;
  if (c.flags !== 0 && gates.beforeExecute !== null && gates.beforeExecute(c, def, argv)) return;
  execute(c, def, argv);
  if (afterCommand.pending && afterCommand.run !== null) {
    afterCommand.pending = false;
    afterCommand.run();
  }
}

/**
 * Command propagation (the AOF, persistence/aof.ts): `before` runs before every executed command, `after`
 * once it ran, with whether it changed the dataset (server.dirty moved) and whether it ran under EXEC.
 */
export const propagation = {
  before: null as null | ((c: Client, def: CommandDef, argv: string[]) => void),
  after: null as null | ((c: Client, def: CommandDef, argv: string[], wrote: boolean, nested: boolean) => void),
};

/** The command being executed (the innermost one under EXEC): blocking.ts records it when a client blocks. */
export const running = { def: null as CommandDef | null, argv: [] as string[] };

/** Set by blocking.ts while it re-runs a blocked command to serve it: monitors saw the command when it blocked. */
export const reexecution = { active: false };

let errorMark = 0;

/**
 * INFO commandstats `usec` without two clock reads around every command (~60 ns each on this kind of VM, a
 * third of a pipelined GET's logic). While an outermost processInput runs (one input event), the clock is read
 * only when the command changes: a run of the same command (a pipeline of GETs) is one interval, added to
 * that command's usec when the run ends. Per-command totals stay right (a run also carries the parsing of
 * its later commands), `calls` stay exact, and a lone command (no pipelining) is timed as before. Commands
 * queued under EXEC and those run outside processInput (AOF loading) are timed one by one; EXEC's own
 * interval includes its queue, as in Redis. Disposable module state: a run never outlives its processInput.
 */
const timing = { batching: false, run: null as number[] | null, start: 0 };

/** Close the current run at time t (performance.now()): its interval goes to its command's usec. */
function endRun(t: number): void {
  const run = timing.run;
  if (run !== null) run[1] += (t - timing.start) * 1000;
}

function endTimingBatch(): void {
  timing.batching = false;
  if (timing.run !== null) {
    endRun(performance.now());
    timing.run = null;
  }
}

/** A blocked command re-run that stays blocked is not timed again (blocking.ts): drop its open run. */
export function discardCommandTiming(stats: number[]): void {
  if (timing.run === stats) timing.run = null;
}

/** Run an already looked-up command: CLIENT REPLY SKIP, stats, and the exception guard. EXEC uses it for its queue. */
export function execute(c: Client, def: CommandDef, argv: string[]): void {
  const st = state.stats;
  // Under EXEC, CLIENT REPLY SKIP and cmd= belong to the EXEC command, as in Redis.
  const nested = (c.flags & CLIENT_IN_EXEC) !== 0;
  if (!nested) {
    c.skipThis = c.replyMode === 'skip';
    if (c.skipThis) c.replyMode = 'on';
    // Set before running, as Redis does, so CLIENT LIST/INFO show the running command as cmd=.
    c.lastCmd = def.name;
  }
  running.def = def;
  running.argv = argv;
  errorMark = st.totalErrorReplies;
  const dirtyBefore = st.dirty;
  if (propagation.before !== null) propagation.before(c, def, argv);
  if (monitoring.on && !reexecution.active && monitorWhen(def) === 'before') feedMonitors(c, def, argv, emitAlways);
  const stats = def.stats;
  // A pipelined run of one command is timed as a whole (see `timing`), so only commands that cannot be slow
  // (Redis's `fast` flag) are batched while the slow log is on; with slowlog-log-slower-than 0 (log every
  // command) none is.
  const thresholdBefore = slowlogThreshold;
  const batched = timing.batching && !nested && (thresholdBefore < 0 || (thresholdBefore > 0 && def.fast));
  let t0 = 0;
  if (batched) {
    if (timing.run !== stats) {
      const t = performance.now();
      endRun(t);
      timing.run = stats;
      timing.start = t;
    }
  } else {
    t0 = performance.now();
  }
  try {
    def.fn!(c, argv);
  } catch (e) {
    st.logicExceptions++;
    host.log('warning', `logic exception in '${def.name}': ${(e as Error)?.stack ?? String(e)}`);
    addError(c, `ERR internal error in hotkv logic while running '${def.name}': ${(e as Error)?.message ?? String(e)}`);
  }
  if (propagation.after !== null) propagation.after(c, def, argv, st.dirty > dirtyBefore, nested);
  if (monitoring.on && !reexecution.active && monitorWhen(def) === 'after') feedMonitors(c, def, argv, emitAlways);
  stats[0]++;
  if (!batched) {
    const us = (performance.now() - t0) * 1000;
    stats[1] += us;
    // Read after the command: CONFIG SET slowlog-log-slower-than is judged by its new value, as in Redis. A
    // command that blocked is logged when it is served, not now.
    if (slowlogThreshold >= 0 && (c.flags & CLIENT_BLOCKED) === 0) slowlogPush(c, def, argv, Math.floor(us), slowlogThreshold);
  } else if (slowlogThreshold !== thresholdBefore && slowlogThreshold >= 0) {
    // This command (a CONFIG SET) turned the slow log on while timed in a run: it is judged too, timed from its run's start.
    slowlogPush(c, def, argv, Math.floor((performance.now() - timing.start) * 1000), slowlogThreshold);
  }
  // Errors since the mark (which a nested command under EXEC moves past its own errors), as Redis's
  // incrCommandStatsOnError with its static prev_err_count: EXEC fails only for errors of its own.
  if (st.totalErrorReplies > errorMark) stats[3]++; // ">": CONFIG RESETSTAT may have zeroed the counter
  errorMark = st.totalErrorReplies;
  st.totalCommands++;
  c.commandsProcessed++;
  if (!nested) c.skipThis = false;
}

/** A command refused before it ran (unknown, arity): an error reply, not counted as processed. */
function reject(c: Client, text: string, def: CommandDef | null = null): void {
  if (gates.onReject !== null && gates.onReject(c, text, def)) return;
  addError(c, text);
}
