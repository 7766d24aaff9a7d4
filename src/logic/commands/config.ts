// CONFIG GET / SET / RESETSTAT / REWRITE / HELP, with Redis 7.0's semantics: several patterns per
// GET, several name/value pairs per SET applied atomically (everything is validated first).

import * as fs from 'node:fs';
import {
  applyDirective, configGetText, DIRECTIVES, errnoText, isMultiArg, lookupDirective, parseDirective, rewriteConfigText,
  type Directive,
} from '../config';
import { refreshDispatchConfig } from '../dispatch';
import { resetInfoStats } from '../info';
import { addBulk, addError, addHelp, addMapLen, addOk, ERR_SYNTAX } from '../resp/reply';
import { cfgInt, host, state, type Client } from '../runtime';
import { stringMatch } from '../util/glob';
import type { CommandSpec } from './table';
import { protectedActionAllowed } from '../protect';

/** Directives the shell acts on when they change (HostApi.configChanged). */
const SHELL_DIRECTIVES = new Set(['port', 'bind', 'unixsocket', 'loglevel', 'logfile', 'maxclients', 'tcp-keepalive',
  'hotupgrade-probation-ms', 'hotupgrade-max-errors', 'logic-file']);

/** Other families that must react to a directive changing register here; a hook may return an error text
 *  (then CONFIG SET fails and the previous values are restored, as for Redis's apply functions). */
export const configChangeHooks: ((name: string) => string | void)[] = [];

function configGet(c: Client, argv: string[]): void {
  // Matches are keyed case-insensitively; an exact name is printed as the client wrote it.
  const matches = new Map<string, [string, Directive]>();
  for (let i = 2; i < argv.length; i++) {
    const pattern = argv[i];
    if (!/[[*?]/.test(pattern)) {
      const dir = lookupDirective(pattern);
      if (dir && !matches.has(pattern.toLowerCase())) matches.set(pattern.toLowerCase(), [pattern, dir]);
      continue;
    }
    for (const dir of DIRECTIVES) {
      if (dir.hidden) continue;
      for (const name of dir.alias ? [dir.name, dir.alias] : [dir.name]) {
        if (!matches.has(name) && stringMatch(pattern, name, true)) matches.set(name, [name, dir]);
      }
    }
  }
  addMapLen(c, matches.size);
  for (const [name, dir] of matches.values()) {
    addBulk(c, name);
    addBulk(c, configGetText(state, dir));
  }
}

function protectedAllowed(c: Client): boolean {
  return protectedActionAllowed('enable-protected-configs', c);
}

function configSet(c: Client, argv: string[]): void {
  if (argv.length % 2 !== 0) {
    addError(c, ERR_SYNTAX);
    return;
  }
  const n = (argv.length - 2) / 2;
  const dirs: Directive[] = [];
  const given: string[] = [];
  // First pass: every name must exist, be settable and appear once (the first problem is reported).
  for (let i = 0; i < n; i++) {
    const name = argv[2 + i * 2];
    const dir = lookupDirective(name);
    if (!dir) {
      addError(c, `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
      return;
    }
    if (dir.immutable || (dir.protected && !protectedAllowed(c))) {
      const why = dir.immutable ? "can't set immutable config" : "can't set protected config";
      addError(c, `ERR CONFIG SET failed (possibly related to argument '${name}') - ${why}`);
      return;
    }
    if (given.includes(name.toLowerCase())) {
      addError(c, `ERR CONFIG SET failed (possibly related to argument '${name}') - duplicate parameter`);
      return;
    }
    given.push(name.toLowerCase());
    dirs.push(dir);
  }
  // Second pass: validate every value before anything changes.
  const values: string[] = [];
  for (let i = 0; i < n; i++) {
    const dir = dirs[i];
    const raw = argv[3 + i * 2];
    const args = isMultiArg(dir) ? raw.split(' ') : [raw];
    const [value, err] = parseDirective(state, dir, args, false);
    if (err) {
      addError(c, `ERR CONFIG SET failed (possibly related to argument '${given[i]}') - ${err}`);
      return;
    }
    values.push(value);
  }
  // Apply, remembering the old values to restore them if an apply step fails.
  const old = dirs.map((dir) => state.config.get(dir.name) ?? dir.default);
  const changed: Directive[] = [];
  let failure = '';
  let failedName = '';
  for (let i = 0; i < n && !failure; i++) {
    const before = state.config.get(dirs[i].name);
    failure = applyDirective(state, dirs[i], values[i]);
    if (failure) failedName = given[i];
    else if (state.config.get(dirs[i].name) !== before || dirs[i].type === 'dir') changed.push(dirs[i]);
  }
  if (!failure) {
    for (const dir of changed) {
      const err = afterChange(dir.name);
      if (err) {
        failure = err;
        failedName = dir.name;
        break;
      }
    }
  }
  if (failure) {
    host.log('warning', `Failed applying new configuration. Possibly related to new ${failedName} setting. Restoring previous settings.`);
    for (let i = 0; i < n; i++) if (dirs[i].type !== 'dir') state.config.set(dirs[i].name, old[i]);
    for (const dir of changed) afterChange(dir.name);
    addError(c, `ERR CONFIG SET failed (possibly related to argument '${failedName}') - ${failure}`);
    return;
  }
  addOk(c);
}

/** Make a changed directive take effect. Returns an error text or ''. */
function afterChange(name: string): string {
  if (name === 'hz') host.every('cron', Math.max(1, Math.floor(1000 / (cfgInt('hz') || 10))));
  refreshDispatchConfig();
  for (const h of configChangeHooks) {
    const err = h(name);
    if (err) return err;
  }
  if (SHELL_DIRECTIVES.has(name)) return host.configChanged(name);
  return '';
}

function configResetStat(c: Client): void {
  const st = state.stats;
  st.totalConnections = 0;
  st.rejectedConnections = 0;
  st.totalCommands = 0;
  st.netInputBytes = 0;
  st.netOutputBytes = 0;
  st.expiredKeys = 0;
  st.evictedKeys = 0;
  st.keyspaceHits = 0;
  st.keyspaceMisses = 0;
  st.totalErrorReplies = 0;
  st.errorCounts.clear();
  // In place: the command table holds references to these arrays.
  for (const arr of st.commandStats.values()) arr.fill(0);
  resetInfoStats();
  for (const h of resetStatHooks) h();
  addOk(c);
}

/** Families with their own INFO counters reset them here on CONFIG RESETSTAT. */
export const resetStatHooks: (() => void)[] = [];

function configRewrite(c: Client): void {
  const file = state.configFile;
  if (!file) {
    addError(c, 'ERR The server is running without a config file');
    return;
  }
  let old = '';
  try {
    old = fs.readFileSync(file, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      host.log('warning', `CONFIG REWRITE failed: ${errnoText(e)}`);
      addError(c, `ERR Rewriting config file: ${errnoText(e)}`);
      return;
    }
  }
  const content = rewriteConfigText(state, old);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
      fs.writeSync(fd, content, null, 'latin1');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* not created */ }
    host.log('warning', `CONFIG REWRITE failed: ${errnoText(e)}`);
    addError(c, `ERR Rewriting config file: ${errnoText(e)}`);
    return;
  }
  host.log('warning', 'CONFIG REWRITE executed with success.');
  addOk(c);
}

function configHelp(c: Client): void {
  addHelp(c, 'CONFIG', [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);
}

export const commands: CommandSpec[] = [
  { name: 'config|get', fn: configGet },
  { name: 'config|set', fn: configSet },
  { name: 'config|resetstat', fn: configResetStat },
  { name: 'config|rewrite', fn: configRewrite },
  { name: 'config|help', fn: configHelp },
];
