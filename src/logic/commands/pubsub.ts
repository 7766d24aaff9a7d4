// Pub/sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH, the 7.0 sharded channels
// (SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, which on a non-cluster server are one more namespace of plain
// channels) and PUBSUB CHANNELS|NUMSUB|NUMPAT|SHARDCHANNELS|SHARDNUMSUB|HELP, as Redis 7.0's pubsub.c.
// It also delivers keyspace notifications (notify.ts) and adds the INFO and CLIENT LIST fields.
//
// Messages and (un)subscribe confirmations are RESP2 arrays or RESP3 pushes, written even under
// CLIENT REPLY OFF/SKIP (Redis 7.0.15 marks them CLIENT_PUSHING). Output for other clients goes into
// their `out` and is flushed at the end of the event.
//
// Everything is plain data, so subscribers keep receiving across a hot upgrade:
// - state.ext.pubsub: channel / pattern / shard channel -> ids of the subscribed clients, in the
//   order they subscribed (the order messages are delivered in);
// - c.ext.pubsub: the client's own channels, patterns and shard channels, in subscription order.

import { CLIENT_IN_EXEC, CLIENT_PUBSUB } from '../dispatch';
import { addInfoFields } from '../info';
import { lifecycleHooks } from '../lifecycle';
import { notifyDelivery } from '../notify';
import { addSubcommandSyntaxError, addArrayLen, addBulk, addError, addHelp, addInt, emitAlways } from '../resp/reply';
import { state, type Client } from '../runtime';
import { selfTestCases } from '../selftest';
import { stringMatch } from '../util/glob';
import { clientInfoHooks } from './client';
import { resetHooks } from './connection';
import type { CommandSpec } from './table';

interface ServerPubsub {
  channels: Map<string, Set<number>>;
  patterns: Map<string, Set<number>>;
  shard: Map<string, Set<number>>;
}

interface ClientPubsub {
  channels: Set<string>;
  patterns: Set<string>;
  shard: Set<string>;
}

function serverPubsub(): ServerPubsub {
  let p = state.ext.pubsub as ServerPubsub | undefined;
  if (p === undefined) {
    p = { channels: new Map(), patterns: new Map(), shard: new Map() };
    state.ext.pubsub = p;
  }
  return p;
}

function clientPubsub(c: Client): ClientPubsub {
  let p = c.ext.pubsub as ClientPubsub | undefined;
  if (p === undefined) {
    p = { channels: new Set(), patterns: new Set(), shard: new Set() };
    c.ext.pubsub = p;
  }
  return p;
}

/** The three namespaces, as Redis's pubsubtype: where subscriptions live and what the replies say. */
interface Kind {
  client: (p: ClientPubsub) => Set<string>;
  server: (p: ServerPubsub) => Map<string, Set<number>>;
  /** the count a (un)subscribe confirmation carries */
  count: (p: ClientPubsub) => number;
  subscribeMsg: string;
  unsubscribeMsg: string;
}

const globalCount = (p: ClientPubsub) => p.channels.size + p.patterns.size;
const CHANNELS: Kind = {
  client: (p) => p.channels, server: (p) => p.channels, count: globalCount,
  subscribeMsg: 'subscribe', unsubscribeMsg: 'unsubscribe',
};
const PATTERNS: Kind = {
  client: (p) => p.patterns, server: (p) => p.patterns, count: globalCount,
  subscribeMsg: 'psubscribe', unsubscribeMsg: 'punsubscribe',
};
const SHARD: Kind = {
  client: (p) => p.shard, server: (p) => p.shard, count: (p) => p.shard.size,
  subscribeMsg: 'ssubscribe', unsubscribeMsg: 'sunsubscribe',
};

const bulk = (s: string) => '$' + s.length + '\r\n' + s + '\r\n';

/** A pub/sub reply of n elements: RESP2 array or RESP3 push, written whatever CLIENT REPLY says. */
function push(c: Client, n: number, body: string): void {
  emitAlways(c, (c.resp === 3 ? '>' : '*') + n + '\r\n' + body);
}

function confirm(c: Client, msg: string, name: string | null, count: number): void {
  push(c, 3, bulk(msg) + (name === null ? (c.resp === 3 ? '_\r\n' : '$-1\r\n') : bulk(name)) + ':' + count + '\r\n');
}

function totalSubscriptions(p: ClientPubsub): number {
  return p.channels.size + p.patterns.size + p.shard.size;
}

function subscribeOne(c: Client, kind: Kind, name: string): void {
  const mine = clientPubsub(c);
  const set = kind.client(mine);
  if (!set.has(name)) {
    set.add(name);
    const all = kind.server(serverPubsub());
    const ids = all.get(name);
    if (ids === undefined) all.set(name, new Set([c.id]));
    else ids.add(c.id);
  }
  confirm(c, kind.subscribeMsg, name, kind.count(mine));
}

/** Remove one subscription; with notify, confirm it (also when the client was not subscribed). */
function unsubscribeOne(c: Client, kind: Kind, name: string, notify: boolean): number {
  const mine = clientPubsub(c);
  const set = kind.client(mine);
  let removed = 0;
  if (set.delete(name)) {
    removed = 1;
    const all = kind.server(serverPubsub());
    const ids = all.get(name);
    if (ids !== undefined) {
      ids.delete(c.id);
      if (ids.size === 0) all.delete(name);
    }
  }
  if (notify) confirm(c, kind.unsubscribeMsg, name, kind.count(mine));
  return removed;
}

function unsubscribeAll(c: Client, kind: Kind, notify: boolean): void {
  const mine = c.ext.pubsub as ClientPubsub | undefined;
  let count = 0;
  if (mine !== undefined) for (const name of [...kind.client(mine)]) count += unsubscribeOne(c, kind, name, notify);
  if (notify && count === 0) confirm(c, kind.unsubscribeMsg, null, mine === undefined ? 0 : kind.count(mine));
}

function subscribeGeneric(c: Client, argv: string[], kind: Kind): void {
  for (let j = 1; j < argv.length; j++) subscribeOne(c, kind, argv[j]);
  c.flags |= CLIENT_PUBSUB;
}

function unsubscribeGeneric(c: Client, argv: string[], kind: Kind): void {
  if (argv.length === 1) unsubscribeAll(c, kind, true);
  else for (let j = 1; j < argv.length; j++) unsubscribeOne(c, kind, argv[j], true);
  const mine = c.ext.pubsub as ClientPubsub | undefined;
  if (mine === undefined || totalSubscriptions(mine) === 0) {
    c.flags &= ~CLIENT_PUBSUB;
    delete c.ext.pubsub;
  }
}

function subscribe(c: Client, argv: string[]): void {
  // Redis refuses SUBSCRIBE for a DENY_BLOCKING client unless it is in MULTI, which under EXEC (the
  // only way hotkv has to deny blocking) it always is.
  subscribeGeneric(c, argv, CHANNELS);
}

function psubscribe(c: Client, argv: string[]): void {
  subscribeGeneric(c, argv, PATTERNS);
}

function ssubscribe(c: Client, argv: string[]): void {
  if (c.flags & CLIENT_IN_EXEC) {
    addError(c, "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    return;
  }
  subscribeGeneric(c, argv, SHARD);
}

/** Silently drop every subscription of a client (RESET, disconnect). */
function unsubscribeEverything(c: Client): void {
  if (c.ext.pubsub !== undefined) {
    unsubscribeAll(c, CHANNELS, false);
    unsubscribeAll(c, SHARD, false);
    unsubscribeAll(c, PATTERNS, false);
    delete c.ext.pubsub;
  }
  c.flags &= ~CLIENT_PUBSUB;
}

// --- publishing --------------------------------------------------------------------------------

function deliver(ids: Set<number>, head2: string, head3: string, body: string): number {
  let n = 0;
  for (const id of ids) {
    const c = state.clients.get(id);
    if (c === undefined || c.closed) continue;
    emitAlways(c, (c.resp === 3 ? head3 : head2) + body);
    n++;
  }
  return n;
}

/** Redis's pubsubPublishMessage: channel subscribers first, then every matching pattern's. */
export function publishMessage(channel: string, message: string): number {
  const p = state.ext.pubsub as ServerPubsub | undefined;
  if (p === undefined) return 0;
  let receivers = 0;
  const ids = p.channels.get(channel);
  if (ids !== undefined) receivers += deliver(ids, '*3\r\n', '>3\r\n', '$7\r\nmessage\r\n' + bulk(channel) + bulk(message));
  if (p.patterns.size !== 0) {
    const tail = bulk(channel) + bulk(message);
    for (const [pattern, pids] of p.patterns) {
      if (stringMatch(pattern, channel)) receivers += deliver(pids, '*4\r\n', '>4\r\n', '$8\r\npmessage\r\n' + bulk(pattern) + tail);
    }
  }
  return receivers;
}

function publishShard(channel: string, message: string): number {
  const ids = (state.ext.pubsub as ServerPubsub | undefined)?.shard.get(channel);
  if (ids === undefined) return 0;
  return deliver(ids, '*3\r\n', '>3\r\n', '$8\r\nsmessage\r\n' + bulk(channel) + bulk(message));
}

function publish(c: Client, argv: string[]): void {
  addInt(c, publishMessage(argv[1], argv[2]));
}

function spublish(c: Client, argv: string[]): void {
  addInt(c, publishShard(argv[1], argv[2]));
}

// --- PUBSUB ------------------------------------------------------------------------------------


function channelList(c: Client, argv: string[], all: Map<string, Set<number>>): void {
  if (argv.length > 3) {
    addSubcommandSyntaxError(c, argv);
    return;
  }
  const pattern = argv.length === 3 ? argv[2] : null;
  const names: string[] = [];
  for (const name of all.keys()) if (pattern === null || stringMatch(pattern, name)) names.push(name);
  addArrayLen(c, names.length);
  for (const name of names) addBulk(c, name);
}

function numsub(c: Client, argv: string[], all: Map<string, Set<number>>): void {
  addArrayLen(c, (argv.length - 2) * 2);
  for (let j = 2; j < argv.length; j++) {
    addBulk(c, argv[j]);
    addInt(c, all.get(argv[j])?.size ?? 0);
  }
}

function pubsubHelp(c: Client): void {
  addHelp(c, 'PUBSUB', [
    'CHANNELS [<pattern>]',
    "    Return the currently active channels matching a <pattern> (default: '*').",
    'NUMPAT',
    '    Return number of subscriptions to patterns.',
    'NUMSUB [<channel> ...]',
    '    Return the number of subscribers for the specified channels, excluding',
    '    pattern subscriptions(default: no channels).',
    'SHARDCHANNELS [<pattern>]',
    "    Return the currently active shard level channels matching a <pattern> (default: '*').",
    'SHARDNUMSUB [<shardchannel> ...]',
    '    Return the number of subscribers for the specified shard level channel(s)',
  ]);
}

// --- registration ------------------------------------------------------------------------------

notifyDelivery.publish = publishMessage;
resetHooks.push(unsubscribeEverything);
lifecycleHooks.clientClose.push(unsubscribeEverything);
addInfoFields('stats', () => {
  const p = state.ext.pubsub as ServerPubsub | undefined;
  return {
    pubsub_channels: p?.channels.size ?? 0,
    pubsub_patterns: p?.patterns.size ?? 0,
    pubsubshard_channels: p?.shard.size ?? 0,
  };
});
clientInfoHooks.push((c, info) => {
  if (c.flags & CLIENT_PUBSUB) info.flags += 'P';
  const p = c.ext.pubsub as ClientPubsub | undefined;
  if (p !== undefined) {
    info.sub = p.channels.size;
    info.psub = p.patterns.size;
    info.ssub = p.shard.size;
  }
});

selfTestCases.push({
  send: 'SUBSCRIBE st:ch\r\nGET x\r\nPING\r\nUNSUBSCRIBE\r\nPUBLISH st:ch m\r\n',
  expect: '*3\r\n$9\r\nsubscribe\r\n$5\r\nst:ch\r\n:1\r\n' +
    "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n" +
    '*2\r\n$4\r\npong\r\n$0\r\n\r\n*3\r\n$11\r\nunsubscribe\r\n$5\r\nst:ch\r\n:0\r\n:0\r\n',
});

export const commands: CommandSpec[] = [
  { name: 'subscribe', fn: subscribe },
  { name: 'unsubscribe', fn: (c, argv) => unsubscribeGeneric(c, argv, CHANNELS) },
  { name: 'psubscribe', fn: psubscribe },
  { name: 'punsubscribe', fn: (c, argv) => unsubscribeGeneric(c, argv, PATTERNS) },
  { name: 'ssubscribe', fn: ssubscribe },
  { name: 'sunsubscribe', fn: (c, argv) => unsubscribeGeneric(c, argv, SHARD) },
  { name: 'publish', fn: publish },
  { name: 'spublish', fn: spublish },
  { name: 'pubsub|channels', fn: (c, argv) => channelList(c, argv, serverPubsub().channels) },
  { name: 'pubsub|numsub', fn: (c, argv) => numsub(c, argv, serverPubsub().channels) },
  { name: 'pubsub|numpat', fn: (c) => addInt(c, serverPubsub().patterns.size) },
  { name: 'pubsub|shardchannels', fn: (c, argv) => channelList(c, argv, serverPubsub().shard) },
  { name: 'pubsub|shardnumsub', fn: (c, argv) => numsub(c, argv, serverPubsub().shard) },
  { name: 'pubsub|help', fn: pubsubHelp },
];
