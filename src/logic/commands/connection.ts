// Connection commands: PING ECHO HELLO SELECT QUIT RESET AUTH.

import { CLIENT_PUBSUB } from '../dispatch';
import { addArrayLen, addBulk, addError, addInt, addMapLen, addOk, addRaw, addStatus, bulkProto, ERR_SYNTAX } from '../resp/reply';
import { cfg, markPending, state, type Client } from '../runtime';
import { parseCInt, parseSafeInt } from '../util/numbers';
import { REDIS_VERSION } from '../version';
import type { CommandSpec } from './table';

function ping(c: Client, argv: string[]): void {
  if (argv.length > 2) {
    addError(c, "ERR wrong number of arguments for 'ping' command");
    return;
  }
  if (c.flags & CLIENT_PUBSUB && c.resp === 2) {
    // Subscribed RESP2 clients get a ["pong", <message or "">] array.
    addRaw(c, '*2\r\n$4\r\npong\r\n' + bulkProto(argv.length === 1 ? '' : argv[1]));
    return;
  }
  if (argv.length === 1) addRaw(c, '+PONG\r\n');
  else addBulk(c, argv[1]);
}

function echo(c: Client, argv: string[]): void {
  addBulk(c, argv[1]);
}

function select(c: Client, argv: string[]): void {
  const id = parseCInt(argv[1]);
  if (typeof id === 'string') {
    addError(c, id);
    return;
  }
  if (id < 0 || id >= state.dbs.length) {
    addError(c, 'ERR DB index is out of range');
    return;
  }
  c.db = id;
  addOk(c);
}

function quit(c: Client): void {
  addOk(c);
  c.closeAfterReply = true;
  markPending(c);
}

/** Valid client name: printable ASCII without spaces (Redis's validateClientName). */
export function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

/** Families that keep per-client state (MULTI, subscriptions ...) register how to reset it. */
export const resetHooks: ((c: Client) => void)[] = [];

function reset(c: Client): void {
  for (const h of resetHooks) h(c);
  c.db = 0;
  c.resp = 2;
  c.name = '';
  c.replyMode = 'on';
  c.noEvict = false;
  // Redis's clearClientConnectionState: back to the default user, authenticated only if it needs no password.
  c.authenticated = cfg('requirepass') === '';
  addStatus(c, 'RESET');
}

/** With no password configured (ACL users arrive with their own issue) AUTH answers as Redis does. */
function checkAuth(user: string | null, pass: string): string {
  const required = cfg('requirepass');
  if (user !== null && user !== 'default') return 'WRONGPASS invalid username-password pair or user is disabled.';
  if (required === '') {
    if (user === null) return 'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?';
    return '';
  }
  return pass === required ? '' : 'WRONGPASS invalid username-password pair or user is disabled.';
}

function auth(c: Client, argv: string[]): void {
  if (argv.length > 3) {
    addError(c, ERR_SYNTAX);
    return;
  }
  const err = argv.length === 2 ? checkAuth(null, argv[1]) : checkAuth(argv[1], argv[2]);
  if (err) {
    addError(c, err);
    return;
  }
  c.authenticated = true;
  addOk(c);
}

function hello(c: Client, argv: string[]): void {
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = parseSafeInt(argv[1]);
    if (v === null) {
      addError(c, 'ERR Protocol version is not an integer or out of range');
      return;
    }
    ver = v;
    next = 2;
    if (ver < 2 || ver > 3) {
      addError(c, 'NOPROTO unsupported protocol version');
      return;
    }
  }
  let setName: string | null = null;
  let authenticatedNow = false;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - j - 1;
    const opt = argv[j].toLowerCase();
    if (opt === 'auth' && more >= 2) {
      const err = checkAuth(argv[j + 1], argv[j + 2]);
      if (err) {
        addError(c, err);
        return;
      }
      authenticatedNow = true;
      j += 2;
    } else if (opt === 'setname' && more >= 1) {
      setName = argv[j + 1];
      if (!validClientName(setName)) {
        addError(c, 'ERR Client names cannot contain spaces, newlines or special characters.');
        return;
      }
      j += 1;
    } else {
      addError(c, `ERR Syntax error in HELLO option '${argv[j]}'`);
      return;
    }
  }
  if (authenticatedNow) c.authenticated = true;
  if (!c.authenticated) {
    addError(c, 'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> ' +
      'option can be used to authenticate the client and select the RESP protocol version at the same time');
    return;
  }
  if (setName !== null) c.name = setName;
  if (ver) c.resp = ver as 2 | 3;
  addMapLen(c, 7);
  addBulk(c, 'server');
  addBulk(c, 'redis');
  addBulk(c, 'version');
  addBulk(c, REDIS_VERSION);
  addBulk(c, 'proto');
  addInt(c, c.resp);
  addBulk(c, 'id');
  addInt(c, c.id);
  addBulk(c, 'mode');
  addBulk(c, 'standalone');
  addBulk(c, 'role');
  addBulk(c, 'master');
  addBulk(c, 'modules');
  addArrayLen(c, 0);
}

export const commands: CommandSpec[] = [
  { name: 'ping', fn: ping },
  { name: 'echo', fn: echo },
  { name: 'select', fn: select },
  { name: 'quit', fn: quit },
  { name: 'reset', fn: reset },
  { name: 'auth', fn: auth },
  { name: 'hello', fn: hello },
];
