import { ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, DomainErrorKind } from '@app/shared';
import {
  codeOfStatus,
  ErrorCode,
  type ErrorEnvelope,
  type FieldError,
  reasonPhrase,
  RETRY_AFTER_SECONDS,
} from './error-envelope';
import { unavailableDependency } from './infrastructure-unavailable';

const STATUS: Record<DomainErrorKind, HttpStatus> = {
  validation: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  rule_violation: HttpStatus.UNPROCESSABLE_ENTITY,
};

/** Properties an HttpException's response object may set that are not passed through as extras. */
const ENVELOPE_KEYS = new Set(['statusCode', 'error', 'code', 'message', 'field', 'errors']);

export interface ErrorAnswer {
  status: number;
  envelope: ErrorEnvelope;
  /** Set on an outage: the request may succeed later. */
  retryAfterSeconds?: number;
}

/** The request that failed. */
export interface ErrorContext {
  method: string;
  /** As received, with its query string. */
  url: string;
  requestId?: string;
}

/**
 * The one mapping from errors to HTTP answers; every body is an ErrorEnvelope (docs/errors.md).
 * - Domain errors by kind (400/404/409/422), their code as is; a ValidationError also lists `errors`.
 * - HttpExceptions at their status, with the `code` (and `field`, `errors`, extra properties) of their
 *   response object, else a code derived from the status (ROUTE_NOT_FOUND for an unknown route).
 * - A database or Temporal outage: 503 with Retry-After (DATABASE_UNAVAILABLE / TEMPORAL_UNAVAILABLE).
 * - Errors that carry a 4xx status of their own (http-errors, as Express middleware throw them).
 * - Anything else is a bug: 500 INTERNAL_ERROR, and the body tells nothing of it.
 */
export function errorAnswerOf(error: unknown, context: ErrorContext): ErrorAnswer {
  if (error instanceof DomainError) {
    const status = STATUS[error.kind];
    const errors: FieldError[] | undefined =
      error.kind === 'validation' && error.field ? [{ field: error.field, message: error.message }] : undefined;
    return answer(status, { code: error.code, message: error.message, field: error.field, errors });
  }
  if (error instanceof HttpException) return httpExceptionAnswer(error, context);
  const dependency = unavailableDependency(error);
  if (dependency) {
    return {
      ...answer(HttpStatus.SERVICE_UNAVAILABLE, {
        code: dependency === 'database' ? ErrorCode.DATABASE_UNAVAILABLE : ErrorCode.TEMPORAL_UNAVAILABLE,
        message: `${dependency === 'database' ? 'The database' : 'Temporal'} is unavailable; retry later`,
      }),
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    };
  }
  const ownStatus = clientErrorStatusOf(error);
  if (ownStatus)
    return answer(ownStatus, {
      code: codeOfStatus(ownStatus),
      message: (error as Error).message || reasonPhrase(ownStatus),
    });
  const reference = context.requestId ? ` (request id ${context.requestId})` : '';
  return answer(HttpStatus.INTERNAL_SERVER_ERROR, {
    code: ErrorCode.INTERNAL_ERROR,
    message: `An unexpected error occurred${reference}`,
  });
}

function httpExceptionAnswer(error: HttpException, context: ErrorContext): ErrorAnswer {
  const status = error.getStatus();
  const response = error.getResponse();
  const { code, message, field, errors } = (typeof response === 'string' ? { message: response } : response) as Record<
    string,
    unknown
  >;
  // Nest's answer to a method and path no controller serves.
  const unrouted = status === HttpStatus.NOT_FOUND && message === `Cannot ${context.method} ${context.url}`;
  const fallbackCode = unrouted ? ErrorCode.ROUTE_NOT_FOUND : codeOfStatus(status);
  if (typeof response === 'string') return answer(status, { code: fallbackCode, message: response });
  const extras = Object.fromEntries(Object.entries(response).filter(([key]) => !ENVELOPE_KEYS.has(key)));
  return answer(status, {
    ...extras,
    code: typeof code === 'string' && code ? code : fallbackCode,
    message: typeof message === 'string' ? message : Array.isArray(message) ? message.join('; ') : reasonPhrase(status),
    field: typeof field === 'string' ? field : undefined,
    errors: Array.isArray(errors) ? (errors as FieldError[]) : undefined,
  });
}

/** A client error status set by an Express middleware (http-errors: `status` and `expose`). */
function clientErrorStatusOf(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { status, expose } = error as { status?: unknown; expose?: unknown };
  return typeof status === 'number' && status >= 400 && status < 500 && expose === true ? status : undefined;
}

function answer(status: number, body: Omit<ErrorEnvelope, 'statusCode' | 'error'>): ErrorAnswer {
  // Absent optional properties are left out rather than sent as undefined.
  const envelope = Object.fromEntries(
    Object.entries({ statusCode: status, error: reasonPhrase(status), ...body }).filter(
      ([, value]) => value !== undefined,
    ),
  ) as ErrorEnvelope;
  return { status, envelope };
}

/** Answers every error of every route, guard, pipe and middleware with an ErrorEnvelope. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger(ErrorEnvelopeFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: unknown }>();
    const response = http.getResponse<Response>();
    const requestId = request.id === undefined ? undefined : String(request.id);
    const { status, envelope, retryAfterSeconds } = errorAnswerOf(error, {
      method: request.method,
      url: request.originalUrl,
      requestId,
    });

    if (envelope.code === ErrorCode.INTERNAL_ERROR) {
      this.logger.error(
        `${request.method} ${request.originalUrl} failed: ${error instanceof Error ? error.stack : String(error)}`,
      );
    } else if (retryAfterSeconds !== undefined) {
      // An outage is an operational condition, not a bug: one line, no stack.
      this.logger.warn(`${envelope.message}: ${(error as Error).message}`);
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    if (retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(retryAfterSeconds));
    response.status(status).json(envelope);
  }
}
