// CLIENT ID SETNAME GETNAME SETINFO LIST INFO KILL NO-EVICT REPLY HELP, and the `timeout`
// directive (Redis's clientsCron closing idle clients).
//
// CLIENT SETINFO does not exist in Redis 7.0.15; client libraries (ioredis, node-redis) send it on
// connect, so it is implemented with Redis 7.2's semantics, texts and COMMAND metadata.

import { lifecycleHooks } from '../lifecycle';
import { addBulk, addError, addHelp, addInt, addNull, addOk, addVerbatim, ERR_SYNTAX } from '../resp/reply';
import { cfgInt, host, markPending, now, state, type Client } from '../runtime';
import { parseInt64 } from '../util/numbers';
import { validClientName } from './connection';
import type { CommandMeta, CommandSpec } from './table';


/** What CLIENT LIST shows about state other families own (subscriptions, MULTI, tracking ...). */
export interface ClientInfoFields {
  /** flag letters; rendered in Redis's order whatever order the hooks add them in */
  flags: string;
  sub: number;
  psub: number;
  ssub: number;
  /** queued commands while in MULTI, -1 otherwise */
  multi: number;
  multiMem: number;
  /** CLIENT TRACKING redirection, -1 when not tracking */
  redir: number;
  user: string;
}

/**
 * Families describe their per-client state here (registered at module load): e.g. pub/sub adds
 * 'P' and the subscription counts, MULTI adds 'x' and the queue length.
 */
export const clientInfoHooks: ((c: Client, info: ClientInfoFields) => void)[] = [];

/** ACL users (another family may replace this); without ACLs only "default" exists. */
export const clientUsers = {
  exists: (name: string): boolean => name === 'default',
};

/** Redis's flag letters, in the order catClientInfoString writes them. */
const FLAG_ORDER = 'SOMPxbtRBdcuAUre';

function clientFields(c: Client): ClientInfoFields {
  const info: ClientInfoFields = { flags: '', sub: 0, psub: 0, ssub: 0, multi: -1, multiMem: 0, redir: -1, user: 'default' };
  for (const h of clientInfoHooks) h(c, info);
  let extra = '';
  // blocked in a command, or postponed by CLIENT PAUSE (Redis blocks those too)
  if (c.pausedFor === 'blocked' || c.pausedFor === 'postponed') extra += 'b';
  if (c.closeAfterReply) extra += 'c';
  if (c.unixSocket) extra += 'U';
  if (c.noEvict) extra += 'e';
  const all = info.flags + extra;
  let flags = '';
  for (const ch of FLAG_ORDER) if (all.includes(ch)) flags += ch;
  info.flags = flags || 'N';
  return info;
}

/** Redis's client types, as CLIENT LIST TYPE / CLIENT KILL TYPE name them (-1: unknown). */
type ClientType = 'normal' | 'slave' | 'pubsub' | 'master';
function clientTypeByName(name: string): ClientType | null {
  const n = name.toLowerCase();
  if (n === 'normal') return 'normal';
  if (n === 'slave' || n === 'replica') return 'slave';
  if (n === 'pubsub') return 'pubsub';
  if (n === 'master') return 'master';
  return null;
}

function clientType(info: ClientInfoFields): ClientType {
  if (info.flags.includes('M')) return 'master';
  if (info.flags.includes('S')) return 'slave';
  if (info.flags.includes('P')) return 'pubsub';
  return 'normal';
}

/** The peer address Redis prints: a unix socket client shows the socket path. */
function peerId(c: Client): string {
  return c.unixSocket ? c.laddr : c.addr;
}

function socketFd(c: Client): number {
  const handle = (c.socket as unknown as { _handle?: { fd?: number } } | null)?._handle;
  return typeof handle?.fd === 'number' ? handle.fd : -1;
}

/** A client already killed (its socket closes asynchronously) no longer exists for CLIENT/INFO. */
export function isGone(c: Client): boolean {
  return c.closed || c.ext.killed === true;
}

/** Redis's catClientInfoString. `argvMem` is the size of the arguments of the command being run. */
function clientInfoString(c: Client, argvMem: number): string {
  const info = clientFields(c);
  const t = Math.floor(now() / 1000);
  const qbuf = (c.inbuf?.length ?? 0) + c.inchunksLen;
  const obl = c.out.length;
  const omem = c.socket?.writableLength ?? 0;
  const totMem = qbuf + argvMem + info.multiMem + obl + omem + 1024;
  let events = '';
  if (c.socket && !c.socket.isPaused()) events += 'r';
  if (omem > 0) events += 'w';
  return `id=${c.id} addr=${peerId(c)} laddr=${c.laddr} fd=${socketFd(c)} name=${c.name} ` +
    `age=${t - Math.floor(c.createdMs / 1000)} idle=${t - Math.floor(c.lastInteractionMs / 1000)} flags=${info.flags} ` +
    `db=${c.db} sub=${info.sub} psub=${info.psub} ssub=${info.ssub} multi=${info.multi} qbuf=${qbuf} qbuf-free=0 ` +
    `argv-mem=${argvMem} multi-mem=${info.multiMem} rbs=0 rbp=0 obl=${obl} oll=0 omem=${omem} tot-mem=${totMem} ` +
    `events=${events} cmd=${c.lastCmd} user=${info.user} redir=${info.redir} resp=${c.resp}`;
}

function argvSize(argv: string[]): number {
  let n = 0;
  for (const a of argv) n += a.length;
  return n;
}

/** argv-mem of another client: a blocked client still holds its command's arguments, as in Redis. */
function heldArgvSize(cl: Client): number {
  const held = (cl.ext.blocked as { argv?: string[] } | undefined)?.argv;
  return held ? argvSize(held) : 0;
}

function clientId(c: Client): void {
  addInt(c, c.id);
}

function clientInfo(c: Client, argv: string[]): void {
  addVerbatim(c, clientInfoString(c, argvSize(argv)) + '\n');
}

function clientList(c: Client, argv: string[]): void {
  let type: ClientType | null = null;
  let out: string | null = null;
  if (argv.length === 4 && argv[2].toLowerCase() === 'type') {
    type = clientTypeByName(argv[3]);
    if (type === null) {
      addError(c, `ERR Unknown client type '${argv[3]}'`);
      return;
    }
  } else if (argv.length > 3 && argv[2].toLowerCase() === 'id') {
    out = '';
    for (let j = 3; j < argv.length; j++) {
      const id = parseInt64(argv[j]);
      if (id === null) {
        addError(c, 'ERR Invalid client ID');
        return;
      }
      const cl = state.clients.get(Number(id));
      if (cl && !isGone(cl)) out += clientInfoString(cl, cl === c ? argvSize(argv) : heldArgvSize(cl)) + '\n';
    }
  } else if (argv.length !== 2) {
    addError(c, ERR_SYNTAX);
    return;
  }
  if (out === null) {
    out = '';
    for (const cl of state.clients.values()) {
      if (isGone(cl)) continue;
      if (type !== null && clientType(clientFields(cl)) !== type) continue;
      out += clientInfoString(cl, cl === c ? argvSize(argv) : heldArgvSize(cl)) + '\n';
    }
  }
  addVerbatim(c, out);
}

function clientSetname(c: Client, argv: string[]): void {
  const name = argv[2];
  if (!validClientName(name)) {
    addError(c, 'ERR Client names cannot contain spaces, newlines or special characters.');
    return;
  }
  c.name = name;
  addOk(c);
}

function clientGetname(c: Client): void {
  if (c.name === '') addNull(c);
  else addBulk(c, c.name);
}

/** Redis 7.2's CLIENT SETINFO LIB-NAME|LIB-VER <value>. */
function clientSetinfo(c: Client, argv: string[]): void {
  const attr = argv[2];
  const val = argv[3];
  const a = attr.toLowerCase();
  if (a !== 'lib-name' && a !== 'lib-ver') {
    addError(c, `ERR Unrecognized option '${attr}'`);
    return;
  }
  if (!validClientName(val)) {
    addError(c, `ERR ${attr} cannot contain spaces, newlines or special characters.`);
    return;
  }
  if (a === 'lib-name') c.libName = val;
  else c.libVer = val;
  addOk(c);
}

/** Close another client now (Redis's freeClient): its pending output is dropped. */
export function killClient(victim: Client): void {
  if (isGone(victim)) return;
  victim.ext.killed = true;
  victim.out = '';
  victim.inbuf = null;
  host.closeClient(victim);
}

function clientKill(c: Client, argv: string[]): void {
  let addr: string | null = null;
  let laddr: string | null = null;
  let user: string | null = null;
  let type: ClientType | null = null;
  let id = 0;
  let skipme = true;
  if (argv.length === 3) {
    // Old form CLIENT KILL <addr>: a client may kill itself.
    addr = argv[2];
    skipme = false;
  } else if (argv.length > 3) {
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i].toLowerCase();
      const more = i + 1 < argv.length;
      if (!more) {
        addError(c, ERR_SYNTAX);
        return;
      }
      const val = argv[i + 1];
      if (opt === 'id') {
        const n = parseInt64(val);
        if (n === null || n < 1n) {
          addError(c, 'ERR client-id should be greater than 0');
          return;
        }
        id = Number(n);
      } else if (opt === 'type') {
        type = clientTypeByName(val);
        if (type === null) {
          addError(c, `ERR Unknown client type '${val}'`);
          return;
        }
      } else if (opt === 'addr') {
        addr = val;
      } else if (opt === 'laddr') {
        laddr = val;
      } else if (opt === 'user') {
        if (!clientUsers.exists(val)) {
          addError(c, `ERR No such user '${val}'`);
          return;
        }
        user = val;
      } else if (opt === 'skipme') {
        const v = val.toLowerCase();
        if (v === 'yes') skipme = true;
        else if (v === 'no') skipme = false;
        else {
          addError(c, ERR_SYNTAX);
          return;
        }
      } else {
        addError(c, ERR_SYNTAX);
        return;
      }
    }
  }
  let killed = 0;
  let closeSelf = false;
  for (const cl of [...state.clients.values()]) {
    if (isGone(cl)) continue;
    if (addr !== null && peerId(cl) !== addr) continue;
    if (laddr !== null && cl.laddr !== laddr) continue;
    if (id !== 0 && cl.id !== id) continue;
    if (type !== null || user !== null) {
      const info = clientFields(cl);
      if (type !== null && clientType(info) !== type) continue;
      if (user !== null && info.user !== user) continue;
    }
    if (cl === c && skipme) continue;
    if (cl === c) closeSelf = true;
    else killClient(cl);
    killed++;
  }
  if (argv.length === 3) {
    if (killed === 0) addError(c, 'ERR No such client');
    else addOk(c);
  } else {
    addInt(c, killed);
  }
  if (closeSelf) {
    c.closeAfterReply = true;
    markPending(c);
  }
}

function clientNoEvict(c: Client, argv: string[]): void {
  const v = argv[2].toLowerCase();
  if (v === 'on') c.noEvict = true;
  else if (v === 'off') c.noEvict = false;
  else {
    addError(c, ERR_SYNTAX);
    return;
  }
  addOk(c);
}

/** CLIENT REPLY ON|OFF|SKIP: OFF and SKIP send no reply themselves (reply.ts drops the output). */
function clientReply(c: Client, argv: string[]): void {
  const v = argv[2].toLowerCase();
  if (v === 'on') {
    c.replyMode = 'on';
    c.skipThis = false;
    addOk(c);
  } else if (v === 'off') {
    c.replyMode = 'off';
  } else if (v === 'skip') {
    if (c.replyMode !== 'off') c.replyMode = 'skip';
  } else {
    addError(c, ERR_SYNTAX);
  }
}

function clientHelp(c: Client): void {
  addHelp(c, 'CLIENT', [
    'CACHING (YES|NO)',
    '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
    'GETREDIR',
    '    Return the client ID we are redirecting to when tracking is enabled.',
    'GETNAME',
    '    Return the name of the current connection.',
    'ID',
    '    Return the ID of the current connection.',
    'INFO',
    '    Return information about the current client connection.',
    'KILL <ip:port>',
    '    Kill connection made from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Kill connections. Options are:',
    '    * ADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made from the specified address',
    '    * LADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made to specified local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Kill connections by type.',
    '    * USER <username>',
    '      Kill connections authenticated by <username>.',
    '    * SKIPME (YES|NO)',
    '      Skip killing current connection (default: yes).',
    'LIST [options ...]',
    '    Return information about client connections. Options:',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Return clients of specified type.',
    'UNPAUSE',
    '    Stop the current client pause, resuming traffic.',
    'PAUSE <timeout> [WRITE|ALL]',
    '    Suspend all, or just write, clients for <timeout> milliseconds.',
    'REPLY (ON|OFF|SKIP)',
    '    Control the replies sent to the current connection.',
    'SETNAME <name>',
    '    Assign the name <name> to the current connection.',
    // Redis 7.2's lines for SETINFO (Redis 7.0.15 has no SETINFO, see the file comment)
    'SETINFO <option> <value>',
    '    Set client meta attr. Options are:',
    '    * LIB-NAME: the client lib name.',
    '    * LIB-VER: the client lib version.',
    'UNBLOCK <clientid> [TIMEOUT|ERROR]',
    '    Unblock the specified blocked client.',
    'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
    '         [OPTIN] [OPTOUT] [NOLOOP]',
    '    Control server assisted client side caching.',
    'TRACKINGINFO',
    '    Report tracking status for the current connection.',
    'NO-EVICT (ON|OFF)',
    '    Protect current client connection from eviction.',
  ]);
}

/**
 * Redis's clientsCron idle check: with `timeout` set, close clients idle for longer, except
 * blocked clients (their own timeout applies), pub/sub subscribers and clients waiting for a hot
 * upgrade to finish.
 */
function closeIdleClients(): void {
  const maxIdle = cfgInt('timeout');
  if (maxIdle <= 0) return;
  const t = Date.now();
  for (const c of state.clients.values()) {
    if (isGone(c) || c.pausedFor !== '') continue;
    if (t - c.lastInteractionMs <= maxIdle * 1000) continue;
    const info = clientFields(c);
    if (info.flags.includes('P') || info.flags.includes('S') || info.flags.includes('M')) continue;
    host.log('verbose', 'Closing idle client');
    killClient(c);
  }
}

lifecycleHooks.cron.push(closeIdleClients);

/** Redis 7.2's COMMAND INFO / DOCS for CLIENT SETINFO. */
const setinfoMeta: CommandMeta = {
  info: ['client|setinfo', 4, { set: [{ s: 'noscript' }, { s: 'loading' }, { s: 'stale' }] }, 0, 0, 0,
    { set: [{ s: '@slow' }, { s: '@connection' }] }, { set: [] }, { set: [] }, { set: [] }],
  docs: {
    m: ['summary', 'Sets information specific to the client or connection.', 'since', '7.2.0', 'group', 'connection',
      'complexity', 'O(1)', 'arguments', [{
        m: ['name', 'attr', 'type', 'oneof', 'arguments', [
          { m: ['name', 'libname', 'type', 'string', 'token', 'lib-name'] },
          { m: ['name', 'libver', 'type', 'string', 'token', 'lib-ver'] },
        ]],
      }]],
  },
};

export const commands: CommandSpec[] = [
  { name: 'client|id', fn: clientId },
  { name: 'client|info', fn: clientInfo },
  { name: 'client|list', fn: clientList },
  { name: 'client|setname', fn: clientSetname },
  { name: 'client|getname', fn: clientGetname },
  { name: 'client|setinfo', fn: clientSetinfo, meta: setinfoMeta },
  { name: 'client|kill', fn: clientKill },
  { name: 'client|no-evict', fn: clientNoEvict },
  { name: 'client|reply', fn: clientReply },
  { name: 'client|help', fn: clientHelp },
];
