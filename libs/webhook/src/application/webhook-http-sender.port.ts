export interface WebhookHttpRequest {
  url: string;
  headers: Record<string, string>;
  /** The exact bytes that were signed. */
  body: string;
  timeoutMs: number;
}

/** How one POST ended. The response body is never read or kept. */
export type WebhookHttpResult =
  | { kind: 'response'; statusCode: number; retryAfter: string | null; durationMs: number }
  | { kind: 'timeout'; durationMs: number }
  | { kind: 'network'; message: string; durationMs: number }
  /** The host resolved to an address the SSRF policy refuses (checked at connect time). */
  | { kind: 'blocked'; message: string; durationMs: number };

/**
 * POSTs one signed webhook: never follows a redirect (a 3xx is answered as is), bounded by
 * `timeoutMs`, and connects only to addresses the SSRF policy allows, checked on the very addresses
 * the connection uses (so a DNS answer that changes after the URL was checked cannot pass).
 */
export abstract class WebhookHttpSender {
  abstract post(request: WebhookHttpRequest): Promise<WebhookHttpResult>;
}
