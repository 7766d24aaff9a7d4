// Build-time constants scripts/build.mjs writes into the logic bundle as literals (esbuild `define`).
// Hot paths test them directly, so a switch that is off costs nothing: `if (false) {...}` emits no code.

/** --state-schema: overrides runtime.ts's STATE_SCHEMA (4 for the lazy-migration fixture); undefined without it */
declare const __HOTKV_STATE_SCHEMA__: number | undefined;
/** --reads-schemas: overrides readsSchemas (e.g. [3, 4] for a rollback target); undefined without it */
declare const __HOTKV_READS_SCHEMAS__: number[] | undefined;
/** string values are stored as schema-4 Buffer records (types/string.ts) */
declare const __HOTKV_STRING_BUFFERS__: boolean;
/** schema-4 Buffer records are understood (a schema-4 bundle, or an older one declaring it reads schema 4) */
declare const __HOTKV_READS_STRING_BUFFERS__: boolean;
/** the bundle carries its lazy migrations (migration.ts); false builds one that dropped them */
declare const __HOTKV_LAZY_MIGRATIONS__: boolean;
