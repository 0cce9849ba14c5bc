import { ApplicationFailure, compileRetryPolicy } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import {
  ContactIdTakenError,
  ContactPhoneContendedError,
  ContactVersionConflictError,
  DuplicateContactPhoneError,
} from '@app/contact';
import { MessageExternalIdConflictError, MessageReferenceNotFoundError } from '@app/message';
import { SessionContendedError, SessionNotFoundError } from '@app/session';
import { RuleViolationError, ValidationError } from '@app/shared';
import { OUTBOX_ACTIVITY_OPTIONS, SAGA_LOCAL_STEP_OPTIONS, SAGA_STEP_OPTIONS } from '../contracts/retry-policies';
import { asFailure } from './activity-context';

const failureOf = (err: unknown) => {
  const failure = asFailure(err);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return failure as ApplicationFailure;
};

describe('asFailure: which activity errors are worth retrying', () => {
  it('makes validation, business-rule, not-found and permanent conflict errors non-retryable, typed by their code', () => {
    expect(failureOf(new ValidationError('message.contact.phone', 'must be 8 to 15 digits'))).toMatchObject({
      nonRetryable: true,
      type: 'ValidationError',
      message: 'message.contact.phone: must be 8 to 15 digits',
    });
    const cases: [Error, string][] = [
      [new MessageReferenceNotFoundError('sessionId', 'abc'), 'MESSAGE.REFERENCE_NOT_FOUND'],
      [new SessionNotFoundError('abc'), 'SESSION.NOT_FOUND'],
      [new ContactIdTakenError('abc'), 'CONTACT.ID_TAKEN'],
      [new DuplicateContactPhoneError('5511999990001'), 'CONTACT.DUPLICATE_PHONE'],
      [new MessageExternalIdConflictError('channel', 'external'), 'MESSAGE.EXTERNAL_ID_CONFLICT'],
      [new (class extends RuleViolationError {})('SOME.RULE', 'field: broken'), 'SOME.RULE'],
    ];
    for (const [error, type] of cases)
      expect({ type, failure: failureOf(error) }).toMatchObject({ type, failure: { nonRetryable: true, type } });
  });

  it('leaves conflicts that only say "changed concurrently" retryable: the retry reads again', () => {
    for (const error of [
      new ContactPhoneContendedError('5511999990001'),
      new SessionContendedError('c', 'ch'),
      new ContactVersionConflictError('c', 3),
    ]) {
      expect(asFailure(error)).toBe(error);
    }
  });

  it('leaves infrastructure errors retryable (database and Temporal outages)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
    });
    const adminShutdown = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    const serialization = Object.assign(new Error('could not serialize access due to concurrent update'), {
      code: '40001',
    });
    const lost = new Error('Connection terminated unexpectedly');
    const poolTimeout = new Error('timeout exceeded when trying to connect');
    for (const error of [refused, adminShutdown, serialization, lost, poolTimeout])
      expect(asFailure(error)).toBe(error);
  });
});

describe('saga step retry policy', () => {
  it('retries the mandatory steps for at least 10 minutes, without an attempt limit, at most 30 s apart, all inside the local retry threshold', () => {
    for (const options of [SAGA_STEP_OPTIONS, SAGA_LOCAL_STEP_OPTIONS]) {
      expect(msToNumber(options.scheduleToCloseTimeout!)).toBeGreaterThanOrEqual(10 * 60_000);
      expect(options.retry?.maximumAttempts).toBeUndefined();
      expect(() => compileRetryPolicy(options.retry!)).not.toThrow();
      expect(msToNumber(options.retry!.maximumInterval!)).toBeLessThanOrEqual(30_000);
    }
    // A backoff above the threshold becomes a workflow timer: a new command in the saga's history.
    expect(msToNumber(SAGA_LOCAL_STEP_OPTIONS.retry!.maximumInterval!)).toBeLessThan(
      msToNumber(SAGA_LOCAL_STEP_OPTIONS.localRetryThreshold!),
    );
  });
});

describe('outbox processor retry policy', () => {
  it('retries its database steps a few times, then lets the processor record the failure and back off', () => {
    expect(OUTBOX_ACTIVITY_OPTIONS.retry?.maximumAttempts).toBe(5);
    expect(msToNumber(OUTBOX_ACTIVITY_OPTIONS.retry!.maximumInterval!)).toBeLessThanOrEqual(30_000);
  });
});
