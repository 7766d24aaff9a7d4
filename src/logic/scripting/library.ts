// The function libraries (Redis 7.0 FUNCTION LOAD) as plain data in State: state.ext.functions. A library keeps
// its code and what registering its functions yielded that clients can observe (names, descriptions, flags);
// the compiled callbacks live in the bundle's Lua VM only (commands/functions.ts compiles a library again from
// its code when a logic first calls into it). This file imports only runtime.ts, so INFO and the RDB code
// can read the record without pulling in the command family.

import { state } from '../runtime';

/** Script flags in Redis's scripts_flags_def order (FUNCTION LIST shows them in this order); EVAL shebangs
 *  take the same ones (commands/scripting.ts). */
export const FUNCTION_FLAGS = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'] as const;

export interface FunctionRecord {
  name: string;
  /** null when registered without one */
  description: string | null;
  /** a subset of FUNCTION_FLAGS, in that order */
  flags: string[];
}

export interface LibraryRecord {
  name: string;
  /** the engine's name as Redis shows it ("LUA") */
  engine: string;
  /** the whole code as loaded, shebang included (FUNCTION LIST WITHCODE, FUNCTION DUMP, the RDB) */
  code: string;
  /** in registration order */
  functions: FunctionRecord[];
}

/** state.ext.functions */
export interface FunctionsRecord {
  libs: Map<string, LibraryRecord>;
  /** function name -> its library's name (function names are unique across libraries) */
  fns: Map<string, string>;
}

export function functionsRecord(): FunctionsRecord {
  let f = state.ext.functions as FunctionsRecord | undefined;
  if (f === undefined) {
    f = { libs: new Map(), fns: new Map() };
    state.ext.functions = f;
  }
  return f;
}

/** INFO memory's number_of_functions / number_of_libraries. */
export function functionCounts(): { functions: number; libraries: number } {
  const f = state.ext.functions as FunctionsRecord | undefined;
  return f === undefined ? { functions: 0, libraries: 0 } : { functions: f.fns.size, libraries: f.libs.size };
}

/** Add a library (its function names must be free). */
export function addLibrary(f: FunctionsRecord, lib: LibraryRecord): void {
  f.libs.set(lib.name, lib);
  for (const fn of lib.functions) f.fns.set(fn.name, lib.name);
}

export function removeLibrary(f: FunctionsRecord, name: string): LibraryRecord | undefined {
  const lib = f.libs.get(name);
  if (lib === undefined) return undefined;
  f.libs.delete(name);
  for (const fn of lib.functions) f.fns.delete(fn.name);
  return lib;
}
