import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { Worker } from '@temporalio/worker';
import { parsePayloadKeys, temporalDataConverter } from '@app/workflows';
import { tracedBundlePath } from '../../apps/worker/src/workflow-code';
import { TestEnv } from '../support/test-env';

/** Recorded histories (scripts/record-histories.cjs) replayed against today's workflow code: a change
 *  that would break runs in flight fails here, and must go through `patched()`. Files are
 *  `<WorkflowType>[.<variant>].json`; histories recorded before a patch are kept as variants (the saga's
 *  `before-local-steps` run replays the pre-patch path, `before-resolve-again` a run without a
 *  rolled-back contact or session, `before-publish-by-relay` a run that published its events in a
 *  step (recorded by the saga suite with RECORD_HISTORIES=1), the session's `before-lazy-deadlines` runs were signalled per
 *  message). The current SessionLifecycleWorkflow histories were recorded by the lifecycle suite
 *  (`RECORD_HISTORIES=1 npx jest test/integration/workflows/session-lifecycle.workflow.int-spec.ts`). */
const dir = join(__dirname, 'histories');
const WORKFLOW_TYPES = [
  'ProcessInboundMessageSaga',
  'SessionLifecycleWorkflow',
  'SessionCleanupWorkflow',
  'MessageDebouncerWorkflow',
  'OutboxProcessorWorkflow',
  'WebhookDeliveryWorkflow',
  'WebhookHeldReleaseWorkflow',
  'WAHAHistoryImportWorkflow',
  'ImportChatHistoryWorkflow',
];
const FILES = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();

/** Replays go through the payload codec with a key, as a worker with encryption turned on does: the
 *  recorded histories' plaintext payloads must pass through it unchanged. */
const encryptingDataConverter = temporalDataConverter(parsePayloadKeys(`replay:${randomBytes(32).toString('base64')}`));

const load = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as { events: Record<string, any>[] };
/** The patch ids a recorded run's markers name, in order. */
const patchesOf = (file: string): string[] =>
  load(file).events.flatMap((e) =>
    ((e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []) as { data: string }[]).map(
      (p) => (JSON.parse(Buffer.from(p.data, 'base64').toString()) as { id: string }).id,
    ),
  );

describe('workflow replay of recorded histories', () => {
  it('has a recorded history for every workflow type, and only for those', () => {
    expect([...new Set(FILES.map((f) => f.split('.')[0]))].sort()).toEqual([...WORKFLOW_TYPES].sort());
  });

  it.each(FILES)('replays %s deterministically', async (file) => {
    const history = load(file);
    const started = history.events[0]?.workflowExecutionStartedEventAttributes;
    expect(started?.workflowType?.name).toBe(file.split('.')[0]);
    expect(history.events.length).toBeGreaterThan(3);
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: TestEnv.workflowBundlePath() }, dataConverter: encryptingDataConverter },
      history,
      `replay-${file}`,
    );
  });

  // Turning tracing on (OTEL_TRACING_ENABLED) swaps in the bundle with the OpenTelemetry workflow
  // interceptors: runs recorded without them must replay with them too.
  it.each(FILES)('replays %s with the tracing interceptors bundled in', async (file) => {
    const exporter = makeWorkflowExporter(new SimpleSpanProcessor(new InMemorySpanExporter()), new Resource({}));
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: tracedBundlePath(TestEnv.workflowBundlePath()) }, sinks: { exporter } },
      load(file),
      `replay-traced-${file}`,
    );
  });

  it("the saga's recorded histories take the patched paths, so replaying them covers them", () => {
    expect(patchesOf('ProcessInboundMessageSaga.json')).toEqual([
      'inbound-saga-local-steps',
      'inbound-saga-publish-by-relay',
    ]);
    // The run before the publish change still covers the resolve-again path.
    expect(patchesOf('ProcessInboundMessageSaga.before-publish-by-relay.json')).toEqual([
      'inbound-saga-local-steps',
      'inbound-saga-resolve-again-after-rollback',
    ]);
  });

  it("the session's current histories take the lazy-deadline path (no signals, wake-up reads, a local end), the older ones were signalled", () => {
    const signals = (file: string) =>
      load(file).events.filter((e) => e.workflowExecutionSignaledEventAttributes).length;
    const reads = (file: string) =>
      load(file).events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
    for (const file of ['SessionLifecycleWorkflow.json', 'SessionLifecycleWorkflow.warning-and-timeout.json']) {
      expect(patchesOf(file)).toEqual(expect.arrayContaining(['session-lazy-deadlines', 'session-local-end']));
      expect(signals(file)).toBe(0);
    }
    // Lazy runs from before the inactivity end became a local activity: it is still an activity task there.
    for (const file of [
      'SessionLifecycleWorkflow.before-local-end.json',
      'SessionLifecycleWorkflow.warning-and-timeout.before-local-end.json',
    ]) {
      expect(patchesOf(file)).toContain('session-lazy-deadlines');
      expect(patchesOf(file)).not.toContain('session-local-end');
      expect(
        load(file).events.some(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'endSessionDueToTimeout',
        ),
      ).toBe(true);
    }
    for (const file of ['SessionLifecycleWorkflow.json', 'SessionLifecycleWorkflow.warning-and-timeout.json']) {
      expect(
        load(file).events.some(
          (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'endSessionDueToTimeout',
        ),
      ).toBe(false);
      expect(signals(file)).toBe(0);
      expect(reads(file)).toBeGreaterThanOrEqual(2);
    }
    for (const file of [
      'SessionLifecycleWorkflow.before-lazy-deadlines.json',
      'SessionLifecycleWorkflow.warning-and-timeout.before-lazy-deadlines.json',
    ]) {
      expect(patchesOf(file)).not.toContain('session-lazy-deadlines');
      expect(signals(file)).toBeGreaterThan(0);
    }
  });

  it('fails on a history the code would not produce (the check can fail)', async () => {
    const history = load('ProcessInboundMessageSaga.before-local-steps.json');
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes);
    scheduled!.activityTaskScheduledEventAttributes.activityType.name = 'someOtherActivity';
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { codePath: TestEnv.workflowBundlePath() } },
        history,
        'replay-tampered',
      ),
    ).rejects.toMatchObject({ name: 'DeterminismViolationError', message: expect.stringContaining('Nondeterminism') });
  });
});
