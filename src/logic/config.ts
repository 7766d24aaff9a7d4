// Configuration directives: names, defaults, validation, the text CONFIG GET prints and the lines
// CONFIG REWRITE writes. Values live in state.config (a Map of strings, each exactly what CONFIG GET
// prints) so they survive upgrades; this table is the logic's. Parsing rules and error texts follow
// Redis 7.0's config.c (numeric bounds, memtoull, the special multi-argument directives).

import * as fs from 'node:fs';
import type { State } from '../abi';
import { flagsFromString, flagsToString } from './notify';
import { splitArgs } from './resp/parser';
import { parseInt64 } from './util/numbers';

export type DirectiveType =
  | 'bool' | 'int' | 'mem' | 'octal' | 'enum' | 'string'
  // Redis's "special" directives, each with its own parser and printer
  | 'save' | 'bind' | 'flags' | 'obl' | 'dir';

export interface Directive {
  name: string;
  type: DirectiveType;
  /** the default, as CONFIG GET prints it */
  default: string;
  /** HIDDEN_CONFIG in Redis: CONFIG GET finds it by its exact name only, never by a pattern */
  hidden?: boolean;
  /** enum choices, in Redis's order (the error text lists them) */
  values?: readonly string[];
  /** numeric bounds (Redis's lower_bound / upper_bound) */
  min?: bigint;
  max?: bigint;
  /** Redis's unsigned numeric types (unsigned int, size_t, unsigned long long): bounds compared unsigned */
  unsigned?: boolean;
  /** memory directive that also takes "N%" (maxmemory-clients) */
  percent?: boolean;
  /** cannot be changed by CONFIG SET (Redis: IMMUTABLE_CONFIG) */
  immutable?: boolean;
  /** CONFIG SET needs enable-protected-configs (Redis: PROTECTED_CONFIG) */
  protected?: boolean;
  /** string directives whose empty value means unset (Redis: EMPTY_STRING_IS_NULL) */
  emptyIsNull?: boolean;
  alias?: string;
  /** CONFIG REWRITE updates its line but never adds one (values the shell derives at start-up) */
  rewriteIfPresent?: boolean;
  /** extra validation for string directives: returns an error text or '' */
  check?: (value: string) => string;
}

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const UINT_MAX = 4294967295n;
const LONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;

type Extra = Partial<Directive>;
const d = (name: string, type: DirectiveType, def: string, extra: Extra = {}): Directive => ({ name, type, default: def, ...extra });
const bool = (name: string, def: 'yes' | 'no', extra: Extra = {}) => d(name, 'bool', def, extra);
const int = (name: string, def: string, min: bigint, max: bigint, extra: Extra = {}) => d(name, 'int', def, { min, max, ...extra });
const mem = (name: string, def: string, min: bigint, max: bigint, extra: Extra = {}) => d(name, 'mem', def, { min, max, ...extra });
const str = (name: string, def: string, extra: Extra = {}) => d(name, 'string', def, extra);
const enm = (name: string, def: string, values: readonly string[], extra: Extra = {}) => d(name, 'enum', def, { values, ...extra });
/** size_t / unsigned directives */
const U = { unsigned: true } as const;

function pathIsBaseName(p: string): boolean {
  return !p.includes('/') && !p.includes('\\');
}

const PROTECTED_ACTION = ['no', 'yes', 'local'] as const;

/** Every directive hotkv knows. Redis ones keep Redis's names, defaults, bounds and printing. */
export const DIRECTIVES: Directive[] = [
  // network
  int('port', '6379', 0n, 65535n),
  d('bind', 'bind', '127.0.0.1'),
  str('unixsocket', '', { immutable: true, emptyIsNull: true }),
  d('unixsocketperm', 'octal', '0', { immutable: true, min: 0n, max: 0o777n, unsigned: true }),
  int('tcp-backlog', '511', 0n, INT_MAX, { immutable: true }),
  int('tcp-keepalive', '300', 0n, INT_MAX),
  int('timeout', '0', 0n, INT_MAX),
  bool('protected-mode', 'yes'),
  int('maxclients', '10000', 1n, UINT_MAX, U),
  // general
  bool('daemonize', 'no', { immutable: true }),
  str('pidfile', '', { immutable: true, emptyIsNull: true }),
  enm('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  str('logfile', '', { immutable: true }),
  int('databases', '16', 1n, INT_MAX, { immutable: true }),
  int('hz', '10', 0n, INT_MAX),
  bool('dynamic-hz', 'yes'),
  mem('proto-max-bulk-len', '536870912', 1024n * 1024n, LONG_MAX),
  mem('client-query-buffer-limit', '1073741824', 1024n * 1024n, LONG_MAX, U),
  d('client-output-buffer-limit', 'obl', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'),
  int('io-threads', '1', 1n, 128n, { immutable: true }),
  enm('enable-debug-command', 'no', PROTECTED_ACTION, { immutable: true }),
  enm('enable-protected-configs', 'no', PROTECTED_ACTION, { immutable: true }),
  enm('enable-module-command', 'no', PROTECTED_ACTION, { immutable: true }),
  bool('latency-tracking', 'yes'),
  int('latency-monitor-threshold', '0', 0n, LONG_MAX),
  int('slowlog-log-slower-than', '10000', -1n, LONG_MAX),
  int('slowlog-max-len', '128', 0n, LONG_MAX),
  int('busy-reply-threshold', '5000', 0n, LONG_MAX, { alias: 'lua-time-limit' }),
  int('shutdown-timeout', '10', 0n, INT_MAX),
  d('notify-keyspace-events', 'flags', ''),
  str('requirepass', '', { emptyIsNull: true }),
  str('aclfile', '', { immutable: true }),
  int('acllog-max-len', '128', 0n, LONG_MAX),
  enm('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  int('tracking-table-max-keys', '1000000', 0n, LONG_MAX, U),
  bool('activerehashing', 'yes'),
  bool('cluster-enabled', 'no', { immutable: true }),
  bool('lazyfree-lazy-eviction', 'no'),
  bool('lazyfree-lazy-expire', 'no'),
  bool('lazyfree-lazy-server-del', 'no'),
  bool('lazyfree-lazy-user-del', 'no'),
  bool('lazyfree-lazy-user-flush', 'no'),
  int('active-expire-effort', '1', 1n, 10n),
  enm('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  // memory
  mem('maxmemory', '0', 0n, ULLONG_MAX, U),
  enm('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  int('maxmemory-samples', '5', 1n, INT_MAX),
  int('maxmemory-eviction-tenacity', '10', 0n, 100n),
  mem('maxmemory-clients', '0', -100n, LONG_MAX, { percent: true }),
  int('lfu-log-factor', '10', 0n, INT_MAX),
  int('lfu-decay-time', '1', 0n, INT_MAX),
  // encodings (used by the data types)
  int('hash-max-listpack-entries', '512', 0n, LONG_MAX, { ...U, alias: 'hash-max-ziplist-entries' }),
  mem('hash-max-listpack-value', '64', 0n, LONG_MAX, { ...U, alias: 'hash-max-ziplist-value' }),
  int('list-max-listpack-size', '-2', INT_MIN, INT_MAX, { alias: 'list-max-ziplist-size' }),
  int('list-compress-depth', '0', 0n, INT_MAX),
  int('set-max-intset-entries', '512', 0n, LONG_MAX, U),
  int('zset-max-listpack-entries', '128', 0n, LONG_MAX, { ...U, alias: 'zset-max-ziplist-entries' }),
  mem('zset-max-listpack-value', '64', 0n, LONG_MAX, { ...U, alias: 'zset-max-ziplist-value' }),
  mem('hll-sparse-max-bytes', '3000', 0n, LONG_MAX, U),
  mem('stream-node-max-bytes', '4096', 0n, LONG_MAX, U),
  int('stream-node-max-entries', '100', 0n, LONG_MAX),
  // replication (hotkv is always a master; these are kept for clients that read or set them)
  mem('repl-backlog-size', '1048576', 1n, LONG_MAX),
  int('repl-backlog-ttl', '3600', 0n, LONG_MAX),
  int('repl-timeout', '60', 1n, INT_MAX),
  bool('replica-read-only', 'yes', { alias: 'slave-read-only' }),
  bool('replica-serve-stale-data', 'yes', { alias: 'slave-serve-stale-data' }),
  int('replica-priority', '100', 0n, INT_MAX, { alias: 'slave-priority' }),
  int('min-replicas-to-write', '0', 0n, INT_MAX, { alias: 'min-slaves-to-write' }),
  int('min-replicas-max-lag', '10', 0n, INT_MAX, { alias: 'min-slaves-max-lag' }),
  // persistence (used by the persistence family)
  d('dir', 'dir', '.', { protected: true }),
  str('dbfilename', 'dump.rdb', { protected: true, check: (v) => (pathIsBaseName(v) ? '' : "dbfilename can't be a path, just a filename") }),
  d('save', 'save', '3600 1 300 100 60 10000'),
  bool('rdbcompression', 'yes'),
  bool('rdbchecksum', 'yes', { immutable: true }),
  bool('rdb-del-sync-files', 'no'),
  bool('rdb-save-incremental-fsync', 'yes'),
  int('rdb-key-save-delay', '0', -2147483648n, 2147483647n, { hidden: true }),
  int('key-load-delay', '0', -2147483648n, 2147483647n, { hidden: true }),
  int('loading-process-events-interval-bytes', '2097152', 1024n, 2147483647n, { hidden: true }),
  bool('stop-writes-on-bgsave-error', 'yes'),
  bool('appendonly', 'no'),
  str('appendfilename', 'appendonly.aof', {
    immutable: true,
    check: (v) => (v === '' ? "appendfilename can't be empty" : pathIsBaseName(v) ? '' : "appendfilename can't be a path, just a filename"),
  }),
  str('appenddirname', 'appendonlydir', {
    immutable: true,
    check: (v) => (v === '' ? "appenddirname can't be empty" : pathIsBaseName(v) ? '' : "appenddirname can't be a path, just a dirname"),
  }),
  enm('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  bool('no-appendfsync-on-rewrite', 'no'),
  int('auto-aof-rewrite-percentage', '100', 0n, INT_MAX),
  mem('auto-aof-rewrite-min-size', '67108864', 0n, LONG_MAX),
  bool('aof-load-truncated', 'yes'),
  bool('aof-use-rdb-preamble', 'yes'),
  bool('aof-timestamp-enabled', 'no'),
  bool('aof-rewrite-incremental-fsync', 'yes'),
  bool('aof-disable-auto-gc', 'no'),
  // hotkv's own
  str('logic-dir', '', { immutable: true, rewriteIfPresent: true }),
  str('logic-file', '', { rewriteIfPresent: true }),
  enm('enable-hotupgrade-command', 'local', PROTECTED_ACTION, { immutable: true }),
  int('hotupgrade-probation-ms', '10000', 0n, INT_MAX),
  int('hotupgrade-max-errors', '0', 0n, INT_MAX),
  bool('hotupgrade-require-signature', 'no', { immutable: true }),
  str('hotupgrade-public-key', '', { immutable: true }),
  bool('v8-young-generation-growth', 'no'),
];

/** Lowercase name or alias -> directive. */
export const DIRECTIVE_BY_NAME = new Map<string, Directive>();
for (const dir of DIRECTIVES) {
  DIRECTIVE_BY_NAME.set(dir.name, dir);
  if (dir.alias) DIRECTIVE_BY_NAME.set(dir.alias, dir);
}

/** Redis's config names are matched case-insensitively. */
export function lookupDirective(name: string): Directive | undefined {
  return DIRECTIVE_BY_NAME.get(name.toLowerCase());
}

export function defaultConfig(): Map<string, string> {
  const m = new Map<string, string>();
  for (const dir of DIRECTIVES) m.set(dir.name, dir.default);
  return m;
}

// ------------------------------------------------------------------------------------------------
// Numbers
// ------------------------------------------------------------------------------------------------

const MEM_UNITS: Record<string, bigint> = {
  '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n ** 2n, mb: 1024n ** 2n, g: 1000n ** 3n, gb: 1024n ** 3n,
};

/** Redis's memtoull: "1gb", "10k", "100", "" (0) ... Returns null when invalid. */
export function memtoull(p: string): bigint | null {
  if (p.startsWith('-')) return null;
  let i = 0;
  while (i < p.length && p.charCodeAt(i) >= 48 && p.charCodeAt(i) <= 57) i++;
  const mul = MEM_UNITS[p.slice(i).toLowerCase()];
  if (mul === undefined || i >= 128) return null;
  let val = i === 0 ? 0n : BigInt(p.slice(0, i));
  if (val > ULLONG_MAX) val = ULLONG_MAX; // strtoull saturates
  if (val > ULLONG_MAX / mul) return null;
  return val * mul;
}

/** Memory value from a directive's stored text (what the data types and maxmemory use). */
export function parseMemory(s: string): number {
  const v = memtoull(s);
  return v === null ? NaN : Number(v);
}

/** C strtoll(s, &end, base) accepted only when it consumes the whole string ("" gives 0, as in C). */
function strtollWhole(s: string, base: 8 | 10): bigint | null {
  if (s === '') return 0n;
  const m = (base === 10 ? /^[ \t\n\v\f\r]*([+-]?)(\d+)$/ : /^[ \t\n\v\f\r]*([+-]?)([0-7]+)$/).exec(s);
  if (!m) return null;
  let v = base === 10 ? BigInt(m[2]) : BigInt('0o' + m[2]);
  if (m[1] === '-') v = -v;
  // strtoll saturates on overflow
  if (v > LONG_MAX) v = LONG_MAX;
  if (v < -LONG_MAX - 1n) v = -LONG_MAX - 1n;
  return v;
}

function parseNumeric(dir: Directive, value: string): [bigint, string] {
  if (dir.type === 'mem') {
    const v = memtoull(value);
    if (v !== null) return [BigInt.asIntN(64, v), ''];
    if (dir.percent && value.length > 1 && value.endsWith('%')) {
      const p = parseInt64(value.slice(0, -1));
      if (p !== null && p >= 0n) return [-p, ''];
    }
    return [0n, dir.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value'];
  }
  if (dir.type === 'octal') {
    const v = strtollWhole(value, 8);
    return v === null ? [0n, "argument couldn't be parsed as an octal number"] : [v, ''];
  }
  const v = parseInt64(value);
  return v === null ? [0n, "argument couldn't be parsed into an integer"] : [v, ''];
}

function boundaryError(dir: Directive, ll: bigint): string {
  const min = dir.min!;
  const max = dir.max!;
  if (dir.unsigned) {
    const u = BigInt.asUintN(64, ll);
    if (u > max || u < min) {
      return dir.type === 'octal'
        ? `argument must be between ${min.toString(8)} and ${max.toString(8)} inclusive`
        : `argument must be between ${min} and ${max} inclusive`;
    }
    return '';
  }
  if (dir.percent && ll < 0n) {
    return ll < min ? `percentage argument must be less or equal to ${-min}` : '';
  }
  if (ll > max || ll < min) return `argument must be between ${min} and ${max} inclusive`;
  return '';
}

function numericText(dir: Directive, ll: bigint): string {
  if (dir.percent && ll < 0n) return `${-ll}%`;
  if (dir.type === 'mem') return BigInt.asUintN(64, ll).toString();
  if (dir.type === 'octal') return ll.toString(8);
  return ll.toString();
}

// ------------------------------------------------------------------------------------------------
// Special directives
// ------------------------------------------------------------------------------------------------

const OBL_CLASSES = ['normal', 'slave', 'pubsub'];

/** Redis's getClientTypeByName for buffer-limit classes: index into OBL_CLASSES, 3 = master, -1 unknown. */
function oblClass(name: string): number {
  const n = name.toLowerCase();
  if (n === 'normal') return 0;
  if (n === 'slave' || n === 'replica') return 1;
  if (n === 'pubsub') return 2;
  if (n === 'master') return 3;
  return -1;
}

function parseObl(current: string, args: string[]): [string, string] {
  if (args.length % 4 !== 0) return ['', 'Wrong number of arguments in buffer limit configuration.'];
  const cur = current.split(' ');
  const limits = [0, 1, 2].map((j) => [cur[j * 4 + 1], cur[j * 4 + 2], cur[j * 4 + 3]]);
  for (let j = 0; j < args.length; j += 4) {
    const cls = oblClass(args[j]);
    if (cls === -1 || cls === 3) return ['', 'Invalid client class specified in buffer limit configuration.'];
    const hard = memtoull(args[j + 1]);
    const soft = memtoull(args[j + 2]);
    const secs = strtollWhole(args[j + 3], 10);
    if (hard === null || soft === null || secs === null || secs < 0n) {
      return ['', 'Error in hard, soft or soft_seconds setting in buffer limit configuration.'];
    }
    limits[cls] = [hard.toString(), soft.toString(), secs.toString()];
  }
  return [OBL_CLASSES.map((n, j) => `${n} ${limits[j].join(' ')}`).join(' '), ''];
}

function parseSave(current: string, args: string[], fromFile: boolean, st: State): [string, string] {
  if (args.length === 1 && args[0] === '') return ['', ''];
  if (args.length % 2 !== 0) return ['', 'Invalid save parameters'];
  const parts: string[] = [];
  for (let j = 0; j < args.length; j++) {
    const v = strtollWhole(args[j], 10);
    if (v === null || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n)) return ['', 'Invalid save parameters'];
    parts.push(String(j % 2 === 0 ? v : BigInt.asIntN(32, v)));
  }
  // In a config file the first `save` line replaces the default, later ones add save points.
  const ext = st.ext as { configSaveLoaded?: boolean };
  if (fromFile && ext.configSaveLoaded && current !== '') return [current + ' ' + parts.join(' '), ''];
  return [parts.join(' '), ''];
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory', ENOTDIR: 'Not a directory', EACCES: 'Permission denied',
  ELOOP: 'Too many levels of symbolic links', ENAMETOOLONG: 'File name too long',
};

/** strerror() text for a Node.js fs error. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  return ERRNO_TEXT[code] ?? (e as Error)?.message ?? String(e);
}

/** `dir`: Redis chdir()s into it; CONFIG GET prints getcwd(). */
function parseDir(args: string[]): [string, string] {
  if (args.length !== 1) return ['', 'wrong number of arguments'];
  try {
    if (!fs.statSync(args[0]).isDirectory()) return ['', 'Not a directory'];
    fs.accessSync(args[0], fs.constants.X_OK);
  } catch (e) {
    return ['', errnoText(e)];
  }
  return [args[0], ''];
}

// ------------------------------------------------------------------------------------------------
// Parse / apply / print
// ------------------------------------------------------------------------------------------------

/** Directives whose CONFIG SET value is split on single spaces into several arguments (MULTI_ARG_CONFIG). */
export function isMultiArg(dir: Directive): boolean {
  return dir.type === 'save' || dir.type === 'bind' || dir.type === 'obl';
}

/**
 * Validate a directive's arguments and compute its new stored text, without changing anything.
 * Returns [value, ''] or ['', error] where the error text is what Redis prints (CONFIG SET wraps it,
 * the config file loader prints it).
 */
export function parseDirective(st: State, dir: Directive, args: string[], fromFile: boolean): [string, string] {
  if (!isMultiArg(dir) && args.length !== 1) return ['', 'wrong number of arguments'];
  const raw = args[0];
  switch (dir.type) {
    case 'bool': {
      const v = raw.toLowerCase();
      if (v !== 'yes' && v !== 'no') return ['', "argument must be 'yes' or 'no'"];
      return [v, ''];
    }
    case 'enum': {
      const v = raw.toLowerCase();
      if (!dir.values!.includes(v)) return ['', `argument(s) must be one of the following: ${dir.values!.join(', ')}`];
      return [v, ''];
    }
    case 'int': case 'mem': case 'octal': {
      const [ll, err] = parseNumeric(dir, raw);
      if (err) return ['', err];
      const berr = boundaryError(dir, ll);
      if (berr) return ['', berr];
      return [numericText(dir, ll), ''];
    }
    case 'string': {
      const err = dir.check ? dir.check(raw) : '';
      return err ? ['', err] : [raw, ''];
    }
    case 'save':
      return parseSave(st.config.get(dir.name) ?? '', args, fromFile, st);
    case 'bind': {
      if (args.length > 16) return ['', 'Too many bind addresses specified.'];
      if (args.length === 1 && args[0] === '') return ['', ''];
      return [args.join(' '), ''];
    }
    case 'flags': {
      const flags = flagsFromString(raw);
      if (flags === -1) return ['', "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."];
      // Stored canonically; Redis does not print 'n' next to 'A', so it is kept here for the
      // notifications and left out by configGetText.
      const text = flagsToString(flags);
      return [flagsFromString(text) === flags ? text : text + 'n', ''];
    }
    case 'obl':
      return parseObl(st.config.get(dir.name) ?? dir.default, args);
    case 'dir':
      return parseDir(args);
  }
}

/** Store a value computed by parseDirective (and perform the side effect `dir` has). Returns an error or ''. */
export function applyDirective(st: State, dir: Directive, value: string): string {
  if (dir.type === 'dir') {
    try {
      process.chdir(value);
    } catch (e) {
      return errnoText(e);
    }
    value = process.cwd();
  }
  if (dir.name === 'hz') {
    // Redis's updateHZ clamps to CONFIG_MIN_HZ..CONFIG_MAX_HZ; CONFIG GET shows the clamped value.
    value = String(Math.min(500, Math.max(1, Number(value))));
  }
  st.config.set(dir.name, value);
  return '';
}

/** The text CONFIG GET prints for a directive. */
export function configGetText(st: State, dir: Directive): string {
  if (dir.type === 'dir') return process.cwd();
  if (dir.type === 'flags') return flagsToString(flagsFromString(st.config.get(dir.name) ?? ''));
  return st.config.get(dir.name) ?? dir.default;
}

// ------------------------------------------------------------------------------------------------
// Config file
// ------------------------------------------------------------------------------------------------

/**
 * Apply config-file text then command-line directives to state.config (Redis's loadServerConfig +
 * loadServerConfigFromString): the options are appended to the text as `name "arg" ...` lines, so
 * error messages number and quote them as Redis does.
 */
export function loadConfig(st: State, text: string, argDirectives: string[][]): string {
  if (argDirectives.length > 0) {
    text += '\n' + argDirectives.map((a) => [a[0], ...a.slice(1).map(sdsrepr)].join(' ')).join('\n');
  }
  const lines = text.split('\n');
  const ext = st.ext as { configSaveLoaded?: boolean };
  ext.configSaveLoaded = false;
  try {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
      if (line === '' || line.startsWith('#')) continue;
      const argv = splitArgs(line);
      const fail = (msg: string) => `Reading the configuration file, at line ${i + 1}\n>>> '${line}'\n${msg}`;
      if (argv === null) return fail('Unbalanced quotes in configuration line');
      if (argv.length === 0) continue;
      const dir = lookupDirective(argv[0]);
      if (!dir) {
        if (DEPRECATED.has(argv[0].toLowerCase()) && argv.length === 2) continue;
        return fail('Bad directive or wrong number of arguments');
      }
      let args = argv.slice(1);
      // Redis 7.0: a multi-arg directive given one non-empty argument (`save "900 1"`, as the command line
      // produces it) is split on spaces.
      if (isMultiArg(dir) && args.length === 1 && args[0] !== '') args = args[0].split(' ');
      const [value, err] = parseDirective(st, dir, args, true);
      if (err) return fail(err);
      const aerr = applyDirective(st, dir, value);
      if (aerr) return fail(aerr);
      if (dir.type === 'save') ext.configSaveLoaded = true;
    }
  } finally {
    delete ext.configSaveLoaded;
  }
  return '';
}

/** Directives Redis 7.0 still accepts in a config file and ignores. */
const DEPRECATED = new Set(['list-max-ziplist-entries', 'list-max-ziplist-value', 'lua-replicate-commands']);

/** Redis's sdscatrepr: a double-quoted, escaped string. */
export function sdsrepr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    switch (ch) {
      case '\\': case '"': out += '\\' + ch; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '\x07': out += '\\a'; break;
      case '\b': out += '\\b'; break;
      default:
        out += code >= 32 && code < 127 ? ch : '\\x' + code.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}

// ------------------------------------------------------------------------------------------------
// CONFIG REWRITE
// ------------------------------------------------------------------------------------------------

const REWRITE_SIGNATURE = '# Generated by CONFIG REWRITE';

/** Redis's rewriteConfigFormatMemory: 1gb / 512mb / 4kb / plain bytes. */
function formatMemory(bytes: bigint): string {
  const gb = 1024n ** 3n;
  const mb = 1024n ** 2n;
  const kb = 1024n;
  if (bytes && bytes % gb === 0n) return `${bytes / gb}gb`;
  if (bytes && bytes % mb === 0n) return `${bytes / mb}mb`;
  if (bytes && bytes % kb === 0n) return `${bytes / kb}kb`;
  return String(bytes);
}

/** The lines a directive contributes to a rewritten file, and whether they must be written even if absent. */
function rewriteLines(st: State, dir: Directive): { lines: string[]; force: boolean | boolean[] } | null {
  const value = configGetText(st, dir);
  const name = dir.name;
  switch (dir.type) {
    case 'bool': case 'enum': case 'int': case 'octal':
      return { lines: [`${name} ${value}`], force: value !== dir.default };
    case 'mem':
      if (value.endsWith('%')) return { lines: [`${name} ${value}`], force: value !== dir.default };
      return { lines: [`${name} ${formatMemory(BigInt(value))}`], force: value !== dir.default };
    case 'string':
      if (dir.emptyIsNull && value === '') return null;
      return { lines: [`${name} ${sdsrepr(value)}`], force: value !== dir.default };
    case 'dir':
      return { lines: [`${name} ${sdsrepr(value)}`], force: true };
    case 'save': {
      if (value === '') return { lines: ['save ""'], force: true };
      const p = value.split(' ');
      const lines: string[] = [];
      for (let j = 0; j < p.length; j += 2) lines.push(`save ${p[j]} ${p[j + 1]}`);
      return { lines, force: true };
    }
    case 'bind':
      // Redis drops a bind line equal to its default; hotkv's default differs from Redis's
      // ("127.0.0.1", not "* -::*"), so a default bind is kept where the file has it, never added.
      return { lines: [`${name} ${value === '' ? '""' : value}`], force: value !== dir.default };
    case 'flags':
      return { lines: [`${name} ${sdsrepr(value)}`], force: value !== '' };
    case 'obl': {
      // One line per client class, each forced only when that class differs from its default.
      const p = value.split(' ');
      const def = dir.default.split(' ');
      const lines: string[] = [];
      const force: boolean[] = [];
      for (let j = 0; j < 3; j++) {
        const [h, s, t] = [p[j * 4 + 1], p[j * 4 + 2], p[j * 4 + 3]];
        force.push(h !== def[j * 4 + 1] || s !== def[j * 4 + 2] || t !== def[j * 4 + 3]);
        const cls = j === 1 ? 'replica' : OBL_CLASSES[j];
        lines.push(`${name} ${cls} ${formatMemory(BigInt(h))} ${formatMemory(BigInt(s))} ${t}`);
      }
      return { lines, force };
    }
  }
}

/**
 * Redis's rewriteConfig over the old file text: comments and unknown lines are kept, each known
 * directive's first line is replaced by its current value, its other lines are blanked, directives
 * changed from their default and absent from the file are appended after a signature comment, and
 * runs of blank lines are collapsed.
 */
export function rewriteConfigText(st: State, oldText: string): string {
  const lines: string[] = [];
  const optionLines = new Map<string, number[]>();
  let needsSignature = true;
  const oldLines = oldText === '' ? [] : oldText.replace(/\n$/, '').split('\n');
  for (const raw of oldLines) {
    const line = raw.replace(/^[\r\n\t ]+|[\r\n\t ]+$/g, '');
    if (line === '' || line.startsWith('#')) {
      if (needsSignature && line === REWRITE_SIGNATURE) needsSignature = false;
      lines.push(line);
      continue;
    }
    const argv = splitArgs(line);
    if (argv === null) {
      lines.push('#??? ' + line);
      continue;
    }
    lines.push(line);
    let opt = argv[0].toLowerCase();
    const p = opt.indexOf('slave');
    if (p >= 0) opt = opt.slice(0, p) + 'replica' + opt.slice(p + 5);
    // An alias line is the same option as its directive's name.
    const dir = lookupDirective(opt);
    if (dir) opt = dir.name;
    const l = optionLines.get(opt);
    if (l) l.push(lines.length - 1);
    else optionLines.set(opt, [lines.length - 1]);
  }
  const rewritten = new Set<string>();
  const rewriteLine = (option: string, line: string, force: boolean) => {
    rewritten.add(option);
    const l = optionLines.get(option);
    if (!l && !force) return;
    if (l) {
      const n = l.shift()!;
      if (l.length === 0) optionLines.delete(option);
      lines[n] = line;
    } else {
      if (needsSignature) {
        // Redis 7.0.15 separates the appended block with a blank line (collapsed if already there).
        lines.push('', REWRITE_SIGNATURE);
        needsSignature = false;
      }
      lines.push(line);
    }
  };
  for (const dir of DIRECTIVES) {
    const r = rewriteLines(st, dir);
    if (r === null) {
      rewritten.add(dir.name);
      continue;
    }
    const force = r.force;
    r.lines.forEach((line, j) => rewriteLine(dir.name, line, !dir.rewriteIfPresent && (Array.isArray(force) ? force[j] : force)));
  }
  // Remove the remaining lines of options that were rewritten (duplicates of a directive).
  for (const [option, nums] of optionLines) {
    if (!rewritten.has(option)) continue;
    for (const n of nums) lines[n] = '';
  }
  let out = '';
  let wasEmpty = false;
  for (const line of lines) {
    if (line === '') {
      if (wasEmpty) continue;
      wasEmpty = true;
    } else {
      wasEmpty = false;
    }
    out += line + '\n';
  }
  return out;
}
