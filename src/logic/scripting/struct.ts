// The `struct` library of Redis 7.0 scripts (Roberto Ierusalimschy's struct 0.2 with Redis's fixes), written
// against fengari: pack(fmt, ...), unpack(fmt, data [, pos]), size(fmt). Formats as on x86-64 Linux: native
// order little endian; b/B 1 byte, h/H 2, l/L and T 8, i/I 4 or `in` bytes (at most 32), f 4, d 8, x one pad
// byte, cn n chars (c0: the whole string when packing, the previous number when unpacking), s zero-terminated,
// '<' '>' byte order, '!n' alignment (default 8), ' ' ignored. Integers go through 64 bits as the C code does.
import * as luaApi from 'fengari/src/lua.js';
import * as lauxlib from 'fengari/src/lauxlib.js';
import { argError, checkStack51, libError, optInt, pushLib } from './libs';
import { fromLua, toLua, type LuaState } from './vm';

/* eslint-disable @typescript-eslint/no-explicit-any */
const lua: any = luaApi;
const aux: any = lauxlib;

const MAXINTSIZE = 32;
const MAXALIGN = 8;
const INT_MAX = 2147483647;
const U64 = (1n << 64n) - 1n;

interface Fmt {
  s: string;
  p: number;
  little: boolean;
  align: number;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

function getnum(L: LuaState, f: Fmt, df: number): number {
  if (!isDigit(f.s[f.p])) return df;
  let a = 0;
  do {
    const d = f.s.charCodeAt(f.p) - 48;
    if (a > Math.floor(INT_MAX / 10) || a * 10 > INT_MAX - d) libError(L, 'integral size overflow');
    a = a * 10 + d;
    f.p++;
  } while (isDigit(f.s[f.p]));
  return a;
}

function optsize(L: LuaState, opt: string, f: Fmt): number {
  switch (opt) {
    case 'B': case 'b': return 1;
    case 'H': case 'h': return 2;
    case 'L': case 'l': case 'T': return 8;
    case 'f': return 4;
    case 'd': return 8;
    case 'x': return 1;
    case 'c': return getnum(L, f, 1);
    case 'i': case 'I': {
      const sz = getnum(L, f, 4);
      if (sz > MAXINTSIZE) libError(L, `integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      return sz;
    }
    default: return 0;
  }
}

function gettoalign(len: number, f: Fmt, opt: string, size: number): number {
  if (size === 0 || opt === 'c') return 0;
  if (size > f.align) size = f.align;
  return (size - (len & (size - 1))) & (size - 1);
}

const isp2 = (x: number) => x > 0 && (x & (x - 1)) === 0;

function controloptions(L: LuaState, opt: string, f: Fmt): void {
  switch (opt) {
    case ' ': return;
    case '>': f.little = false; return;
    case '<': f.little = true; return;
    case '!': {
      const a = getnum(L, f, MAXALIGN);
      if (!isp2(a)) libError(L, `alignment ${a} is not a power of 2`);
      f.align = a;
      return;
    }
    default:
      argError(L, 1, `invalid format option '${opt}'`);
  }
}

function newFmt(L: LuaState): Fmt {
  return { s: fromLua(aux.luaL_checklstring(L, 1)), p: 0, little: true, align: 1 };
}

const INTEGER_OPTS = 'bBhHlLTiI';

/** A Lua number as the C code's 64-bit unsigned value (x86-64 conversions: out of range gives 0 or 2^63). */
function toU64(n: number): bigint {
  if (n < 0) return n < -(2 ** 63) ? 1n << 63n : BigInt.asUintN(64, BigInt(Math.trunc(n)));
  if (!(n < 2 ** 64)) return 0n; // NaN too
  return BigInt(Math.trunc(n));
}

function putinteger(L: LuaState, arg: number, little: boolean, size: number): string {
  let v = toU64(aux.luaL_checknumber(L, arg));
  const bytes = new Array<string>(size);
  for (let i = 0; i < size; i++) {
    bytes[little ? i : size - 1 - i] = String.fromCharCode(Number(v & 0xffn));
    v >>= 8n;
  }
  return bytes.join('');
}

function pack(L: LuaState): number {
  const f = newFmt(L);
  let arg = 2;
  let total = 0;
  lua.lua_pushnil(L); // struct.c's mark between the arguments and the buffer: a missing argument reads as nil
  const out: string[] = [];
  while (f.p < f.s.length) {
    const opt = f.s[f.p++];
    let size = optsize(L, opt, f);
    const toalign = gettoalign(total, f, opt, size);
    total += toalign;
    if (toalign > 0) out.push('\0'.repeat(toalign));
    if (INTEGER_OPTS.includes(opt)) {
      out.push(putinteger(L, arg++, f.little, size));
    } else if (opt === 'x') {
      out.push('\0');
    } else if (opt === 'f' || opt === 'd') {
      const b = Buffer.alloc(size);
      const n = aux.luaL_checknumber(L, arg++);
      if (opt === 'f') f.little ? b.writeFloatLE(n) : b.writeFloatBE(n);
      else f.little ? b.writeDoubleLE(n) : b.writeDoubleBE(n);
      out.push(b.latin1Slice(0, size));
    } else if (opt === 'c' || opt === 's') {
      const s = fromLua(aux.luaL_checklstring(L, arg++));
      if (size === 0) size = s.length;
      if (s.length < size) argError(L, arg, 'string too short');
      out.push(s.slice(0, size));
      if (opt === 's') {
        out.push('\0');
        size++;
      }
    } else {
      controloptions(L, opt, f);
    }
    total += size;
  }
  lua.lua_pushstring(L, toLua(out.join('')));
  return 1;
}

function getinteger(data: Buffer, pos: number, little: boolean, signed: boolean, size: number): number {
  let l = 0n;
  for (let i = 0; i < size; i++) {
    l = ((l << 8n) | BigInt(data[little ? pos + size - 1 - i : pos + i])) & U64;
  }
  if (!signed) return Number(l);
  // the C shift count is taken modulo 64 (sizes over 8 bytes)
  const mask = (U64 << BigInt((size * 8 - 1) & 63)) & U64;
  if (l & mask) l |= mask;
  return Number(BigInt.asIntN(64, l));
}

function unpack(L: LuaState): number {
  const f = newFmt(L);
  const data = Buffer.from(aux.luaL_checklstring(L, 2));
  const ld = data.length;
  const offset = optInt(L, 3, 1);
  if (offset === 0) argError(L, 3, 'offset must be 1 or greater');
  // a negative offset wraps around in size_t: no item fits, only an empty format returns (the offset itself)
  let pos = offset < 0 ? Infinity : offset - 1;
  lua.lua_settop(L, 2);
  let n = 0;
  while (f.p < f.s.length) {
    const opt = f.s[f.p++];
    let size = optsize(L, opt, f);
    pos += gettoalign(pos, f, opt, size);
    if (!(size <= ld && pos <= ld - size)) argError(L, 2, 'data string too short');
    checkStack51(L, 2, 'too many results');
    if (INTEGER_OPTS.includes(opt)) {
      lua.lua_pushnumber(L, getinteger(data, pos, f.little, opt >= 'a', size));
      n++;
    } else if (opt === 'x') {
      // padding
    } else if (opt === 'f') {
      lua.lua_pushnumber(L, f.little ? data.readFloatLE(pos) : data.readFloatBE(pos));
      n++;
    } else if (opt === 'd') {
      lua.lua_pushnumber(L, f.little ? data.readDoubleLE(pos) : data.readDoubleBE(pos));
      n++;
    } else if (opt === 'c') {
      if (size === 0) {
        if (n === 0 || !lua.lua_isnumber(L, -1)) libError(L, "format 'c0' needs a previous size");
        size = Math.trunc(lua.lua_tonumber(L, -1));
        lua.lua_pop(L, 1);
        n--;
        if (!(size <= ld && pos <= ld - size)) argError(L, 2, 'data string too short');
      }
      lua.lua_pushstring(L, toLua(data.latin1Slice(pos, pos + size)));
      n++;
    } else if (opt === 's') {
      const e = data.indexOf(0, pos);
      if (e < 0) libError(L, 'unfinished string in data');
      size = e - pos + 1;
      lua.lua_pushstring(L, toLua(data.latin1Slice(pos, e)));
      n++;
    } else {
      controloptions(L, opt, f);
    }
    pos += size;
  }
  lua.lua_pushnumber(L, pos === Infinity ? offset : pos + 1);
  return n + 1;
}

function size(L: LuaState): number {
  const f = newFmt(L);
  let pos = 0;
  while (f.p < f.s.length) {
    const opt = f.s[f.p++];
    const sz = optsize(L, opt, f);
    pos += gettoalign(pos, f, opt, sz);
    if (opt === 's') argError(L, 1, "option 's' has no fixed size");
    else if (opt === 'c' && sz === 0) argError(L, 1, "option 'c0' has no fixed size");
    // letters that are no option are skipped here (struct.c checks isalnum), pack and unpack refuse them
    if (!/[0-9A-Za-z]/.test(opt)) controloptions(L, opt, f);
    pos += sz;
  }
  lua.lua_pushnumber(L, pos);
  return 1;
}

export function pushStruct(L: LuaState): void {
  pushLib(L, [['pack', pack], ['unpack', unpack], ['size', size]]);
}
