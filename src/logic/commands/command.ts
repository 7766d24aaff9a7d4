// COMMAND, COMMAND COUNT / INFO / DOCS / LIST / GETKEYS / GETKEYSANDFLAGS / HELP. The data is the
// live command table (only what hotkv implements), whose metadata comes from redis-server 7.0.

import { getTable, lookupCommand } from '../dispatch';
import { addArrayLen, addBulk, addError, addHelp, addInt, addMapLen, addNull, addTree, ERR_SYNTAX, type Tree } from '../resp/reply';
import { type Client } from '../runtime';
import { stringMatch } from '../util/glob';
import { parseInt64 } from '../util/numbers';
import { allDefs, type CommandDef, type CommandSpec } from './table';


/** A command by its full name ("get", "config|get"), case-insensitive. */
function lookupByFullName(name: string): CommandDef | undefined {
  const lower = name.toLowerCase();
  const bar = lower.indexOf('|');
  const table = getTable();
  if (bar < 0) return table.get(lower);
  const container = table.get(lower.slice(0, bar));
  return container?.sub?.get(lower.slice(bar + 1));
}

function mapEntries(t: Tree): Tree[] {
  return t !== null && typeof t === 'object' && 'm' in t ? t.m : [];
}

/** COMMAND DOCS of a command: its docs, and for a container the docs of the subcommands hotkv has. */
function docsOf(def: CommandDef): Tree {
  if (def.sub === null || def.sub.size === 0) return def.meta.docs;
  const own = mapEntries(def.meta.docs);
  const m: Tree[] = [];
  for (let i = 0; i < own.length; i += 2) if (own[i] !== 'subcommands') m.push(own[i], own[i + 1]);
  const subs: Tree[] = [];
  for (const sub of def.sub.values()) subs.push(sub.name, sub.meta.docs);
  m.push('subcommands', { m: subs });
  return { m };
}

function commandAll(c: Client): void {
  const table = getTable();
  addArrayLen(c, table.size);
  for (const def of table.values()) addTree(c, def.meta.info);
}

function commandCount(c: Client): void {
  addInt(c, getTable().size);
}

function commandInfo(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    commandAll(c);
    return;
  }
  addArrayLen(c, argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const def = lookupByFullName(argv[i]);
    if (def) addTree(c, def.meta.info);
    else addNull(c);
  }
}

function commandDocs(c: Client, argv: string[]): void {
  const defs: CommandDef[] = [];
  if (argv.length === 2) {
    defs.push(...getTable().values());
  } else {
    for (let i = 2; i < argv.length; i++) {
      const def = lookupByFullName(argv[i]);
      if (def) defs.push(def);
    }
  }
  addMapLen(c, defs.length);
  for (const def of defs) {
    addBulk(c, def.name);
    addTree(c, docsOf(def));
  }
}

function setNames(t: Tree): string[] {
  return t !== null && typeof t === 'object' && 'set' in t ? t.set.map((x) => (x as { s: string }).s) : [];
}

function commandList(c: Client, argv: string[]): void {
  let filter: ((def: CommandDef) => boolean) | null = null;
  if (argv.length === 5) {
    if (argv[2].toLowerCase() !== 'filterby') {
      addError(c, ERR_SYNTAX);
      return;
    }
    const kind = argv[3].toLowerCase();
    const arg = argv[4];
    if (kind === 'module') {
      filter = () => false; // hotkv has no modules
    } else if (kind === 'aclcat') {
      const cat = '@' + arg.toLowerCase();
      filter = (def) => setNames(def.meta.info[6]).includes(cat);
    } else if (kind === 'pattern') {
      filter = (def) => stringMatch(arg, def.name, true);
    } else {
      addError(c, ERR_SYNTAX);
      return;
    }
  } else if (argv.length !== 2) {
    addError(c, ERR_SYNTAX);
    return;
  }
  const names: string[] = [];
  for (const def of allDefs(getTable())) if (filter === null || filter(def)) names.push(def.name);
  addArrayLen(c, names.length);
  for (const n of names) addBulk(c, n);
}

// ------------------------------------------------------------------------------------------------
// GETKEYS: Redis's getKeysUsingKeySpecs, with the getkeys procs of the commands whose key specs
// cannot describe their keys (incomplete or variable flags).
// ------------------------------------------------------------------------------------------------

interface KeyRef {
  pos: number;
  flags: Tree;
}

const FLAGS = (...names: string[]): Tree => ({ set: names.map((s) => ({ s })) });

function get(m: Tree, key: string): Tree | undefined {
  const e = mapEntries(m);
  for (let i = 0; i < e.length; i += 2) if (e[i] === key) return e[i + 1];
  return undefined;
}

function num(m: Tree | undefined, key: string): number {
  return (m === undefined ? 0 : (get(m, key) as number)) ?? 0;
}

/** Key positions from the key specs, or null when a spec cannot be resolved (Redis returns -1). */
function keysFromSpecs(def: CommandDef, argv: string[]): KeyRef[] | null {
  const argc = argv.length;
  const keys: KeyRef[] = [];
  const specs = (def.meta.info[8] as { set: Tree[] }).set;
  for (const spec of specs) {
    const flags = get(spec, 'flags')!;
    const flagNames = setNames(flags);
    if (flagNames.includes('not_key')) continue;
    const bs = get(spec, 'begin_search')!;
    const bsSpec = get(bs, 'spec');
    let first = 0;
    const bsType = get(bs, 'type');
    if (bsType === 'index') {
      first = num(bsSpec, 'index');
    } else if (bsType === 'keyword') {
      const keyword = (get(bsSpec!, 'keyword') as string).toLowerCase();
      const startfrom = num(bsSpec, 'startfrom');
      const start = startfrom > 0 ? startfrom : argc + startfrom;
      const end = startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === keyword) {
          first = i + 1;
          break;
        }
      }
      if (!first) continue;
    } else {
      return null;
    }
    const fk = get(spec, 'find_keys')!;
    const fkSpec = get(fk, 'spec');
    const fkType = get(fk, 'type');
    let last: number;
    let step: number;
    if (fkType === 'range') {
      step = num(fkSpec, 'keystep');
      const lastkey = num(fkSpec, 'lastkey');
      const limit = num(fkSpec, 'limit');
      if (lastkey >= 0) last = first + lastkey;
      else if (!limit) last = argc + lastkey;
      else last = first + (Math.floor((argc - first) / limit) + lastkey);
    } else if (fkType === 'keynum') {
      step = num(fkSpec, 'keystep');
      const idx = num(fkSpec, 'keynumidx');
      if (first + idx >= argc) return null;
      const n = parseInt64(argv[first + idx]);
      if (n === null || n < 0n) return null;
      first += num(fkSpec, 'firstkey');
      last = first + Number(n) - 1;
    } else {
      return null;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      if (i >= argc || i < first) continue;
      keys.push({ pos: i, flags });
    }
    if (flagNames.includes('incomplete')) return null;
  }
  return keys;
}

/** Redis's sortGetKeys: the sorted key, and the key of the last STORE option. */
function sortKeys(argv: string[]): KeyRef[] {
  const keys: KeyRef[] = [{ pos: 1, flags: FLAGS('RO', 'access') }];
  let store: KeyRef | null = null;
  const skip: Record<string, number> = { limit: 2, get: 1, by: 1 };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a in skip) i += skip[a];
    else if (a === 'store' && i + 1 < argv.length) store = { pos: i + 1, flags: FLAGS('OW', 'update') };
  }
  if (store) keys.push(store);
  return keys;
}

/** Redis's setGetKeys: the GET option makes the key read too. */
function setKeys(argv: string[]): KeyRef[] {
  for (let i = 3; i < argv.length; i++) {
    if (argv[i].toLowerCase() === 'get') return [{ pos: 1, flags: FLAGS('RW', 'access', 'update') }];
  }
  return [{ pos: 1, flags: FLAGS('OW', 'update') }];
}

/** Redis's bitfieldGetKeys: read-only unless a SET/INCRBY (or a syntax error) is present. */
function bitfieldKeys(argv: string[]): KeyRef[] {
  let readonly = true;
  for (let i = 2; i < argv.length; i++) {
    const rem = argv.length - i - 1;
    const a = argv[i].toLowerCase();
    if (a === 'get' && rem >= 2) i += 2;
    else if ((a === 'set' || a === 'incrby') && rem >= 3) { readonly = false; break; }
    else if (a === 'overflow' && rem >= 1) i += 1;
    else { readonly = false; break; }
  }
  return [{ pos: 1, flags: readonly ? FLAGS('RO', 'access') : FLAGS('RW', 'access', 'update') }];
}

function hasVariableFlags(def: CommandDef): boolean {
  const specs = (def.meta.info[8] as { set: Tree[] }).set;
  return specs.some((s) => setNames(get(s, 'flags')!).includes('variable_flags'));
}

/** Redis's getKeysFromCommandWithSpecs for the implemented commands. */
function commandKeys(def: CommandDef, argv: string[]): KeyRef[] {
  if (!hasVariableFlags(def)) {
    const keys = keysFromSpecs(def, argv);
    if (keys !== null) return keys;
  }
  switch (def.name) {
    case 'sort': return sortKeys(argv);
    case 'set': return setKeys(argv);
    case 'bitfield': return bitfieldKeys(argv);
    // The other procs (numkeys commands) agree with the key specs, and find no keys when those fail.
    default: return [];
  }
}

function hasKeys(def: CommandDef): boolean {
  const specs = (def.meta.info[8] as { set: Tree[] } | undefined)?.set ?? [];
  return specs.some((s) => !setNames(get(s, 'flags')!).includes('not_key'));
}

function getKeysGeneric(c: Client, argv: string[], withFlags: boolean): void {
  const cmdArgv = argv.slice(2);
  const def = lookupCommand(cmdArgv);
  if (!def) {
    addError(c, 'ERR Invalid command specified');
    return;
  }
  if (!hasKeys(def)) {
    addError(c, 'ERR The command has no key arguments');
    return;
  }
  if ((def.arity > 0 && def.arity !== cmdArgv.length) || cmdArgv.length < -def.arity) {
    addError(c, 'ERR Invalid number of arguments specified for command');
    return;
  }
  const keys = commandKeys(def, cmdArgv);
  if (keys.length === 0) {
    if (def.flags.has('no_mandatory_keys')) addArrayLen(c, 0);
    else addError(c, 'ERR Invalid arguments specified for command');
    return;
  }
  addArrayLen(c, keys.length);
  for (const k of keys) {
    if (withFlags) {
      addArrayLen(c, 2);
      addBulk(c, cmdArgv[k.pos]);
      addTree(c, k.flags);
    } else {
      addBulk(c, cmdArgv[k.pos]);
    }
  }
}

function commandHelp(c: Client): void {
  addHelp(c, 'COMMAND', [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
    'GETKEYSANDFLAGS <full-command>',
    '    Return the keys and the access flags from a full Redis command.',
  ]);
}

// The container is listed after its subcommands: buildTable then keeps its own function (COMMAND alone).
export const commands: CommandSpec[] = [
  { name: 'command|count', fn: commandCount },
  { name: 'command|info', fn: commandInfo },
  { name: 'command|docs', fn: commandDocs },
  { name: 'command|list', fn: commandList },
  { name: 'command|getkeys', fn: (c, argv) => getKeysGeneric(c, argv, false) },
  { name: 'command|getkeysandflags', fn: (c, argv) => getKeysGeneric(c, argv, true) },
  { name: 'command|help', fn: commandHelp },
  { name: 'command', fn: commandAll },
];
