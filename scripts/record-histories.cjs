#!/usr/bin/env node
// Records workflow histories from a running Temporal server into test/replay/histories/ (JSON, one
// file per workflow type), for the replay tests that guard determinism. Run against `npm run dev`
// after exercising the flows (an inbound message, a session that warned and timed out, a debounced
// group, a cleanup run, a webhook delivery; the held-release Schedule runs by itself):  node scripts/record-histories.cjs [address] [namespace]
'use strict';
const { Connection, Client } = require('@temporalio/client');
const { writeFileSync } = require('node:fs');
const path = require('node:path');

const { historyToJSON } = require('@temporalio/common/lib/proto-utils');

const TYPES = [
  'ProcessInboundMessageSaga',
  'SessionLifecycleWorkflow',
  'SessionCleanupWorkflow',
  'MessageDebouncerWorkflow',
  'WebhookDeliveryWorkflow',
  'WebhookHeldReleaseWorkflow',
];
const historyFile = (type) => path.join(__dirname, '..', 'test', 'replay', 'histories', `${type}.json`);
const repoRoot = path.join(__dirname, '..');
/** Failure stack traces in a history name this machine's paths: keep them relative to the repository. */
const portableJSON = (history) => historyToJSON(history).split(`${repoRoot}/`).join('');

/** The long-running processor: a short dedicated run (a few iterations, a wake, a settings update, a
 *  shutdown) keeps the recorded history small and complete. With RECORD_OUTBOX_DATABASE_URL (the
 *  worker's database) it also takes the outbox table away until an iteration has failed after its
 *  activity retries (~15 s) and puts it back, so the history holds the failure, the backoff and the
 *  recovery (the committed history was recorded that way). */
async function recordOutboxProcessor(client) {
  const settings = {
    batchSize: 100,
    pollIntervalMs: 200,
    iterationsPerRun: 500,
    cleanupEveryIterations: 3,
    retentionMs: 604800000,
    metricsEveryIterations: 2,
    maxHistoryEvents: 2000,
  };
  const handle = await client.workflow.start('OutboxProcessorWorkflow', {
    workflowId: `outbox-processor-recording-${Date.now()}`,
    taskQueue: 'outbox',
    args: [{ settings }],
  });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  await sleep(1500);
  await handle.signal('wake');
  await handle.executeUpdate('updateSettings', { args: [{ ...settings, pollIntervalMs: 300 }] });
  const databaseUrl = process.env.RECORD_OUTBOX_DATABASE_URL;
  if (databaseUrl) {
    const { Client: PgClient } = require('pg');
    const db = new PgClient({ connectionString: databaseUrl });
    await db.connect();
    const consecutiveFailures = async () => (await handle.query('stats')).consecutiveFailures ?? 0;
    await db.query('ALTER TABLE outbox_events RENAME TO outbox_events_away');
    try {
      for (const deadline = Date.now() + 120_000; (await consecutiveFailures()) < 1 && Date.now() < deadline;)
        await sleep(250);
    } finally {
      await db.query('ALTER TABLE outbox_events_away RENAME TO outbox_events');
    }
    for (const deadline = Date.now() + 120_000; (await consecutiveFailures()) > 0 && Date.now() < deadline;)
      await sleep(250);
    await db.end();
  }
  await sleep(500);
  await handle.signal('shutdown');
  await handle.result();
  const history = await handle.fetchHistory();
  writeFileSync(historyFile('OutboxProcessorWorkflow'), portableJSON(history));
  process.stdout.write(`OutboxProcessorWorkflow: recording run with ${history.events.length} events\n`);
}

async function main() {
  const address = process.argv[2] ?? '127.0.0.1:7233';
  const namespace = process.argv[3] ?? 'default';
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  for (const type of TYPES) {
    // Prefer a closed run (a complete history); fall back to a running one.
    let chosen;
    for await (const wf of client.workflow.list({ query: `WorkflowType = '${type}'` })) {
      if (!chosen || (chosen.status.name === 'RUNNING' && wf.status.name === 'COMPLETED')) chosen = wf;
      if (chosen.status.name === 'COMPLETED') break;
    }
    if (!chosen) {
      process.stderr.write(`no ${type} run found\n`);
      continue;
    }
    const history = await client.workflow.getHandle(chosen.workflowId, chosen.runId).fetchHistory();
    const file = historyFile(type);
    writeFileSync(file, portableJSON(history));
    process.stdout.write(
      `${type}: ${chosen.status.name} run with ${history.events.length} events -> ${path.relative(process.cwd(), file)}\n`,
    );
  }
  await recordOutboxProcessor(client);
  await connection.close();
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
