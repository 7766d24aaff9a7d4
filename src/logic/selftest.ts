// The self-test a bundle runs before it is swapped in: command scripts over every family, executed
// on a scratch State through the real parser and dispatcher. It also warms the JIT for the hot path.

import type { ClientRecord } from '../abi';
import { feed } from './dispatch';
import { flushPending, pendingFlush, state } from './runtime';

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
];

function scratchClient(id: number): ClientRecord {
  return {
    id, socket: null as unknown as ClientRecord['socket'], addr: '127.0.0.1:1', laddr: '127.0.0.1:0', local: true,
    unixSocket: false, createdMs: Date.now(), closed: false, inbuf: null, inchunks: null, inchunksLen: 0, inNeed: 0,
    out: '', db: 0, resp: 2, name: '', libName: '', libVer: '', replyMode: 'on', skipThis: false, noEvict: false,
    closeAfterReply: false, lastInteractionMs: 0, lastCmd: 'NULL', pausedFor: '', commandsProcessed: 0, ext: {},
  };
}

/** Runs every case (several rounds, to warm the JIT); returns '' or a description of the first failure. */
export function runSelfTest(rounds = 50): string {
  for (let round = 0; round < rounds; round++) {
    const c = scratchClient(round + 1);
    state.clients.set(c.id, c);
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
    state.clients.delete(c.id);
    flushPending();
  }
  return '';
}
