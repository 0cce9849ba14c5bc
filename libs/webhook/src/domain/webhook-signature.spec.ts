import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { ValidationError } from '@app/shared';
import { signWebhook, signingKeyOf } from './webhook-signature';

describe('Standard Webhooks signatures', () => {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const body = JSON.stringify({
    id: 'e1',
    type: 'contact.created',
    occurredAt: '2025-11-26T12:00:00.000Z',
    tenantId: 't1',
    data: { name: 'Zoë 👋' },
  });

  it('produces headers the official standardwebhooks library verifies', () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = signWebhook(secret, '7f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', now, body);
    expect(headers['webhook-id']).toBe('7f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f');
    expect(headers['webhook-timestamp']).toBe(String(now));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it("matches the library's own signature byte for byte", () => {
    const at = new Date('2025-11-26T12:00:00.000Z');
    const ours = signWebhook(secret, 'msg_1', at.getTime() / 1000, body)['webhook-signature'];
    expect(ours).toBe(new Webhook(secret).sign('msg_1', at, body));
  });

  it('fails verification when the body, the id or the secret differ', () => {
    const now = Math.floor(Date.now() / 1000);
    const headers = { ...signWebhook(secret, 'msg_2', now, body) };
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_3' })).toThrow(
      WebhookVerificationError,
    );
    expect(() => new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(body, headers)).toThrow(
      WebhookVerificationError,
    );
  });

  it('reads the key from whsec_ secrets of 24 to 64 bytes and refuses others', () => {
    expect(signingKeyOf(secret)).toHaveLength(32);
    expect(signingKeyOf(`whsec_${randomBytes(24).toString('base64')}`)).toHaveLength(24);
    for (const bad of [
      'nope',
      `whsec_${randomBytes(16).toString('base64')}`,
      `whsec_${randomBytes(65).toString('base64')}`,
      'whsec_!!!',
    ]) {
      expect(() => signingKeyOf(bad)).toThrow(ValidationError);
    }
  });
});
