import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { signWahaBody } from '@app/inbound';
import { buildMessage } from '../../apps/waha-simulator/src/waha/message-factory';
import { newEventId } from '../../apps/waha-simulator/src/waha/ids';
import { type MeInfo, WAHA_ENGINE, WAHA_ENVIRONMENT, type WahaWebhookEnvelope } from '../../apps/waha-simulator/src/waha/types';

/** WAHA `message` webhooks for `npm run bench:sessions`: one message per distinct contact, with the
 *  WhatsApp timestamp (the message's sentAt, unix seconds) the bench chooses, signed for the channel. */

const ME: MeInfo = { id: '5511999990000@c.us', pushName: 'Acme Vendas', lid: '987650000000001@lid', jid: '5511999990000:12@s.whatsapp.net' };

export interface SessionsChannel {
  tenantId: string;
  channelId: string;
  webhookSecret: string;
}

export interface BuiltWebhook {
  externalId: string;
  phone: string;
  body: string;
  signature: string;
}

/** The inbound message of contact `phone`, sent (WhatsApp timestamp) at `sentAtSeconds`; the envelope time is now. */
export function buildSessionMessage(channel: SessionsChannel, phone: string, sentAtSeconds: number): BuiltWebhook {
  const now = Date.now();
  const payload = buildMessage({
    me: ME,
    chatId: `${phone}@c.us`,
    rawId: randomBytes(16).toString('hex').toUpperCase(),
    timestamp: sentAtSeconds,
    fromMe: false,
    source: 'app',
    pushName: `Cliente ${phone.slice(-4)}`,
    text: 'Oi, tudo bem?',
    ack: 2,
  });
  const envelope: WahaWebhookEnvelope = {
    id: newEventId(now),
    timestamp: now,
    event: 'message',
    session: 'default',
    me: ME,
    payload,
    engine: WAHA_ENGINE,
    environment: WAHA_ENVIRONMENT,
  };
  const body = JSON.stringify(envelope);
  return { externalId: payload.id, phone, body, signature: signWahaBody(body, channel.webhookSecret) };
}

/** POSTs signed webhooks to the receiver over keep-alive connections. */
export class SessionsPoster {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(apiUrl: string, maxSockets: number) {
    this.url = new URL(apiUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Never rejects: a network error is status 0 with the message in `error`. */
  async post(channelId: string, hook: BuiltWebhook, timeoutMs = 30_000): Promise<{ status: number; error?: string }> {
    try {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(
          {
            agent: this.agent,
            host: this.url.hostname,
            port: this.url.port,
            method: 'POST',
            path: `/v1/channels/${channelId}/waha/events`,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(hook.body),
              'x-webhook-hmac': hook.signature,
              'x-webhook-hmac-algorithm': 'sha512',
            },
            timeout: timeoutMs,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', reject);
        req.end(hook.body);
      });
      return status === 202 ? { status } : { status, error: `HTTP ${status}: ${text.slice(0, 200)}` };
    } catch (err) {
      return { status: 0, error: err instanceof Error ? err.message : String(err) };
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
