import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { TestEnv } from '../support/test-env';

/** Recorded histories (scripts/record-histories.cjs) replayed against today's workflow code: a change
 *  that would break runs in flight fails here, and must go through `patched()`. */
const dir = join(__dirname, 'histories');
const WORKFLOW_TYPES = ['ProcessInboundMessageSaga', 'SessionLifecycleWorkflow', 'SessionCleanupWorkflow', 'MessageDebouncerWorkflow', 'OutboxProcessorWorkflow'];

const load = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as { events: Record<string, any>[] };

describe('workflow replay of recorded histories', () => {
  it('has a recorded history for every workflow type', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).sort()).toEqual(WORKFLOW_TYPES.map((t) => `${t}.json`).sort());
  });

  it.each(WORKFLOW_TYPES)('replays %s deterministically', async (type) => {
    const history = load(`${type}.json`);
    expect(history.events.length).toBeGreaterThan(3);
    await Worker.runReplayHistory({ workflowBundle: { codePath: TestEnv.workflowBundlePath() } }, history, `replay-${type}`);
  });

  it('fails on a history the code would not produce (the check can fail)', async () => {
    const history = load('ProcessInboundMessageSaga.json');
    const scheduled = history.events.find((e) => e.activityTaskScheduledEventAttributes);
    scheduled!.activityTaskScheduledEventAttributes.activityType.name = 'someOtherActivity';
    await expect(
      Worker.runReplayHistory({ workflowBundle: { codePath: TestEnv.workflowBundlePath() } }, history, 'replay-tampered'),
    ).rejects.toMatchObject({ name: 'DeterminismViolationError', message: expect.stringContaining('Nondeterminism') });
  });
});
