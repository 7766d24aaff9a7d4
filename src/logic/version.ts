// The Redis version whose behaviour hotkv reproduces (HELLO, INFO redis_version). Clients such as
// job queues gate features on it, so it names the compatible Redis release, not hotkv's own version.
export const REDIS_VERSION = '7.0.15';
export { LOGIC_VERSION } from './runtime';
