// The command table: each family file exports CommandSpec[]; arity, flags and key positions come
// from meta.json (read from redis-server 7.0 by scripts/gen-command-meta.mjs), so arity errors and
// COMMAND INFO match Redis without restating them here.

import type { Client } from '../runtime';
import type { Tree } from '../resp/reply';
import metaJson from './meta.json';

export type CommandFn = (c: Client, argv: string[]) => void;

export interface CommandSpec {
  /** lowercase name; subcommands as "container|sub" */
  name: string;
  fn: CommandFn;
  /** only for commands Redis does not have (HOTUPGRADE): their COMMAND INFO/DOCS data */
  meta?: CommandMeta;
  /** Redis's CMD_PROTECTED check (DEBUG): dispatch runs it right after the arity check, before authentication */
  gate?: CommandGate;
}

/** Returns the error that refuses the command to this client, or null. */
export type CommandGate = (c: Client) => string | null;

export interface CommandMeta {
  info: Tree[];
  docs: Tree;
}

export interface CommandDef {
  /** full lowercase name, "get" or "config|get" */
  name: string;
  arity: number;
  flags: Set<string>;
  /** Redis's `fast` flag (O(1) or O(log N)): such commands are timed per run when pipelined (dispatch.ts) */
  fast: boolean;
  firstKey: number;
  lastKey: number;
  keyStep: number;
  fn: CommandFn | null;
  sub: Map<string, CommandDef> | null;
  parent: CommandDef | null;
  meta: CommandMeta;
  /** [calls, usec, rejected_calls, failed_calls]; bound to state.stats.commandStats on activate */
  stats: number[];
  /** CommandSpec.gate, or null */
  gate: CommandGate | null;
}

export const meta = metaJson as unknown as Record<string, CommandMeta>;

function setNames(t: Tree): Set<string> {
  const out = new Set<string>();
  const items = t && typeof t === 'object' && 'set' in t ? t.set : [];
  for (const x of items) if (x && typeof x === 'object' && 's' in x) out.add(x.s);
  return out;
}

function subMeta(containerMeta: CommandMeta, full: string): CommandMeta | undefined {
  const subs = containerMeta.info[9];
  if (!Array.isArray(subs)) return undefined;
  const info = (subs as Tree[][]).find((e) => e[0] === full);
  if (!info) return undefined;
  const docsMap = (containerMeta.docs as { m: Tree[] }).m;
  let docs: Tree = { m: [] };
  for (let i = 0; i < docsMap.length; i += 2) {
    if (docsMap[i] === 'subcommands') {
      const sm = (docsMap[i + 1] as { m: Tree[] }).m;
      for (let j = 0; j < sm.length; j += 2) if (sm[j] === full) docs = sm[j + 1];
    }
  }
  return { info, docs };
}

function makeDef(name: string, m: CommandMeta, fn: CommandFn | null, parent: CommandDef | null, gate: CommandGate | null = null): CommandDef {
  const info = m.info;
  const flags = setNames(info[2]);
  return {
    name,
    arity: info[1] as number,
    flags,
    fast: flags.has('fast'),
    firstKey: info[3] as number,
    lastKey: info[4] as number,
    keyStep: info[5] as number,
    fn,
    sub: null,
    parent,
    meta: m,
    stats: [0, 0, 0, 0],
    gate,
  };
}

/** Build the lookup table from the families' specs. Throws on a spec that Redis's metadata does not know. */
export function buildTable(specs: readonly CommandSpec[]): Map<string, CommandDef> {
  const table = new Map<string, CommandDef>();
  const containerOf = (name: string): CommandDef => {
    let def = table.get(name);
    if (!def) {
      const m = meta[name];
      if (!m) throw new Error(`no metadata for container command '${name}'`);
      def = makeDef(name, { info: m.info.slice(0, 9).concat([[]]), docs: m.docs }, null, null);
      table.set(name, def);
    }
    def.sub ??= new Map();
    def.fn = null; // a container alone is an arity error; its subcommands do the work
    return def;
  };
  for (const spec of specs) {
    const bar = spec.name.indexOf('|');
    if (bar < 0) {
      const m = spec.meta ?? meta[spec.name];
      if (!m) throw new Error(`no metadata for command '${spec.name}'`);
      const existing = table.get(spec.name);
      if (existing) existing.fn = spec.fn;
      else table.set(spec.name, makeDef(spec.name, m, spec.fn, null, spec.gate ?? null));
    } else {
      const container = containerOf(spec.name.slice(0, bar));
      const m = spec.meta ?? subMeta(meta[container.name] ?? container.meta, spec.name);
      if (!m) throw new Error(`no metadata for subcommand '${spec.name}'`);
      const def = makeDef(spec.name, m, spec.fn, container, spec.gate ?? null);
      container.sub!.set(spec.name.slice(bar + 1), def);
      // COMMAND INFO of the container lists only the subcommands hotkv implements.
      (container.meta.info[9] as Tree[]).push(m.info);
    }
  }
  return table;
}

/** All defs including subcommands, for stats binding and COMMAND LIST. */
export function* allDefs(table: Map<string, CommandDef>): Generator<CommandDef> {
  for (const def of table.values()) {
    yield def;
    if (def.sub) yield* def.sub.values();
  }
}
