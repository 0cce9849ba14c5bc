import { validateConfig } from '@app/shared';
import { DEFAULT_OUTBOX_PROCESSOR_SETTINGS } from '@app/workflows';
import { differingSettings, OutboxProcessorObservation, outboxProcessorReadiness } from './outbox-processor.supervisor';
import { WorkerEnv } from './worker.config';

describe('outbox processor readiness', () => {
  const rules = { ensureIntervalMs: 30_000, unhealthyAfterMs: 60_000 };
  const now = new Date('2026-01-01T12:00:00.000Z');
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
  const observation = (
    overrides: Partial<OutboxProcessorObservation> = {},
    stats: Partial<NonNullable<OutboxProcessorObservation['stats']>> = {},
  ): OutboxProcessorObservation => ({
    checkedAt: ago(1_000),
    status: 'RUNNING',
    running: true,
    runId: 'run-1',
    restarts: 0,
    stats: {
      iterations: 10,
      lastIterationAt: ago(500),
      consecutiveFailures: 0,
      failingSince: null,
      lastFailureAt: null,
      lastError: null,
      ...stats,
    },
    ...overrides,
  });

  it('is ready while the processor runs, also while it has failed for less than the threshold', () => {
    expect(outboxProcessorReadiness(observation(), now, rules)).toMatchObject({ ready: true });
    expect(
      outboxProcessorReadiness(
        observation({}, { consecutiveFailures: 3, failingSince: ago(59_000), lastError: 'db down' }),
        now,
        rules,
      ),
    ).toMatchObject({ ready: true });
  });

  it('is not ready once the processor has failed for the threshold, naming its last error', () => {
    const readiness = outboxProcessorReadiness(
      observation(
        {},
        { consecutiveFailures: 4, failingSince: ago(60_000), lastError: 'processPendingEvents: connection refused' },
      ),
      now,
      rules,
    );
    expect(readiness).toMatchObject({
      ready: false,
      reason: `outbox processor failing since ${ago(60_000)}: processPendingEvents: connection refused`,
    });
  });

  it('is not ready when the processor is not running, has not been checked, or its last check is older than three intervals', () => {
    expect(
      outboxProcessorReadiness(
        observation({ running: false, status: 'FAILED', checkError: 'start: unavailable' }),
        now,
        rules,
      ),
    ).toMatchObject({
      ready: false,
      reason: 'outbox processor not running (FAILED): start: unavailable',
    });
    expect(outboxProcessorReadiness(null, now, rules)).toEqual({
      ready: false,
      reason: 'outbox processor not checked yet',
      state: null,
    });
    expect(outboxProcessorReadiness(observation({ checkedAt: ago(90_001) }), now, rules)).toMatchObject({
      ready: false,
      reason: expect.stringContaining('not checked since'),
    });
    expect(outboxProcessorReadiness(observation({ checkedAt: ago(89_000) }), now, rules)).toMatchObject({
      ready: true,
    });
  });
});

describe('outbox processor settings comparison', () => {
  it('names the settings whose running value differs from the wanted one', () => {
    const wanted = { ...DEFAULT_OUTBOX_PROCESSOR_SETTINGS, batchSize: 50 };
    expect(differingSettings({ ...DEFAULT_OUTBOX_PROCESSOR_SETTINGS }, wanted)).toEqual(['batchSize']);
    expect(differingSettings(wanted, wanted)).toEqual([]);
    // A setting the worker leaves to the workflow's default is not compared.
    expect(
      differingSettings({ ...wanted, maxHistoryEvents: 10_000 }, { ...wanted, maxHistoryEvents: undefined }),
    ).toEqual([]);
  });
});

describe('OUTBOX_PROCESSOR_* configuration', () => {
  it('defaults to a 30 s check and a 60 s failing threshold, and rejects out-of-range values naming the variable', () => {
    expect(validateConfig(WorkerEnv, {})).toMatchObject({
      OUTBOX_PROCESSOR_ENSURE_INTERVAL_MS: 30_000,
      OUTBOX_PROCESSOR_UNHEALTHY_AFTER_MS: 60_000,
    });
    expect(validateConfig(WorkerEnv, { OUTBOX_PROCESSOR_ENSURE_INTERVAL_MS: '5000' })).toMatchObject({
      OUTBOX_PROCESSOR_ENSURE_INTERVAL_MS: 5_000,
    });
    expect(() => validateConfig(WorkerEnv, { OUTBOX_PROCESSOR_ENSURE_INTERVAL_MS: '10' })).toThrow(
      /OUTBOX_PROCESSOR_ENSURE_INTERVAL_MS/,
    );
    expect(() => validateConfig(WorkerEnv, { OUTBOX_PROCESSOR_UNHEALTHY_AFTER_MS: 'soon' })).toThrow(
      /OUTBOX_PROCESSOR_UNHEALTHY_AFTER_MS/,
    );
  });
});
