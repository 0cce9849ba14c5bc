import { Agent as HttpAgent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type LookupFunction, isIP } from 'node:net';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { HostResolver } from '@app/shared';
import {
  type WahaFailureCode,
  WahaPermanentError,
  WahaTransientError,
} from '../../application/waha/waha-client.errors';
import {
  type WahaChat,
  WahaClient,
  type WahaConnection,
  type WahaFindMessageRequest,
  type WahaListChatMessagesRequest,
  type WahaListChatsRequest,
  type WahaSendTextRequest,
  type WahaSentMessage,
  type WahaSessionInfo,
  type WahaStoredMessage,
} from '../../application/waha/waha-client.port';
import { type ChannelConfig, channelConfig } from '../../channel.config';
import { WahaAddressPolicy } from '../../domain/waha-address-policy';

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

/** What came back from WAHA: status line, headers and the whole body. */
interface WahaHttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const ADDRESS_REFUSED = 'EWAHAADDRESSREFUSED';

class AddressRefusedError extends Error {
  readonly code = ADDRESS_REFUSED;
}

class CallTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * WahaClient over node:http / node:https; every call (answer headers and body) is bounded by
 * WAHA_HTTP_TIMEOUT_MS. The connection's DNS lookup is ours: every address the host resolves to must
 * be allowed by the WahaAddressPolicy (WAHA_ALLOWED_CIDRS), else the call fails before connecting,
 * so a base URL whose name later points at a refused address (rebinding, cloud metadata) is refused
 * at connect time too. IP literals are checked before the request. Sockets are pooled in this
 * client's own agents only, so every pooled socket was opened through that lookup. Redirects are
 * never followed (node:http does not): following one could hand the API key to another host.
 */
@Injectable()
export class HttpWahaClient extends WahaClient implements OnModuleDestroy {
  private readonly timeoutMs: number;
  private readonly httpAgent = new HttpAgent({ keepAlive: true, timeout: 4_000 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, timeout: 4_000 });

  constructor(
    @Inject(channelConfig.KEY) config: Pick<ChannelConfig, 'wahaHttpTimeoutMs'>,
    private readonly policy: WahaAddressPolicy,
    private readonly resolver: HostResolver,
  ) {
    super();
    this.timeoutMs = config.wahaHttpTimeoutMs;
  }

  /** Closes the pooled connections (shutdown). */
  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  async sendText(request: WahaSendTextRequest): Promise<WahaSentMessage> {
    const body: Record<string, string> = { session: request.session, chatId: request.chatId, text: request.text };
    if (request.replyTo !== undefined) body.reply_to = request.replyTo;
    if (request.messageId !== undefined) body.id = request.messageId;
    const operation = 'POST /api/sendText';
    const { status, answer } = await this.call({
      connection: request,
      operation,
      method: 'POST',
      path: '/api/sendText',
      body,
    });
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
      if (
        error instanceof WahaPermanentError &&
        error.code === 'WAHA.NOT_FOUND' &&
        !/session/i.test(error.responseBody ?? '')
      )
        return null;
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

  async listChats(request: WahaListChatsRequest): Promise<WahaChat[]> {
    const operation = 'GET /api/{session}/chats';
    const query = new URLSearchParams({
      limit: String(pageNumber(operation, 'limit', request.limit, 1)),
      offset: String(pageNumber(operation, 'offset', request.offset, 0)),
      // Always explicit: GOWS sorts by id, ascending, when no order is given.
      sortBy: request.sortBy ?? 'conversationTimestamp',
      sortOrder: request.sortOrder ?? 'desc',
    });
    const path = `/api/${encodeURIComponent(request.session)}/chats?${query.toString()}`;
    const { status, answer } = await this.call({ connection: request, operation, method: 'GET', path });
    if (!Array.isArray(answer)) throw invalidResponse(operation, status, 'is not a JSON array of chats', answer);
    const chats: WahaChat[] = [];
    for (const item of answer) {
      // A chat without a usable id cannot be imported or addressed: skipped, not fatal.
      const chat = readChat(item);
      if (chat) chats.push(chat);
    }
    return chats;
  }

  async listChatMessages(request: WahaListChatMessagesRequest): Promise<Record<string, unknown>[]> {
    const operation = 'GET /api/{session}/chats/{chatId}/messages';
    const query = new URLSearchParams({
      limit: String(pageNumber(operation, 'limit', request.limit, 1)),
      offset: String(pageNumber(operation, 'offset', request.offset, 0)),
      sortBy: 'timestamp',
      sortOrder: request.sortOrder,
      // WAHA downloads every media file by default: slow, and the files expire within minutes.
      downloadMedia: 'false',
    });
    if (request.timestampGte !== undefined)
      query.set('filter.timestamp.gte', String(pageNumber(operation, 'timestampGte', request.timestampGte, 0)));
    if (request.timestampLte !== undefined)
      query.set('filter.timestamp.lte', String(pageNumber(operation, 'timestampLte', request.timestampLte, 0)));
    const path = `/api/${encodeURIComponent(request.session)}/chats/${encodeURIComponent(request.chatId)}/messages?${query.toString()}`;
    const { status, answer } = await this.call({ connection: request, operation, method: 'GET', path });
    if (!Array.isArray(answer)) throw invalidResponse(operation, status, 'is not a JSON array of messages', answer);
    const messages: Record<string, unknown>[] = [];
    for (const item of answer) {
      if (!isRecord(item))
        throw invalidResponse(operation, status, 'holds an item that is not a message object', answer);
      messages.push(item);
    }
    return messages;
  }

  private async call({
    connection,
    operation,
    method,
    path,
    body,
  }: WahaCall): Promise<{ status: number; answer: unknown }> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (connection.apiKey !== null) headers['x-api-key'] = connection.apiKey;

    let response: WahaHttpAnswer;
    try {
      response = await this.send(
        `${connection.baseUrl.replace(/\/+$/, '')}${path}`,
        method,
        headers,
        body === undefined ? undefined : JSON.stringify(body),
      );
    } catch (error) {
      if ((error as { code?: unknown }).code === ADDRESS_REFUSED) {
        throw new WahaPermanentError(`WAHA ${operation} refused: ${(error as Error).message}`, {
          code: 'WAHA.ADDRESS_REFUSED',
          operation,
          status: null,
          cause: error,
        });
      }
      throw this.unreachable(operation, error);
    }

    const { status, text } = response;
    if (status < 200 || status > 299) throw failed(operation, response);
    if (text.length === 0) return { status, answer: null };
    try {
      return { status, answer: JSON.parse(text) as unknown };
    } catch {
      throw invalidResponse(operation, status, 'is not JSON', text);
    }
  }

  /** One request, answered with its whole body, or rejected (timeout, network, refused address). */
  private send(
    target: string,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<WahaHttpAnswer> {
    let url: URL;
    try {
      url = new URL(target);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) !== 0) {
      const verdict = this.policy.check(host);
      if (!verdict.allowed)
        return Promise.reject(
          new AddressRefusedError(`${host} is ${verdict.reason}; allow it with WAHA_ALLOWED_CIDRS`),
        );
    }
    const https = url.protocol === 'https:';
    const request = https ? httpsRequest : httpRequest;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));

    return new Promise<WahaHttpAnswer>((resolve, reject) => {
      const timeout = new CallTimeoutError(`no answer within ${this.timeoutMs} ms`);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy(timeout);
      }, this.timeoutMs);
      const settle =
        <T>(done: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          done(value);
        };
      const req = request(
        {
          protocol: url.protocol,
          hostname: host,
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method,
          headers,
          agent: https ? this.httpsAgent : this.httpAgent,
          lookup: this.guardedLookup(),
          // SNI and certificate checks use the host name, as without the custom lookup.
          servername: isIP(host) === 0 ? host : undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', settle(reject));
          res.on('end', () =>
            settle(resolve)({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          // A body cut off (by the timeout or the peer) may end in neither 'end' nor 'error'.
          res.on('close', () => {
            if (!res.complete)
              settle(reject)(
                timedOut
                  ? timeout
                  : Object.assign(new Error('the connection closed before the answer ended'), { code: 'ECONNRESET' }),
              );
          });
        },
      );
      req.on('error', settle(reject));
      req.end(body);
    });
  }

  /** A `lookup` for net.connect: every address of the host must be allowed, or none is used. */
  private guardedLookup(): LookupFunction {
    return (hostname, options, callback) => {
      this.resolver.resolve(hostname).then(
        (addresses) => {
          if (addresses.length === 0) {
            callback(Object.assign(new Error(`host ${hostname} has no address`), { code: 'ENOTFOUND' }), '', 4);
            return;
          }
          const refused = this.policy.firstRefused(addresses.map((a) => a.address));
          if (refused) {
            callback(
              new AddressRefusedError(
                `host ${hostname} resolves to ${refused.address}, ${refused.reason}; allow it with WAHA_ALLOWED_CIDRS`,
              ),
              '',
              4,
            );
            return;
          }
          const wanted =
            options.family === 4 || options.family === 6
              ? addresses.filter((a) => a.family === options.family)
              : addresses;
          const usable = wanted.length > 0 ? wanted : addresses;
          if (options.all)
            callback(
              null,
              usable.map((a) => ({ address: a.address, family: a.family })),
            );
          else callback(null, usable[0]!.address, usable[0]!.family);
        },
        (error: Error & { code?: string }) =>
          callback(Object.assign(error, { code: error.code ?? 'ENOTFOUND' }), '', 4),
      );
    };
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
function failed(operation: string, response: WahaHttpAnswer): WahaPermanentError | WahaTransientError {
  const status = response.status;
  const responseBody = response.text.slice(0, BODY_EXCERPT_LENGTH);
  const hint = failureHint(status, response.text);
  const message = `WAHA ${operation} answered ${status}${hint ? ` (${hint})` : ''}${responseBody ? `: ${responseBody}` : ''}`;
  const transient = (code: WahaFailureCode, retryAfterMs?: number) =>
    new WahaTransientError(message, { code, operation, status, responseBody, retryAfterMs });
  const permanent = (code: WahaFailureCode) =>
    new WahaPermanentError(message, { code, operation, status, responseBody });
  // Everything not listed (other 4xx, and 3xx redirects, which are not followed) needs a fix too.

  if (status === 422) return transient('WAHA.SESSION_NOT_READY');
  if (status === 429) return transient('WAHA.RATE_LIMITED', retryAfterMs(headerValue(response.headers['retry-after'])));
  if (status === 408) return transient('WAHA.TIMEOUT');
  if (status >= 500) return transient('WAHA.SERVER_ERROR');
  if (status === 400) return permanent('WAHA.BAD_REQUEST');
  if (status === 401) return permanent('WAHA.UNAUTHORIZED');
  if (status === 403) return permanent('WAHA.FORBIDDEN');
  if (status === 404) return permanent('WAHA.NOT_FOUND');
  return permanent('WAHA.REJECTED');
}

/** What a failed answer means for the operator, in words (the status alone says little). */
function failureHint(status: number, text: string): string | null {
  if (status === 400) return 'WAHA refused the request as invalid';
  // Never "wrong key" with the key: the message goes to logs and workflow histories.
  if (status === 401) return "WAHA did not accept the API key: check the channel's WAHA API key";
  if (status === 403) return "the channel's WAHA API key may not do this";
  if (status === 404)
    return /session/i.test(text)
      ? "WAHA has no session of the channel's session name"
      : 'WAHA does not know the session or the item asked for';
  if (status === 422) return sessionStatusHint(text);
  if (status === 429) return 'WAHA is rate limiting';
  return null;
}

/** WAHA's 422: `{"error":"Session status is not as expected...","session":"default","status":"STARTING","expected":["WORKING"]}`. */
function sessionStatusHint(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (isRecord(body) && typeof body.status === 'string') {
    const session = typeof body.session === 'string' ? `'${body.session}' ` : '';
    const expected =
      Array.isArray(body.expected) && body.expected.every((e) => typeof e === 'string')
        ? body.expected.join(' or ')
        : 'WORKING';
    return `the WAHA session ${session}is ${body.status}, not ${expected}: it cannot send or read until it is (start it, or scan its QR code)`;
  }
  return 'the WAHA session is not WORKING (or the engine cannot do this): it cannot send or read until it is';
}

/** A page's limit/offset or a timestamp bound: a whole number, at least `min`. A bad one is the
 *  caller's bug, refused before WAHA is asked. */
function pageNumber(operation: string, name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new WahaPermanentError(`WAHA ${operation}: ${name} must be a whole number of at least ${min}, got ${value}`, {
      code: 'WAHA.BAD_REQUEST',
      operation,
      status: null,
    });
  }
  return value;
}

/** One chat of a chats list, by engine: GOWS `{id, name, conversationTimestamp}`, WEBJS
 *  `{id: {_serialized}, name, timestamp}`, NOWEB Baileys-style (`conversationTimestamp`, maybe a
 *  numeric string). Null when it has no usable id. */
function readChat(item: unknown): WahaChat | null {
  const id = readId(item);
  if (!id || !isRecord(item)) return null;
  const name = typeof item.name === 'string' && item.name.trim().length > 0 ? item.name : null;
  return { id, name, conversationTimestamp: unixSeconds(item.conversationTimestamp) ?? unixSeconds(item.timestamp) };
}

/** Unix seconds from a number or numeric string; a value in milliseconds is scaled down. */
function unixSeconds(value: unknown): number | null {
  const number =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(number) || number <= 0) return null;
  // Seconds stay below 1e11 until the year 5138; a larger value is milliseconds.
  return number >= 1e11 ? Math.floor(number / 1000) : Math.floor(number);
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

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** Errors are read by shape, not `instanceof`: node's errors may come from another realm (jest's
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

/** The call's own timer destroys the request with a `TimeoutError`. */
function isTimeout(error: unknown): boolean {
  const name = asErrorLike(error)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** A network failure's code and message (the reason may sit in its cause). */
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
