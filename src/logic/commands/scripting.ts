// Lua scripting: EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP, as Redis 7.0's eval.c,
// script.c and script_lua.c behave (the VM itself is scripting/vm.ts).
//
// - The script cache (sha1 -> body) is plain data in state.ext.scripts, so EVALSHA works across a hot upgrade;
//   compiled functions live in the bundle's VM and are compiled again lazily.
// - redis.call runs the command through dispatch's execute() on a script client (not in state.clients) with the
//   caller's db, flagged CLIENT_IN_EXEC: blocking commands do not block, and the AOF hook keeps the script's
//   writes in the caller's unit, so they reach the AOF as Redis 7.0 propagates them (the executed commands,
//   wrapped in MULTI/EXEC when there is more than one). The reply bytes it produces are read back into Lua values.
// - A script runs to its end: other clients wait (one thread). Past busy-reply-threshold a warning is logged,
//   as Redis logs its "Slow script detected"; SCRIPT KILL cannot interrupt it, so it only ever sees no script
//   running (NOTBUSY).

import type { ClientRecord } from '../../abi';
import { CLIENT_IN_EXEC, execute, lookupCommand } from '../dispatch';
import { addArrayLen, addBulk, addError, addHelp, addInt, addOk, addRaw, countError, errorProto } from '../resp/reply';
import { cfgInt, host, pendingFlush, state, type Client } from '../runtime';
import { lifecycleHooks } from '../lifecycle';
import { selfTestCases } from '../selftest';
import { FUNCTION_FLAGS } from '../scripting/library';
import { formatDouble17g, parseInt64 } from '../util/numbers';
import {
  compile, errorText, getVm, luaApiHandle as lua, pushErrorTable, pushInteger, pushString, raiseError, resetVm, run,
  setVmHooks, toStr, type LuaState,
} from '../scripting/vm';
import { createHash } from 'node:crypto';
import type { CommandDef, CommandSpec } from './table';

/** state.ext.scripts: sha1 (lowercase hex) -> body */
function scripts(): Map<string, string> {
  let m = state.ext.scripts as Map<string, string> | undefined;
  if (m === undefined) {
    m = new Map();
    state.ext.scripts = m;
  }
  return m;
}

function sha1(s: string): string {
  return createHash('sha1').update(s, 'latin1').digest('hex');
}

// --- the running script -----------------------------------------------------------------------------------

interface RunContext {
  caller: Client;
  sc: ClientRecord;
  /** EVAL_RO, or a no-writes shebang */
  readOnly: boolean;
  /** shebang flag allow-oom (or no-writes): redis.call never meets the OOM check */
  allowOom: boolean;
  /** a write command ran (Redis's SCRIPT_WRITE_DIRTY): past it the script is never stopped for OOM */
  wrote: boolean;
  startMs: number;
  warned: boolean;
  /** the script's sha, or the function's name (FCALL): the slow-script log and error replies name it */
  name: string;
}

let ctx: RunContext | null = null;

/** Set by evict.ts while maxmemory is on: the OOM error text when `def` (a redis.call) must be refused, else null. */
export const scriptHooks = {
  oomText: null as null | ((caller: Client, def: CommandDef) => string | null),
};

/** The script client: a bundle-local record, never in state.clients (so no CLIENT LIST entry, as Redis's). */
function scriptClient(caller: Client): ClientRecord {
  return {
    id: Number.MAX_SAFE_INTEGER, socket: null as unknown as ClientRecord['socket'], addr: '', laddr: '', local: true,
    unixSocket: false, createdMs: caller.createdMs, closed: false, inbuf: null, inchunks: null, inchunksLen: 0, inNeed: 0,
    out: '', db: caller.db, resp: 2, name: '', libName: '', libVer: '', replyMode: 'on', skipThis: false, noEvict: true,
    closeAfterReply: false, lastInteractionMs: 0, lastCmd: 'NULL', pausedFor: '', commandsProcessed: 0,
    authenticated: true, flags: CLIENT_IN_EXEC, ext: {},
  };
}

/** A redis.call argument: numbers as luaRedisGenericCommand prints them ("%lld" when integral, else "%.17g"). */
function argText(L: LuaState, i: number): string | null {
  if (lua.lua_type(L, i) !== lua.LUA_TNUMBER) return toStr(L, i);
  const n = lua.lua_tonumber(L, i);
  if (Number.isInteger(n) && n >= -9223372036854775808 && n < 9223372036854775808) return BigInt(n).toString();
  return formatDouble17g(n);
}

function scriptCall(L: LuaState, raise: boolean): number {
  const fail = (text: string): number => {
    if (raise) raiseError(L, text);
    pushErrorTable(L, text);
    return 1;
  };
  const argc = lua.lua_gettop(L);
  if (argc === 0) return fail('ERR Please specify at least one argument for this redis lib call');
  const argv: string[] = [];
  for (let i = 1; i <= argc; i++) {
    const s = argText(L, i);
    if (s === null) return fail('ERR Lua redis lib command arguments must be strings or integers');
    argv.push(s);
  }
  const r = ctx!;
  slowCheck(r);
  const def = lookupCommand(argv);
  if (def === undefined) return fail('ERR Unknown Redis command called from script');
  if ((def.arity > 0 && def.arity !== argv.length) || argv.length < -def.arity || def.fn === null) {
    return fail('ERR Wrong number of args calling Redis command from script');
  }
  if (def.flags.has('noscript')) return fail('ERR This Redis command is not allowed from script');
  if (r.readOnly && def.flags.has('write')) return fail('ERR Write commands are not allowed from read-only scripts.');
  // Redis's scriptVerifyOOM: only the first write may be refused (the OOM state is the one seen at the script's start).
  if (!r.allowOom && !r.wrote && scriptHooks.oomText !== null) {
    const oom = scriptHooks.oomText(r.caller, def);
    if (oom !== null) return fail(oom);
  }
  if (def.flags.has('write')) r.wrote = true;
  const sc = r.sc;
  execute(sc, def, argv);
  const out = sc.out;
  sc.out = '';
  const i = pendingFlush.lastIndexOf(sc);
  if (i >= 0) pendingFlush.splice(i, 1);
  if (raise && out.charCodeAt(0) === 45 /* - */) {
    raiseError(L, errorText(out.slice(0, out.indexOf('\r\n'))));
  }
  lua.lua_settop(L, 0);
  pushReply(L, out, 0);
  return 1;
}

/** Push the RESP reply at out[pos] as a Lua value (Redis's redisProtocolToLuaType); returns the position after it. */
function pushReply(L: LuaState, out: string, pos: number): number {
  const eol = out.indexOf('\r\n', pos);
  const line = out.slice(pos + 1, eol);
  let next = eol + 2;
  const field = (name: string) => lua.lua_setfield(L, -2, name);
  switch (out[pos]) {
    case '+':
      lua.lua_newtable(L);
      pushString(L, line);
      field('ok');
      break;
    case '-':
      lua.lua_newtable(L);
      pushString(L, line);
      field('err');
      break;
    case ':':
      pushInteger(L, Number(line));
      break;
    case '$': case '=': {
      const n = Number(line);
      if (n < 0) {
        lua.lua_pushboolean(L, 0);
        break;
      }
      const s = out.slice(next, next + n);
      next += n + 2;
      if (out[pos] === '=') {
        lua.lua_newtable(L);
        lua.lua_newtable(L);
        pushString(L, s.slice(4));
        field('string');
        pushString(L, s.slice(0, 3));
        field('format');
        field('verbatim_string');
      } else {
        pushString(L, s);
      }
      break;
    }
    case '*': case '~': case '%': {
      const n = Number(line);
      if (n < 0) {
        lua.lua_pushboolean(L, 0);
        break;
      }
      const kind = out[pos];
      lua.lua_newtable(L);
      if (kind !== '*') lua.lua_newtable(L);
      for (let i = 0; i < n; i++) {
        next = pushReply(L, out, next);
        if (kind === '*') lua.lua_rawseti(L, -2, i + 1);
        else if (kind === '~') {
          lua.lua_pushboolean(L, 1);
          lua.lua_rawset(L, -3);
        } else {
          next = pushReply(L, out, next);
          lua.lua_rawset(L, -3);
        }
      }
      if (kind !== '*') field(kind === '~' ? 'set' : 'map');
      break;
    }
    case '_':
      lua.lua_pushnil(L);
      break;
    case '#':
      lua.lua_pushboolean(L, line === 't' ? 1 : 0);
      break;
    case ',':
      lua.lua_newtable(L);
      lua.lua_pushnumber(L, line === 'inf' ? Infinity : line === '-inf' ? -Infinity : Number(line));
      field('double');
      break;
    case '(':
      lua.lua_newtable(L);
      pushString(L, line);
      field('big_number');
      break;
    default:
      throw new Error(`unexpected reply from a script command: ${JSON.stringify(out.slice(pos, pos + 20))}`);
  }
  return next;
}

/** The Lua value at idx as RESP for the caller (Redis's luaReplyToRedisReply). */
function luaToResp(L: LuaState, idx: number, resp: 2 | 3, scriptResp: 2 | 3): string {
  const nil = resp === 3 ? '_\r\n' : '$-1\r\n';
  switch (lua.lua_type(L, idx)) {
    case lua.LUA_TSTRING: {
      const s = toStr(L, idx)!;
      return '$' + s.length + '\r\n' + s + '\r\n';
    }
    case lua.LUA_TBOOLEAN: {
      const b = lua.lua_toboolean(L, idx);
      if (scriptResp === 2) return b ? ':1\r\n' : nil;
      return resp === 3 ? (b ? '#t\r\n' : '#f\r\n') : b ? ':1\r\n' : ':0\r\n';
    }
    case lua.LUA_TNUMBER:
      return ':' + truncInt(lua.lua_tonumber(L, idx)) + '\r\n';
    case lua.LUA_TTABLE:
      return tableToResp(L, lua.lua_absindex(L, idx), resp, scriptResp);
    default:
      return nil;
  }
}

/** (long long) of a Lua number, as the C cast truncates. */
function truncInt(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '9223372036854775807' : '-9223372036854775808';
  const t = Math.trunc(n);
  if (Number.isSafeInteger(t)) return String(t === 0 ? 0 : t);
  return BigInt(t).toString();
}

function stringField(L: LuaState, t: number, name: string): string | null {
  lua.lua_getfield(L, t, name);
  const s = lua.lua_type(L, -1) === lua.LUA_TSTRING ? toStr(L, -1) : null;
  lua.lua_pop(L, 1);
  return s;
}

function tableToResp(L: LuaState, t: number, resp: 2 | 3, scriptResp: 2 | 3): string {
  const err = stringField(L, t, 'err');
  if (err !== null) {
    addErrorCount(err);
    return errorProto(err);
  }
  const ok = stringField(L, t, 'ok');
  if (ok !== null) return '+' + ok.replace(/[\r\n]/g, ' ') + '\r\n';
  lua.lua_getfield(L, t, 'double');
  if (lua.lua_type(L, -1) === lua.LUA_TNUMBER) {
    const d = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
    const text = d === Infinity ? 'inf' : d === -Infinity ? '-inf' : formatDouble17g(d);
    return resp === 3 ? ',' + text + '\r\n' : '$' + text.length + '\r\n' + text + '\r\n';
  }
  lua.lua_pop(L, 1);
  for (const kind of ['map', 'set'] as const) {
    lua.lua_getfield(L, t, kind);
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      const inner = lua.lua_absindex(L, -1);
      let n = 0;
      let body = '';
      lua.lua_pushnil(L);
      while (lua.lua_next(L, inner) !== 0) {
        body += luaToResp(L, -2, resp, scriptResp);
        if (kind === 'map') body += luaToResp(L, -1, resp, scriptResp);
        lua.lua_pop(L, 1);
        n++;
      }
      lua.lua_pop(L, 1);
      if (kind === 'map') return (resp === 3 ? '%' + n : '*' + n * 2) + '\r\n' + body;
      return (resp === 3 ? '~' : '*') + n + '\r\n' + body;
    }
    lua.lua_pop(L, 1);
  }
  let n = 0;
  let body = '';
  for (;;) {
    lua.lua_rawgeti(L, t, n + 1);
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    body += luaToResp(L, -1, resp, scriptResp);
    lua.lua_pop(L, 1);
    n++;
  }
  return '*' + n + '\r\n' + body;
}

/** Error replies built here are emitted raw; count them as addError does. */
let errorsToCount: string[] = [];
function addErrorCount(text: string): void {
  errorsToCount.push(text);
}

setVmHooks({
  call: scriptCall,
  setResp(resp) {
    ctx!.sc.resp = resp;
  },
  aclCheck(argv) {
    // The default user may run every command: only the command's existence is checked.
    return lookupCommand(argv) === undefined ? null : true;
  },
});

// --- shebang ----------------------------------------------------------------------------------------------

/** Redis has one table of script flags (scripts_flags_def) for EVAL shebangs and FUNCTION libraries alike. */
const SHEBANG_FLAGS: ReadonlySet<string> = new Set(FUNCTION_FLAGS);

interface Prepared {
  /** the body Lua compiles: the shebang line blanked, so line numbers stay */
  code: string;
  noWrites: boolean;
  allowOom: boolean;
}

/** Redis's evalExtractShebangFlags; an error text for a bad shebang. */
export function prepareBody(body: string): Prepared | string {
  if (!body.startsWith('#!')) return { code: body, noWrites: false, allowOom: false };
  const end = body.indexOf('\n');
  if (end < 0) return 'ERR Invalid script shebang';
  const parts = body.slice(0, end).split(' ').filter((p) => p !== '');
  if (parts[0] !== '#!lua') return `ERR Unexpected engine in script shebang: ${parts[0] ?? '#!'}`;
  let noWrites = false;
  let allowOom = false;
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return `ERR Unknown lua shebang option: ${part}`;
    for (const f of part.slice(6).split(',')) {
      if (f === '') continue;
      if (!SHEBANG_FLAGS.has(f)) return `ERR Unexpected flag in script shebang: ${f}`;
      if (f === 'no-writes') noWrites = true;
      if (f === 'allow-oom') allowOom = true;
    }
  }
  return { code: body.slice(end), noWrites, allowOom };
}

/**
 * Check the shebang, compile `body` (known as `sha`) and keep it in the script cache; on an error, reply it and
 * return null.
 */
function loadScript(c: Client, sha: string, body: string): { ref: number; noWrites: boolean; allowOom: boolean } | null {
  const prepared = prepareBody(body);
  if (typeof prepared === 'string') {
    addError(c, prepared);
    return null;
  }
  const ref = compile(getVm(), sha, prepared.code);
  if (typeof ref === 'string') {
    addError(c, `ERR Error compiling script (new function): ${ref}`);
    return null;
  }
  scripts().set(sha, body);
  return { ref, noWrites: prepared.noWrites, allowOom: prepared.allowOom || prepared.noWrites };
}

// --- commands -----------------------------------------------------------------------------------------------

/** EVAL's and FCALL's numkeys (argv[2]) checked against the arguments after it; on an error, reply it, null.
 *  `notInt` is the error for a numkeys that is not an integer (FCALL has its own). */
export function parseNumKeys(c: Client, argv: string[], notInt = 'ERR value is not an integer or out of range'): number | null {
  const nk = parseInt64(argv[2]);
  if (nk === null) {
    addError(c, notInt);
    return null;
  }
  if (nk > BigInt(argv.length - 3)) {
    addError(c, "ERR Number of keys can't be greater than number of args");
    return null;
  }
  if (nk < 0n) {
    addError(c, "ERR Number of keys can't be negative");
    return null;
  }
  return Number(nk);
}

function evalGeneric(c: Client, argv: string[], bySha: boolean, ro: boolean): void {
  const numkeys = parseNumKeys(c, argv);
  if (numkeys === null) return;
  let sha: string;
  let body: string | undefined;
  if (bySha) {
    sha = argv[1].toLowerCase();
    body = argv[1].length === 40 ? scripts().get(sha) : undefined;
    if (body === undefined) {
      addError(c, 'NOSCRIPT No matching script. Please use EVAL.');
      return;
    }
  } else {
    body = argv[1];
    sha = sha1(body);
  }
  const loaded = loadScript(c, sha, body);
  if (loaded === null) return;
  runScript(c, sha, loaded.ref, argv.slice(3, 3 + numkeys), argv.slice(3 + numkeys), ro || loaded.noWrites, loaded.allowOom);
}

/**
 * Run a compiled script (EVAL: `name` is its sha, KEYS/ARGV are globals) or function (FCALL, commands/functions.ts:
 * `name` is the function's, keys and args are its parameters) and reply its result or error to c.
 */
export function runScript(c: Client, name: string, ref: number, keys: string[], args: string[], readOnly: boolean,
  allowOom: boolean, isFunction = false): void {
  const v = getVm();
  const L = v.L;
  const outer = ctx;
  const r: RunContext = { caller: c, sc: scriptClient(c), readOnly, allowOom, wrote: false, startMs: Date.now(), warned: false, name };
  ctx = r;
  errorsToCount = [];
  let reply: string;
  try {
    const ok = run(v, ref, keys, args, () => slowCheck(r), isFunction);
    reply = ok ? luaToResp(L, 1, c.resp, r.sc.resp) : errorReply(L, name);
  } finally {
    lua.lua_settop(L, 0);
    ctx = outer;
  }
  // errors of the reply count as error replies (addReplyErrorFormat), in order
  for (const e of errorsToCount) countError(e);
  errorsToCount = [];
  addRaw(c, reply);
}

/** The error table of a failed run as Redis 7.0 replies it. */
function errorReply(L: LuaState, sha: string): string {
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
    const text = `ERR Error running script (call to f_${sha}): @user_script: unknown error`;
    addErrorCount(text);
    return errorProto(text);
  }
  const get = (name: string): string | null => {
    lua.lua_getfield(L, 1, name);
    const s = toStr(L, -1);
    lua.lua_pop(L, 1);
    return s;
  };
  const msg = get('err');
  const source = get('source');
  const line = get('line');
  let text: string;
  if (msg === null) text = `ERR Error running script (call to f_${sha}): @user_script: unknown error`;
  else if (source !== null && line !== null) text = `${msg} script: ${sha}, on ${source}:${line}.`;
  else text = msg;
  addErrorCount(text);
  return errorProto(text);
}

function slowCheck(r: RunContext): void {
  if (r.warned) return;
  const limit = cfgInt('busy-reply-threshold');
  const elapsed = Date.now() - r.startMs;
  if (limit > 0 && elapsed >= limit) {
    r.warned = true;
    host.log('warning', `Slow script detected: still in execution after ${elapsed} milliseconds. ` +
      `hotkv cannot interrupt a running script (SCRIPT KILL); other clients wait until it ends. Script name is: ${r.name}.`);
  }
}

function scriptLoad(c: Client, argv: string[]): void {
  const body = argv[2];
  const sha = sha1(body);
  if (loadScript(c, sha, body) !== null) addBulk(c, sha);
}

function scriptExists(c: Client, argv: string[]): void {
  const m = scripts();
  addArrayLen(c, argv.length - 2);
  for (let i = 2; i < argv.length; i++) addInt(c, m.has(argv[i].toLowerCase()) ? 1 : 0);
}

function scriptFlush(c: Client, argv: string[]): void {
  if (argv.length > 3 || (argv.length === 3 && !['sync', 'async'].includes(argv[2].toLowerCase()))) {
    addError(c, 'ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    return;
  }
  scripts().clear();
  resetVm();
  addOk(c);
}

/** SCRIPT KILL and FUNCTION KILL: a script runs to its end before any other command is read, so none ever runs
 *  when one of them does. */
export function scriptKill(c: Client): void {
  addError(c, 'NOTBUSY No scripts in execution right now.');
}

function scriptHelp(c: Client): void {
  addHelp(c, 'SCRIPT', [
    'DEBUG (YES|SYNC|NO)',
    '    Set the debug mode for subsequent scripts executed.',
    'EXISTS <sha1> [<sha1> ...]',
    '    Return information about the existence of the scripts in the script cache.',
    'FLUSH [ASYNC|SYNC]',
    '    Flush the Lua scripts cache. Very dangerous on replicas.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the scripts cache.',
    '    * SYNC: Synchronously flush the scripts cache.',
    'KILL',
    '    Kill the currently executing Lua script.',
    'LOAD <script>',
    '    Load a script into the scripts cache without executing it.',
  ]);
}

// The Lua VM belongs to this bundle, not to a State: the self-test's EVAL cases create one before the bundle
// goes live. A server that has never run a script should not carry it (about 2 MB), and a bundle leaving
// (swapped out, or waiting in probation) must not keep one: dropped here, made again by the next script.
lifecycleHooks.activate.push(() => {
  const cache = state.ext.scripts as Map<string, string> | undefined;
  if (cache === undefined || cache.size === 0) resetVm();
});
lifecycleHooks.deactivate.push(resetVm);

selfTestCases.push(
  { send: '*3\r\n$4\r\nEVAL\r\n$35\r\nreturn {1, redis.call("ping"), 2.9}\r\n$1\r\n0\r\n',
    expect: '*3\r\n:1\r\n+PONG\r\n:2\r\n' },
  { send: 'SCRIPT LOAD "return ARGV[1]"\r\nEVALSHA 098e0f0d1448c0a81dafe820f66d460eb09263da 0 x\r\n',
    expect: '$40\r\n098e0f0d1448c0a81dafe820f66d460eb09263da\r\n$1\r\nx\r\n' },
);

export const commands: CommandSpec[] = [
  { name: 'eval', fn: (c, argv) => evalGeneric(c, argv, false, false) },
  { name: 'evalsha', fn: (c, argv) => evalGeneric(c, argv, true, false) },
  { name: 'eval_ro', fn: (c, argv) => evalGeneric(c, argv, false, true) },
  { name: 'evalsha_ro', fn: (c, argv) => evalGeneric(c, argv, true, true) },
  { name: 'script|load', fn: scriptLoad },
  { name: 'script|exists', fn: scriptExists },
  { name: 'script|flush', fn: scriptFlush },
  { name: 'script|kill', fn: scriptKill },
  { name: 'script|help', fn: scriptHelp },
];
