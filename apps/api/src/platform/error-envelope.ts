import { STATUS_CODES } from 'node:http';
import { BadRequestException, HttpStatus } from '@nestjs/common';
import type { ValidationError as ClassValidatorError } from 'class-validator';

/** One failing input: a body property (nested `settings.timeout`, array items `items[0].name`), a
 *  query parameter or a path parameter. `code` is the rule it broke, when known. */
export interface FieldError {
  field: string;
  code?: string;
  message: string;
}

/** The body of every error answer of the API (docs/errors.md). Some errors add properties of their
 *  own (e.g. `runningImportId`); these six never change meaning. */
export interface ErrorEnvelope {
  statusCode: number;
  /** The HTTP reason phrase of statusCode. */
  error: string;
  /** Stable, machine-readable: UPPER_SNAKE, domain codes prefixed by their resource (`CONTACT.NOT_FOUND`). */
  code: string;
  message: string;
  field?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

/** Codes the HTTP layer itself gives; domain errors bring their own (`CONTACT.DUPLICATE_PHONE`). */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  MALFORMED_JSON: 'MALFORMED_JSON',
  API_KEY_MISSING: 'API_KEY_MISSING',
  API_KEY_INVALID: 'API_KEY_INVALID',
  WEBHOOK_SIGNATURE_INVALID: 'WEBHOOK_SIGNATURE_INVALID',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  TEMPORAL_UNAVAILABLE: 'TEMPORAL_UNAVAILABLE',
  NOT_READY: 'NOT_READY',
  INSUFFICIENT_SCOPE: 'INSUFFICIENT_SCOPE',
  CORS_ORIGIN_NOT_ALLOWED: 'CORS_ORIGIN_NOT_ALLOWED',
} as const;

/** Seconds a client is asked to wait before retrying a request that met an outage. */
export const RETRY_AFTER_SECONDS = 5;

/** `code` of an error that names none: the status's own name, with two friendlier ones. */
export function codeOfStatus(status: number): string {
  if (status === HttpStatus.TOO_MANY_REQUESTS) return ErrorCode.RATE_LIMITED;
  if (status === HttpStatus.INTERNAL_SERVER_ERROR) return ErrorCode.INTERNAL_ERROR;
  const name = HttpStatus[status] as string | undefined;
  return name ?? (status >= 500 ? 'SERVER_ERROR' : 'CLIENT_ERROR');
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** A 400 naming every failing input; `field` is the first of them. */
export class ValidationFailedException extends BadRequestException {
  constructor(readonly errors: FieldError[]) {
    super({
      code: ErrorCode.VALIDATION_FAILED,
      message: errors.map((e) => e.message).join('; '),
      field: errors[0]?.field,
      errors,
    });
  }
}

/** class-validator's tree as a flat list, one entry per broken rule, with full paths. */
export function fieldErrorsOf(errors: ClassValidatorError[], parentPath = ''): FieldError[] {
  return errors.flatMap((error) => {
    const property = error.property ?? '';
    const path = !parentPath
      ? property || 'body'
      : /^\d+$/.test(property)
        ? `${parentPath}[${property}]`
        : `${parentPath}.${property}`;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field: path,
      code:
        rule === 'whitelistValidation' ? 'UNKNOWN_PROPERTY' : rule.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase(),
      message: withPath(message, property, path),
    }));
    return [...own, ...fieldErrorsOf(error.children ?? [], path)];
  });
}

/** class-validator names only the property (`timeout must be ...`); a nested one gets its full path. */
function withPath(message: string, property: string, path: string): string {
  if (path === property || !property) return message;
  if (message.startsWith(`${property} `)) return `${path}${message.slice(property.length)}`;
  if (message.startsWith(`property ${property} `))
    return `property ${path}${message.slice(`property ${property}`.length)}`;
  return `${path}: ${message}`;
}
