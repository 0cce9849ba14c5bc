/** Where and how to call one WAHA session. */
export interface WahaConnection {
  /** `https://waha.example.com` (a trailing slash is tolerated). */
  baseUrl: string;
  /** Sent as `X-Api-Key` when not null. */
  apiKey: string | null;
  /** WAHA session name, usually `default`. */
  session: string;
  /** The channel the call is made for: the key of its circuit breaker and rate limiter. Without it
   *  they are keyed by base URL and session. */
  channelId?: string;
}

export interface WahaSendTextRequest extends WahaConnection {
  /** `5511999990000@c.us`, `...@g.us`, `...@lid`. */
  chatId: string;
  text: string;
  /** Full id of the message to quote (`false_5511999990000@c.us_3EB0...`). */
  replyTo?: string;
  /** Pre-generated raw message id (WAHA `id`): the caller can record the message before sending it,
   *  and a retried send reuses the id instead of producing a second message id. */
  messageId?: string;
}

export interface WahaSentMessage {
  /** WAHA's id of the sent message; its later `message.any` / `message.ack` events carry the same id. */
  id: string;
}

export interface WahaFindMessageRequest extends WahaConnection {
  chatId: string;
  /** Full id `{fromMe}_{chatId}_{rawId}`, or the bare raw id (GOWS/NOWEB). */
  messageId: string;
}

export interface WahaStoredMessage {
  id: string;
  fromMe: boolean;
  /** WAHA `ack` (-1..4), null when WAHA reports none. */
  ack: number | null;
}

export interface WahaSessionInfo {
  name: string;
  /** `WORKING`, `STARTING`, `SCAN_QR_CODE`, `FAILED`, `STOPPED`, ... */
  status: string;
}

/** `GET /api/{session}/chats`, one page (offset/limit). */
export interface WahaListChatsRequest extends WahaConnection {
  limit: number;
  offset: number;
  /** Always sent explicitly: GOWS defaults to `id asc` (waha-api.md 2.2). Default `conversationTimestamp desc`. */
  sortBy?: 'conversationTimestamp' | 'id' | 'name';
  sortOrder?: 'asc' | 'desc';
}

/** A chat as the engines list it, normalised: GOWS `{id, name, conversationTimestamp}`, WEBJS
 *  `{id: {_serialized}, name, timestamp}`. */
export interface WahaChat {
  /** `5511...@c.us`, `...@g.us`, `...@lid`, `...@s.whatsapp.net`, `...@newsletter`. */
  id: string;
  name: string | null;
  /** Unix seconds of the last activity; null when the engine gives none. */
  conversationTimestamp: number | null;
}

/** `GET /api/{session}/chats/{chatId}/messages`, one page. Bounds are unix seconds, inclusive. */
export interface WahaListChatMessagesRequest extends WahaConnection {
  chatId: string;
  limit: number;
  offset: number;
  sortOrder: 'asc' | 'desc';
  timestampGte?: number;
  timestampLte?: number;
}

/**
 * The WAHA HTTP API, as far as this system uses it. Failures are WahaPermanentError (retrying will
 * not help: bad request, bad API key, unknown session, unusable answer) or WahaTransientError
 * (retry later: session not ready, rate limited, server error, network error, timeout, or held
 * back by the channel's circuit breaker or rate limiter: WAHA.CIRCUIT_OPEN, WAHA.QUEUE_FULL).
 * Reads are retried inside the call on 5xx, 429, timeouts and network errors; 422 and 4xx are not.
 */
export abstract class WahaClient {
  /** `POST /api/sendText`. Never retried inside the call: a failure without a clear answer (5xx,
   *  timeout) may hide a sent message, so the caller checks with findMessage before sending again. */
  abstract sendText(request: WahaSendTextRequest): Promise<WahaSentMessage>;

  /** `GET /api/{session}/chats/{chatId}/messages/{messageId}`: the message, or null when WAHA does
   *  not know it (404 for the message; a 404 for the session is a WahaPermanentError). Lets a sender
   *  learn whether a send that failed ambiguously (5xx, timeout) went out after all. */
  abstract findMessage(request: WahaFindMessageRequest): Promise<WahaStoredMessage | null>;

  /** `GET /api/sessions/{session}`. */
  abstract getSession(connection: WahaConnection): Promise<WahaSessionInfo>;

  /** One page of the session's chats (`sortBy`/`sortOrder` always sent). Reads retry 5xx and 429
   *  (honouring `Retry-After`) within the call's budget; an empty array ends the list. */
  abstract listChats(request: WahaListChatsRequest): Promise<WahaChat[]>;

  /** One page of a chat's messages, as WAHA's `WAMessage` objects (parsed by the caller: their shape
   *  varies by engine and version), with `downloadMedia=false`. Retries like listChats. */
  abstract listChatMessages(request: WahaListChatMessagesRequest): Promise<Record<string, unknown>[]>;
}
