import { Agent as HttpAgent, type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type LookupFunction, isIP } from 'node:net';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { HostResolver } from '@app/shared';
import {
  type WebhookHttpRequest,
  type WebhookHttpResult,
  WebhookHttpSender,
} from '../../application/webhook-http-sender.port';
import { WebhookAddressPolicy } from '../../domain/webhook-address-policy';

const BLOCKED = 'EWEBHOOKBLOCKED';

class BlockedAddressError extends Error {
  readonly code = BLOCKED;
}

class RequestTimeoutError extends Error {
  readonly code = 'EWEBHOOKTIMEOUT';
}

/**
 * POSTs with node:http / node:https. The connection's DNS lookup is ours: it resolves through the
 * HostResolver and refuses the connection when ANY resolved address is refused by the
 * WebhookAddressPolicy, so the check applies to the very addresses connected to (DNS rebinding
 * between the URL check and the connection cannot pass). IP literals (which skip lookup) are checked
 * before the request. Connections are kept alive in agents of this sender only, so every pooled
 * socket was opened through that lookup (nothing opened elsewhere ever carries a webhook) and a busy
 * endpoint does not cost a TCP (and TLS) handshake per event. Redirects are not followed (node:http
 * never does). Only the status line and headers are read; the body is drained and discarded.
 */
@Injectable()
export class NodeWebhookHttpSender extends WebhookHttpSender implements OnModuleDestroy {
  /** Idle sockets are closed after this long; endpoints commonly drop idle ones after 5 s or more. */
  private static readonly IDLE_SOCKET_MS = 4_000;
  private readonly httpAgent = new HttpAgent({
    keepAlive: true,
    timeout: NodeWebhookHttpSender.IDLE_SOCKET_MS,
    scheduling: 'lifo',
  });
  private readonly httpsAgent = new HttpsAgent({
    keepAlive: true,
    timeout: NodeWebhookHttpSender.IDLE_SOCKET_MS,
    scheduling: 'lifo',
  });

  constructor(
    private readonly policy: WebhookAddressPolicy,
    private readonly resolver: HostResolver,
  ) {
    super();
  }

  /** Closes the pooled connections (worker shutdown). */
  onModuleDestroy(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  post(request: WebhookHttpRequest): Promise<WebhookHttpResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve({ kind: 'blocked', message: 'endpoint URL is not valid', durationMs: 0 });
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) !== 0) {
      const verdict = this.policy.check(host);
      if (!verdict.allowed)
        return Promise.resolve({
          kind: 'blocked',
          message: `refused to connect to ${host}: ${verdict.reason}`,
          durationMs: 0,
        });
    }
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;

    return new Promise<WebhookHttpResult>((resolve) => {
      let settled = false;
      const finish = (result: WebhookHttpResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        finish({ kind: 'timeout', durationMs: elapsed() });
        req.destroy(new RequestTimeoutError(`no answer within ${request.timeoutMs} ms`));
      }, request.timeoutMs);

      const req: ClientRequest = send(
        {
          protocol: url.protocol,
          hostname: host,
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          agent: https ? this.httpsAgent : this.httpAgent,
          lookup: this.guardedLookup(),
          // SNI and certificate checks use the host name, as without the custom lookup.
          servername: isIP(host) === 0 ? host : undefined,
        },
        (res: IncomingMessage) => {
          finish({
            kind: 'response',
            statusCode: res.statusCode ?? 0,
            retryAfter: headerValue(res.headers['retry-after']),
            durationMs: elapsed(),
          });
          // Never read or keep the body (SSRF hygiene): drain it so the connection can be reused,
          // and drop the connection when the body does not end in time.
          res.on('error', () => undefined);
          res.resume();
          const drainLimit = setTimeout(() => req.destroy(), request.timeoutMs);
          drainLimit.unref();
          res.on('close', () => clearTimeout(drainLimit));
        },
      );
      req.on('error', (error: Error & { code?: string }) => {
        if (error instanceof RequestTimeoutError) return;
        if (error.code === BLOCKED) return finish({ kind: 'blocked', message: error.message, durationMs: elapsed() });
        finish({ kind: 'network', message: describe(error), durationMs: elapsed() });
      });
      req.end(request.body);
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
              new BlockedAddressError(
                `refused to connect: host ${hostname} resolves to ${refused.address}, ${refused.reason}`,
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
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function describe(error: Error & { code?: string }): string {
  return error.code ? `${error.code} (${error.message})` : error.message;
}
