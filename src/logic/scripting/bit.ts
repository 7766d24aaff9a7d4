// The `bit` library of Redis 7.0 scripts (LuaBitOp 1.0.2), written against fengari: tobit, tohex, bnot, band, bor,
// bxor, lshift, rshift, arshift, rol, ror, bswap. Operands are reduced to 32 bits as LuaBitOp does it (adding
// 2^52 + 2^51 to the double and keeping the low word: round to nearest, then modulo 2^32); results are signed
// 32-bit numbers.
import * as luaApi from 'fengari/src/lua.js';
import { argError, pushLib, type LuaFn } from './libs';
import { fromLua, toLua, type LuaState } from './vm';

/* eslint-disable @typescript-eslint/no-explicit-any */
const lua: any = luaApi;

const conv = new DataView(new ArrayBuffer(8));

/** barg: argument i as 32 bits (unsigned); a non-number is an error. */
function barg(L: LuaState, i: number): number {
  const n = lua.lua_tonumber(L, i);
  conv.setFloat64(0, n + 6755399441055744.0, true);
  const b = conv.getUint32(0, true);
  if (b === 0 && !lua.lua_isnumber(L, i)) {
    argError(L, i, `number expected, got ${fromLua(lua.lua_typename(L, lua.lua_type(L, i)))}`);
  }
  return b;
}

function push(L: LuaState, b: number): number {
  lua.lua_pushnumber(L, b | 0);
  return 1;
}

/** band / bor / bxor: the first argument, then the others from the last one back (LuaBitOp's order). */
function fold(op: (a: number, b: number) => number): LuaFn {
  return (L) => {
    let b = barg(L, 1);
    for (let i = lua.lua_gettop(L); i > 1; i--) b = op(b, barg(L, i));
    return push(L, b);
  };
}

function shift(op: (b: number, n: number) => number): LuaFn {
  return (L) => {
    const b = barg(L, 1);
    const n = barg(L, 2) & 31;
    return push(L, op(b, n));
  };
}

function tohex(L: LuaState): number {
  let b = barg(L, 1);
  let n = lua.lua_type(L, 2) === lua.LUA_TNONE ? 8 : barg(L, 2) | 0;
  let digits = '0123456789abcdef';
  if (n < 0) {
    // -INT_MIN overflows in C (a crash in 7.0.15, fixed later as INT_MIN + 1): take the fixed behaviour
    n = n === -2147483648 ? 2147483647 : -n;
    digits = '0123456789ABCDEF';
  }
  if (n > 8) n = 8;
  let s = '';
  for (let i = 0; i < n; i++) {
    s = digits[b & 15] + s;
    b >>>= 4;
  }
  lua.lua_pushstring(L, toLua(s));
  return 1;
}

export function pushBit(L: LuaState): void {
  pushLib(L, [
    ['tobit', (L) => push(L, barg(L, 1))],
    ['bnot', (L) => push(L, ~barg(L, 1))],
    ['band', fold((a, b) => a & b)],
    ['bor', fold((a, b) => a | b)],
    ['bxor', fold((a, b) => a ^ b)],
    ['lshift', shift((b, n) => b << n)],
    ['rshift', shift((b, n) => b >>> n)],
    ['arshift', shift((b, n) => (b | 0) >> n)],
    ['rol', shift((b, n) => (b << n) | (b >>> (32 - n)))],
    ['ror', shift((b, n) => (b >>> n) | (b << (32 - n)))],
    ['bswap', (L) => {
      const b = barg(L, 1);
      return push(L, ((b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)));
    }],
    ['tohex', tohex],
  ]);
}
