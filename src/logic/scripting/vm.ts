// The Lua VM behind EVAL: fengari (Lua 5.3 in JavaScript; Redis embeds Lua 5.1), set up the way Redis 7.0
// sets up its interpreter (script_lua.c / eval.c) as far as scripts can observe it:
// - globals: base (without print/dofile/loadfile), table, string, math, coroutine, the `redis` table, KEYS and
//   ARGV; 5.1 names scripts still use (unpack, loadstring, table.getn, math.pow ...) are aliased by PRELUDE.
// - _G and the library tables are read-only ("Attempt to modify a readonly table"), and reading a missing
//   global is an error, as in Redis 7.0.15: every table scripts reach is an empty proxy whose __index is the
//   real table and whose __newindex refuses.
// - errors become {err=..., source=..., line=...} tables (the message handler), replied as
//   "<err> script: <sha>, on <source>:<line>."
// The VM is a disposable module cache (DESIGN rule 2): made on the first script, rebuilt after SCRIPT FLUSH or
// a hot upgrade from the bodies kept in State (state.ext.scripts).
//
// fengari is built with LUA_COMPAT_FLOATSTRING (scripts/build.mjs defines FENGARICONF) so integral floats
// print as 5.1 prints them ("5", not "5.0"). Lua 5.3 differences left: integers are a separate subtype (32-bit
// in fengari; larger values are floats), `load` chunks, goto, integer division `//` and the bitwise operators
// parse, and setfenv/getfenv/module/newproxy do not exist.

import { createHash } from 'node:crypto';
import * as luaApi from 'fengari/src/lua.js';
import * as lauxlib from 'fengari/src/lauxlib.js';
import * as lualib from 'fengari/src/lualib.js';
import { host } from '../runtime';
import { pushCjson } from './cjson';
import { pushCmsgpack } from './cmsgpack';
import { pushBit } from './bit';
import { pushStruct } from './struct';

/* eslint-disable @typescript-eslint/no-explicit-any */
const lua: any = luaApi;
const aux: any = lauxlib;
const lib: any = lualib;
export type LuaState = any;

/** What a script run needs from the command layer (commands/scripting.ts): redis.call and its context. */
export interface VmHooks {
  /** redis.call (raise=true) / redis.pcall: the args are on the Lua stack; pushes one result */
  call(L: LuaState, raise: boolean): number;
  setResp(resp: 2 | 3): void;
  aclCheck(argv: string[]): boolean | null;
}

export interface Vm {
  L: LuaState;
  /** sha -> registry ref of the compiled body */
  fns: Map<string, number>;
  /** registry ref of the real globals table (behind the _G proxy) */
  globals: number;
  /** index of the message handler in the registry */
  handler: number;
  /** registry ref of the globals a library sees while FUNCTION LOAD runs it (only `redis`, a reduced one) */
  loadApi: number;
}

let vm: Vm | null = null;
let hooks: VmHooks | null = null;

export function setVmHooks(h: VmHooks): void {
  hooks = h;
}

/** redis.register_function while a library loads (commands/functions.ts): the args are on the Lua stack. */
let registerHook: ((L: LuaState) => number) | null = null;

export function setRegisterHook(h: (L: LuaState) => number): void {
  registerHook = h;
}

/** Drop the VM (SCRIPT FLUSH): the next script makes a fresh one. */
export function resetVm(): void {
  vm = null;
}

// --- strings between JS (latin1) and Lua (byte arrays) ----------------------------------------------------

export function toLua(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'latin1'));
}

export function fromLua(u: Uint8Array): string {
  return Buffer.from(u.buffer, u.byteOffset, u.length).latin1Slice(0, u.length);
}

export function pushString(L: LuaState, s: string): void {
  lua.lua_pushstring(L, toLua(s));
}

/** The string at idx (a number is converted as Lua's tostring does), or null for other types. */
export function toStr(L: LuaState, idx: number): string | null {
  const t = lua.lua_type(L, idx);
  if (t !== lua.LUA_TSTRING && t !== lua.LUA_TNUMBER) return null;
  if (t === lua.LUA_TNUMBER) return numberText(L, idx);
  return fromLua(lua.lua_tolstring(L, idx));
}

/**
 * A number as Lua 5.1 prints it (LUA_NUMBER_FMT "%.14g"): fengari formats floats with JS's String(), which
 * differs for large and small magnitudes (1e15, 1e-05).
 */
export function numberText(L: LuaState, idx: number): string {
  if (lua.lua_isinteger(L, idx)) return String(lua.lua_tointeger(L, idx));
  return fmt14g(lua.lua_tonumber(L, idx));
}

function fmt14g(n: number): string {
  return formatG(n, 14);
}

/** C's printf "%.<precision>g" (also cjson's number format, whose precision scripts can set). */
export function formatG(n: number, precision: number): string {
  if (n !== n) return n < 0 ? '-nan' : 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return 1 / n < 0 ? '-0' : '0';
  const e = n.toExponential(precision - 1);
  const p = e.indexOf('e');
  const exp = Number(e.slice(p + 1));
  const strip = (m: string) => (m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m);
  if (exp < -4 || exp >= precision) {
    return strip(e.slice(0, p)) + 'e' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
  }
  return strip(n.toFixed(precision - 1 - exp));
}

/** tostring() with Lua 5.1's number format. */
function tostring51(L: LuaState): number {
  aux.luaL_checkany(L, 1);
  if (lua.lua_type(L, 1) === lua.LUA_TNUMBER) pushString(L, numberText(L, 1));
  // cjson.null: C prints a NULL pointer as "(nil)"
  else if (lua.lua_type(L, 1) === lua.LUA_TLIGHTUSERDATA && lua.lua_touserdata(L, 1) === null) pushString(L, 'userdata: (nil)');
  else aux.luaL_tolstring(L, 1);
  return 1;
}

/** Push an integer reply: Lua 5.1 has only doubles; fengari's integers are 32-bit, larger ones go as floats. */
export function pushInteger(L: LuaState, n: number): void {
  if (n >= -2147483648 && n <= 2147483647 && Number.isInteger(n)) lua.lua_pushinteger(L, n);
  else lua.lua_pushnumber(L, n);
}

/** Raise {err = "<code> <text>"} as redis.call does (luaPushError + luaError). */
export function raiseError(L: LuaState, text: string): never {
  pushErrorTable(L, text);
  lua.lua_error(L);
  throw new Error('unreachable');
}

export function pushErrorTable(L: LuaState, text: string): void {
  lua.lua_newtable(L);
  pushString(L, text);
  lua.lua_setfield(L, -2, 'err');
}

// --- the redis library ------------------------------------------------------------------------------------

const LOG_LEVELS = ['debug', 'verbose', 'notice', 'warning'] as const;

function redisLog(L: LuaState): number {
  const argc = lua.lua_gettop(L);
  if (argc < 2) raiseError(L, 'ERR redis.log() requires two arguments or more.');
  if (!lua.lua_isnumber(L, 1)) raiseError(L, 'ERR First argument must be a number (log level).');
  const level = lua.lua_tonumber(L, 1);
  if (!(level >= 0 && level <= 3) || !Number.isInteger(level)) raiseError(L, 'ERR Invalid debug level.');
  const parts: string[] = [];
  for (let i = 2; i <= argc; i++) {
    const s = toStr(L, i);
    if (s !== null) parts.push(s);
  }
  host.log(LOG_LEVELS[level], parts.join(' '));
  return 0;
}

function sha1hex(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1) raiseError(L, 'ERR wrong number of arguments');
  pushString(L, createHash('sha1').update(toStr(L, 1) ?? '', 'latin1').digest('hex'));
  return 1;
}

/** luaPushErrorBuff: "-CODE msg" keeps its code; without a space (or without the '-') the code is ERR. */
export function errorText(s: string): string {
  if (s.startsWith('-')) {
    const sp = s.indexOf(' ');
    return sp < 0 ? 'ERR ' + s.slice(1) : s.slice(1);
  }
  return 'ERR ' + s;
}

/** redis.error_reply / redis.status_reply: {err=...} / {ok=...}; a bad argument is returned as an error table. */
function replyTable(field: 'err' | 'ok') {
  return (L: LuaState): number => {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, 1) !== lua.LUA_TSTRING) {
      pushErrorTable(L, 'ERR wrong number or type of arguments');
      return 1;
    }
    const s = toStr(L, 1)!;
    lua.lua_newtable(L);
    pushString(L, field === 'err' ? errorText(s.startsWith('-') ? s : '-' + s) : s);
    lua.lua_setfield(L, -2, field);
    return 1;
  };
}

function setresp(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1) raiseError(L, 'ERR redis.setresp() requires one argument.');
  const v = lua.lua_tonumber(L, 1);
  if (v !== 2 && v !== 3) raiseError(L, 'ERR RESP version must be 2 or 3.');
  hooks!.setResp(v);
  return 0;
}

const REPL_NONE = 0, REPL_AOF = 1, REPL_REPLICA = 2, REPL_ALL = 3;

function setRepl(L: LuaState): number {
  if (lua.lua_gettop(L) !== 1) raiseError(L, 'ERR redis.set_repl() requires two arguments.');
  const v = lua.lua_tonumber(L, 1);
  if (!(v >= REPL_NONE && v <= REPL_ALL) || !Number.isInteger(v)) {
    raiseError(L, 'ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
  }
  return 0;
}

function aclCheckCmd(L: LuaState): number {
  const argc = lua.lua_gettop(L);
  if (argc === 0) raiseError(L, 'ERR Please specify at least one argument for this redis lib call');
  const argv: string[] = [];
  for (let i = 1; i <= argc; i++) {
    const s = toStr(L, i);
    if (s === null) raiseError(L, 'ERR Lua redis lib command arguments must be strings or integers');
    argv.push(s);
  }
  const ok = hooks!.aclCheck(argv);
  if (ok === null) raiseError(L, 'ERR Invalid command passed to redis.acl_check_cmd()');
  lua.lua_pushboolean(L, ok);
  return 1;
}

/** The libraries Redis 7.0 loads besides Lua's own (each in its own file): global name -> pushes its table. */
const LIBS: [string, (L: LuaState) => void][] = [['cjson', pushCjson], ['cmsgpack', pushCmsgpack], ['bit', pushBit],
  ['struct', pushStruct]];

// --- protection -------------------------------------------------------------------------------------------

function readonlyError(L: LuaState): number {
  return aux.luaL_error(L, 'Attempt to modify a readonly table');
}

function missingGlobal(L: LuaState): number {
  const name = toStr(L, 2) ?? aux.luaL_tolstring(L, 2) ?? '?';
  return aux.luaL_error(L, "Script attempted to access nonexistent global variable '%s'", toLua(name));
}

/** Replace the table at the top of the stack with an empty read-only proxy of it. */
function proxyTop(L: LuaState): void {
  lua.lua_newtable(L); // proxy
  lua.lua_newtable(L); // its metatable
  lua.lua_pushvalue(L, -3);
  lua.lua_setfield(L, -2, '__index');
  lua.lua_pushjsfunction(L, readonlyError);
  lua.lua_setfield(L, -2, '__newindex');
  lua.lua_pushboolean(L, 0);
  lua.lua_setfield(L, -2, '__metatable');
  lua.lua_setmetatable(L, -2);
  lua.lua_remove(L, -2);
}

/**
 * Lua 5.1 names Redis scripts use that 5.3 dropped or renamed (our own definitions). Runs before the globals are
 * protected.
 */
const PRELUDE = `
unpack = table.unpack
loadstring = load
gcinfo = function() return collectgarbage('count') end
math.pow = function(x, y) return x ^ y end
math.mod = math.fmod
math.ldexp = function(m, e) return m * 2.0 ^ e end
math.frexp = function(x)
  if x == 0 or x ~= x or x == math.huge or x == -math.huge then return x, 0 end
  local e = math.floor(math.log(math.abs(x), 2)) + 1
  local m = x / 2.0 ^ e
  if math.abs(m) >= 1 then m = m / 2; e = e + 1 elseif math.abs(m) < 0.5 then m = m * 2; e = e - 1 end
  return m, e
end
math.cosh = function(x) return (math.exp(x) + math.exp(-x)) / 2 end
math.sinh = function(x) return (math.exp(x) - math.exp(-x)) / 2 end
math.tanh = function(x) local a, b = math.exp(x), math.exp(-x) return (a - b) / (a + b) end
math.log10 = function(x) return math.log(x, 10) end
math.atan2 = math.atan
string.gfind = string.gmatch
table.getn = function(t) return #t end
table.setn = function() error('setn is obsolete') end
table.maxn = function(t) local n = 0 for k in pairs(t) do if type(k) == 'number' and k > n then n = k end end return n end
table.foreach = function(t, f) for k, v in pairs(t) do local r = f(k, v) if r ~= nil then return r end end end
table.foreachi = function(t, f) for i = 1, #t do local r = f(i, t[i]) if r ~= nil then return r end end end
_VERSION = 'Lua 5.1'
`;

/** Redis's error handler (__redis__err__handler): the error as a table with the script position added. */
function errorHandler(L: LuaState): number {
  const ar = new lua.lua_Debug();
  let found = false;
  if (lua.lua_getstack(L, 1, ar)) {
    lua.lua_getinfo(L, 'nSl', ar);
    found = true;
    // fengari reports its JS functions (the C functions of Lua) as what "J"
    const what = fromLua(ar.what);
    if (what === 'C' || what === 'J') {
      found = false;
      if (lua.lua_getstack(L, 2, ar)) {
        lua.lua_getinfo(L, 'nSl', ar);
        found = true;
      }
    }
  }
  if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
    const msg = lua.lua_type(L, 1) === lua.LUA_TNIL ? 'nil' : fromLua(aux.luaL_tolstring(L, 1));
    lua.lua_settop(L, 0);
    pushErrorTable(L, 'ERR ' + msg);
  } else {
    lua.lua_settop(L, 1);
  }
  if (found) {
    lua.lua_pushstring(L, ar.source);
    lua.lua_setfield(L, 1, 'source');
    lua.lua_pushinteger(L, ar.currentline);
    lua.lua_setfield(L, 1, 'line');
  }
  return 1;
}

/** Lua 5.1's error(): a number message gets the position too (5.3 adds it to strings only). */
function luaError51(L: LuaState): number {
  const level = aux.luaL_optinteger(L, 2, 1);
  lua.lua_settop(L, 1);
  const t = lua.lua_type(L, 1);
  if ((t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) && level > 0) {
    aux.luaL_where(L, level);
    lua.lua_pushvalue(L, 1);
    lua.lua_concat(L, 2);
  }
  return lua.lua_error(L);
}

function createVm(): Vm {
  const L = aux.luaL_newstate();
  const libs: [string, unknown][] = [['_G', lib.luaopen_base], ['table', lib.luaopen_table], ['string', lib.luaopen_string],
    ['math', lib.luaopen_math], ['coroutine', lib.luaopen_coroutine]];
  for (const [name, open] of libs) {
    aux.luaL_requiref(L, name, open, 1);
    lua.lua_pop(L, 1);
  }
  lua.lua_pushjsfunction(L, luaError51);
  lua.lua_setglobal(L, 'error');
  lua.lua_pushjsfunction(L, tostring51);
  lua.lua_setglobal(L, 'tostring');
  for (const name of ['print', 'dofile', 'loadfile', 'rawlen', 'require']) {
    lua.lua_pushnil(L);
    lua.lua_setglobal(L, name);
  }
  if (aux.luaL_loadbuffer(L, toLua(PRELUDE), null, '=prelude') !== lua.LUA_OK || lua.lua_pcall(L, 0, 0, 0) !== lua.LUA_OK) {
    throw new Error('scripting prelude: ' + fromLua(lua.lua_tolstring(L, -1)));
  }
  // the redis table
  lua.lua_newtable(L);
  const fns: [string, (L: LuaState) => number][] = [
    ['call', (s) => hooks!.call(s, true)],
    ['pcall', (s) => hooks!.call(s, false)],
    ['log', redisLog],
    ['sha1hex', sha1hex],
    ['error_reply', replyTable('err')],
    ['status_reply', replyTable('ok')],
    ['setresp', setresp],
    ['set_repl', setRepl],
    ['replicate_commands', (s) => { lua.lua_pushboolean(s, 1); return 1; }],
    ['breakpoint', (s) => { lua.lua_pushboolean(s, 0); return 1; }],
    ['debug', () => 0],
    ['acl_check_cmd', aclCheckCmd],
  ];
  for (const [name, fn] of fns) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, name);
  }
  const ints: [string, number][] = [['LOG_DEBUG', 0], ['LOG_VERBOSE', 1], ['LOG_NOTICE', 2], ['LOG_WARNING', 3],
    ['REPL_NONE', REPL_NONE], ['REPL_AOF', REPL_AOF], ['REPL_SLAVE', REPL_REPLICA], ['REPL_REPLICA', REPL_REPLICA],
    ['REPL_ALL', REPL_ALL], ['REDIS_VERSION_NUM', 0x07000f]];
  for (const [name, v] of ints) {
    lua.lua_pushinteger(L, v);
    lua.lua_setfield(L, -2, name);
  }
  pushString(L, '7.0.15');
  lua.lua_setfield(L, -2, 'REDIS_VERSION');
  lua.lua_setglobal(L, 'redis');
  for (const [name, push] of LIBS) {
    push(L);
    lua.lua_setglobal(L, name);
  }
  // Library tables become read-only proxies (also the string metatable's __index, so ("x"):upper() works).
  for (const name of ['redis', 'table', 'string', 'math', 'coroutine', ...LIBS.map(([n]) => n)]) {
    lua.lua_getglobal(L, name);
    proxyTop(L);
    if (name === 'string') {
      lua.lua_pushstring(L, toLua(''));
      lua.lua_getmetatable(L, -1);
      lua.lua_pushvalue(L, -3);
      lua.lua_setfield(L, -2, '__index');
      lua.lua_pop(L, 2);
    }
    lua.lua_setglobal(L, name);
  }
  // _G: the real globals table stays in the registry (and behind the proxy); it errors on missing names.
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
  const real = lua.lua_absindex(L, -1);
  lua.lua_newtable(L);
  lua.lua_pushjsfunction(L, missingGlobal);
  lua.lua_setfield(L, -2, '__index');
  lua.lua_setmetatable(L, real);
  lua.lua_pushvalue(L, real);
  const globals = aux.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  lua.lua_pushvalue(L, real);
  proxyTop(L);
  // the proxy is what every chunk sees as its _ENV (LUA_RIDX_GLOBALS) and as _G
  lua.lua_pushvalue(L, -1);
  lua.lua_rawseti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
  lua.lua_pushstring(L, toLua('_G'));
  lua.lua_pushvalue(L, -2);
  lua.lua_rawset(L, real);
  lua.lua_settop(L, 0);
  lua.lua_pushjsfunction(L, errorHandler);
  const handler = aux.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  return { L, fns: new Map(), globals, handler, loadApi: createLoadApi(L) };
}

/**
 * The globals a library's top level sees under FUNCTION LOAD (Redis's LIBRARY_API): `redis` with
 * register_function, log and the version fields only; any other name is a missing global and nothing can be
 * assigned. Returns its registry ref.
 */
function createLoadApi(L: LuaState): number {
  lua.lua_newtable(L);
  lua.lua_newtable(L);
  lua.lua_pushjsfunction(L, (s: LuaState) => registerHook!(s));
  lua.lua_setfield(L, -2, 'register_function');
  lua.lua_pushjsfunction(L, redisLog);
  lua.lua_setfield(L, -2, 'log');
  for (const [name, v] of [['LOG_DEBUG', 0], ['LOG_VERBOSE', 1], ['LOG_NOTICE', 2], ['LOG_WARNING', 3], ['REDIS_VERSION_NUM', 0x07000f]] as const) {
    lua.lua_pushinteger(L, v);
    lua.lua_setfield(L, -2, name);
  }
  pushString(L, '7.0.15');
  lua.lua_setfield(L, -2, 'REDIS_VERSION');
  // a missing field (redis.call) is an error, as a missing global is
  lua.lua_newtable(L);
  lua.lua_pushjsfunction(L, missingGlobal);
  lua.lua_setfield(L, -2, '__index');
  lua.lua_setmetatable(L, -2);
  proxyTop(L);
  lua.lua_setfield(L, -2, 'redis');
  lua.lua_newtable(L);
  lua.lua_pushjsfunction(L, missingGlobal);
  lua.lua_setfield(L, -2, '__index');
  lua.lua_setmetatable(L, -2);
  return aux.luaL_ref(L, lua.LUA_REGISTRYINDEX);
}

/**
 * Run a library's code (FUNCTION LOAD) so that it registers its functions: compiled as "@user_function", run
 * with the load-time globals (the _G proxy's __index points at them meanwhile, as Redis swaps its globals'
 * metatable, so the callbacks see the full globals once the load is over). `onCount` runs every 100,000
 * instructions (the load timeout). Returns null, or the error text after "ERR ".
 */
export function loadLibrary(v: Vm, code: string, onCount: () => void): string | null {
  const L = v.L;
  lua.lua_settop(L, 0);
  if (aux.luaL_loadbuffer(L, toLua(code), null, '@user_function') !== lua.LUA_OK) {
    const msg = fromLua(lua.lua_tolstring(L, -1)).replace(/ near <eof>$/, " near '<eof>'");
    lua.lua_settop(L, 0);
    return `Error compiling function: ${msg}`;
  }
  const setIndex = (ref: number) => {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, lua.LUA_RIDX_GLOBALS);
    lua.lua_getmetatable(L, -1);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    lua.lua_setfield(L, -2, '__index');
    lua.lua_pop(L, 2);
  };
  setIndex(v.loadApi);
  lua.lua_sethook(L, () => onCount(), lua.LUA_MASKCOUNT, 100000);
  let status: number;
  try {
    status = lua.lua_pcall(L, 0, 0, 0);
  } finally {
    lua.lua_sethook(L, null, 0, 0);
    setIndex(v.globals);
  }
  let err: string | null = null;
  if (status !== lua.LUA_OK) {
    // luaExtractErrorInformation: a table's err field, else the value as text with ERR in front
    if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
      lua.lua_getfield(L, -1, 'err');
      err = `Error registering functions: ${toStr(L, -1) ?? ''}`;
    } else {
      err = `Error registering functions: ERR ${toStr(L, -1) ?? ''}`;
    }
  }
  lua.lua_settop(L, 0);
  return err;
}

export function getVm(): Vm {
  if (vm === null) vm = createVm();
  return vm;
}

/** Compile a body as "@user_script"; returns the registry ref, or the compiler's message. */
export function compile(v: Vm, sha: string, body: string): number | string {
  const known = v.fns.get(sha);
  if (known !== undefined) return known;
  const L = v.L;
  if (aux.luaL_loadbuffer(L, toLua(body), null, '@user_script') !== lua.LUA_OK) {
    // Lua 5.1 quotes the end of the chunk ("near '<eof>'"), 5.3 does not
    const msg = fromLua(lua.lua_tolstring(L, -1)).replace(/ near <eof>$/, " near '<eof>'");
    lua.lua_settop(L, 0);
    return msg;
  }
  const ref = aux.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  v.fns.set(sha, ref);
  return ref;
}

/** Set KEYS / ARGV (in the real globals table, past the read-only proxy). */
function setArray(L: LuaState, realIdx: number, name: string, items: readonly string[]): void {
  lua.lua_pushstring(L, toLua(name));
  pushArray(L, items);
  lua.lua_rawset(L, realIdx);
}

function pushArray(L: LuaState, items: readonly string[]): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushString(L, items[i]);
    lua.lua_rawseti(L, -2, i + 1);
  }
}

/**
 * Run a compiled script. On return the stack holds the result at index 1 (ok=true) or the error table (ok=false);
 * the caller converts it and then calls lua_settop(L, 0). `onCount` runs every 10,000 VM instructions.
 */
export function run(v: Vm, ref: number, keys: readonly string[], args: readonly string[], onCount: () => void,
  asParams = false): boolean {
  const L = v.L;
  lua.lua_settop(L, 0);
  if (!asParams) {
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, v.globals);
    setArray(L, 1, 'KEYS', keys);
    setArray(L, 1, 'ARGV', args);
    lua.lua_settop(L, 0);
  }
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, v.handler);
  lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
  // a function (FCALL) gets the keys and the args as its two parameters, not as globals
  if (asParams) {
    pushArray(L, keys);
    pushArray(L, args);
  }
  lua.lua_sethook(L, () => onCount(), lua.LUA_MASKCOUNT, 10000);
  let status: number;
  try {
    status = lua.lua_pcall(L, asParams ? 2 : 0, 1, 1);
  } finally {
    lua.lua_sethook(L, null, 0, 0);
  }
  lua.lua_remove(L, 1);
  return status === lua.LUA_OK;
}

export const luaApiHandle: any = lua;
export const luaAux: any = aux;
