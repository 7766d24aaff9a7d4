// Redis 7.0 functions: FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS/KILL/HELP, FCALL and FCALL_RO, as
// functions.c and function_lua.c behave.
//
// - The libraries are plain data in state.ext.functions (scripting/library.ts). A library's callbacks are
//   compiled into this bundle's Lua VM (scripting/vm.ts, shared with EVAL) by running its code again, the
//   first time a logic calls into it: after a hot upgrade, a SCRIPT FLUSH (which drops the VM) or an RDB load.
// - FCALL runs a callback through the EVAL machinery (scripting.ts runScript): redis.call, error replies,
//   read-only and OOM checks, the AOF (the commands it ran, FCALL itself is effects-only as EVAL is), MONITOR.
// - FUNCTION DUMP/RESTORE payloads are Redis's: FUNCTION2 opcode + code per library, RDB version, CRC-64.

import type { LuaState } from '../scripting/vm';
import { getVm, loadLibrary, luaApiHandle as lua, luaAux, raiseError, setRegisterHook, toStr, type Vm } from '../scripting/vm';
import {
  addLibrary, FUNCTION_FLAGS, functionsRecord, removeLibrary, type FunctionRecord, type FunctionsRecord, type LibraryRecord,
} from '../scripting/library';
import { addArrayLen, addBulk, addBulkOrNull, addError, addHelp, addInt, addMapLen, addNull, addOk, addSetLen, addStatus,
  addSubcommandSyntaxError } from '../resp/reply';
import { cfg, type Client } from '../runtime';
import { dirty } from '../keyspace';
import { selfTestCases } from '../selftest';
import { stringMatch } from '../util/glob';
import { In, Out, rdbFunctionHooks, writeString } from '../persistence/rdb';
import { FOOTER, verifyDumpPayload, writeFooter } from './dumprestore';
import { parseNumKeys, runScript, scriptKill } from './scripting';
import type { CommandSpec } from './table';

/** RDB_OPCODE_FUNCTION2: a library's code follows as an RDB string (FUNCTION DUMP payloads and RDB files). */
const OP_FUNCTION2 = 245;
/** FUNCTION LOAD's time limit for running a library's top level (Redis's LOAD_TIMEOUT_MS). */
const LOAD_TIMEOUT_MS = 500;

// --- loading a library --------------------------------------------------------------------------------------

interface Registration {
  fns: FunctionRecord[];
  refs: Map<string, number>;
  startMs: number;
  timeoutMs: number;
}

/** The library being loaded (redis.register_function adds to it); null outside a load. */
let loading: Registration | null = null;

const NAME_RE = /^[A-Za-z0-9_]+$/;

function readFlags(L: LuaState, t: number): string[] | null {
  const set = new Set<string>();
  for (let j = 1; ; j++) {
    lua.lua_rawgeti(L, t, j);
    if (lua.lua_type(L, -1) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    const s = toStr(L, -1);
    lua.lua_pop(L, 1);
    const flag = s === null ? undefined : FUNCTION_FLAGS.find((f) => f === s.toLowerCase());
    if (flag === undefined) return null;
    set.add(flag);
  }
  return FUNCTION_FLAGS.filter((f) => set.has(f));
}

/** redis.register_function(name, callback) or redis.register_function{function_name=..., callback=..., ...}. */
function registerFunction(L: LuaState): number {
  const reg = loading;
  if (reg === null) raiseError(L, 'ERR redis.register_function can only be called on FUNCTION LOAD command');
  const argc = lua.lua_gettop(L);
  if (argc < 1 || argc > 2) raiseError(L, 'ERR wrong number of arguments to redis.register_function');
  let name: string | null = null;
  let description: string | null = null;
  let flags: string[] = [];
  let hasCallback = false;
  if (argc === 1) {
    if (lua.lua_type(L, 1) !== lua.LUA_TTABLE) {
      raiseError(L, 'ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).');
    }
    lua.lua_pushnil(L);
    while (lua.lua_next(L, 1) !== 0) {
      // lua_isstring: a number is a string too (the key [1] is "1", an unknown argument)
      const key = toStr(L, -2);
      if (key === null) raiseError(L, 'ERR named argument key given to redis.register_function is not a string');
      switch (key.toLowerCase()) {
        case 'function_name':
          name = toStr(L, -1);
          if (name === null) raiseError(L, 'ERR function_name argument given to redis.register_function must be a string');
          break;
        case 'description':
          description = toStr(L, -1);
          if (description === null) raiseError(L, 'ERR description argument given to redis.register_function must be a string');
          break;
        case 'callback':
          if (lua.lua_type(L, -1) !== lua.LUA_TFUNCTION) raiseError(L, 'ERR callback argument given to redis.register_function must be a function');
          lua.lua_pushvalue(L, -1);
          lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, '__hotkv_fn_callback');
          hasCallback = true;
          break;
        case 'flags': {
          if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) {
            raiseError(L, 'ERR flags argument to redis.register_function must be a table representing function flags');
          }
          const f = readFlags(L, lua.lua_absindex(L, -1));
          if (f === null) raiseError(L, 'ERR unknown flag given');
          flags = f;
          break;
        }
        default:
          raiseError(L, 'ERR unknown argument given to redis.register_function');
      }
      lua.lua_pop(L, 1);
    }
    if (name === null) raiseError(L, 'ERR redis.register_function must get a function name argument');
    if (!hasCallback) raiseError(L, 'ERR redis.register_function must get a callback argument');
    lua.lua_getfield(L, lua.LUA_REGISTRYINDEX, '__hotkv_fn_callback');
    lua.lua_pushnil(L);
    lua.lua_setfield(L, lua.LUA_REGISTRYINDEX, '__hotkv_fn_callback');
  } else {
    name = toStr(L, 1);
    if (name === null) raiseError(L, 'ERR first argument to redis.register_function must be a string');
    if (lua.lua_type(L, 2) !== lua.LUA_TFUNCTION) raiseError(L, 'ERR second argument to redis.register_function must be a function');
    lua.lua_pushvalue(L, 2);
  }
  // the callback is at the top of the stack
  // Redis 7.0's text says "Library" for a function name too
  if (!NAME_RE.test(name)) {
    raiseError(L, 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long');
  }
  if (reg.refs.has(name)) raiseError(L, 'ERR Function already exists in the library');
  const ref: number = luaAux.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  reg.refs.set(name, ref);
  reg.fns.push({ name, description, flags });
  return 0;
}

setRegisterHook(registerFunction);

// rdbFunctionLoad: a library in an RDB file (or an AOF's RDB preamble) replaces one of the same name
rdbFunctionHooks.load = (code) => {
  const lib = createLibrary(functionsRecord(), code, true, 0);
  return typeof lib === 'string' ? lib : null;
};

interface Metadata {
  engine: string;
  name: string;
  /** the code after the shebang line, from its '\n' (so line numbers stay) */
  body: string;
}

/** functionExtractLibMetaData: the `#!<engine> name=<lib>` line; an error text (without ERR) when bad. */
function extractMetadata(code: string): Metadata | string {
  if (!code.startsWith('#!')) return 'Missing library metadata';
  const end = code.indexOf('\n');
  if (end < 0) return 'Invalid library metadata';
  const parts = code.slice(0, end).split(/[ \t\r\v\f]+/).filter((p) => p !== '');
  if (parts.length === 0) return 'Invalid library metadata';
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== null) return 'Invalid metadata value, name argument was given multiple times';
      name = part.slice(5);
      continue;
    }
    return `Invalid metadata value given: ${part}`;
  }
  if (name === null) return 'Library name was not given';
  return { engine: parts[0].slice(2), name, body: code.slice(end) };
}

/** What running a library's code yielded: its record and the registry refs of its callbacks. */
interface Compiled {
  lib: LibraryRecord;
  refs: Map<string, number>;
  vm: Vm;
}

/** Run a library's code in the VM; an error text (without ERR) when it fails or registers nothing. */
function compileLibrary(code: string, timeoutMs: number): Compiled | string {
  const md = extractMetadata(code);
  if (typeof md === 'string') return md;
  if (!NAME_RE.test(md.name)) {
    return 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';
  }
  if (md.engine.toUpperCase() !== 'LUA') return `Engine '${md.engine}' not found`;
  const vm = getVm();
  const reg: Registration = { fns: [], refs: new Map(), startMs: Date.now(), timeoutMs };
  const outer = loading;
  loading = reg;
  let err: string | null;
  try {
    err = loadLibrary(vm, md.body, () => {
      if (reg.timeoutMs > 0 && Date.now() - reg.startMs > reg.timeoutMs) raiseError(vm.L, 'ERR FUNCTION LOAD timeout');
    });
  } finally {
    loading = outer;
  }
  if (err !== null) return err;
  if (reg.fns.length === 0) return 'No functions registered';
  return { lib: { name: md.name, engine: 'LUA', code, functions: reg.fns }, refs: reg.refs, vm };
}

/** Compiled callbacks of the libraries in State, for the current VM (a new VM, or a new logic, starts empty). */
let compiled = new WeakMap<LibraryRecord, Map<string, number>>();
let compiledVm: Vm | null = null;

function remember(c: Compiled): void {
  if (compiledVm !== c.vm) {
    compiled = new WeakMap();
    compiledVm = c.vm;
  }
  compiled.set(c.lib, c.refs);
}

/** The registry ref of a library's callback, compiling the library again when this VM has not yet. */
function callbackRef(lib: LibraryRecord, name: string): number | string {
  const vm = getVm();
  let refs = compiledVm === vm ? compiled.get(lib) : undefined;
  if (refs === undefined) {
    const c = compileLibrary(lib.code, 0);
    if (typeof c === 'string') return c;
    refs = c.refs;
    remember({ lib, refs, vm });
  }
  return refs.get(name) ?? 'Function not found';
}

/**
 * functionsCreateWithLibraryCtx: load `code` into `f` (REPLACE: over a library of the same name). Returns the new
 * library, or an error text without ERR.
 */
export function createLibrary(f: FunctionsRecord, code: string, replace: boolean, timeoutMs: number): LibraryRecord | string {
  const md = extractMetadata(code);
  if (typeof md === 'string') return md;
  if (NAME_RE.test(md.name) && md.engine.toUpperCase() === 'LUA' && f.libs.has(md.name) && !replace) {
    return `Library '${md.name}' already exists`;
  }
  const c = compileLibrary(code, timeoutMs);
  if (typeof c === 'string') return c;
  const old = f.libs.get(c.lib.name);
  for (const fn of c.lib.functions) {
    const owner = f.fns.get(fn.name);
    if (owner !== undefined && owner !== old?.name) return `Function ${fn.name} already exists`;
  }
  if (old !== undefined) removeLibrary(f, old.name);
  addLibrary(f, c.lib);
  remember(c);
  return c.lib;
}

// --- FCALL ----------------------------------------------------------------------------------------------------

function fcall(c: Client, argv: string[], ro: boolean): void {
  const f = functionsRecord();
  const libName = f.fns.get(argv[1]);
  const lib = libName === undefined ? undefined : f.libs.get(libName);
  if (lib === undefined) {
    addError(c, 'ERR Function not found');
    return;
  }
  const numkeys = parseNumKeys(c, argv, 'ERR Bad number of keys provided');
  if (numkeys === null) return;
  const fn = lib.functions.find((x) => x.name === argv[1])!;
  const noWrites = fn.flags.includes('no-writes');
  if (ro && !noWrites) {
    addError(c, 'ERR Can not execute a script with write flag using *_ro command.');
    return;
  }
  const ref = callbackRef(lib, fn.name);
  if (typeof ref === 'string') {
    addError(c, 'ERR ' + ref);
    return;
  }
  runScript(c, fn.name, ref, argv.slice(3, 3 + numkeys), argv.slice(3 + numkeys), ro || noWrites,
    noWrites || fn.flags.includes('allow-oom'), true);
}

/** Redis's fcallGetCommandFlags for the OOM gate (evict.ts): a function without no-writes or allow-oom is denyoom. */
export function functionDenyOom(name: string): boolean {
  const f = functionsRecord();
  const libName = f.fns.get(name);
  const fn = libName === undefined ? undefined : f.libs.get(libName)?.functions.find((x) => x.name === name);
  return fn !== undefined && !fn.flags.includes('no-writes') && !fn.flags.includes('allow-oom');
}

// --- FUNCTION ... ------------------------------------------------------------------------------------------------

function functionLoad(c: Client, argv: string[]): void {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (argv[i].toLowerCase() === 'replace') replace = true;
    else {
      addError(c, `ERR Unknown option given: ${argv[i]}`);
      return;
    }
  }
  if (i !== argv.length - 1) {
    addError(c, 'ERR Function code was not given');
    return;
  }
  const lib = createLibrary(functionsRecord(), argv[i], replace, LOAD_TIMEOUT_MS);
  if (typeof lib === 'string') {
    addError(c, 'ERR ' + lib);
    return;
  }
  dirty();
  addBulk(c, lib.name);
}

function functionDelete(c: Client, argv: string[]): void {
  if (removeLibrary(functionsRecord(), argv[2]) === undefined) {
    addError(c, 'ERR Library not found');
    return;
  }
  dirty();
  addOk(c);
}

function functionFlush(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    addSubcommandSyntaxError(c, argv);
    return;
  }
  if (argv.length === 3 && !['sync', 'async'].includes(argv[2].toLowerCase())) {
    addError(c, 'ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
    return;
  }
  const f = functionsRecord();
  f.libs.clear();
  f.fns.clear();
  dirty();
  addOk(c);
}

function functionList(c: Client, argv: string[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (!withCode && a === 'withcode') {
      withCode = true;
      continue;
    }
    if (pattern === null && a === 'libraryname') {
      if (i >= argv.length - 1) {
        addError(c, 'ERR library name argument was not given');
        return;
      }
      pattern = argv[++i];
      continue;
    }
    addError(c, `ERR Unknown argument ${argv[i]}`);
    return;
  }
  const libs = [...functionsRecord().libs.values()].filter((l) => pattern === null || stringMatch(pattern, l.name, true));
  addArrayLen(c, libs.length);
  for (const lib of libs) {
    addMapLen(c, withCode ? 4 : 3);
    addBulk(c, 'library_name');
    addBulk(c, lib.name);
    addBulk(c, 'engine');
    addBulk(c, lib.engine);
    addBulk(c, 'functions');
    addArrayLen(c, lib.functions.length);
    for (const fn of lib.functions) {
      addMapLen(c, 3);
      addBulk(c, 'name');
      addBulk(c, fn.name);
      addBulk(c, 'description');
      addBulkOrNull(c, fn.description);
      addBulk(c, 'flags');
      addSetLen(c, fn.flags.length);
      for (const flag of fn.flags) addStatus(c, flag);
    }
    if (withCode) {
      addBulk(c, 'library_code');
      addBulk(c, lib.code);
    }
  }
}

function functionStats(c: Client): void {
  const f = functionsRecord();
  addMapLen(c, 2);
  addBulk(c, 'running_script');
  // a function runs to its end before any other command is read: none is ever running when STATS is
  addNull(c);
  addBulk(c, 'engines');
  addMapLen(c, 1);
  addBulk(c, 'LUA');
  addMapLen(c, 2);
  addBulk(c, 'libraries_count');
  addInt(c, f.libs.size);
  addBulk(c, 'functions_count');
  addInt(c, f.fns.size);
}

// --- DUMP / RESTORE -----------------------------------------------------------------------------------------------

function functionDump(c: Client): void {
  const o = new Out();
  for (const lib of functionsRecord().libs.values()) {
    o.byte(OP_FUNCTION2);
    writeString(o, lib.code, cfg('rdbcompression') === 'yes');
  }
  o.latin1('\0'.repeat(FOOTER));
  const body = o.take();
  writeFooter(body, body.length - FOOTER);
  addBulk(c, body.toString('latin1'));
}

function functionRestore(c: Client, argv: string[]): void {
  let policy = 'append';
  if (argv.length === 4) {
    policy = argv[3].toLowerCase();
    if (policy !== 'flush' && policy !== 'append' && policy !== 'replace') {
      addError(c, 'ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
      return;
    }
  } else if (argv.length > 4) {
    addError(c, "ERR wrong number of arguments for 'function|restore' command");
    return;
  }
  const p = Buffer.from(argv[2], 'latin1');
  if (!verifyDumpPayload(p)) {
    addError(c, 'ERR DUMP payload version or checksum are wrong');
    return;
  }
  // the libraries go into a fresh set first: nothing changes unless the whole payload loads
  const fresh: FunctionsRecord = { libs: new Map(), fns: new Map() };
  const r = new In(p.subarray(0, p.length - FOOTER));
  try {
    while (r.pos < p.length - FOOTER) {
      if (r.u8('the opcode') !== OP_FUNCTION2) {
        addError(c, 'ERR given type is not a function');
        return;
      }
      const lib = createLibrary(fresh, r.str('the library code'), false, 0);
      if (typeof lib === 'string') {
        addError(c, 'ERR ' + lib);
        return;
      }
    }
  } catch {
    addError(c, 'ERR payload version or checksum are wrong');
    return;
  }
  const f = functionsRecord();
  if (policy === 'flush') {
    f.libs.clear();
    f.fns.clear();
  } else {
    // libraryJoin: a clash with an existing library (APPEND) or with a function of another library fails all
    for (const lib of fresh.libs.values()) {
      if (policy === 'append' && f.libs.has(lib.name)) {
        addError(c, `ERR Library ${lib.name} already exists`);
        return;
      }
      for (const fn of lib.functions) {
        const owner = f.fns.get(fn.name);
        if (owner !== undefined && !(policy === 'replace' && owner === lib.name)) {
          addError(c, `ERR Function ${fn.name} already exists`);
          return;
        }
      }
    }
  }
  for (const lib of fresh.libs.values()) {
    removeLibrary(f, lib.name);
    addLibrary(f, lib);
  }
  dirty();
  addOk(c);
}

function functionHelp(c: Client): void {
  addHelp(c, 'FUNCTION', [
    'LOAD [REPLACE] <FUNCTION CODE>',
    '    Create a new library with the given library name and code.',
    'DELETE <LIBRARY NAME>',
    '    Delete the given library.',
    'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
    '    Return general information on all the libraries:',
    '    * Library name',
    '    * The engine used to run the Library',
    '    * Library description',
    '    * Functions list',
    '    * Library code (if WITHCODE is given)',
    '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
    'STATS',
    '    Return information about the current function running:',
    '    * Function name',
    '    * Command used to run the function',
    '    * Duration in MS that the function is running',
    '    If no function is running, return nil',
    '    In addition, returns a list of available engines.',
    'KILL',
    '    Kill the current running function.',
    'FLUSH [ASYNC|SYNC]',
    '    Delete all the libraries.',
    '    When called without the optional mode argument, the behavior is determined by the',
    '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
    '    * ASYNC: Asynchronously flush the libraries.',
    '    * SYNC: Synchronously flush the libraries.',
    'DUMP',
    '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
    'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
    '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
    '    control how to handle existing libraries (default APPEND):',
    '    * FLUSH: delete all existing libraries.',
    '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
    '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
    '      libraries with the new libraries (notice that even on this option there is a chance of failure',
    '      in case of functions name collision with another library).',
  ]);
}

/** A command as RESP (the self-test's library code has quotes and a newline). */
function resp(...args: string[]): string {
  return `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
}

selfTestCases.push(
  { send: resp('FUNCTION', 'LOAD', "#!lua name=selftestlib\nredis.register_function('selftestfn', function(k, a) return a[1] end)") +
      resp('FCALL', 'selftestfn', '0', 'x') + resp('FUNCTION', 'DELETE', 'selftestlib') + resp('FCALL', 'selftestfn', '0', 'x'),
    expect: '$11\r\nselftestlib\r\n$1\r\nx\r\n+OK\r\n-ERR Function not found\r\n' },
);

export const commands: CommandSpec[] = [
  { name: 'fcall', fn: (c, argv) => fcall(c, argv, false) },
  { name: 'fcall_ro', fn: (c, argv) => fcall(c, argv, true) },
  { name: 'function|load', fn: functionLoad },
  { name: 'function|delete', fn: functionDelete },
  { name: 'function|flush', fn: functionFlush },
  { name: 'function|list', fn: functionList },
  { name: 'function|stats', fn: functionStats },
  { name: 'function|kill', fn: scriptKill },
  { name: 'function|dump', fn: functionDump },
  { name: 'function|restore', fn: functionRestore },
  { name: 'function|help', fn: functionHelp },
];
