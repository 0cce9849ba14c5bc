'use strict';
// Dynamic config every dev server of this repo starts with (npm run dev, the test suite, the
// benches), so what runs locally matches what the README asks of a production cluster.
// - system.enableActivityEagerExecution: a workflow task that schedules an activity on its own
//   task queue gets the activity task back in the completion response (no trip through matching).
//   Off by default in the server; eager workflow start is on by default.
// - SQLite pragmas (as the TS SDK's own CI runs its dev server): WAL journal and no fsync per
//   commit. A dev server's data is disposable; with its database in a file (npm run dev, the fault
//   tests) every workflow start and task otherwise waits for a rollback-journal fsync (bench:inbound
//   with BENCH_TEMPORAL_DB=file and BENCH_TEMPORAL_PRAGMAS=off/on shows the difference). An
//   in-memory database (the test suite, the benches' default) accepts and ignores them.
const TEMPORAL_DEV_SERVER_ARGS = [
  '--dynamic-config-value',
  'system.enableActivityEagerExecution=true',
  '--sqlite-pragma',
  'journal_mode=WAL',
  '--sqlite-pragma',
  'synchronous=OFF',
];

module.exports = { TEMPORAL_DEV_SERVER_ARGS };
