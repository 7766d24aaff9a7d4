// The `cmsgpack` library of Redis 7.0 scripts (lua-cmsgpack 0.4.0 as Redis bundles it), written against
// fengari: pack(...), unpack, unpack_one, unpack_limit, with the encodings lua-cmsgpack chooses (the smallest
// integer form; float32 when a number survives the round trip, else float64; str8/16/32 for strings; a table is
// an array when its keys are exactly 1..n, else a map; tables nested deeper than 16 levels pack as nil; other
// types pack as nil). Lua 5.1 has only doubles: integral numbers within int64 pack as integers.
//
// Difference left: a map's pairs are packed in the order fengari's tables iterate (insertion order), not in Lua
// 5.1's hash order.
import * as luaApi from 'fengari/src/lua.js';
import * as lauxlib from 'fengari/src/lauxlib.js';
import { argError, C_STACK_LIMIT, checkInt, checkStack51, libError, optInt, pushLib } from './libs';
import { fromLua, pushInteger, toLua, type LuaState } from './vm';

/* eslint-disable @typescript-eslint/no-explicit-any */
const lua: any = luaApi;
const aux: any = lauxlib;

const MAX_NESTING = 16;
const TWO63 = 2 ** 63;

// --- encoding (bytes are latin1 characters) -----------------------------------------------------------------

const scratch = Buffer.alloc(9);

function be(type: number, bytes: number, write: (b: Buffer) => void): string {
  scratch[0] = type;
  write(scratch);
  return scratch.latin1Slice(0, 1 + bytes);
}

function encodeInt(n: number): string {
  if (n >= 0) {
    if (n <= 127) return String.fromCharCode(n);
    if (n <= 0xff) return be(0xcc, 1, (b) => b.writeUInt8(n, 1));
    if (n <= 0xffff) return be(0xcd, 2, (b) => b.writeUInt16BE(n, 1));
    if (n <= 0xffffffff) return be(0xce, 4, (b) => b.writeUInt32BE(n, 1));
    return be(0xcf, 8, (b) => b.writeBigUInt64BE(BigInt(n), 1));
  }
  if (n >= -32) return String.fromCharCode(n & 0xff);
  if (n >= -128) return be(0xd0, 1, (b) => b.writeInt8(n, 1));
  if (n >= -32768) return be(0xd1, 2, (b) => b.writeInt16BE(n, 1));
  if (n >= -2147483648) return be(0xd2, 4, (b) => b.writeInt32BE(n, 1));
  return be(0xd3, 8, (b) => b.writeBigInt64BE(BigInt(n), 1));
}

function encodeNumber(n: number): string {
  // IS_INT64_EQUIVALENT: not inf, and the int64 cast gives the number back (2^63 itself does not)
  if (Number.isInteger(n) && n >= -TWO63 && n < TWO63) return encodeInt(n);
  if (Math.fround(n) === n) return be(0xca, 4, (b) => b.writeFloatBE(n, 1));
  return be(0xcb, 8, (b) => b.writeDoubleBE(n, 1));
}

function encodeString(s: string): string {
  const len = s.length;
  if (len < 32) return String.fromCharCode(0xa0 | len) + s;
  if (len <= 0xff) return be(0xd9, 1, (b) => b.writeUInt8(len, 1)) + s;
  if (len <= 0xffff) return be(0xda, 2, (b) => b.writeUInt16BE(len, 1)) + s;
  return be(0xdb, 4, (b) => b.writeUInt32BE(len, 1)) + s;
}

function containerHeader(len: number, fix: number, t16: number): string {
  if (len <= 15) return String.fromCharCode(fix | len);
  if (len <= 0xffff) return be(t16, 2, (b) => b.writeUInt16BE(len, 1));
  return be(t16 + 1, 4, (b) => b.writeUInt32BE(len, 1));
}

/** table_is_an_array: every key a positive integral number and no holes (the largest key is the key count). */
function isArray(L: LuaState): boolean {
  let count = 0;
  let max = 0;
  const top = lua.lua_gettop(L);
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2) !== 0) {
    lua.lua_pop(L, 1);
    const n = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : 0;
    if (!(n > 0) || !Number.isInteger(n)) {
      lua.lua_settop(L, top);
      return false;
    }
    if (n > max) max = n;
    count++;
  }
  lua.lua_settop(L, top);
  return max === count;
}

/** Encode the value at the top of the stack and pop it. */
function encode(L: LuaState, out: string[], level: number): void {
  let t = lua.lua_type(L, -1);
  if (t === lua.LUA_TTABLE && level === MAX_NESTING) t = lua.LUA_TNIL;
  switch (t) {
    case lua.LUA_TSTRING:
      out.push(encodeString(fromLua(lua.lua_tolstring(L, -1))));
      break;
    case lua.LUA_TBOOLEAN:
      out.push(lua.lua_toboolean(L, -1) ? '\xc3' : '\xc2');
      break;
    case lua.LUA_TNUMBER:
      out.push(encodeNumber(lua.lua_tonumber(L, -1)));
      break;
    case lua.LUA_TTABLE:
      checkStack51(L, 3, 'in function mp_encode_lua_table_as_map');
      if (isArray(L)) {
        const len = lua.lua_rawlen(L, -1);
        out.push(containerHeader(len, 0x90, 0xdc));
        for (let j = 1; j <= len; j++) {
          lua.lua_rawgeti(L, -1, j);
          encode(L, out, level + 1);
        }
      } else {
        let n = 0;
        lua.lua_pushnil(L);
        while (lua.lua_next(L, -2) !== 0) {
          lua.lua_pop(L, 1);
          n++;
        }
        out.push(containerHeader(n, 0x80, 0xde));
        lua.lua_pushnil(L);
        while (lua.lua_next(L, -2) !== 0) {
          lua.lua_pushvalue(L, -2);
          encode(L, out, level + 1); // the key
          encode(L, out, level + 1); // the value
        }
      }
      break;
    default:
      out.push('\xc0');
  }
  lua.lua_pop(L, 1);
}

function pack(L: LuaState): number {
  const nargs = lua.lua_gettop(L);
  if (nargs === 0) argError(L, 0, 'MessagePack pack needs input.');
  if (nargs + nargs > C_STACK_LIMIT || !lua.lua_checkstack(L, nargs)) argError(L, 0, 'Too many arguments for MessagePack pack.');
  const out: string[] = [];
  for (let i = 1; i <= nargs; i++) {
    lua.lua_pushvalue(L, i);
    encode(L, out, 0);
  }
  lua.lua_pushstring(L, toLua(out.join('')));
  return 1;
}

// --- decoding ---------------------------------------------------------------------------------------------

const EOF = 1;
const BADFMT = 2;

class Cursor {
  err = 0;
  constructor(readonly b: Buffer, public p: number) {}
  get left(): number {
    return this.b.length - this.p;
  }
  /** mp_cur_need: are n bytes left (else the EOF error)? */
  need(n: number): boolean {
    if (this.left < n) {
      this.err = EOF;
      return false;
    }
    return true;
  }
}

interface Frame {
  map: boolean;
  left: number;
  /** next array index */
  j: number;
  /** a map's key is on the stack, its value comes next */
  key: boolean;
}

/**
 * Decode one value at the cursor and push it (mp_decode_to_lua_type). Containers are walked with an explicit
 * stack of frames: nesting is bounded only by the input, and deep JS recursion would overflow V8's stack.
 */
function decode(L: LuaState, c: Cursor): void {
  const frames: Frame[] = [];
  for (;;) {
    const f = frames[frames.length - 1];
    if (f !== undefined && !f.map) pushInteger(L, f.j++);
    if (!c.need(1)) return;
    checkStack51(L, 1, 'too many return values at once; use unpack_one or unpack_limit instead.');
    const opened = decodeHead(L, c, frames);
    if (c.err) return;
    if (opened) continue;
    // a whole value is on the stack: store it into the enclosing containers it completes
    for (;;) {
      const g = frames[frames.length - 1];
      if (g === undefined) return;
      if (g.map && !g.key) {
        g.key = true;
        break;
      }
      lua.lua_settable(L, -3);
      g.key = false;
      if (--g.left > 0) break;
      frames.pop();
    }
  }
}

/** Push a scalar (false), or a new table, with a frame when it has items (true). */
function decodeHead(L: LuaState, c: Cursor, frames: Frame[]): boolean {
  if (!c.need(1)) return false;
  const b = c.b;
  const p = c.p;
  const t = b[p];
  const sized = (n: number, push: () => void): boolean => {
    if (!c.need(1 + n)) return false;
    push();
    c.p += 1 + n;
    return false;
  };
  const str = (hdr: number, len: number): boolean => {
    if (!c.need(hdr + len)) return false;
    lua.lua_pushstring(L, toLua(b.latin1Slice(p + hdr, p + hdr + len)));
    c.p += hdr + len;
    return false;
  };
  const container = (hdr: number, n: number, map: boolean): boolean => {
    c.p += hdr;
    lua.lua_newtable(L);
    if (!map) checkStack51(L, 1, 'in function mp_decode_to_lua_array');
    if (n === 0) return false;
    frames.push({ map, left: n, j: 1, key: false });
    return true;
  };
  if (t <= 0x7f) return sized(0, () => pushInteger(L, t));
  if (t >= 0xe0) return sized(0, () => pushInteger(L, t - 256));
  if (t >= 0xa0 && t <= 0xbf) return str(1, t & 0x1f);
  if (t >= 0x90 && t <= 0x9f) return container(1, t & 0xf, false);
  if (t >= 0x80 && t <= 0x8f) return container(1, t & 0xf, true);
  switch (t) {
    case 0xc0: return sized(0, () => lua.lua_pushnil(L));
    case 0xc2: return sized(0, () => lua.lua_pushboolean(L, 0));
    case 0xc3: return sized(0, () => lua.lua_pushboolean(L, 1));
    case 0xca: return sized(4, () => lua.lua_pushnumber(L, b.readFloatBE(p + 1)));
    case 0xcb: return sized(8, () => lua.lua_pushnumber(L, b.readDoubleBE(p + 1)));
    case 0xcc: return sized(1, () => pushInteger(L, b.readUInt8(p + 1)));
    case 0xcd: return sized(2, () => pushInteger(L, b.readUInt16BE(p + 1)));
    case 0xce: return sized(4, () => pushInteger(L, b.readUInt32BE(p + 1)));
    // lua-cmsgpack pushes a uint64 through lua_Integer: the top bit makes it negative
    case 0xcf: return sized(8, () => pushInteger(L, Number(b.readBigInt64BE(p + 1))));
    case 0xd0: return sized(1, () => pushInteger(L, b.readInt8(p + 1)));
    case 0xd1: return sized(2, () => pushInteger(L, b.readInt16BE(p + 1)));
    case 0xd2: return sized(4, () => pushInteger(L, b.readInt32BE(p + 1)));
    case 0xd3: return sized(8, () => pushInteger(L, Number(b.readBigInt64BE(p + 1))));
    case 0xd9: return c.need(2) ? str(2, b[p + 1]) : false;
    case 0xda: return c.need(3) ? str(3, b.readUInt16BE(p + 1)) : false;
    case 0xdb: return c.need(5) ? str(5, b.readUInt32BE(p + 1)) : false;
    case 0xdc: return c.need(3) ? container(3, b.readUInt16BE(p + 1), false) : false;
    case 0xdd: return c.need(5) ? container(5, b.readUInt32BE(p + 1), false) : false;
    case 0xde: return c.need(3) ? container(3, b.readUInt16BE(p + 1), true) : false;
    case 0xdf: return c.need(5) ? container(5, b.readUInt32BE(p + 1), true) : false;
  }
  c.err = BADFMT;
  return false;
}

/** mp_unpack_full: `limit` values from `offset` (0 and 0: all of them, and no offset returned). */
function unpackFull(L: LuaState, limit: number, offset: number): number {
  const s = Buffer.from(aux.luaL_checklstring(L, 1));
  const len = s.length;
  const all = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) libError(L, `Invalid request to unpack with offset of ${offset} and limit of ${len}.`);
  if (offset > len) libError(L, `Start offset ${offset} greater than input length ${len}.`);
  if (all) limit = 2147483647;
  const c = new Cursor(s, offset);
  let cnt = 0;
  for (; c.left > 0 && cnt < limit; cnt++) {
    decode(L, c);
    if (c.err === EOF) libError(L, 'Missing bytes in input.');
    if (c.err === BADFMT) libError(L, 'Bad data format in input.');
  }
  if (!all) {
    // the offset where decoding stopped (-1 at the end) goes before the values
    checkStack51(L, 1, 'in function mp_unpack_full');
    lua.lua_pushinteger(L, c.left === 0 ? -1 : len - c.left);
    lua.lua_insert(L, 2);
    cnt++;
  }
  return cnt;
}

export function pushCmsgpack(L: LuaState): void {
  pushLib(L, [
    ['pack', pack],
    ['unpack', (L) => unpackFull(L, 0, 0)],
    ['unpack_one', (L) => {
      const offset = optInt(L, 2, 0);
      if (lua.lua_gettop(L) > 1) lua.lua_settop(L, 1);
      return unpackFull(L, 1, offset);
    }],
    ['unpack_limit', (L) => {
      const limit = checkInt(L, 2);
      const offset = optInt(L, 3, 0);
      if (lua.lua_gettop(L) > 1) lua.lua_settop(L, 1);
      return unpackFull(L, limit, offset);
    }],
  ]);
  const info: [string, string][] = [['_NAME', 'cmsgpack'], ['_VERSION', 'lua-cmsgpack 0.4.0'],
    ['_COPYRIGHT', 'Copyright (C) 2012, Salvatore Sanfilippo'], ['_DESCRIPTION', 'MessagePack C implementation for Lua']];
  for (const [k, v] of info) {
    lua.lua_pushstring(L, toLua(v));
    lua.lua_setfield(L, -2, k);
  }
}
