// The self-test a bundle runs before it is swapped in: command scripts over every family, executed
// on a scratch State through the real parser and dispatcher. It also warms the JIT for the hot path.

import type { ClientRecord, SelfTestWarmUp } from '../abi';
import { feed, lookupCommand } from './dispatch';
import { parseCommand } from './resp/parser';
import { bulkProto } from './resp/reply';
import { cfg, flushPending, pendingFlush, state } from './runtime';

export interface SelfTestCase {
  /** request in RESP or inline form */
  send: string;
  /** the exact reply bytes expected */
  expect: string;
}

/** Families append their cases at module load. */
export const selfTestCases: SelfTestCase[] = [
  { send: 'PING\r\n', expect: '+PONG\r\n' },
  { send: '*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n', expect: '$3\r\na\x00b\r\n' },
  { send: '*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n', expect: '+OK\r\n' },
  { send: 'NOSUCHCMD a\r\n', expect: "-ERR unknown command 'NOSUCHCMD', with args beginning with: 'a' \r\n" },
  { send: '*1\r\n$4\r\nECHO\r\n', expect: "-ERR wrong number of arguments for 'echo' command\r\n" },
  // strings
  { send: 'SET st:k 10\r\n', expect: '+OK\r\n' },
  { send: 'INCR st:k\r\n', expect: ':11\r\n' },
  { send: 'INCRBYFLOAT st:k 0.5\r\n', expect: '$4\r\n11.5\r\n' },
  { send: 'APPEND st:k xy\r\n', expect: ':6\r\n' },
  { send: 'SET st:k v NX GET\r\n', expect: '$6\r\n11.5xy\r\n' },
  { send: '*2\r\n$3\r\nGET\r\n$4\r\nst:k\r\n', expect: '$6\r\n11.5xy\r\n' },
  { send: 'GET st:none\r\n', expect: '$-1\r\n' },
  { send: 'GETRANGE st:k -3 -1\r\n', expect: '$3\r\n5xy\r\n' },
  { send: '*5\r\n$4\r\nMSET\r\n$4\r\nst:a\r\n$3\r\n0.1\r\n$4\r\nst:b\r\n$3\r\na\x00b\r\n', expect: '+OK\r\n' },
  { send: 'MGET st:a st:b st:none\r\n', expect: '*3\r\n$3\r\n0.1\r\n$3\r\na\x00b\r\n$-1\r\n' },
  { send: 'INCRBYFLOAT st:a 0.2\r\n', expect: '$3\r\n0.3\r\n' },
  { send: 'SETRANGE st:b 1 5x\r\n', expect: ':3\r\n' },
  { send: 'LCS st:k st:b\r\n', expect: '$2\r\n5x\r\n' },
  { send: 'INCR st:b\r\n', expect: '-ERR value is not an integer or out of range\r\n' },
  // keyspace
  { send: 'DEL kt:a kt:b kt:c\r\n', expect: ':0\r\n' },
  { send: 'SET kt:a 7\r\n', expect: '+OK\r\n' },
  { send: 'EXPIRE kt:a 100 NX\r\n', expect: ':1\r\n' },
  { send: 'EXPIRE kt:a 50 GT\r\n', expect: ':0\r\n' },
  { send: 'EXPIRE kt:a 50 NX GT\r\n', expect: '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n' },
  { send: 'TTL kt:a\r\n', expect: ':100\r\n' },
  { send: 'RENAME kt:a kt:b\r\n', expect: '+OK\r\n' },
  { send: 'EXISTS kt:a kt:b kt:b\r\n', expect: ':2\r\n' },
  { send: 'TYPE kt:b\r\n', expect: '+string\r\n' },
  { send: 'OBJECT ENCODING kt:b\r\n', expect: '$3\r\nint\r\n' },
  { send: 'COPY kt:b kt:c\r\n', expect: ':1\r\n' },
  { send: 'PERSIST kt:c\r\n', expect: ':1\r\n' },
  { send: 'TTL kt:c\r\n', expect: ':-1\r\n' },
  { send: 'KEYS kt:[b-c]\r\n', expect: '*2\r\n$4\r\nkt:b\r\n$4\r\nkt:c\r\n' },
  { send: 'SCAN 0 MATCH kt:* COUNT 1000000\r\n', expect: '*2\r\n$1\r\n0\r\n*2\r\n$4\r\nkt:b\r\n$4\r\nkt:c\r\n' },
  { send: 'SCAN x\r\n', expect: '-ERR invalid cursor\r\n' },
  { send: 'EXPIRE kt:b -1\r\n', expect: ':1\r\n' },
  { send: 'DEL kt:b kt:c\r\n', expect: ':1\r\n' },
  // server, config, client, command
  { send: 'CLIENT SETNAME st-name\r\n', expect: '+OK\r\n' },
  { send: 'CLIENT GETNAME\r\n', expect: '$7\r\nst-name\r\n' },
  { send: 'CLIENT SETNAME ""\r\n', expect: '+OK\r\n' },
  { send: 'CLIENT GETNAME\r\n', expect: '$-1\r\n' },
  { send: 'CLIENT REPLY SKIP\r\nPING\r\nECHO st\r\n', expect: '$2\r\nst\r\n' },
  { send: 'CONFIG SET maxmemory 10mb hash-max-ziplist-entries 100\r\n', expect: '+OK\r\n' },
  { send: 'CONFIG GET maxmemory\r\n', expect: '*2\r\n$9\r\nmaxmemory\r\n$8\r\n10485760\r\n' },
  { send: 'CONFIG SET maxmemory 0 hash-max-listpack-entries 512\r\n', expect: '+OK\r\n' },
  { send: 'CONFIG SET timeout 1 maxmemory x\r\n',
    expect: "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value\r\n" },
  { send: 'CONFIG GET timeout\r\n', expect: '*2\r\n$7\r\ntimeout\r\n$1\r\n0\r\n' },
  { send: 'INFO nosuchsection\r\n', expect: '$0\r\n\r\n' },
  { send: 'INFO cluster\r\n', expect: '$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n' },
  { send: 'COMMAND INFO ping\r\n', expect: '*1\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n' +
    '*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n' },
  { send: 'COMMAND GETKEYS get st:k\r\n', expect: '*1\r\n$4\r\nst:k\r\n' },
  { send: 'MEMORY USAGE st:none\r\n', expect: '$-1\r\n' },
];

/** Checks beyond request/reply pairs (e.g. migration.ts converting values of an older schema); each runs on
 *  the scratch State after the cases and returns '' or what failed. Appended at module load. */
export const selfTestChecks: (() => string)[] = [];

function scratchClient(id: number): ClientRecord {
  return {
    id, socket: null as unknown as ClientRecord['socket'], addr: '127.0.0.1:1', laddr: '127.0.0.1:0', local: true,
    unixSocket: false, createdMs: Date.now(), closed: false, inbuf: null, inchunks: null, inchunksLen: 0, inNeed: 0,
    out: '', db: 0, resp: 2, name: '', libName: '', libVer: '', replyMode: 'on', skipThis: false, noEvict: false,
    closeAfterReply: false, lastInteractionMs: 0, lastCmd: 'NULL', pausedFor: '', commandsProcessed: 0, authenticated: true, flags: 0, ext: {},
  };
}

/** The logic's entry points (index.ts): the warm-up drives them as the shell does for a live client. */
export interface EntryPoints {
  onConnect(c: ClientRecord): void;
  onData(c: ClientRecord, chunk: Buffer): void;
  onClose(c: ClientRecord): void;
  onTick(name: string): void;
}

/** Warm-up calls per round, shared by the hot commands in proportion to their live calls (at least 8 each):
 *  about 3,000 over the shell's 12 rounds. That has the parser, dispatch and reply paths optimised before the
 *  swap; the hottest command functions themselves reach V8's threshold after a few hundred live calls (with
 *  some 4,000 calls each they were optimised before the swap as well, for a dearer prepare). */
const WARM_CALLS = 256;
/** Commands the warm-up never repeats out of their script: they change the connection, the server or other dbs,
 *  or wait. (Admin, no-script, blocking and pub/sub commands are left out by their flags.) */
const NOT_WARMED = new Set(['select', 'swapdb', 'move', 'flushall', 'flushdb', 'quit', 'reset']);
/** Arguments the parser reads are sized 0..26 bytes: it has a path per length up to 24 (resp/slice.ts), and V8
 *  deoptimised it at the first live argument of a length the cases never had ("insufficient type feedback"). */
const KEY_PAD_LENGTHS = 27;
/** command name -> its self-test requests re-encoded as RESP multibulk (null: none may be repeated); disposable */
const warmRequests = new Map<string, Buffer[] | null>();

/** A case's request as written, and parsed (null: it does not parse as complete commands, e.g. a protocol error). */
interface PreparedCase {
  sent: Buffer;
  commands: string[][] | null;
  /** the same commands as RESP multibulk (= sent when commands is null) */
  multibulk: Buffer;
}
/** selfTestCases, parsed once per bundle (DESIGN rule 2: disposable) */
let prepared: PreparedCase[] | null = null;

function prepareCases(): PreparedCase[] {
  return selfTestCases.map((tc) => {
    const sent = Buffer.from(tc.send, 'latin1');
    let commands: string[][] | null = [];
    for (let pos = 0; pos < sent.length;) {
      const r = parseCommand(sent, pos, 1 << 20);
      if (r.argv === null) {
        commands = null;
        break;
      }
      if (r.argv.length > 0) commands.push(r.argv);
      pos = r.next;
    }
    return { sent, commands, multibulk: commands === null ? sent : Buffer.concat(commands.map(multibulk)) };
  });
}

/** The single-command cases of `name` the warm-up may repeat, as clients send them (RESP multibulk), each also
 *  with its first key lengthened by 1..26 bytes. */
function requestsOf(name: string): Buffer[] | null {
  let list = warmRequests.get(name);
  if (list !== undefined) return list;
  list = [];
  for (const pc of (prepared ??= prepareCases())) {
    if (pc.commands === null || pc.commands.length !== 1) continue; // several commands: a script
    const argv = pc.commands[0];
    const def = lookupCommand(argv);
    if (def === undefined || def.name !== name || def.fn === null || NOT_WARMED.has(def.name.split('|')[0])) continue;
    if (def.flags.has('admin') || def.flags.has('noscript') || def.flags.has('blocking') || def.flags.has('pubsub')) continue;
    const k = def.firstKey;
    const pads = k > 0 && k < argv.length ? KEY_PAD_LENGTHS : 1;
    for (let pad = 0; pad < pads; pad++) list.push(pad === 0 ? pc.multibulk : multibulk(argv.map((a, i) => (i === k ? a + '~'.repeat(pad) : a))));
  }
  if (list.length === 0) list = null;
  warmRequests.set(name, list);
  return list;
}

function multibulk(argv: string[]): Buffer {
  return Buffer.from(`*${argv.length}\r\n${argv.map(bulkProto).join('')}`, 'latin1');
}

/**
 * The live command mix through the real entry point: the hot commands' cases (WARM_CALLS, by their share of
 * the live calls), in groups of 8 sent one request per onData, as clients without pipelining send them, or
 * (one group in four) as one pipelined chunk. They run in the last database (no case uses it, so the
 * verification script's keys are untouched); the replies go to the scratch host unread: the cases are
 * verified above.
 */
function warmUp(c: ClientRecord, round: number, hot: SelfTestWarmUp['hotCommands'], entries: EntryPoints): void {
  c.db = state.dbs.length - 1;
  const warmDb = c.db;
  let total = 0;
  for (const h of hot) total += h.calls;
  for (const h of hot) {
    const reqs = requestsOf(h.name);
    if (reqs === null) continue;
    const calls = Math.max(8, Math.round((WARM_CALLS * h.calls) / total));
    for (let i = 0; i < calls; i += 8) {
      const group: Buffer[] = [];
      // a different slice of the requests each round, so that every size is sent in some round
      for (let j = i; j < i + 8; j++) group.push(reqs[(round * calls + j) % reqs.length]);
      if ((i & 24) !== 24) for (const b of group) entries.onData(c, b);
      else entries.onData(c, Buffer.concat(group));
      // a case that left the connection in another mode or database ends this round's warm-up
      if (c.flags !== 0 || c.pausedFor !== '' || c.closeAfterReply || c.db !== warmDb) return;
    }
  }
}

/**
 * Runs every case once on the scratch State; returns '' or a description of the first failure. The shell
 * calls it for several rounds (one per event-loop turn), which also warms the JIT for the hot path. With a
 * SelfTestWarmUp the round uses the shell's client (the hidden class of live clients) through onConnect,
 * then warms the live command mix through onData, runs the cron once (when the scratch State can write no
 * file: no save points, no AOF), and closes the client through onClose, as the shell would.
 */
export function runSelfTestRound(round: number, warm: SelfTestWarmUp | null = null, entries: EntryPoints | null = null): string {
  {
    const c = warm !== null && entries !== null ? warm.client : scratchClient(round + 1);
    state.clients.set(c.id, c);
    if (warm !== null && entries !== null) entries.onConnect(c);
    const cases = (prepared ??= prepareCases());
    for (let i = 0; i < cases.length; i++) {
      const tc = selfTestCases[i];
      let got = '';
      // Round 0 sends each case as written; later rounds send the same commands as RESP multibulk, what clients
      // send (and cheaper to parse than the inline form most cases are written in).
      feed(c, round === 0 ? cases[i].sent : cases[i].multibulk);
      // capture what flushPending would write
      for (const p of pendingFlush) if (p === c) { got = c.out; c.out = ''; }
      pendingFlush.length = 0;
      if (got !== tc.expect) {
        return `case ${JSON.stringify(tc.send)}${round === 0 ? '' : ' (as RESP multibulk)'}: expected ${JSON.stringify(tc.expect)}, got ${JSON.stringify(got)}`;
      }
    }
    if (warm !== null && entries !== null) {
      warmUp(c, round, warm.hotCommands, entries);
      if (cfg('save') === '' && cfg('appendonly') === 'no') entries.onTick('cron');
      c.closed = true;
      entries.onClose(c);
    }
    state.clients.delete(c.id);
    flushPending();
  }
  for (const check of selfTestChecks) {
    const err = check();
    if (err) return err;
  }
  return '';
}
