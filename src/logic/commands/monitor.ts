// MONITOR: the client receives every command other clients (and scripts) run, as monitor.ts feeds them.
import type { ClientRecord } from '../../abi';
import { lifecycleHooks } from '../lifecycle';
import { monitorIds, refreshMonitoring } from '../monitor';
import { CLIENT_IN_EXEC } from '../dispatch';
import { addError, addOk } from '../resp/reply';
import type { Client } from '../runtime';
import { clientInfoHooks } from './client';
import { resetHooks } from './connection';
import type { CommandSpec } from './table';

function isMonitor(c: Client): boolean {
  return monitorIds().includes(c.id);
}

function monitor(c: Client): void {
  // A client that expects a reply per command (running EXEC) cannot stream: Redis's CLIENT_DENY_BLOCKING.
  if ((c.flags & CLIENT_IN_EXEC) !== 0) {
    addError(c, "ERR MONITOR isn't allowed for DENY BLOCKING client");
    return;
  }
  // Redis ignores MONITOR from a client that already monitors: no second +OK.
  if (isMonitor(c)) return;
  monitorIds().push(c.id);
  refreshMonitoring();
  addOk(c);
}

function stopMonitoring(c: ClientRecord): void {
  const ids = monitorIds();
  const i = ids.indexOf(c.id);
  if (i < 0) return;
  ids.splice(i, 1);
  refreshMonitoring();
}

lifecycleHooks.activate.push(refreshMonitoring);
lifecycleHooks.clientClose.push(stopMonitoring);
resetHooks.push(stopMonitoring);
clientInfoHooks.push((c, info) => {
  if (isMonitor(c)) info.flags += 'O';
});

export const commands: CommandSpec[] = [
  { name: 'monitor', fn: monitor },
];
