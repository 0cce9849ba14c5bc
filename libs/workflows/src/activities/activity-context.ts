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

export function asFailure(err: unknown): unknown {
  if (err instanceof DomainError && (err.kind === 'validation' || err.kind === 'rule_violation' || err.kind === 'not_found')) {
    return ApplicationFailure.nonRetryable(err.message, err.kind === 'validation' ? VALIDATION_ERROR : err.code);
  }
  return err;
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
