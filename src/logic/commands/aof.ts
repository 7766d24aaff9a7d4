// The append only file's hooks (persistence/aof.ts does the work): propagation on activate, the
// appendfsync everysec fsync in cron, the final write+fsync at shutdown, and INFO's aof_* numbers.
// BGREWRITEAOF, automatic rewrites and CONFIG SET appendonly at runtime are not implemented yet.

import { addInfoFields, type InfoValue } from '../info';
import { lifecycleHooks } from '../lifecycle';
import { aofCron, aofShutdown, aofState, installAofHooks } from '../persistence/aof';
import type { CommandSpec } from './table';

lifecycleHooks.activate.push(installAofHooks);
lifecycleHooks.cron.push(aofCron);
lifecycleHooks.shutdown.push(aofShutdown);

addInfoFields('persistence', (): Record<string, InfoValue> => {
  const a = aofState();
  if (a === undefined || a.fd < 0) return {};
  return {
    aof_last_write_status: a.lastWriteOk ? 'ok' : 'err',
    aof_current_size: a.currentSize,
    aof_base_size: a.baseSize,
    aof_pending_rewrite: 0,
    aof_buffer_length: 0,
    aof_pending_bio_fsync: 0,
    aof_delayed_fsync: 0,
  };
});

export const commands: CommandSpec[] = [];
