// CLIENT PAUSE timeout [WRITE|ALL] and CLIENT UNPAUSE (pause.ts does the pausing).
import { getMsTimeoutOrReply } from '../blocking';
import { pauseClients, unpauseClients, type PauseType } from '../pause';
import { addSubcommandSyntaxError, addError, addOk } from '../resp/reply';
import type { Client } from '../runtime';
import type { CommandSpec } from './table';

function pause(c: Client, argv: string[]): void {
  let type: PauseType = 'all';
  if (argv.length === 4) {
    const mode = argv[3].toLowerCase();
    if (mode === 'write') type = 'write';
    else if (mode !== 'all') {
      addError(c, 'ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  } else if (argv.length > 4) {
    addSubcommandSyntaxError(c, argv);
    return;
  }
  const endMs = getMsTimeoutOrReply(c, argv[2]);
  if (endMs === null) return;
  pauseClients(type, endMs === 0 ? Date.now() : endMs);
  addOk(c);
}

function unpause(c: Client): void {
  unpauseClients();
  addOk(c);
}

export const commands: CommandSpec[] = [
  { name: 'client|pause', fn: pause },
  { name: 'client|unpause', fn: unpause },
];
