// Every command family's specs, in one list for the table builder.
import type { CommandSpec } from './table';
import { commands as connection } from './connection';
import { commands as hotupgrade } from './hotupgrade';
import { commands as keys } from './keys';
import { commands as strings } from './strings';
import { commands as server } from './server';
import { commands as config } from './config';
import { commands as client } from './client';
import { commands as command } from './command';
import { commands as lists } from './lists';
import { commands as multi } from './multi';
import { commands as pubsub } from './pubsub';
import { commands as zsets } from './zsets';
import { commands as hashes } from './hashes';
import { commands as streams } from './streams';
import { commands as streamgroups } from './streamgroups';
import { commands as sets } from './sets';
import { commands as sort } from './sort';
import { commands as persistence } from './persistence';
import { commands as aof } from './aof';
import { commands as debug } from './debug';
import { commands as scripting } from './scripting';
import { commands as replication } from './replication';
import { commands as slowlog } from './slowlog';
import { commands as monitor } from './monitor';
import { commands as clientpause } from './clientpause';
import { commands as dumprestore } from './dumprestore';
import { commands as bits } from './bits';
import { commands as hyperloglog } from './hyperloglog';
import { commands as geo } from './geo';
import { commands as functions } from './functions';

export const allSpecs: CommandSpec[] = [
  ...connection,
  ...hotupgrade,
  ...keys,
  ...strings,
  ...server,
  ...config,
  ...client,
  ...command,
  ...lists,
  ...multi,
  ...pubsub,
  ...zsets,
  ...hashes,
  ...streams,
  ...streamgroups,
  ...sets,
  ...sort,
  ...persistence,
  ...aof,
  ...debug,
  ...scripting,
  ...replication,
  ...slowlog,
  ...monitor,
  ...clientpause,
  ...dumprestore,
  ...bits,
  ...hyperloglog,
  ...geo,
  ...functions,
];
