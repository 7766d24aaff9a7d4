// MONITOR's feed: every command a client runs, as a status line to each monitoring client, in Redis 7.0's
// format and order (replicationFeedMonitors): `+<sec>.<usec> [<db> <peer>] "arg" ...`, sent after the command
// ran (so SELECT shows its new db), except for the script commands (EVAL...: Redis's skip_monitor flag), which
// are fed before they run, so the commands a script runs (peer "lua") follow them. Administrative commands are
// never shown, nor a blocked command when it is re-run to serve it, nor commands refused before running.
// The monitors are client ids in state.ext.monitors (plain data: monitoring survives hot upgrades).
import type { CommandDef } from './commands/table';
import { redactedArgs } from './redact';
import { state, type Client } from './runtime';

export function monitorIds(): number[] {
  let m = state.ext.monitors as number[] | undefined;
  if (m === undefined) {
    m = [];
    state.ext.monitors = m;
  }
  return m;
}

/** Whether any client monitors: the one check dispatch makes per command. Refreshed by setMonitoring. */
export const monitoring = { on: false };

export function refreshMonitoring(): void {
  const m = state.ext.monitors as number[] | undefined;
  monitoring.on = m !== undefined && m.length > 0;
}

/** Redis's sdscatrepr: the argument in double quotes, with \\, \", \n, \r, \t, \a, \b and \xHH escapes. */
function repr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    switch (ch) {
      case 0x5c: out += '\\\\'; break;
      case 0x22: out += '\\"'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x07: out += '\\a'; break;
      case 0x08: out += '\\b'; break;
      default:
        out += ch >= 0x20 && ch < 0x7f ? s[i] : '\\x' + ch.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}

/** Whether `def` is shown to monitors at all, and whether before it runs (script commands) or after. */
export function monitorWhen(def: CommandDef): 'never' | 'before' | 'after' {
  if (def.flags.has('admin')) return 'never';
  return def.flags.has('skip_monitor') ? 'before' : 'after';
}

/** Send c's command (argv as received) to every monitor. `write` appends a status line to a monitor. */
export function feedMonitors(c: Client, def: CommandDef, argv: readonly string[], write: (m: Client, line: string) => void): void {
  const t = performance.timeOrigin + performance.now();
  const sec = Math.floor(t / 1000);
  const usec = Math.floor((t - sec * 1000) * 1000);
  const peer = c.addr === '' ? 'lua' : c.unixSocket ? `unix:${c.laddr}` : c.addr;
  let line = `+${sec}.${String(usec).padStart(6, '0')} [${c.db} ${peer}]`;
  for (const a of redactedArgs(def, argv)) line += ' ' + repr(a);
  line += '\r\n';
  for (const id of monitorIds()) {
    const m = state.clients.get(id);
    if (m !== undefined) write(m, line);
  }
}
