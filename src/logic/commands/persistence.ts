// RDB persistence commands and hooks: SAVE, BGSAVE [SCHEDULE], save points (serverCron), the final
// save of SHUTDOWN / SIGTERM, FLUSHALL's save, and the INFO persistence numbers. The file format is
// in persistence/rdb.ts, the save/load machinery in persistence/save.ts.

import { lifecycleHooks } from '../lifecycle';
import { CLIENT_IN_EXEC } from '../dispatch';
import { addInfoFields } from '../info';
import { addError, addOk, addStatus, ERR_SYNTAX } from '../resp/reply';
import { cfg, host, state, type Client } from '../runtime';
import {
  BGSAVE_TIMER, bgsaveInProgress, bgsaveKill, bgsaveResume, bgsaveSlice, bgsaveStart, rdbState, saveNow,
} from '../persistence/save';
import { refreshDiskErrorGate } from '../persistence/diskerror';
import { rewriteInProgress, rewriteJob } from '../persistence/aofrewrite';
import { flushAllHooks } from './keys';
import type { ShutdownRequest } from './server';
import type { CommandSpec } from './table';

/** CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long before trying again. */
const BGSAVE_RETRY_DELAY_MS = 5000;

function savePoints(): [number, number][] {
  const p = cfg('save').split(' ').filter((x) => x !== '');
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < p.length; i += 2) out.push([Number(p[i]), Number(p[i + 1])]);
  return out;
}

function save(c: Client): void {
  if (bgsaveInProgress()) {
    addError(c, 'ERR Background save already in progress');
    return;
  }
  if (saveNow() === '') addOk(c);
  else addError(c, 'ERR');
}

function bgsave(c: Client, argv: string[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && argv[1].toLowerCase() === 'schedule') schedule = true;
    else {
      addError(c, ERR_SYNTAX);
      return;
    }
  }
  if (bgsaveInProgress()) {
    // Redis: an RDB child is running (SCHEDULE only waits for a child of another kind)
    addError(c, 'ERR Background save already in progress');
    return;
  }
  if (rewriteInProgress() || (c.flags & CLIENT_IN_EXEC) !== 0) {
    // another child (an AOF rewrite) or server.in_exec: started by a later cron run
    if (schedule || (c.flags & CLIENT_IN_EXEC) !== 0) {
      rdbState().bgsaveScheduled = true;
      addStatus(c, 'Background saving scheduled');
    } else {
      addError(c, "ERR Another child process is active (AOF?): can't BGSAVE right now. " +
        'Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.');
    }
    return;
  }
  if (bgsaveStart() === '') addStatus(c, 'Background saving started');
  else addError(c, 'ERR');
}

/** serverCron's part: scheduled BGSAVE, then save points. */
function cron(): void {
  const r = rdbState();
  if (r.job !== null || rewriteInProgress()) return;
  if (r.bgsaveScheduled) {
    r.bgsaveScheduled = false;
    bgsaveStart();
    return;
  }
  const nowMs = Date.now();
  const nowSec = Math.floor(nowMs / 1000);
  for (const [seconds, changes] of savePoints()) {
    if (state.stats.dirty >= changes && nowSec - Math.floor(state.stats.lastSaveMs / 1000) > seconds &&
      (nowMs - r.lastBgsaveTryMs > BGSAVE_RETRY_DELAY_MS || r.lastBgsaveOk)) {
      host.log('notice', `${changes} changes in ${seconds} seconds. Saving...`);
      bgsaveStart();
      break;
    }
  }
}

/** prepareForShutdown's save: with save points (unless NOSAVE) or SAVE. Throws when it fails. */
function onShutdown(): void {
  const req = state.ext.shutdown as ShutdownRequest | undefined;
  const wanted = req?.save ?? null;
  if (bgsaveInProgress()) {
    host.log('warning', 'There is a child saving an .rdb. Killing it!');
    bgsaveKill();
  }
  if ((savePoints().length > 0 && wanted !== false) || wanted === true) {
    host.log('notice', 'Saving the final RDB snapshot before exiting.');
    if (saveNow() !== '') {
      if (req?.force) {
        host.log('warning', 'Error trying to save the DB. Exit anyway.');
        return;
      }
      host.log('warning', "Error trying to save the DB, can't exit.");
      throw new Error("Error trying to save the DB, can't exit.");
    }
  }
}

/** flushAllDataAndResetRDB: kill a running BGSAVE; with save points, save the (empty) dataset. */
function onFlushAll(): void {
  bgsaveKill();
  if (savePoints().length > 0) {
    saveNow();
  }
}

lifecycleHooks.cron.push(cron, refreshDiskErrorGate);
lifecycleHooks.activate.push(refreshDiskErrorGate);
lifecycleHooks.shutdown.push(onShutdown);
lifecycleHooks.timer.push((key) => {
  if (key === BGSAVE_TIMER) bgsaveSlice();
});
lifecycleHooks.activate.push(() => {
  if (state.ext.rdb !== undefined) bgsaveResume();
});
flushAllHooks.push(onFlushAll);

addInfoFields('persistence', () => {
  const r = rdbState();
  const job = r.job;
  const child = job ?? rewriteJob(); // the keys of a running AOF rewrite count too, as in Redis
  return {
    current_save_keys_processed: child ? child.done : 0,
    current_save_keys_total: child ? child.total : 0,
    rdb_bgsave_in_progress: job ? 1 : 0,
    rdb_last_bgsave_status: r.lastBgsaveOk ? 'ok' : 'err',
    rdb_last_bgsave_time_sec: r.lastBgsaveTimeSec,
    rdb_current_bgsave_time_sec: job ? Math.floor((Date.now() - job.startMs) / 1000) : -1,
    rdb_saves: r.saves,
    rdb_last_cow_size: r.lastCowSize ?? 0,
    rdb_last_load_keys_expired: r.loadKeysExpired,
    rdb_last_load_keys_loaded: r.loadKeysLoaded,
  };
});

export const commands: CommandSpec[] = [
  { name: 'save', fn: save },
  { name: 'bgsave', fn: bgsave },
];
