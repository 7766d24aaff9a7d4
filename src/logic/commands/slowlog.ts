// SLOWLOG GET LEN RESET HELP, over the log slowlog.ts keeps.
import { addSubcommandSyntaxError, addArrayLen, addBulk, addBulkArray, addError, addHelp, addInt, addOk } from '../resp/reply';
import type { Client } from '../runtime';
import { selfTestCases } from '../selftest';
import { slowlogState } from '../slowlog';
import { parseInt64 } from '../util/numbers';
import type { CommandSpec } from './table';

/** SLOWLOG GET without a count returns this many entries (slowlog.c). */
const DEFAULT_COUNT = 10;

function get(c: Client, argv: string[]): void {
  let count = DEFAULT_COUNT;
  if (argv.length > 3) {
    addSubcommandSyntaxError(c, argv);
    return;
  }
  if (argv.length === 3) {
    const n = parseInt64(argv[2]);
    if (n === null || n < -1n) {
      addError(c, 'ERR count should be greater than or equal to -1');
      return;
    }
    count = n === -1n ? Infinity : Number(n);
  }
  const entries = slowlogState().entries;
  const n = Math.min(count, entries.length);
  addArrayLen(c, n);
  for (let i = entries.length - 1; i >= entries.length - n; i--) {
    const e = entries[i];
    addArrayLen(c, 6);
    addInt(c, e.id);
    addInt(c, e.time);
    addInt(c, e.durationUs);
    addBulkArray(c, e.args);
    addBulk(c, e.peer);
    addBulk(c, e.name);
  }
}

function len(c: Client): void {
  addInt(c, slowlogState().entries.length);
}

function reset(c: Client): void {
  slowlogState().entries.length = 0;
  addOk(c);
}

function help(c: Client): void {
  addHelp(c, 'SLOWLOG', [
    'GET [<count>]',
    '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
    '    Entries are made of:',
    '    id, timestamp, time in microseconds, arguments array, client IP and port,',
    '    client name',
    'LEN',
    '    Return the length of the slowlog.',
    'RESET',
    '    Reset the slowlog.',
  ]);
}

selfTestCases.push({ send: 'SLOWLOG GET -2\r\n', expect: '-ERR count should be greater than or equal to -1\r\n' });

export const commands: CommandSpec[] = [
  { name: 'slowlog|get', fn: get },
  { name: 'slowlog|len', fn: len },
  { name: 'slowlog|reset', fn: reset },
  { name: 'slowlog|help', fn: help },
];
