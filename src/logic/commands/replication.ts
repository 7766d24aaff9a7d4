// Replication commands a standalone Redis 7.0 master answers: ROLE and WAIT. hotkv has no replicas, so
// ROLE says master with none, and WAIT acknowledges 0 replicas: at once when that is enough (numreplicas
// <= 0, or inside MULTI), else after its timeout, blocked meanwhile as Redis blocks it (0 waits forever;
// CLIENT UNBLOCK ends it). Clients and tools use both (ioredis's sentinel support reads ROLE; libraries
// expose WAIT for durability checks).
import { blockClient, getMsTimeoutOrReply } from '../blocking';
import { CLIENT_IN_EXEC, CLIENT_MULTI } from '../dispatch';
import { addArrayLen, addBulk, addError, addInt } from '../resp/reply';
import type { Client } from '../runtime';
import { selfTestCases } from '../selftest';
import { ERR_NOT_INT, parseInt64 } from '../util/numbers';
import type { CommandSpec } from './table';

function role(c: Client): void {
  addArrayLen(c, 3);
  addBulk(c, 'master');
  addInt(c, 0); // master_repl_offset: nothing is replicated
  addArrayLen(c, 0);
}

function wait(c: Client, argv: string[]): void {
  const numreplicas = parseInt64(argv[1]);
  if (numreplicas === null) {
    addError(c, ERR_NOT_INT);
    return;
  }
  const timeoutAt = getMsTimeoutOrReply(c, argv[2]);
  if (timeoutAt === null) return;
  // Redis replies the replicas that acknowledged (none here) when that is enough, or inside MULTI.
  if (numreplicas <= 0n || (c.flags & (CLIENT_MULTI | CLIENT_IN_EXEC)) !== 0) {
    addInt(c, 0);
    return;
  }
  blockClient(c, [], timeoutAt, 'null', 'wait');
}

selfTestCases.push(
  { send: 'ROLE\r\n', expect: '*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n' },
  { send: 'WAIT 0 0\r\n', expect: ':0\r\n' },
);

export const commands: CommandSpec[] = [
  { name: 'role', fn: role },
  { name: 'wait', fn: wait },
];
