// HOTUPGRADE LOAD|ROLLBACK|STATUS|LIST|HISTORY|HELP: hotkv's own command. The shell does the
// loading and swapping; this family parses, checks permission and formats replies.

import type { UpgradeLoadResult } from '../../abi';
import { processInput } from '../dispatch';
import { addArrayLen, addError, addFieldMap, addHelp, ERR_SYNTAX } from '../resp/reply';
import { flushPending, host, state, STATE_SCHEMA, type Client } from '../runtime';
import { parseSafeInt } from '../util/numbers';
import type { CommandMeta, CommandSpec } from './table';
import { protectedActionAllowed, protectedCommandError } from '../protect';

function allowed(c: Client): boolean {
  if (protectedActionAllowed('enable-hotupgrade-command', c, 'local')) return true;
  addError(c, protectedCommandError('HOTUPGRADE', 'enable-hotupgrade-command'));
  return false;
}

function replyResult(c: Client, r: UpgradeLoadResult): void {
  if (!r.ok) {
    addError(c, `ERR hot upgrade failed: ${r.error ?? 'unknown error'}`);
    return;
  }
  addFieldMap(c, [['from', r.fromVersion], ['to', r.toVersion], ['sha256', r.sha256], ['pause_us', r.pauseUs]]);
}

/** Start the upgrade; the client waits (its further input stays queued) until the swap is done. */
function startOrReply(c: Client, r: UpgradeLoadResult | null): void {
  if (r !== null) replyResult(c, r);
  else c.pausedFor = 'upgrade';
}

function load(c: Client, argv: string[]): void {
  if (!allowed(c)) return;
  startOrReply(c, host.upgradeLoad(argv[2], c));
}

function rollback(c: Client): void {
  if (!allowed(c)) return;
  startOrReply(c, host.upgradeRollback(c));
}

/** Called by the shell (on whichever logic is active after the swap) for the waiting client. */
export function upgradeDone(c: Client, r: UpgradeLoadResult): void {
  c.pausedFor = '';
  replyResult(c, r);
  processInput(c);
  flushPending();
}

function status(c: Client): void {
  if (!allowed(c)) return;
  const u = state.upgrade;
  const fields: [string, string | number][] = [
    ['logic_version', u.logicVersion],
    ['logic_sha256', u.logicSha256],
    ['logic_file', u.logicFile],
    ['state_schema', STATE_SCHEMA],
    ['upgrades_total', u.upgradesTotal],
    ['upgrades_failed', u.upgradesFailed],
    ['rollbacks_total', u.rollbacksTotal],
    ['last_upgrade_pause_us', u.lastUpgradePauseUs],
    ['last_upgrade_result', u.lastUpgradeResult],
    ['previous_loaded', u.previousLoaded ? 1 : 0],
    ['previous_version', u.previousVersion],
  ];
  addFieldMap(c, fields);
}

function list(c: Client): void {
  if (!allowed(c)) return;
  const bundles = host.upgradeList();
  addArrayLen(c, bundles.length);
  for (const b of bundles) {
    const fields: [string, string | number][] = [['file', b.file], ['version', b.version], ['sha256', b.sha256],
      ['state_schema', b.stateSchema ?? -1], ['current', b.current ? 1 : 0]];
    if (b.error) fields.push(['error', b.error]);
    addFieldMap(c, fields);
  }
}

function history(c: Client, argv: string[]): void {
  if (!allowed(c)) return;
  const all = state.upgrade.history;
  let count = all.length;
  if (argv.length === 3) {
    const n = parseSafeInt(argv[2]);
    if (n === null || n < 0) {
      addError(c, 'ERR value is out of range, must be positive');
      return;
    }
    count = Math.min(n, all.length);
  } else if (argv.length > 3) {
    addError(c, ERR_SYNTAX);
    return;
  }
  // Newest first, like SLOWLOG GET.
  addArrayLen(c, count);
  for (let i = all.length - 1; i >= all.length - count; i--) {
    const h = all[i];
    addFieldMap(c, [['time_ms', h.timeMs], ['action', h.action], ['from', h.from], ['to', h.to], ['sha256', h.sha256],
      ['pause_us', h.pauseUs], ['result', h.result]]);
  }
}

function help(c: Client): void {
  addHelp(c, 'HOTUPGRADE', [
    'LOAD <bundle>',
    '    Load, verify and swap in a logic bundle from logic-dir; clients stay connected.',
    'ROLLBACK',
    '    Swap back to the logic that was active before the last upgrade.',
    'STATUS',
    '    Show the active logic version, sha256 and upgrade counters.',
    'LIST',
    '    List the bundles in logic-dir with their versions.',
    'HISTORY [<count>]',
    '    Show past upgrade attempts, newest first.',
  ]);
}

const sub = (name: string, arity: number, summary: string, flags: string[]) => ({
  info: [`hotupgrade|${name}`, arity, { set: flags.map((s) => ({ s })) }, 0, 0, 0,
    { set: [{ s: '@admin' }, { s: '@slow' }, { s: '@dangerous' }] }, { set: [] }, { set: [] }, { set: [] }],
  docs: { m: ['summary', summary, 'since', '0.1.0', 'group', 'server', 'complexity', 'O(1)'] },
}) as CommandMeta;

const containerMeta: CommandMeta = {
  info: ['hotupgrade', -2, { set: [] }, 0, 0, 0, { set: [{ s: '@slow' }] }, { set: [] }, { set: [] }, []],
  docs: { m: ['summary', 'Replace the server logic while it runs (hotkv)', 'since', '0.1.0', 'group', 'server', 'complexity', 'Depends on subcommand.'] },
};

export const commands: CommandSpec[] = [
  { name: 'hotupgrade', fn: () => undefined, meta: containerMeta },
  // no_multi: the reply comes after the swap, on a later event, so it cannot sit inside an EXEC reply.
  { name: 'hotupgrade|load', fn: load, meta: sub('load', 3, 'Load and swap in a logic bundle', ['admin', 'noscript', 'loading', 'stale', 'no_multi']) },
  { name: 'hotupgrade|rollback', fn: rollback, meta: sub('rollback', 2, 'Return to the previous logic', ['admin', 'noscript', 'loading', 'stale', 'no_multi']) },
  { name: 'hotupgrade|status', fn: status, meta: sub('status', 2, 'Show the active logic', ['admin', 'loading', 'stale']) },
  { name: 'hotupgrade|list', fn: list, meta: sub('list', 2, 'List bundles in logic-dir', ['admin', 'loading', 'stale']) },
  { name: 'hotupgrade|history', fn: history, meta: sub('history', -2, 'Show the upgrade history', ['admin', 'loading', 'stale']) },
  { name: 'hotupgrade|help', fn: help, meta: sub('help', 2, 'Show helpful text about the different subcommands', ['loading', 'stale']) },
];
