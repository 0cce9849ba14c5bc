import { RuleViolationError } from '@app/shared';

export class OutboxEventNotRetryableError extends RuleViolationError {
  constructor(id: string, status: string) {
    super(
      'OUTBOX.NOT_RETRYABLE',
      `status: event ${id} is ${status}; only failed or dead events can be retried`,
      'status',
    );
  }
}
