// Families hook into the logic's lifecycle here instead of index.ts knowing each of them.
// Filled at module load by the families; the arrays die with the bundle.
import type { ClientRecord } from '../abi';

export const lifecycleHooks = {
  /** after the logic is bound to a host (first start and every swap) */
  activate: [] as (() => void)[],
  deactivate: [] as (() => void)[],
  /** every 1000/hz ms */
  cron: [] as (() => void)[],
  /** a one-shot timer (HostApi.timerAt) fired */
  timer: [] as ((key: string) => void)[],
  clientClose: [] as ((c: ClientRecord) => void)[],
  /** SIGTERM/SIGINT, before the process exits */
  shutdown: [] as (() => void)[],
};
