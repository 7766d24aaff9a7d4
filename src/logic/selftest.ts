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

/** Calls of each hot command per round (about a thousand over the shell's rounds: enough for V8 to optimise them). */
const WARM_CALLS = 32;
/** Commands the warm-up never repeats out of their script: they change the connection, the server or other dbs,
 *  or wait. (Admin, no-script, blocking and pub/sub commands are left out by their flags.) */
const NOT_WARMED = new Set(['select', 'swapdb', 'move', 'flushall', 'flushdb', 'quit', 'reset']);
/** command name -> its self-test requests re-encoded as RESP multibulk; disposable (DESIGN rule 2) */
let warmRequests: Map<string, Buffer[]> | null = null;

/** The single-command cases of every command the warm-up may repeat, as clients send them (RESP multibulk). */
function buildWarmRequests(): Map<string, Buffer[]> {
  const byName = new Map<string, Buffer[]>();
  for (const tc of selfTestCases) {
    const buf = Buffer.from(tc.send, 'latin1');
    const r = parseCommand(buf, 0, 1 << 20);
    if (r.argv === null || r.argv.length === 0 || r.next !== buf.length) continue; // several commands: a script
    const def = lookupCommand(r.argv);
    if (def === undefined || def.fn === null || NOT_WARMED.has(def.name.split('|')[0])) continue;
    if (def.flags.has('admin') || def.flags.has('noscript') || def.flags.has('blocking') || def.flags.has('pubsub')) continue;
    let list = byName.get(def.name);
    if (list === undefined) byName.set(def.name, (list = []));
    const argv = r.argv;
    list.push(multibulk(argv));
    // The same with a longer first key: the cases' short arguments left the parser's paths for two-digit
    // lengths untaken, and V8 deoptimised it at the first live request of usual size ("insufficient type
    // feedback for compare operation").
    const k = def.firstKey;
    if (k > 0 && k < argv.length) list.push(multibulk(argv.map((a, i) => (i === k ? a + ':warm-up-padding' : a))));
  }
  return byName;
}

function multibulk(argv: string[]): Buffer {
  return Buffer.from(`*${argv.length}\r\n${argv.map(bulkProto).join('')}`, 'latin1');
}

/**
 * The live command mix through the real entry point: each hot command's cases, WARM_CALLS times, one request
 * per onData as a client without pipelining sends them and every other group of 8 as one pipelined chunk, in
 * the last database (no case uses it, so the verification script's keys are untouched). Replies go to the
 * scratch host unread: the cases are verified above.
 */
function warmUp(c: ClientRecord, hot: readonly string[], entries: EntryPoints): void {
  warmRequests ??= buildWarmRequests();
  c.db = state.dbs.length - 1;
  const warmDb = c.db;
  for (const name of hot) {
    const reqs = warmRequests.get(name);
    if (reqs === undefined) continue;
    for (let i = 0; i < WARM_CALLS; i += 8) {
      const group: Buffer[] = [];
      for (let j = i; j < i + 8; j++) group.push(reqs[j % reqs.length]);
      if ((i & 8) === 0) for (const b of group) entries.onData(c, b);
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
    for (const tc of selfTestCases) {
      let got = '';
      // capture what flushPending would write
      feed(c, Buffer.from(tc.send, 'latin1'));
      for (const p of pendingFlush) if (p === c) { got = c.out; c.out = ''; }
      pendingFlush.length = 0;
      if (got !== tc.expect) {
        return `case ${JSON.stringify(tc.send)}: expected ${JSON.stringify(tc.expect)}, got ${JSON.stringify(got)}`;
      }
    }
    if (warm !== null && entries !== null) {
      warmUp(c, warm.hotCommands, entries);
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
