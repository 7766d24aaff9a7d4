// The `cjson` library of Redis 7.0 scripts (lua-cjson 2.1.0 as Redis bundles it), written against fengari:
// encode / decode, the configuration functions (encode_sparse_array, encode_max_depth, decode_max_depth,
// encode_number_precision, encode_keep_buffer, encode_invalid_numbers, decode_invalid_numbers), new, null,
// _NAME, _VERSION. Error texts are lua-cjson's. The configuration belongs to the library instance and so lives as
// long as the VM (as in Redis, where it lasts until SCRIPT FLUSH); cjson.new() makes an instance of its own.
//
// Difference left: an object's members come out in the order fengari's tables iterate (insertion order), not in
// Lua 5.1's hash order, so objects with several members may list them in another order than Redis.
import * as luaApi from 'fengari/src/lua.js';
import * as lauxlib from 'fengari/src/lauxlib.js';
import { argError, checkInt, libError, pushLib, type LuaFn } from './libs';
import { formatG, fromLua, toLua, type LuaState } from './vm';

/* eslint-disable @typescript-eslint/no-explicit-any */
const lua: any = luaApi;
const aux: any = lauxlib;

const INT_MAX = 2147483647;

interface Config {
  sparseConvert: number;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  decodeMaxDepth: number;
  precision: number;
  /** 0 off (error), 1 on (nan/inf printed), 2 "null" */
  encodeInvalid: number;
  decodeInvalid: number;
  keepBuffer: number;
}

function newConfig(): Config {
  return { sparseConvert: 0, sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
    precision: 14, encodeInvalid: 0, decodeInvalid: 1, keepBuffer: 1 };
}

// --- configuration functions ---------------------------------------------------------------------------------

/** The configuration functions take at most `n` arguments; missing ones read as nil. */
function argInit(L: LuaState, n: number): void {
  if (lua.lua_gettop(L) > n) argError(L, n + 1, 'found too many arguments');
  lua.lua_settop(L, n);
}

const BOOL_OPTIONS = ['off', 'on'];

/** An option given as a boolean (true is option 1) or by name; pushes the current value (false/true or its name). */
function enumOption(L: LuaState, idx: number, cfg: Config, key: keyof Config, options: readonly string[] = BOOL_OPTIONS): void {
  if (lua.lua_type(L, idx) !== lua.LUA_TNIL) {
    if (lua.lua_type(L, idx) === lua.LUA_TBOOLEAN) {
      cfg[key] = lua.lua_toboolean(L, idx) ? 1 : 0;
    } else {
      const name = fromLua(aux.luaL_checklstring(L, idx));
      const i = options.indexOf(name);
      if (i < 0) argError(L, idx, `invalid option '${name}'`);
      cfg[key] = i;
    }
  }
  const v = cfg[key];
  if (v <= 1) lua.lua_pushboolean(L, v);
  else lua.lua_pushstring(L, toLua(options[v]));
}

/** An integer option in [min, max]; lua-cjson names argument #1 in the range error whatever its position. */
function intOption(L: LuaState, idx: number, cfg: Config, key: keyof Config, min: number, max: number): void {
  if (lua.lua_type(L, idx) !== lua.LUA_TNIL) {
    const v = checkInt(L, idx);
    if (!(min <= v && v <= max)) argError(L, 1, `expected integer between ${min} and ${max}`);
    cfg[key] = v;
  }
  lua.lua_pushinteger(L, cfg[key]);
}

/** A configuration function of one integer setting. */
function intSetting(cfg: Config, key: keyof Config, min: number, max: number): LuaFn {
  return (L) => {
    argInit(L, 1);
    intOption(L, 1, cfg, key, min, max);
    return 1;
  };
}

/** A configuration function of one boolean / named setting. */
function enumSetting(cfg: Config, key: keyof Config, options?: readonly string[]): LuaFn {
  return (L) => {
    argInit(L, 1);
    enumOption(L, 1, cfg, key, options);
    return 1;
  };
}

// --- encoding ---------------------------------------------------------------------------------------------

function typeName(L: LuaState, idx: number): string {
  return fromLua(lua.lua_typename(L, lua.lua_type(L, idx)));
}

function encodeError(L: LuaState, idx: number, reason: string): never {
  return libError(L, `Cannot serialise ${typeName(L, idx)}: ${reason}`);
}

/** lua-cjson's escapes: control characters, '"', '\\', '/' and DEL; other bytes (UTF-8 included) pass. */
const ESCAPES: (string | undefined)[] = [];
for (let c = 0; c < 32; c++) ESCAPES[c] = '\\u' + c.toString(16).padStart(4, '0');
ESCAPES[8] = '\\b';
ESCAPES[9] = '\\t';
ESCAPES[10] = '\\n';
ESCAPES[12] = '\\f';
ESCAPES[13] = '\\r';
ESCAPES[34] = '\\"';
ESCAPES[47] = '\\/';
ESCAPES[92] = '\\\\';
ESCAPES[127] = '\\u007f';

function encodeString(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const esc = ESCAPES[s.charCodeAt(i)];
    if (esc !== undefined) {
      out += s.slice(from, i) + esc;
      from = i + 1;
    }
  }
  return out + s.slice(from) + '"';
}

class Encoder {
  out: string[] = [];
  depth = 0;
  constructor(readonly L: LuaState, readonly cfg: Config) {}

  number(idx: number): void {
    const n = lua.lua_tonumber(this.L, idx);
    if (n !== n || n === Infinity || n === -Infinity) {
      if (this.cfg.encodeInvalid === 0) encodeError(this.L, idx, 'must not be NaN or Inf');
      if (this.cfg.encodeInvalid === 2) {
        this.out.push('null');
        return;
      }
      this.out.push(n !== n ? 'nan' : n > 0 ? 'inf' : '-inf');
      return;
    }
    this.out.push(formatG(n, this.cfg.precision));
  }

  /** The array length of the table at the top, or -1 when it must be an object (lua_array_length). */
  arrayLength(): number {
    const L = this.L;
    let max = 0;
    let items = 0;
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2) !== 0) {
      if (lua.lua_type(L, -2) === lua.LUA_TNUMBER) {
        const k = lua.lua_tonumber(L, -2);
        if (Math.floor(k) === k && k >= 1) {
          if (k > max) max = k;
          items++;
          lua.lua_pop(L, 1);
          continue;
        }
      }
      lua.lua_pop(L, 2);
      return -1;
    }
    const cfg = this.cfg;
    if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
      if (!cfg.sparseConvert) encodeError(L, -1, 'excessively sparse array');
      return -1;
    }
    return max;
  }

  /**
   * Append the value at the top of the stack (popping it). Nested tables are walked with an explicit stack of
   * frames, not by recursion: 1000 levels of JS recursion, plus the error handler run on top of them, would
   * overflow V8's stack inside a server. Each open table stays on the Lua stack, with its current key for
   * objects, as lua-cjson keeps them.
   */
  value(): void {
    const L = this.L;
    /** per open table: array length, or -1 for an object; and the last index / whether a member was written */
    const frames: { len: number; i: number }[] = [];
    let opened = this.open(frames);
    for (;;) {
      if (!opened) lua.lua_pop(L, 1);
      const f = frames[frames.length - 1];
      if (f === undefined) return;
      if (f.len >= 0) {
        if (f.i < f.len) {
          if (f.i++ > 0) this.out.push(',');
          lua.lua_rawgeti(L, -1, f.i);
          opened = this.open(frames);
          continue;
        }
        this.out.push(']');
      } else {
        if (lua.lua_next(L, -2) !== 0) {
          if (f.i++ > 0) this.out.push(',');
          const kt = lua.lua_type(L, -2);
          if (kt === lua.LUA_TNUMBER) {
            this.out.push('"');
            this.number(-2);
            this.out.push('":');
          } else if (kt === lua.LUA_TSTRING) {
            this.out.push(encodeString(fromLua(lua.lua_tolstring(L, -2))), ':');
          } else {
            encodeError(L, -2, 'table key must be a number or string');
          }
          opened = this.open(frames);
          continue;
        }
        this.out.push('}');
      }
      // the table is done: pop it (lua_next already popped an object's last key)
      frames.pop();
      this.depth--;
      opened = false;
    }
  }

  /** Write a scalar at the top of the stack (false: the caller pops it), or open a table (true: it stays). */
  private open(frames: { len: number; i: number }[]): boolean {
    const L = this.L;
    switch (lua.lua_type(L, -1)) {
      case lua.LUA_TSTRING:
        this.out.push(encodeString(fromLua(lua.lua_tolstring(L, -1))));
        return false;
      case lua.LUA_TNUMBER:
        this.number(-1);
        return false;
      case lua.LUA_TBOOLEAN:
        this.out.push(lua.lua_toboolean(L, -1) ? 'true' : 'false');
        return false;
      case lua.LUA_TNIL:
        this.out.push('null');
        return false;
      case lua.LUA_TLIGHTUSERDATA:
        if (lua.lua_touserdata(L, -1) === null) {
          this.out.push('null');
          return false;
        }
        break;
      case lua.LUA_TTABLE: {
        this.depth++;
        if (this.depth > this.cfg.encodeMaxDepth || !lua.lua_checkstack(L, 3)) libError(L, `Cannot serialise, excessive nesting (${this.depth})`);
        const len = this.arrayLength();
        if (len > 0) {
          this.out.push('[');
          frames.push({ len, i: 0 });
        } else {
          this.out.push('{');
          frames.push({ len: -1, i: 0 });
          lua.lua_pushnil(L);
        }
        return true;
      }
    }
    return encodeError(L, -1, 'type not supported');
  }
}

// --- decoding ---------------------------------------------------------------------------------------------

const enum T { ObjBegin, ObjEnd, ArrBegin, ArrEnd, Str, Num, Bool, Null, Colon, Comma, End, Error }

const TOKEN_NAMES = ['T_OBJ_BEGIN', 'T_OBJ_END', 'T_ARR_BEGIN', 'T_ARR_END', 'T_STRING', 'T_NUMBER', 'T_BOOLEAN',
  'T_NULL', 'T_COLON', 'T_COMMA', 'T_END'];

interface Token {
  type: T;
  index: number;
  /** string value, or the error text for T.Error */
  str: string;
  num: number;
}

const STRTOD = /^[+-]?(?:inf(?:inity)?|nan(?:\([0-9a-z_]*\))?|0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)/i;

/** C's strtod on the text at `at`: [value, length], length 0 when nothing parses. */
function strtod(s: string, at: number): [number, number] {
  const m = STRTOD.exec(s.slice(at, at + 400));
  if (m === null) return [0, 0];
  const t = m[0];
  const neg = t[0] === '-';
  const body = t[0] === '-' || t[0] === '+' ? t.slice(1).toLowerCase() : t.toLowerCase();
  let v: number;
  if (body.startsWith('inf')) v = Infinity;
  else if (body.startsWith('nan')) v = NaN;
  else if (body.startsWith('0x')) {
    const pp = body.indexOf('p');
    const mant = pp < 0 ? body.slice(2) : body.slice(2, pp);
    const dot = mant.indexOf('.');
    const ip = dot < 0 ? mant : mant.slice(0, dot);
    const fp = dot < 0 ? '' : mant.slice(dot + 1);
    v = (ip === '' ? 0 : parseInt(ip, 16)) + (fp === '' ? 0 : parseInt(fp, 16) / 16 ** fp.length);
    if (pp >= 0) v *= 2 ** Number(body.slice(pp + 1));
  } else v = Number(body);
  return [neg ? -v : v, t.length];
}

/** Numbers strict JSON refuses but strtod takes: a leading '+', hex, leading zeros, inf, nan. */
function isInvalidNumber(s: string, at: number): boolean {
  let i = at;
  if (s[i] === '+') return true;
  if (s[i] === '-') i++;
  if (s[i] === '0') {
    const c2 = s.charCodeAt(i + 1) | 0x20;
    return c2 === 0x78 || (s[i + 1] >= '0' && s[i + 1] <= '9');
  }
  if (i >= s.length || s.charCodeAt(i) <= 0x39) return false;
  const w = s.slice(i, i + 3).toLowerCase();
  return w === 'inf' || w === 'nan';
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', t: '\t', n: '\n', f: '\f', r: '\r' };

function hex4(s: string, at: number): number {
  const h = s.slice(at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(h) ? parseInt(h, 16) : -1;
}

/** A code point as UTF-8 bytes (latin1 chars). */
function utf8(cp: number): string {
  if (cp <= 0x7f) return String.fromCharCode(cp);
  if (cp <= 0x7ff) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if (cp <= 0xffff) return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return String.fromCharCode(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

class Decoder {
  pos = 0;
  depth = 0;
  /** the text up to its first NUL byte: lua-cjson reads a C string */
  readonly s: string;
  constructor(readonly L: LuaState, readonly cfg: Config, text: string) {
    const nul = text.indexOf('\0');
    this.s = nul < 0 ? text : text.slice(0, nul);
  }

  private error(t: Token, msg: string): Token {
    t.type = T.Error;
    t.index = this.pos;
    t.str = msg;
    return t;
  }

  next(): Token {
    const s = this.s;
    while (this.pos < s.length && (s[this.pos] === ' ' || s[this.pos] === '\t' || s[this.pos] === '\n' || s[this.pos] === '\r')) this.pos++;
    const t: Token = { type: T.End, index: this.pos, str: '', num: 0 };
    if (this.pos >= s.length) return t;
    const ch = s[this.pos];
    const single = '{}[]:,'.indexOf(ch);
    if (single >= 0) {
      t.type = [T.ObjBegin, T.ObjEnd, T.ArrBegin, T.ArrEnd, T.Colon, T.Comma][single];
      this.pos++;
      return t;
    }
    if (ch === '"') return this.string(t);
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      if (!this.cfg.decodeInvalid && isInvalidNumber(s, this.pos)) return this.error(t, 'invalid number');
      return this.number(t);
    }
    if (s.startsWith('true', this.pos)) {
      t.type = T.Bool;
      t.num = 1;
      this.pos += 4;
      return t;
    }
    if (s.startsWith('false', this.pos)) {
      t.type = T.Bool;
      this.pos += 5;
      return t;
    }
    if (s.startsWith('null', this.pos)) {
      t.type = T.Null;
      this.pos += 4;
      return t;
    }
    // characters lua-cjson looks at further (inf, nan, '+'); anything else is an invalid token
    if ('iInN+tf'.includes(ch) && this.cfg.decodeInvalid && isInvalidNumber(s, this.pos)) return this.number(t);
    return this.error(t, 'invalid token');
  }

  private number(t: Token): Token {
    const [v, len] = strtod(this.s, this.pos);
    if (len === 0) return this.error(t, 'invalid number');
    t.type = T.Num;
    t.num = v;
    this.pos += len;
    return t;
  }

  private string(t: Token): Token {
    const s = this.s;
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= s.length) return this.error(t, 'unexpected end of string');
      const ch = s[this.pos];
      if (ch === '"') break;
      if (ch !== '\\') {
        out += ch;
        this.pos++;
        continue;
      }
      const e = s[this.pos + 1];
      if (e === 'u') {
        let cp = hex4(s, this.pos + 2);
        let len = 6;
        if (cp >= 0 && (cp & 0xf800) === 0xd800) {
          // a surrogate: must be a high one followed by an escaped low one
          const low = !(cp & 0x400) && s[this.pos + 6] === '\\' && s[this.pos + 7] === 'u' ? hex4(s, this.pos + 8) : -1;
          cp = low >= 0 && (low & 0xfc00) === 0xdc00 ? (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000 : -1;
          len = 12;
        }
        if (cp < 0) return this.error(t, 'invalid unicode escape code');
        out += utf8(cp);
        this.pos += len;
        continue;
      }
      const c = e === undefined ? undefined : SIMPLE_ESCAPES[e];
      if (c === undefined) return this.error(t, 'invalid escape code');
      out += c;
      this.pos += 2;
    }
    this.pos++;
    t.type = T.Str;
    t.str = out;
    return t;
  }

  throwParse(expected: string, t: Token): never {
    const found = t.type === T.Error ? t.str : TOKEN_NAMES[t.type];
    return libError(this.L, `Expected ${expected} but found ${found} at character ${t.index + 1}`);
  }

  private descend(): void {
    this.depth++;
    if (this.depth > this.cfg.decodeMaxDepth || !lua.lua_checkstack(this.L, 3)) {
      libError(this.L, `Found too many nested data structures (${this.depth}) at character ${this.pos}`);
    }
  }

  /** Push the value starting with token t; nested containers are walked without recursion (see Encoder.value). */
  value(first: Token): void {
    const L = this.L;
    /** per open container: array (next index) or object (-1) */
    const frames: number[] = [];
    let t = first;
    for (;;) {
      if (t.type === T.ObjBegin || t.type === T.ArrBegin) {
        const isArr = t.type === T.ArrBegin;
        this.descend();
        lua.lua_newtable(L);
        t = this.next();
        if (t.type !== (isArr ? T.ArrEnd : T.ObjEnd)) {
          frames.push(isArr ? 1 : -1);
          if (!isArr) t = this.member(t);
          continue;
        }
        this.depth--;
      } else {
        this.scalar(t);
      }
      // a whole value is on the stack: store it in its container, then see what follows
      for (;;) {
        const f = frames.length - 1;
        if (f < 0) return;
        const isArr = frames[f] > 0;
        if (isArr) lua.lua_rawseti(L, -2, frames[f]++);
        else lua.lua_rawset(L, -3);
        t = this.next();
        if (t.type === (isArr ? T.ArrEnd : T.ObjEnd)) {
          frames.pop();
          this.depth--;
          continue;
        }
        if (t.type !== T.Comma) this.throwParse(isArr ? 'comma or array end' : 'comma or object end', t);
        t = this.next();
        if (!isArr) t = this.member(t);
        break;
      }
    }
  }

  /** An object member's key and colon (t is the key's token); returns the token starting its value. */
  private member(t: Token): Token {
    if (t.type !== T.Str) this.throwParse('object key string', t);
    lua.lua_pushstring(this.L, toLua(t.str));
    const colon = this.next();
    if (colon.type !== T.Colon) this.throwParse('colon', colon);
    return this.next();
  }

  private scalar(t: Token): void {
    const L = this.L;
    switch (t.type) {
      case T.Str:
        lua.lua_pushstring(L, toLua(t.str));
        return;
      case T.Num:
        lua.lua_pushnumber(L, t.num);
        return;
      case T.Bool:
        lua.lua_pushboolean(L, t.num);
        return;
      case T.Null:
        lua.lua_pushlightuserdata(L, null);
        return;
      default:
        this.throwParse('value', t);
    }
  }
}

// --- the library ------------------------------------------------------------------------------------------

/** Push a new cjson table with its own configuration (luaopen_cjson / cjson.new). */
export function pushCjson(L: LuaState): void {
  const cfg = newConfig();
  const fns: [string, LuaFn][] = [
    ['encode', (L) => {
      if (lua.lua_gettop(L) !== 1) argError(L, 1, 'expected 1 argument');
      const enc = new Encoder(L, cfg);
      enc.value();
      lua.lua_pushstring(L, toLua(enc.out.join('')));
      return 1;
    }],
    ['decode', (L) => {
      if (lua.lua_gettop(L) !== 1) argError(L, 1, 'expected 1 argument');
      const text = fromLua(aux.luaL_checklstring(L, 1));
      if (text.length >= 2 && (text[0] === '\0' || text[1] === '\0')) libError(L, 'JSON parser does not support UTF-16 or UTF-32');
      const dec = new Decoder(L, cfg, text);
      dec.value(dec.next());
      const end = dec.next();
      if (end.type !== T.End) dec.throwParse('the end', end);
      return 1;
    }],
    ['encode_sparse_array', (L) => {
      argInit(L, 3);
      enumOption(L, 1, cfg, 'sparseConvert');
      intOption(L, 2, cfg, 'sparseRatio', 0, INT_MAX);
      intOption(L, 3, cfg, 'sparseSafe', 0, INT_MAX);
      return 3;
    }],
    ['encode_max_depth', intSetting(cfg, 'encodeMaxDepth', 1, INT_MAX)],
    ['decode_max_depth', intSetting(cfg, 'decodeMaxDepth', 1, INT_MAX)],
    ['encode_number_precision', intSetting(cfg, 'precision', 1, 14)],
    // the encode buffer is a C memory optimisation; the setting is kept and reported only
    ['encode_keep_buffer', enumSetting(cfg, 'keepBuffer')],
    ['encode_invalid_numbers', enumSetting(cfg, 'encodeInvalid', ['off', 'on', 'null'])],
    ['decode_invalid_numbers', enumSetting(cfg, 'decodeInvalid')],
    ['new', (L) => {
      pushCjson(L);
      return 1;
    }],
  ];
  pushLib(L, fns);
  lua.lua_pushstring(L, toLua('cjson'));
  lua.lua_setfield(L, -2, '_NAME');
  lua.lua_pushstring(L, toLua('2.1.0'));
  lua.lua_setfield(L, -2, '_VERSION');
  lua.lua_pushlightuserdata(L, null);
  lua.lua_setfield(L, -2, 'null');
}
