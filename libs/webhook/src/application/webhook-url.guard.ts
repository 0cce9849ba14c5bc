import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { HostNotFoundError, HostResolver, ValidationError } from '@app/shared';
import { WebhookAddressPolicy } from '../domain/webhook-address-policy';
import { type WebhookEndpoint, parseWebhookUrl } from '../domain/webhook-url';
import { type WebhookSettings, webhookConfig } from '../webhook.config';

const PUBLIC_ONLY = 'webhooks may only be sent to public addresses';

/**
 * Checks an endpoint URL before it is stored (SSRF protection, first line): http(s) syntax, HTTPS
 * unless WEBHOOK_ALLOW_HTTP, and every address the host resolves to must be allowed by the
 * WebhookAddressPolicy. The sender checks the addresses again when it connects, so a DNS answer that
 * changes later (rebinding) cannot pass either.
 */
@Injectable()
export class WebhookUrlGuard {
  constructor(
    @Inject(webhookConfig.KEY) private readonly config: Pick<WebhookSettings, 'allowHttp'>,
    private readonly policy: WebhookAddressPolicy,
    private readonly resolver: HostResolver,
  ) {}

  /** Syntax and scheme only (no DNS); what the sender re-checks before each attempt. */
  checkSyntax(url: unknown, field = 'url'): WebhookEndpoint {
    const endpoint = parseWebhookUrl(url, field);
    if (endpoint.protocol !== 'https:' && !this.config.allowHttp) throw new ValidationError(field, 'must use https');
    return endpoint;
  }

  /** The normalised URL when it may be used; a ValidationError naming `field` and the reason otherwise. */
  async check(url: unknown, field = 'url'): Promise<string> {
    const endpoint = this.checkSyntax(url, field);
    if (isIP(endpoint.host) !== 0) {
      const verdict = this.policy.check(endpoint.host);
      if (!verdict.allowed) {
        const shown = verdict.address === endpoint.host ? endpoint.host : `${endpoint.host} (${verdict.address})`;
        throw new ValidationError(field, `${shown} is ${verdict.reason}; ${PUBLIC_ONLY}`);
      }
      return endpoint.href;
    }
    let addresses;
    try {
      addresses = await this.resolver.resolve(endpoint.host);
    } catch (error) {
      if (error instanceof HostNotFoundError)
        throw new ValidationError(field, `host ${endpoint.host} does not resolve to any address`);
      throw error;
    }
    if (addresses.length === 0)
      throw new ValidationError(field, `host ${endpoint.host} does not resolve to any address`);
    const refused = this.policy.firstRefused(addresses.map((a) => a.address));
    if (refused)
      throw new ValidationError(
        field,
        `host ${endpoint.host} resolves to ${refused.address}, ${refused.reason}; ${PUBLIC_ONLY}`,
      );
    return endpoint.href;
  }
}
