// CLIENT PAUSE / UNPAUSE (commands/clientpause.ts), as Redis 7.0's pauseClients does it: while a pause holds,
// a client's command is postponed (for WRITE, only commands with the `write` or `may_replicate` flag, and EXEC
// of such a queue), keeping the client's place: its command and everything after it wait, and run in the order
// they were postponed once the pause ends (CLIENT UNPAUSE or its end time). Keys are neither expired on access
// nor by the active cycle meanwhile (a key past its time reads as missing but stays), as Redis. The pause is
// plain data in state.ext.clientPause and its end a shell timer, so a hot upgrade keeps both.
import type { CommandDef } from './commands/table';
import { call, clientPause, CLIENT_MULTI, lookupCommand, processInput } from './dispatch';
import { expireGate } from './keyspace';
import { lifecycleHooks } from './lifecycle';
import { host, state, type Client } from './runtime';

export type PauseType = 'write' | 'all';

interface PauseState {
  type: PauseType;
  endMs: number;
  /** ids of the postponed clients, in the order they were postponed */
  postponed: number[];
}

const TIMER = 'clientpause:end';

function pauseState(): PauseState | undefined {
  return state.ext.clientPause as PauseState | undefined;
}

/** Module caches of the State's pause (rebuilt on activate): dispatch's one check, and the expiry gate. */
function refresh(): void {
  const p = pauseState();
  clientPause.hold = p === undefined ? null : holdIfPaused;
  expireGate.paused = p !== undefined;
}

/**
 * Redis's CMD_MAY_REPLICATE commands (not shown by COMMAND INFO, so not in meta.json): they may replicate
 * without the `write` flag, and a WRITE pause holds them too (checked against redis-server 7.0).
 */
const MAY_REPLICATE = new Set(['publish', 'spublish', 'eval', 'evalsha', 'fcall', 'pfcount']);

function writesOrReplicates(def: CommandDef): boolean {
  return def.flags.has('write') || MAY_REPLICATE.has(def.name);
}

/** Whether c's command def must wait for the pause p to end. */
function mustWait(p: PauseState, c: Client, def: CommandDef): boolean {
  if (p.type === 'all') return true;
  if (writesOrReplicates(def)) return true;
  // EXEC of a queue that writes (Redis's mstate.cmd_flags): the queued argv, looked up (commands/multi.ts)
  if (def.name === 'exec' && (c.flags & CLIENT_MULTI) !== 0) {
    const queue = (c.ext.mstate as { queue: string[][] } | undefined)?.queue ?? [];
    for (const argv of queue) {
      const q = lookupCommand(argv);
      if (q !== undefined && writesOrReplicates(q)) return true;
    }
  }
  return false;
}

/** Postpone c's command (argv) when it must wait, as blockPostponeClient does; true when it did. */
function holdIfPaused(c: Client, def: CommandDef, argv: string[]): boolean {
  const p = pauseState();
  if (p === undefined || !mustWait(p, c, def)) return false;
  c.ext.postponed = argv;
  c.pausedFor = 'postponed';
  p.postponed.push(c.id);
  return true;
}

/** Start or extend a pause: the later end and the stricter type win, as pauseClients does. */
export function pauseClients(type: PauseType, endMs: number): void {
  const p = pauseState();
  if (p === undefined) {
    state.ext.clientPause = { type, endMs, postponed: [] } satisfies PauseState;
  } else {
    if (type === 'all') p.type = 'all';
    if (endMs > p.endMs) p.endMs = endMs;
  }
  host.timerAt(TIMER, pauseState()!.endMs);
  refresh();
}

/** End the pause and run the postponed commands in order (unpauseClients + unblockPostponedClients). */
export function unpauseClients(): void {
  const p = pauseState();
  if (p === undefined) return;
  delete state.ext.clientPause;
  host.clearTimer(TIMER);
  refresh();
  for (const id of p.postponed) {
    const c = state.clients.get(id);
    if (c === undefined || c.closed || c.pausedFor !== 'postponed') continue;
    const argv = c.ext.postponed as string[] | undefined;
    delete c.ext.postponed;
    c.pausedFor = '';
    if (argv !== undefined) call(c, argv);
    processInput(c);
  }
}

lifecycleHooks.activate.push(() => {
  refresh();
  const p = pauseState();
  if (p !== undefined) host.timerAt(TIMER, p.endMs);
});
lifecycleHooks.deactivate.push(() => {
  clientPause.hold = null;
});
lifecycleHooks.timer.push((key) => {
  if (key !== TIMER) return;
  const p = pauseState();
  if (p === undefined) return;
  if (p.endMs > Date.now()) host.timerAt(TIMER, p.endMs);
  else unpauseClients();
});
lifecycleHooks.clientClose.push((c) => {
  const p = pauseState();
  if (p === undefined) return;
  const i = p.postponed.indexOf(c.id);
  if (i >= 0) p.postponed.splice(i, 1);
});
