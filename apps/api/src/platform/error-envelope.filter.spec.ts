import {
  type ArgumentsHost,
  BadRequestException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { ServiceError } from '@temporalio/client';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, ValidateNested } from 'class-validator';
import { ConflictError, NotFoundError, RuleViolationError, ValidationError } from '@app/shared';
import { bodyParserErrors } from './body-parser-errors';
import { type ErrorContext, ErrorEnvelopeFilter, errorAnswerOf } from './error-envelope.filter';
import { apiValidationPipe } from './validation.pipe';

const context = { method: 'GET', url: '/v1/contacts?limit=9999', requestId: 'req-1' };
const answerOf = (error: unknown, ctx: ErrorContext = context) => errorAnswerOf(error, ctx);

class Settings {
  @IsInt() @Max(1440) sessionTimeoutMinutes!: number;
}
class Item {
  @IsString() name!: string;
}
class NestedBody {
  @IsString() title!: string;
  @ValidateNested() @Type(() => Settings) settings!: Settings;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => Item) items?: Item[];
}

/** What the API's ValidationPipe throws for `value` checked against `metatype`. */
async function rejectionOf(
  value: unknown,
  metatype: new () => object,
  type: 'body' | 'query' = 'body',
): Promise<unknown> {
  try {
    await apiValidationPipe().transform(value, { type, metatype });
  } catch (error) {
    return error;
  }
  throw new Error('the pipe accepted the value');
}

describe('errorAnswerOf', () => {
  it('maps domain errors by kind, keeping their code and field; a ValidationError also lists errors', () => {
    expect(answerOf(new ValidationError('url', 'must use https'))).toEqual({
      status: 400,
      envelope: {
        statusCode: 400,
        error: 'Bad Request',
        code: 'VALIDATION_FAILED',
        message: 'url: must use https',
        field: 'url',
        errors: [{ field: 'url', message: 'url: must use https' }],
      },
    });
    expect(answerOf(new NotFoundError('history import', 'x')).envelope).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'HISTORY_IMPORT.NOT_FOUND',
      message: 'history import x not found',
      field: 'id',
    });
    expect(
      answerOf(new (class extends ConflictError {})('CONTACT.DUPLICATE_PHONE', 'phone: taken', 'phone')).envelope,
    ).toMatchObject({
      statusCode: 409,
      error: 'Conflict',
      code: 'CONTACT.DUPLICATE_PHONE',
      field: 'phone',
    });
    const ruleViolation = answerOf(
      new (class extends RuleViolationError {})('OUTBOX.NOT_RETRYABLE', 'status: published'),
    );
    expect(ruleViolation.envelope).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      code: 'OUTBOX.NOT_RETRYABLE',
      message: 'status: published',
    });
  });

  it('renders an HttpException with the code (and field, extras) of its response object', () => {
    expect(
      answerOf(new ForbiddenException({ code: 'INSUFFICIENT_SCOPE', message: 'this key lacks contacts:write' })),
    ).toEqual({
      status: 403,
      envelope: {
        statusCode: 403,
        error: 'Forbidden',
        code: 'INSUFFICIENT_SCOPE',
        message: 'this key lacks contacts:write',
      },
    });
    expect(
      answerOf(
        new UnauthorizedException({
          code: 'API_KEY_INVALID',
          message: 'x-api-key is not a valid API key',
          field: 'x-api-key',
        }),
      ).envelope,
    ).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'API_KEY_INVALID',
      message: 'x-api-key is not a valid API key',
      field: 'x-api-key',
    });
    // Extra properties pass through; the envelope's own keep their meaning whatever the response said.
    expect(
      answerOf(
        new HttpException(
          {
            statusCode: 200,
            error: 'nope',
            code: 'HISTORY_IMPORT.ALREADY_RUNNING',
            message: 'running',
            runningImportId: 'i-1',
          },
          409,
        ),
      ).envelope,
    ).toEqual({
      statusCode: 409,
      error: 'Conflict',
      code: 'HISTORY_IMPORT.ALREADY_RUNNING',
      message: 'running',
      runningImportId: 'i-1',
    });
  });

  it('derives the code of any other HttpException from its status', () => {
    const cases: [HttpException, number, string, string][] = [
      [new ThrottlerException(), 429, 'RATE_LIMITED', 'Too Many Requests'],
      [new PayloadTooLargeException(), 413, 'PAYLOAD_TOO_LARGE', 'Payload Too Large'],
      [new NotFoundException('No such thing'), 404, 'NOT_FOUND', 'Not Found'],
      [new BadRequestException(['a is wrong', 'b is wrong']), 400, 'BAD_REQUEST', 'Bad Request'],
      [new InternalServerErrorException(), 500, 'INTERNAL_ERROR', 'Internal Server Error'],
      [new HttpException('I am a teapot', 418), 418, 'I_AM_A_TEAPOT', "I'm a Teapot"],
    ];
    for (const [exception, status, code, error] of cases) {
      const { envelope } = answerOf(exception);
      expect({
        status: envelope.statusCode,
        code: envelope.code,
        error: envelope.error,
        message: typeof envelope.message,
      }).toEqual({ status, code, error, message: 'string' });
    }
    expect(answerOf(new BadRequestException(['a is wrong', 'b is wrong'])).envelope.message).toBe(
      'a is wrong; b is wrong',
    );
    // A readiness probe's answer keeps its details, and `error` stays the reason phrase.
    const notReady = answerOf(
      new ServiceUnavailableException({
        status: 'error',
        info: {},
        error: { database: { status: 'down' } },
        details: { database: { status: 'down' } },
      }),
    );
    expect(notReady.envelope).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      code: 'SERVICE_UNAVAILABLE',
      message: 'Service Unavailable',
      status: 'error',
      info: {},
      details: { database: { status: 'down' } },
    });
  });

  it('names an unknown route ROUTE_NOT_FOUND, and only Nest’s own answer to it', () => {
    expect(
      answerOf(new NotFoundException('Cannot DELETE /v1/contacts?x=1'), { method: 'DELETE', url: '/v1/contacts?x=1' })
        .envelope,
    ).toEqual({
      statusCode: 404,
      error: 'Not Found',
      code: 'ROUTE_NOT_FOUND',
      message: 'Cannot DELETE /v1/contacts?x=1',
    });
    expect(
      answerOf(new NotFoundException('Cannot DELETE /v1/contacts'), { method: 'GET', url: '/v1/contacts/1' }).envelope
        .code,
    ).toBe('NOT_FOUND');
  });

  it('lists every failing body field and query parameter of the ValidationPipe, nested ones with their path', async () => {
    const body = await rejectionOf(
      {
        title: 7,
        settings: { sessionTimeoutMinutes: 99999, extra: 1 },
        items: [{ name: 'ok' }, { name: 3 }],
        unknown: true,
      },
      NestedBody,
    );
    const { status, envelope } = answerOf(body);
    expect(status).toBe(400);
    expect(envelope).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      field: envelope.errors![0]!.field,
    });
    expect(envelope.errors).toEqual(
      expect.arrayContaining([
        { field: 'unknown', code: 'UNKNOWN_PROPERTY', message: 'property unknown should not exist' },
        { field: 'title', code: 'IS_STRING', message: 'title must be a string' },
        {
          field: 'settings.sessionTimeoutMinutes',
          code: 'MAX',
          message: 'settings.sessionTimeoutMinutes must not be greater than 1440',
        },
        { field: 'settings.extra', code: 'UNKNOWN_PROPERTY', message: 'property settings.extra should not exist' },
        { field: 'items[1].name', code: 'IS_STRING', message: 'items[1].name must be a string' },
      ]),
    );
    expect(envelope.errors).toHaveLength(5);
    expect(envelope.message).toBe(envelope.errors!.map((e) => e.message).join('; '));

    class Query {
      @IsOptional() @Type(() => Number) @IsInt() @Max(200) limit?: number;
    }
    const query = answerOf(await rejectionOf({ limit: '9999' }, Query, 'query')).envelope;
    expect(query).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'VALIDATION_FAILED',
      message: 'limit must not be greater than 200',
      field: 'limit',
      errors: [{ field: 'limit', code: 'MAX', message: 'limit must not be greater than 200' }],
    });
  });

  it('gives an outage 503 with Retry-After and the dependency in the code', () => {
    const database = answerOf(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    );
    expect(database).toEqual({
      status: 503,
      retryAfterSeconds: 5,
      envelope: {
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'DATABASE_UNAVAILABLE',
        message: 'The database is unavailable; retry later',
      },
    });
    const grpcUnavailable = Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: '', metadata: {} });
    expect(answerOf(new ServiceError('Failed to start Workflow', { cause: grpcUnavailable })).envelope.code).toBe(
      'TEMPORAL_UNAVAILABLE',
    );
  });

  it('answers a bug 500 INTERNAL_ERROR telling nothing of it', () => {
    const secret = 'password=hunter2 at /srv/app/dist/main.js:12';
    for (const error of [new Error(secret), new TypeError(secret), secret, { message: secret, status: 500 }, null]) {
      const answer = answerOf(error);
      expect(answer.envelope).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        code: 'INTERNAL_ERROR',
        message: 'An unexpected error occurred (request id req-1)',
      });
      expect(JSON.stringify(answer)).not.toContain('hunter2');
    }
  });

  it('keeps the client error status an Express middleware set (http-errors), with a code from it', () => {
    const unsupported = Object.assign(new Error('unsupported charset "LATIN-9"'), {
      status: 415,
      statusCode: 415,
      expose: true,
      type: 'charset.unsupported',
    });
    expect(answerOf(unsupported).envelope).toEqual({
      statusCode: 415,
      error: 'Unsupported Media Type',
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'unsupported charset "LATIN-9"',
    });
  });
});

describe('bodyParserErrors', () => {
  const passedOn = (error: unknown): unknown => {
    let next: unknown;
    bodyParserErrors(error, {} as never, {} as never, (e?: unknown) => (next = e));
    return next;
  };
  const parserError = (error: Error, fields: Record<string, unknown>) =>
    Object.assign(error, { expose: true, ...fields });

  it('turns body-parser errors into coded HttpExceptions', () => {
    const malformed = passedOn(
      parserError(new SyntaxError('Unexpected end of JSON input'), {
        status: 400,
        type: 'entity.parse.failed',
        body: '{',
      }),
    );
    expect(answerOf(malformed).envelope).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      code: 'MALFORMED_JSON',
      message: 'The body is not valid JSON: Unexpected end of JSON input',
    });
    const tooLarge = passedOn(
      parserError(new Error('request entity too large'), {
        status: 413,
        type: 'entity.too.large',
        limit: 5242880,
        length: 6000000,
      }),
    );
    expect(answerOf(tooLarge).envelope).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      code: 'PAYLOAD_TOO_LARGE',
      message: 'The body is larger than the limit of 5242880 bytes',
    });
  });

  it('passes every other error on untouched', () => {
    const bug = new TypeError('x is undefined');
    expect(passedOn(bug)).toBe(bug);
    const serverSide = parserError(new Error('stream is not readable'), {
      status: 500,
      type: 'stream.not.readable',
      expose: false,
    });
    expect(passedOn(serverSide)).toBe(serverSide);
  });
});

describe('ErrorEnvelopeFilter', () => {
  function host(headersSent = false) {
    const sent: { status?: number; headers: Record<string, string>; body?: unknown; ended: boolean } = {
      headers: {},
      ended: false,
    };
    const response = {
      headersSent,
      status: (s: number) => ((sent.status = s), response),
      setHeader: (name: string, value: string) => (sent.headers[name] = value),
      json: (body: unknown) => (sent.body = body),
      end: () => (sent.ended = true),
    };
    const request = { method: 'GET', originalUrl: '/v1/contacts', id: 'req-9' };
    const argumentsHost = {
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
    } as unknown as ArgumentsHost;
    return { argumentsHost, sent };
  }

  it('sends the envelope at its status, with Retry-After on an outage', () => {
    const outage = host();
    new ErrorEnvelopeFilter().catch(
      Object.assign(new Error('Connection terminated unexpectedly')),
      outage.argumentsHost,
    );
    expect(outage.sent).toEqual({
      status: 503,
      headers: { 'Retry-After': '5' },
      body: {
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'DATABASE_UNAVAILABLE',
        message: 'The database is unavailable; retry later',
      },
      ended: false,
    });
  });

  it('only ends a response whose headers are already sent', () => {
    const streaming = host(true);
    new ErrorEnvelopeFilter().catch(new NotFoundException(), streaming.argumentsHost);
    expect(streaming.sent).toEqual({ headers: {}, ended: true });
  });
});
