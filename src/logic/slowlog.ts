// The slow log (SLOWLOG, commands/slowlog.ts): commands whose execution took at least
// slowlog-log-slower-than microseconds, newest last, at most slowlog-max-len of them, as Redis 7.0's slowlog.c
// keeps them. dispatch.ts times the commands and calls slowlogPush. Entries are plain data in
// state.ext.slowlog, so the log and its ids survive hot upgrades.
import type { CommandDef } from './commands/table';
import { redactedArgs } from './redact';
import { cfgInt, state, type Client } from './runtime';

export interface SlowlogEntry {
  id: number;
  /** unix seconds when it was logged */
  time: number;
  durationUs: number;
  /** the arguments, trimmed and redacted as Redis logs them */
  args: string[];
  /** ip:port of the client ("?:0" for the script client) */
  peer: string;
  name: string;
}

interface SlowlogState {
  entries: SlowlogEntry[];
  nextId: number;
}

export function slowlogState(): SlowlogState {
  let s = state.ext.slowlog as SlowlogState | undefined;
  if (s === undefined) {
    s = { entries: [], nextId: 0 };
    state.ext.slowlog = s;
  }
  return s;
}

/** SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING of slowlog.h. */
const MAX_ARGC = 32;
const MAX_STRING = 128;

/** Log the command `def` of client c (argv as received) that took durationUs, if it is slow enough. */
export function slowlogPush(c: Client, def: CommandDef, argv: readonly string[], durationUs: number, threshold: number): void {
  if (durationUs < threshold || def.flags.has('skip_slowlog')) return;
  const all = redactedArgs(def, argv);
  const argc = Math.min(all.length, MAX_ARGC);
  const args: string[] = [];
  for (let i = 0; i < argc; i++) {
    if (argc !== all.length && i === argc - 1) {
      args.push(`... (${all.length - argc + 1} more arguments)`);
      break;
    }
    const a = all[i];
    args.push(a.length > MAX_STRING ? `${a.slice(0, MAX_STRING)}... (${a.length - MAX_STRING} more bytes)` : a);
  }
  const s = slowlogState();
  s.entries.push({ id: s.nextId++, time: Math.floor(Date.now() / 1000), durationUs, args, peer: c.addr || '?:0', name: c.name });
  const max = Math.max(0, cfgInt('slowlog-max-len'));
  if (s.entries.length > max) s.entries.splice(0, s.entries.length - max);
}
