// Arguments that must never be shown: what Redis's redactClientCommandArgument hides from SLOWLOG and MONITOR.
import type { CommandDef } from './commands/table';

export const REDACTED = '(redacted)';

/** Directives whose values CONFIG SET must not show (Redis's SENSITIVE_CONFIG). */
const SENSITIVE_CONFIGS = new Set(['requirepass', 'masterauth', 'masteruser']);

/** The arguments with the passwords of AUTH, HELLO ... AUTH and CONFIG SET of a sensitive directive replaced. */
export function redactedArgs(def: CommandDef, argv: readonly string[]): readonly string[] {
  switch (def.name) {
    case 'auth':
      return argv.map((a, i) => (i === 0 ? a : REDACTED));
    case 'hello': {
      const out = argv.slice();
      for (let i = 2; i < out.length; i++) {
        const opt = out[i].toLowerCase();
        if (opt === 'auth' && i + 2 < out.length) {
          out[i + 1] = REDACTED;
          out[i + 2] = REDACTED;
          i += 2;
        } else if (opt === 'setname' && i + 1 < out.length) {
          i++;
        }
      }
      return out;
    }
    case 'config|set': {
      const out = argv.slice();
      for (let i = 2; i + 1 < out.length; i += 2) if (SENSITIVE_CONFIGS.has(out[i].toLowerCase())) out[i + 1] = REDACTED;
      return out;
    }
    default:
      return argv;
  }
}
