// Configuration directives: names, defaults, validation and the text CONFIG GET prints.
// Values live in state.config (a Map of strings) so they survive upgrades; this table is the logic's.

import type { State } from '../abi';
import { splitArgs } from './resp/parser';

export type DirectiveType = 'bool' | 'int' | 'mem' | 'enum' | 'string' | 'save' | 'bind' | 'octal' | 'flags';

export interface Directive {
  name: string;
  type: DirectiveType;
  default: string;
  /** enum choices */
  values?: readonly string[];
  min?: number;
  max?: number;
  /** cannot be changed by CONFIG SET (Redis: IMMUTABLE_CONFIG) */
  immutable?: boolean;
  alias?: string;
}

const LLMAX = Number.MAX_SAFE_INTEGER;
const d = (name: string, type: DirectiveType, def: string, extra: Partial<Directive> = {}): Directive => ({ name, type, default: def, ...extra });

/** Every directive hotkv knows. Redis ones keep Redis's names, defaults and printing. */
export const DIRECTIVES: Directive[] = [
  // network
  d('port', 'int', '6379', { min: 0, max: 65535 }),
  d('bind', 'bind', '127.0.0.1'),
  d('unixsocket', 'string', '', { immutable: true }),
  d('unixsocketperm', 'octal', '0', { immutable: true }),
  d('tcp-backlog', 'int', '511', { immutable: true, min: 0, max: 2147483647 }),
  d('tcp-keepalive', 'int', '300', { min: 0, max: 2147483647 }),
  d('timeout', 'int', '0', { min: 0, max: 2147483647 }),
  d('protected-mode', 'bool', 'yes'),
  d('maxclients', 'int', '10000', { min: 1, max: 2147483647 }),
  // general
  d('daemonize', 'bool', 'no', { immutable: true }),
  d('pidfile', 'string', '', { immutable: true }),
  d('loglevel', 'enum', 'notice', { values: ['debug', 'verbose', 'notice', 'warning'] }),
  d('logfile', 'string', '', { immutable: true }),
  d('databases', 'int', '16', { immutable: true, min: 1, max: 2147483647 }),
  d('hz', 'int', '10', { min: 1, max: 500 }),
  d('dynamic-hz', 'bool', 'yes'),
  d('proto-max-bulk-len', 'mem', '536870912', { min: 1024 * 1024, max: LLMAX }),
  d('client-query-buffer-limit', 'mem', '1073741824', { min: 1024 * 1024, max: LLMAX }),
  d('io-threads', 'int', '1', { immutable: true, min: 1, max: 128 }),
  d('enable-debug-command', 'enum', 'no', { immutable: true, values: ['no', 'yes', 'local'] }),
  d('enable-protected-configs', 'enum', 'no', { immutable: true, values: ['no', 'yes', 'local'] }),
  d('enable-module-command', 'enum', 'no', { immutable: true, values: ['no', 'yes', 'local'] }),
  d('latency-tracking', 'bool', 'yes'),
  d('latency-monitor-threshold', 'int', '0', { min: 0, max: LLMAX }),
  d('slowlog-log-slower-than', 'int', '10000', { min: -1, max: LLMAX }),
  d('slowlog-max-len', 'int', '128', { min: 0, max: LLMAX }),
  d('notify-keyspace-events', 'flags', ''),
  d('requirepass', 'string', ''),
  d('lazyfree-lazy-eviction', 'bool', 'no'),
  d('lazyfree-lazy-expire', 'bool', 'no'),
  d('lazyfree-lazy-server-del', 'bool', 'no'),
  d('lazyfree-lazy-user-del', 'bool', 'no'),
  d('lazyfree-lazy-user-flush', 'bool', 'no'),
  d('active-expire-effort', 'int', '1', { min: 1, max: 10 }),
  // memory
  d('maxmemory', 'mem', '0', { min: 0, max: LLMAX }),
  d('maxmemory-policy', 'enum', 'noeviction', { values: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'] }),
  d('maxmemory-samples', 'int', '5', { min: 1, max: 64 }),
  d('lfu-log-factor', 'int', '10', { min: 0, max: 2147483647 }),
  d('lfu-decay-time', 'int', '1', { min: 0, max: 2147483647 }),
  // encodings (used by the data types)
  d('hash-max-listpack-entries', 'int', '128', { min: 0, max: LLMAX, alias: 'hash-max-ziplist-entries' }),
  d('hash-max-listpack-value', 'int', '64', { min: 0, max: LLMAX, alias: 'hash-max-ziplist-value' }),
  d('list-max-listpack-size', 'int', '-2', { min: -5, max: 2147483647, alias: 'list-max-ziplist-size' }),
  d('list-compress-depth', 'int', '0', { min: 0, max: 2147483647 }),
  d('set-max-intset-entries', 'int', '512', { min: 0, max: LLMAX }),
  d('zset-max-listpack-entries', 'int', '128', { min: 0, max: LLMAX, alias: 'zset-max-ziplist-entries' }),
  d('zset-max-listpack-value', 'int', '64', { min: 0, max: LLMAX, alias: 'zset-max-ziplist-value' }),
  d('stream-node-max-bytes', 'mem', '4096', { min: 0, max: LLMAX }),
  d('stream-node-max-entries', 'int', '100', { min: 0, max: LLMAX }),
  // persistence (used by the persistence family)
  d('dir', 'string', '.'),
  d('dbfilename', 'string', 'dump.rdb'),
  d('save', 'save', '3600 1 300 100 60 10000'),
  d('rdbcompression', 'bool', 'yes'),
  d('rdbchecksum', 'bool', 'yes', { immutable: true }),
  d('stop-writes-on-bgsave-error', 'bool', 'yes'),
  d('appendonly', 'bool', 'no'),
  d('appendfilename', 'string', 'appendonly.aof', { immutable: true }),
  d('appenddirname', 'string', 'appendonlydir', { immutable: true }),
  d('appendfsync', 'enum', 'everysec', { values: ['always', 'everysec', 'no'] }),
  d('no-appendfsync-on-rewrite', 'bool', 'no'),
  d('auto-aof-rewrite-percentage', 'int', '100', { min: 0, max: 2147483647 }),
  d('auto-aof-rewrite-min-size', 'mem', '67108864', { min: 0, max: LLMAX }),
  d('aof-load-truncated', 'bool', 'yes'),
  d('aof-use-rdb-preamble', 'bool', 'yes'),
  d('aof-timestamp-enabled', 'bool', 'no'),
  // hotkv's own
  d('logic-dir', 'string', '', { immutable: true }),
  d('logic-file', 'string', ''),
  d('enable-hotupgrade-command', 'enum', 'local', { immutable: true, values: ['no', 'yes', 'local'] }),
  d('hotupgrade-probation-ms', 'int', '10000', { min: 0, max: 2147483647 }),
  d('hotupgrade-max-errors', 'int', '0', { min: 0, max: 2147483647 }),
];

export const DIRECTIVE_BY_NAME = new Map<string, Directive>();
for (const dir of DIRECTIVES) {
  DIRECTIVE_BY_NAME.set(dir.name, dir);
  if (dir.alias) DIRECTIVE_BY_NAME.set(dir.alias, dir);
}

export function defaultConfig(): Map<string, string> {
  const m = new Map<string, string>();
  for (const dir of DIRECTIVES) m.set(dir.name, dir.default);
  return m;
}

/** Redis's memtoull: "1gb", "10k", "100" ... Returns NaN when invalid. */
export function parseMemory(s: string): number {
  const m = /^(-?\d+)([a-z]*)$/i.exec(s);
  if (!m) return NaN;
  const units: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3 };
  const mul = units[m[2].toLowerCase()];
  if (mul === undefined) return NaN;
  return Number(m[1]) * mul;
}

const KEYSPACE_FLAG_CHARS = 'AKEg$lshzxetdmn';

/**
 * Validate and normalise one directive's arguments. Returns [value, ''] or ['', error] where the
 * error text is what Redis prints (CONFIG SET wraps it, the config file loader prints it).
 */
export function normalise(dir: Directive, args: string[]): [string, string] {
  const raw = args.join(' ');
  switch (dir.type) {
    case 'bool': {
      const v = raw.toLowerCase();
      if (args.length !== 1 || (v !== 'yes' && v !== 'no')) return ['', 'argument must be \'yes\' or \'no\''];
      return [v, ''];
    }
    case 'enum': {
      const v = raw.toLowerCase();
      if (args.length !== 1 || !dir.values!.includes(v)) return ['', `argument(s) must be one of the following: ${dir.values!.join(', ')}`];
      return [v, ''];
    }
    case 'int': case 'mem': {
      if (args.length !== 1) return ['', 'wrong number of arguments'];
      const n = dir.type === 'mem' ? parseMemory(raw) : /^-?\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isFinite(n)) return ['', dir.type === 'mem' ? 'argument must be a memory value' : 'argument couldn\'t be parsed into an integer'];
      if ((dir.min !== undefined && n < dir.min) || (dir.max !== undefined && n > dir.max)) {
        return ['', `argument must be between ${dir.min} and ${dir.max} inclusive`];
      }
      return [String(n), ''];
    }
    case 'octal': {
      if (!/^[0-7]+$/.test(raw)) return ['', 'argument couldn\'t be parsed into an integer'];
      return [String(parseInt(raw, 8).toString(8)), ''];
    }
    case 'save': {
      // "" disables; otherwise pairs of <seconds> <changes>.
      const parts = args.length === 1 ? args[0].split(/\s+/).filter(Boolean) : args.filter(Boolean);
      if (parts.length % 2 !== 0 || parts.some((p) => !/^\d+$/.test(p))) return ['', 'Invalid save parameters'];
      return [parts.join(' '), ''];
    }
    case 'bind': {
      const parts = args.length === 1 ? args[0].split(/\s+/).filter(Boolean) : args;
      if (parts.length === 0 || parts.length > 16) return ['', 'Too many bind addresses specified.'];
      return [parts.join(' '), ''];
    }
    case 'flags': {
      if (args.length !== 1) return ['', 'wrong number of arguments'];
      for (const ch of raw) if (!KEYSPACE_FLAG_CHARS.includes(ch)) return ['', 'Invalid event class character. Use \'Ag$lshzxeKEtmd\'.'];
      return [raw, ''];
    }
    default:
      if (args.length !== 1) return ['', 'wrong number of arguments'];
      return [raw, ''];
  }
}

/** Apply config-file text then command-line directives to state.config (Redis's loadServerConfigFromString). */
export function loadConfig(st: State, text: string, argDirectives: string[][]): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const argv = splitArgs(line);
    const fail = (msg: string) => `Reading the configuration file, at line ${i + 1}\n>>> '${line}'\n${msg}`;
    if (argv === null) return fail('Unbalanced quotes in configuration line');
    if (argv.length === 0) continue;
    const err = applyDirective(st, argv[0].toLowerCase(), argv.slice(1));
    if (err) return fail(err);
  }
  for (const dargs of argDirectives) {
    const err = applyDirective(st, dargs[0].toLowerCase(), dargs.slice(1));
    if (err) return `Reading the configuration file, at line 0\n>>> '${dargs.join(' ')}'\n${err}`;
  }
  return '';
}

function applyDirective(st: State, name: string, args: string[]): string {
  const dir = DIRECTIVE_BY_NAME.get(name);
  if (!dir || args.length === 0) {
    // Redis accepts `save ""` style empty args only for multi-arg directives.
    if (dir && dir.type === 'save' && args.length === 0) { st.config.set(dir.name, ''); return ''; }
    return 'Bad directive or wrong number of arguments';
  }
  if (dir.type === 'save' && args.length === 1 && args[0] === '') { st.config.set(dir.name, ''); return ''; }
  const [value, err] = normalise(dir, args);
  if (err) return err;
  st.config.set(dir.name, value);
  return '';
}
