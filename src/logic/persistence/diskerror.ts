// MISCONF: refuse writes while the dataset cannot be persisted, as Redis's writeCommandsDeniedByDiskError:
// - the last BGSAVE failed, save points are set and stop-writes-on-bgsave-error is yes, or
// - the AOF is on and its last write failed.
// Write commands (and PING, and EXEC with a queued write) get the MISCONF error; everything else runs.
// The gate sits in dispatch's `denials` only while one of those errors is recorded (refreshDiskErrorGate
// is called where the status changes, on activate and from cron), so healthy servers pay nothing.

import { denials, findCommand } from '../dispatch';
import { cfg, state, type Client } from '../runtime';
import type { CommandDef } from '../commands/table';
import type { AofState } from './aof';
import type { RdbState } from './save';

const RDB_MISCONF = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. " +
  'Commands that may modify the data set are disabled, because this instance is configured to report errors during ' +
  'writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.';

/** strerror(3) texts of the errors a write can meet (Node gives codes, Redis prints glibc's texts). */
const STRERROR: Record<string, string> = {
  ENOSPC: 'No space left on device', EIO: 'Input/output error', EDQUOT: 'Disk quota exceeded', EROFS: 'Read-only file system',
  EBADF: 'Bad file descriptor', EACCES: 'Permission denied', EPERM: 'Operation not permitted', EFBIG: 'File too large',
  ENOENT: 'No such file or directory', EINVAL: 'Invalid argument',
};

export function strerror(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  return (code !== undefined && STRERROR[code]) || (e as Error)?.message || String(e);
}

/** The MISCONF text when writes must be refused now, else null. */
export function diskErrorText(): string | null {
  const r = state.ext.rdb as RdbState | undefined;
  if (r !== undefined && !r.lastBgsaveOk && cfg('stop-writes-on-bgsave-error') === 'yes' && cfg('save').trim() !== '') {
    return RDB_MISCONF;
  }
  const a = state.ext.aof as AofState | undefined;
  if (a !== undefined && a.fd >= 0 && !a.lastWriteOk) return `MISCONF Errors writing to the AOF file: ${a.lastWriteError ?? 'unknown error'}`;
  return null;
}

function queuedWrite(c: Client): boolean {
  const m = c.ext.mstate as { queue: string[][] } | undefined;
  if (m === undefined) return false;
  for (const argv of m.queue) {
    const def = findCommand(argv[0]);
    if (def !== undefined && def.flags.has('write')) return true;
  }
  return false;
}

function denyOnDiskError(c: Client, def: CommandDef): string | null {
  if (c.id < 0) return null; // the AOF's replay client is obeyed, as Redis's mustObeyClient
  if (!def.flags.has('write') && def.name !== 'ping' && !(def.name === 'exec' && queuedWrite(c))) return null;
  return diskErrorText();
}

/** Put the gate in dispatch's denials (first: MISCONF is checked before LOADING) while a disk error is recorded. */
export function refreshDiskErrorGate(): void {
  const r = state.ext.rdb as RdbState | undefined;
  const a = state.ext.aof as AofState | undefined;
  const on = (r !== undefined && !r.lastBgsaveOk) || (a !== undefined && !a.lastWriteOk);
  const i = denials.indexOf(denyOnDiskError);
  if (on && i < 0) denials.unshift(denyOnDiskError);
  if (!on && i >= 0) denials.splice(i, 1);
}
