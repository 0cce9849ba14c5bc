import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Correlation, DomainError } from '@app/shared';
import { VALIDATION_ERROR } from '../contracts/validation';

/** Runs an activity body with the workflow id as the correlation id of the events it writes, and
 *  turns domain errors that can never succeed on retry into non-retryable failures named by code. */
export async function inActivity<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await Correlation.run(currentActivity().workflowId, work);
  } catch (err) {
    throw asFailure(err);
  }
}

/**
 * The one classification of activity errors. Coded domain errors (validation, business rules, a
 * missing or conflicting row) give the same answer on every attempt: non-retryable, typed by their
 * code (`ValidationError` for validation). Everything else is retryable: a database or Temporal
 * outage (connection refused/reset/lost, pool timeouts, SQLSTATE 08xxx, 40001, 40P01, 53300,
 * 57P01-57P03) must wait for the infrastructure, not fail the work. So are the conflicts that only
 * say "changed concurrently" (`*CONTENDED`, `*.VERSION_CONFLICT`): the retry reads again.
 */
export function asFailure(err: unknown): unknown {
  if (err instanceof DomainError && !isConcurrentChange(err)) {
    return ApplicationFailure.nonRetryable(err.message, err.kind === 'validation' ? VALIDATION_ERROR : err.code);
  }
  return err;
}

function isConcurrentChange(err: DomainError): boolean {
  return err.kind === 'conflict' && (err.code.endsWith('CONTENDED') || err.code.endsWith('.VERSION_CONFLICT'));
}

/** Ids of the running activity and the workflow that scheduled it. */
export function currentActivity(): { workflowId: string; runId: string; activityId: string; attempt: number } {
  const info = Context.current().info;
  return {
    workflowId: info.workflowExecution?.workflowId ?? info.activityId,
    runId: info.workflowExecution?.runId ?? '',
    activityId: info.activityId,
    attempt: info.attempt,
  };
}
