// Helpers shared by the libraries Redis 7.0 exposes to scripts (cjson, cmsgpack, bit, struct): Lua 5.1's
// argument checking as the C libraries use it, on top of fengari's auxiliary library.
import * as luaApi from 'fengari/src/lua.js';
import * as lauxlib from 'fengari/src/lauxlib.js';
import { toLua, type LuaState } from './vm';

/* eslint-disable @typescript-eslint/no-explicit-any */
const lua: any = luaApi;
const aux: any = lauxlib;

/**
 * Lua 5.1's LUAI_MAXCSTACK: lua_checkstack fails when a C function would hold more than this many values, which is
 * where Redis's libraries stop with "stack overflow (...)" (fengari's limit is far larger).
 */
export const C_STACK_LIMIT = 8000;

/** luaL_checkstack as Lua 5.1 behaves in a C function. */
export function checkStack51(L: LuaState, n: number, what: string): void {
  if (lua.lua_gettop(L) + n > C_STACK_LIMIT || !lua.lua_checkstack(L, n)) libError(L, `stack overflow (${what})`);
}

export type LuaFn = (L: LuaState) => number;

/** luaL_argerror: "bad argument #<arg> to '<fn>' (<msg>)". */
export function argError(L: LuaState, arg: number, msg: string): never {
  lua.lua_checkstack(L, 5); // room for the message even when the caller filled its frame
  aux.luaL_argerror(L, arg, toLua(msg));
  throw new Error('unreachable');
}

/** luaL_error with a fixed message (the position of the calling script line is prepended, as in Lua). */
export function libError(L: LuaState, msg: string): never {
  lua.lua_checkstack(L, 5);
  aux.luaL_error(L, toLua('%s'), toLua(msg));
  throw new Error('unreachable');
}

/**
 * Lua 5.1's luaL_checkinteger: a number or a numeric string, truncated toward zero (lua_Integer is a C cast on
 * x86-64); fengari's own refuses non-integral numbers.
 */
export function checkInt(L: LuaState, arg: number): number {
  return Math.trunc(aux.luaL_checknumber(L, arg));
}

/** luaL_optinteger as in 5.1: nil or none gives the default. */
export function optInt(L: LuaState, arg: number, def: number): number {
  return lua.lua_type(L, arg) <= lua.LUA_TNIL ? def : checkInt(L, arg);
}

/** Push a new table holding the functions (luaL_register's table part). */
export function pushLib(L: LuaState, fns: readonly (readonly [string, LuaFn])[]): void {
  lua.lua_createtable(L, 0, fns.length);
  for (const [name, fn] of fns) {
    lua.lua_pushjsfunction(L, fn);
    lua.lua_setfield(L, -2, toLua(name));
  }
}
