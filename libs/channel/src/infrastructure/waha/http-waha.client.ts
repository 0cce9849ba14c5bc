import { Inject, Injectable } from '@nestjs/common';
import { type WahaFailureCode, WahaPermanentError, WahaTransientError } from '../../application/waha/waha-client.errors';
import {
  WahaClient,
  type WahaConnection,
  type WahaFindMessageRequest,
  type WahaSendTextRequest,
  type WahaSentMessage,
  type WahaSessionInfo,
  type WahaStoredMessage,
} from '../../application/waha/waha-client.port';
import { type ChannelConfig, channelConfig } from '../../channel.config';

/** How much of an error body is kept on the error (for logs; WAHA's bodies are short). */
const BODY_EXCERPT_LENGTH = 500;

interface WahaCall {
  connection: WahaConnection;
  /** How errors name the call: `POST /api/sendText`. */
  operation: string;
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

/** WahaClient over HTTP with the global fetch; every call is bounded by WAHA_HTTP_TIMEOUT_MS. */
@Injectable()
export class HttpWahaClient extends WahaClient {
  private readonly timeoutMs: number;

  constructor(@Inject(channelConfig.KEY) config: Pick<ChannelConfig, 'wahaHttpTimeoutMs'>) {
    super();
    this.timeoutMs = config.wahaHttpTimeoutMs;
  }

  async sendText(request: WahaSendTextRequest): Promise<WahaSentMessage> {
    const body: Record<string, string> = { session: request.session, chatId: request.chatId, text: request.text };
    if (request.replyTo !== undefined) body.reply_to = request.replyTo;
    if (request.messageId !== undefined) body.id = request.messageId;
    const operation = 'POST /api/sendText';
    const { status, answer } = await this.call({ connection: request, operation, method: 'POST', path: '/api/sendText', body });
    // GOWS answers `{ id: "true_<chat>_<raw>", _data }`, WEBJS `{ id: { _serialized } }`.
    const id = readId(answer);
    if (!id) throw invalidResponse(operation, status, 'has no message id (id or id._serialized)', answer);
    return { id };
  }

  async findMessage(request: WahaFindMessageRequest): Promise<WahaStoredMessage | null> {
    const operation = 'GET /api/{session}/chats/{chatId}/messages/{messageId}';
    const path = `/api/${encodeURIComponent(request.session)}/chats/${encodeURIComponent(request.chatId)}/messages/${encodeURIComponent(request.messageId)}?downloadMedia=false`;
    let answered: { status: number; answer: unknown };
    try {
      answered = await this.call({ connection: request, operation, method: 'GET', path });
    } catch (error) {
      // WAHA answers 404 both for an unknown message and for an unknown session; only the first
      // means "not sent". Its session-missing body names the session ("We didn't find a session").
      if (error instanceof WahaPermanentError && error.code === 'WAHA.NOT_FOUND' && !/session/i.test(error.responseBody ?? '')) return null;
      throw error;
    }
    const { status, answer } = answered;
    const id = readId(answer);
    if (!id || !isRecord(answer)) throw invalidResponse(operation, status, 'is not a message (id)', answer);
    return { id, fromMe: answer.fromMe === true, ack: typeof answer.ack === 'number' ? answer.ack : null };
  }

  async getSession(connection: WahaConnection): Promise<WahaSessionInfo> {
    const operation = 'GET /api/sessions/{session}';
    const path = `/api/sessions/${encodeURIComponent(connection.session)}`;
    const { status, answer } = await this.call({ connection, operation, method: 'GET', path });
    if (!isRecord(answer) || typeof answer.name !== 'string' || typeof answer.status !== 'string') {
      throw invalidResponse(operation, status, 'is not a session (name and status)', answer);
    }
    return { name: answer.name, status: answer.status };
  }

  private async call({ connection, operation, method, path, body }: WahaCall): Promise<{ status: number; answer: unknown }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (connection.apiKey !== null) headers['x-api-key'] = connection.apiKey;

    let text: string;
    let response: Response;
    try {
      response = await fetch(`${connection.baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A redirect is answered as a failure: following it could hand the API key to another host.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw this.unreachable(operation, error);
    }

    if (!response.ok) throw failed(operation, response, text);
    if (text.length === 0) return { status: response.status, answer: null };
    try {
      return { status: response.status, answer: JSON.parse(text) as unknown };
    } catch {
      throw invalidResponse(operation, response.status, 'is not JSON', text);
    }
  }

  private unreachable(operation: string, error: unknown): WahaTransientError {
    if (isTimeout(error)) {
      return new WahaTransientError(`WAHA ${operation} did not answer within ${this.timeoutMs} ms`, {
        code: 'WAHA.TIMEOUT',
        operation,
        status: null,
        cause: error,
      });
    }
    const reason = describeNetworkError(error);
    return new WahaTransientError(`WAHA ${operation} could not be reached: ${reason}`, {
      code: 'WAHA.UNREACHABLE',
      operation,
      status: null,
      cause: error,
    });
  }
}

/** Sorts a non-2xx answer: only a session that is not ready yet, rate limiting and server-side
 *  failures are worth retrying; every other 4xx needs a fix (input, API key, session name). */
function failed(operation: string, response: Response, text: string): WahaPermanentError | WahaTransientError {
  const status = response.status;
  const responseBody = text.slice(0, BODY_EXCERPT_LENGTH);
  const message = `WAHA ${operation} answered ${status}${responseBody ? `: ${responseBody}` : ''}`;
  const transient = (code: WahaFailureCode, retryAfterMs?: number) =>
    new WahaTransientError(message, { code, operation, status, responseBody, retryAfterMs });
  const permanent = (code: WahaFailureCode) => new WahaPermanentError(message, { code, operation, status, responseBody });
  // Everything not listed (other 4xx, and 3xx redirects, which are not followed) needs a fix too.

  if (status === 422) return transient('WAHA.SESSION_NOT_READY');
  if (status === 429) return transient('WAHA.RATE_LIMITED', retryAfterMs(response.headers.get('retry-after')));
  if (status === 408) return transient('WAHA.TIMEOUT');
  if (status >= 500) return transient('WAHA.SERVER_ERROR');
  if (status === 400) return permanent('WAHA.BAD_REQUEST');
  if (status === 401) return permanent('WAHA.UNAUTHORIZED');
  if (status === 403) return permanent('WAHA.FORBIDDEN');
  if (status === 404) return permanent('WAHA.NOT_FOUND');
  return permanent('WAHA.REJECTED');
}

/** A 2xx answer we cannot use. Permanent: for a send, the message may well be out already, and
 *  sending it again would duplicate it. */
function invalidResponse(operation: string, status: number, problem: string, answer: unknown): WahaPermanentError {
  const excerpt = (typeof answer === 'string' ? answer : (JSON.stringify(answer) ?? '')).slice(0, BODY_EXCERPT_LENGTH);
  return new WahaPermanentError(`WAHA ${operation} answer (${status}) ${problem}`, {
    code: 'WAHA.INVALID_RESPONSE',
    operation,
    status,
    responseBody: excerpt,
  });
}

function readId(answer: unknown): string | null {
  if (!isRecord(answer)) return null;
  const id = answer.id;
  if (typeof id === 'string' && id.length > 0) return id;
  if (isRecord(id) && typeof id._serialized === 'string' && id._serialized.length > 0) return id._serialized;
  return null;
}

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Errors are read by shape, not `instanceof`: fetch's errors may come from another realm (jest's
 *  sandbox, for one), where `instanceof Error` is false. */
interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

function asErrorLike(value: unknown): ErrorLike | null {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : null;
}

/** AbortSignal.timeout aborts with a `TimeoutError` DOMException. */
function isTimeout(error: unknown): boolean {
  const name = asErrorLike(error)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** fetch reports network failures as `TypeError: fetch failed` with the real reason as its cause. */
function describeNetworkError(error: unknown): string {
  const outer = asErrorLike(error);
  if (!outer) return String(error);
  const cause = asErrorLike(outer.cause);
  const source = cause ?? outer;
  const message = typeof source.message === 'string' ? source.message : String(error);
  return typeof source.code === 'string' ? `${source.code} (${message})` : message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
