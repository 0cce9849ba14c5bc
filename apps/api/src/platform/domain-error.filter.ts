import { ArgumentsHost, Catch, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import type { Response } from 'express';
import { DomainError, DomainErrorKind } from '@app/shared';
import { unavailableDependency } from './infrastructure-unavailable';

const STATUS: Record<DomainErrorKind, HttpStatus> = {
  validation: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  rule_violation: HttpStatus.UNPROCESSABLE_ENTITY,
};

/** Seconds a client is asked to wait before retrying a request that met an outage. */
const RETRY_AFTER_SECONDS = 5;

/**
 * The one mapping from errors to HTTP. Coded domain errors by kind; body `{ statusCode, error, code,
 * message, field }`. A database or Temporal outage is 503 with `Retry-After` (code
 * `DATABASE_UNAVAILABLE` / `TEMPORAL_UNAVAILABLE`): the request may succeed later, and WAHA retries
 * a 5xx webhook. Everything else is Nest's default answer (HttpExceptions as thrown, else 500).
 */
@Catch()
export class DomainErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(DomainErrorFilter.name);

  override catch(error: unknown, host: ArgumentsHost): void {
    if (error instanceof DomainError) {
      const status = STATUS[error.kind];
      this.reply(host, status, { statusCode: status, error: HttpStatus[status], code: error.code, message: error.message, field: error.field });
      return;
    }
    const dependency = unavailableDependency(error);
    if (dependency) {
      // An outage is an operational condition, not a bug: one line, no stack.
      this.logger.warn(`${dependency} unavailable: ${(error as Error).message}`);
      const status = HttpStatus.SERVICE_UNAVAILABLE;
      host.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      this.reply(host, status, {
        statusCode: status,
        error: HttpStatus[status],
        code: `${dependency.toUpperCase()}_UNAVAILABLE`,
        message: `${dependency === 'database' ? 'The database' : 'Temporal'} is unavailable; retry later`,
      });
      return;
    }
    super.catch(error, host);
  }

  private reply(host: ArgumentsHost, status: number, body: Record<string, unknown>): void {
    host.switchToHttp().getResponse<Response>().status(status).json(body);
  }
}
