'use strict';
// Dynamic config every dev server of this repo starts with (npm run dev, the test suite, the
// benches), so what runs locally matches what the README asks of a production cluster.
// - system.enableActivityEagerExecution: a workflow task that schedules an activity on its own
//   task queue gets the activity task back in the completion response (no trip through matching).
//   Off by default in the server; eager workflow start is on by default.
const TEMPORAL_DEV_SERVER_ARGS = ['--dynamic-config-value', 'system.enableActivityEagerExecution=true'];

module.exports = { TEMPORAL_DEV_SERVER_ARGS };
