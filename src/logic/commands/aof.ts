// The append only file's command and hooks (persistence/aof.ts writes and loads the files,
// persistence/aofrewrite.ts rewrites them): BGREWRITEAOF, propagation on activate, the appendfsync
// everysec fsync in cron, scheduled and automatic rewrites in cron, CONFIG SET appendonly (and
// aof-disable-auto-gc) at runtime, the final write+fsync at shutdown, and INFO's aof_* numbers.

import { CLIENT_IN_EXEC } from '../dispatch';
import { addInfoFields, type InfoValue } from '../info';
import { lifecycleHooks } from '../lifecycle';
import { addError, addStatus } from '../resp/reply';
import { cfg, state, type Client } from '../runtime';
import { aofCron, aofShutdown, aofState, installAofHooks } from '../persistence/aof';
import {
  AOFRW_TIMER, aofEnabled, autoRewrite, currentRewriteTimeSec, deleteHistoryNow, rewriteHandoff, rewriteResume, rewriteShutdown,
  rewriteSlice, rewriteStart, rewriteState, startAppendOnly, startScheduledRewrite, stopAppendOnly, type AofRewriteState,
} from '../persistence/aofrewrite';
import { bgsaveInProgress } from '../persistence/save';
import { configChangeHooks } from './config';
import type { CommandSpec } from './table';

/** bgrewriteaofCommand */
function bgrewriteaof(c: Client): void {
  const rw = rewriteState();
  if (rw.job !== null) {
    addError(c, 'ERR Background append only file rewriting already in progress');
  } else if (bgsaveInProgress() || (c.flags & CLIENT_IN_EXEC) !== 0) {
    rw.scheduled = true;
    rw.consecutiveFailures = 0; // asked for by hand: not held back by aofRewriteLimited
    addStatus(c, 'Background append only file rewriting scheduled');
  } else if (rewriteStart()) {
    addStatus(c, 'Background append only file rewriting started');
  } else {
    addError(c, "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
  }
}

lifecycleHooks.activate.push(installAofHooks, rewriteResume);
lifecycleHooks.deactivate.push(rewriteHandoff);
// serverCron starts a scheduled rewrite before it looks at save points and scheduled BGSAVEs
lifecycleHooks.cron.unshift(startScheduledRewrite);
lifecycleHooks.cron.push(aofCron, autoRewrite);
lifecycleHooks.timer.push((key) => {
  if (key === AOFRW_TIMER) rewriteSlice();
});
// prepareForShutdown deals with a rewrite (and may refuse) before the final RDB save
lifecycleHooks.shutdown.unshift(rewriteShutdown);
lifecycleHooks.shutdown.push(aofShutdown);

configChangeHooks.push((name) => {
  if (name === 'appendonly') {
    // updateAppendonly
    const on = cfg('appendonly') === 'yes';
    if (!on && aofEnabled()) stopAppendOnly();
    else if (on && !aofEnabled() && !startAppendOnly()) return 'Unable to turn on AOF. Check server logs.';
  } else if (name === 'aof-disable-auto-gc' && cfg('aof-disable-auto-gc') === 'no') {
    deleteHistoryNow();
  }
  return '';
});

addInfoFields('persistence', (): Record<string, InfoValue> => {
  const out: Record<string, InfoValue> = {};
  const rw = state.ext.aofrw as AofRewriteState | undefined;
  if (rw !== undefined) {
    out.aof_rewrite_in_progress = rw.job !== null ? 1 : 0;
    out.aof_rewrite_scheduled = rw.scheduled ? 1 : 0;
    out.aof_last_rewrite_time_sec = rw.lastTimeSec;
    out.aof_current_rewrite_time_sec = currentRewriteTimeSec(rw);
    out.aof_last_bgrewrite_status = rw.lastOk ? 'ok' : 'err';
    out.aof_rewrites = rw.rewrites;
    out.aof_rewrites_consecutive_failures = rw.consecutiveFailures;
    out.aof_last_cow_size = rw.lastCowSize;
  }
  const a = aofState();
  if (a !== undefined) out.aof_last_write_status = a.lastWriteOk ? 'ok' : 'err';
  if (aofEnabled()) {
    // printed while aof_state != AOF_OFF, as Redis does
    out.aof_current_size = a?.currentSize ?? 0;
    out.aof_base_size = a?.baseSize ?? 0;
    out.aof_pending_rewrite = rw?.scheduled === true ? 1 : 0;
    out.aof_buffer_length = 0;
    out.aof_pending_bio_fsync = 0;
    out.aof_delayed_fsync = 0;
  }
  return out;
});

export const commands: CommandSpec[] = [{ name: 'bgrewriteaof', fn: bgrewriteaof }];
