// Every command family's specs, in one list for the table builder.
import type { CommandSpec } from './table';
import { commands as connection } from './connection';
import { commands as hotupgrade } from './hotupgrade';

export const allSpecs: CommandSpec[] = [
  ...connection,
  ...hotupgrade,
];
