import { WAHA_ENVIRONMENT, type SessionStatus } from './types';

/** WAHA error bodies (§2.10), key order as WAHA writes them. */

export function sessionNotFoundBody(name: string): Record<string, unknown> {
  return {
    statusCode: 404,
    message: `We didn't find a session with name '${name}'.\nPlease start it first by using POST /api/sessions/${name}/start request`,
    error: 'Not Found',
  };
}

export function sessionNotWorkingBody(name: string, status: SessionStatus): Record<string, unknown> {
  return {
    error: 'Session status is not as expected. Try again later or restart the session',
    session: name,
    status,
    expected: ['WORKING'],
  };
}

export function fileNotFoundBody(file: string): Record<string, unknown> {
  return { error: { code: 404, key: 'FILE_NOT_FOUND', message: 'File not found', details: { file } } };
}

export function messageNotFoundBody(messageId: string): Record<string, unknown> {
  return { statusCode: 404, message: `Message '${messageId}' not found`, error: 'Not Found' };
}

export interface RequestSummary {
  method: string;
  path: string;
  query: unknown;
  body: unknown;
}

/** What WAHA answers when the engine fails (e.g. WhatsApp refused the request). */
export function engineErrorBody(
  request: RequestSummary,
  message = '2 UNKNOWN: server returned error 500',
): Record<string, unknown> {
  return {
    statusCode: 500,
    timestamp: new Date().toISOString(),
    exception: { message, code: 2, details: 'simulated engine failure (WAHA simulator fault injection)' },
    request,
    version: WAHA_ENVIRONMENT,
  };
}

export function tooManyRequestsBody(): Record<string, unknown> {
  return { statusCode: 429, message: 'ThrottlerException: Too Many Requests' };
}
