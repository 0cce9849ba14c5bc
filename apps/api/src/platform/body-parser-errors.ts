import { HttpException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { codeOfStatus, ErrorCode } from './error-envelope';

/** body-parser's error `type`s we name; the others get a code from their status. */
const CODES: Record<string, string> = {
  'entity.parse.failed': ErrorCode.MALFORMED_JSON,
  'entity.too.large': ErrorCode.PAYLOAD_TOO_LARGE,
  'parameters.too.many': ErrorCode.PAYLOAD_TOO_LARGE,
  'encoding.unsupported': ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  'charset.unsupported': ErrorCode.UNSUPPORTED_MEDIA_TYPE,
};

interface BodyParserError extends Error {
  type: string;
  status: number;
  limit?: number;
}

/**
 * Express error middleware, registered right after the body parsers: their client errors become coded
 * HttpExceptions. Without it Nest turns a malformed JSON body (a SyntaxError) into a bare 400 the
 * error filter could not tell from others.
 */
export function bodyParserErrors(error: unknown, _req: Request, _res: Response, next: NextFunction): void {
  if (!isBodyParserError(error) || error.status >= 500) return next(error);
  const code = CODES[error.type] ?? codeOfStatus(error.status);
  const message =
    code === ErrorCode.MALFORMED_JSON
      ? `The body is not valid JSON: ${error.message}`
      : code === ErrorCode.PAYLOAD_TOO_LARGE && error.limit !== undefined
        ? `The body is larger than the limit of ${error.limit} bytes`
        : error.message;
  next(new HttpException({ code, message }, error.status, { cause: error }));
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const { type, status } = (error ?? {}) as Partial<BodyParserError>;
  return typeof type === 'string' && typeof status === 'number';
}
