/** Coded domain errors. The HTTP layer maps the kind to a status; the Temporal layer reuses the
 *  code as the non-retryable failure type. Messages name the offending field. */
export type DomainErrorKind = 'validation' | 'not_found' | 'conflict' | 'rule_violation';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that is malformed (HTTP 400). Its code is the one the API gives every invalid input. */
export class ValidationError extends DomainError {
  readonly kind = 'validation';
  constructor(field: string, message: string) {
    super('VALIDATION_FAILED', `${field}: ${message}`, field);
  }
}

/** Well-formed input that breaks a business rule (HTTP 422). */
export class RuleViolationError extends DomainError {
  readonly kind = 'rule_violation';
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(resource: string, id: string) {
    // `history import` -> HISTORY_IMPORT.NOT_FOUND: codes are UPPER_SNAKE.
    super(`${resource.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}.NOT_FOUND`, `${resource} ${id} not found`, 'id');
  }
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}
