/** Where and how to call one WAHA session. */
export interface WahaConnection {
  /** `https://waha.example.com` (a trailing slash is tolerated). */
  baseUrl: string;
  /** Sent as `X-Api-Key` when not null. */
  apiKey: string | null;
  /** WAHA session name, usually `default`. */
  session: string;
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

/**
 * The WAHA HTTP API, as far as this system uses it. Failures are WahaPermanentError (retrying will
 * not help: bad request, bad API key, unknown session, unusable answer) or WahaTransientError
 * (retry later: session not ready, rate limited, server error, network error, timeout).
 */
export abstract class WahaClient {
  /** `POST /api/sendText`. */
  abstract sendText(request: WahaSendTextRequest): Promise<WahaSentMessage>;

  /** `GET /api/{session}/chats/{chatId}/messages/{messageId}`: the message, or null when WAHA does
   *  not know it (404 for the message; a 404 for the session is a WahaPermanentError). Lets a sender
   *  learn whether a send that failed ambiguously (5xx, timeout) went out after all. */
  abstract findMessage(request: WahaFindMessageRequest): Promise<WahaStoredMessage | null>;

  /** `GET /api/sessions/{session}`. */
  abstract getSession(connection: WahaConnection): Promise<WahaSessionInfo>;
}
