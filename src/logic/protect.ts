// Redis's protected actions: DEBUG, CONFIG SET of protected configs, and hotkv's HOTUPGRADE are allowed
// by a yes / no / local directive (enable-debug-command, enable-protected-configs,
// enable-hotupgrade-command); `local` means a loopback or unix-socket client (allowProtectedAction).

import { cfg, type Client } from './runtime';

export function protectedActionAllowed(directive: string, c: Client, fallback = 'no'): boolean {
  const mode = cfg(directive) || fallback;
  return mode === 'yes' || (mode === 'local' && c.local);
}

/** The refusal text of a protected command, as processCommand words it. */
export function protectedCommandError(command: string, directive: string): string {
  return `ERR ${command} command not allowed. If the ${directive} option is set to "local", you can run it from a local ` +
    'connection, otherwise you need to set this option in the configuration file, and then restart the server.';
}
