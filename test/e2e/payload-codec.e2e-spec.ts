import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Payload } from '@temporalio/common';
import { type ProcessInboundMessageResult } from '@app/workflows';
import { freshWahaFixture } from '../fixtures/waha';
import { ConversationHarness, type HarnessChannel } from '../support/conversation-harness';
import { metadataText, rawHistory } from '../support/raw-history';
import { TestEnv } from '../support/test-env';

const run = promisify(execFile);
const NAMESPACE = 'crm-codec-api';
const UI_ORIGIN = 'http://localhost:8233';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');
type JsonPayload = { metadata: Record<string, string>; data: string };
const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

/** The codec endpoint of the real API on 127.0.0.1, with the real worker running the inbound saga
 *  that writes the encrypted histories it decodes; and the real Temporal CLI using it. */
describe('Payload codec endpoint (/v1/codec, real API, real dev server)', () => {
  let h: ConversationHarness;
  let tenant: { tenantId: string; apiKey: string };
  let channel: HarnessChannel;
  let conversation: { workflowId: string; phone: string; text: string };

  beforeAll(async () => {
    h = await ConversationHarness.start(NAMESPACE, {
      TEMPORAL_PAYLOAD_KEYS: `current:${randomBytes(32).toString('base64')},previous:${randomBytes(32).toString('base64')}`,
      TEMPORAL_CODEC_CORS_ORIGINS: `${UI_ORIGIN},https://temporal.example.com`,
    });
    tenant = await h.createTenant();
    channel = await h.createChannel(tenant.apiKey);

    const phone = '5531988776655';
    const text = `Quero cancelar o pedido ${randomUUID()}`;
    const body = freshWahaFixture('webhook-message-text', {
      rawId: `AC${randomUUID().replace(/-/g, '').toUpperCase()}`,
    });
    body.payload.id = (body.payload.id as string).replace('5511999990001', phone);
    body.payload.from = `${phone}@c.us`;
    body.payload.body = text;
    body.payload._data.Message.conversation = text;
    const accepted = await h.postWebhook(channel, body);
    expect(accepted.status).toBe(202);
    conversation = { workflowId: accepted.body.workflowId as string, phone, text };
    await h.workflowResult(conversation.workflowId);
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = async (
    path: string,
    body: unknown,
    headers: Record<string, string> = { 'x-api-key': tenant.apiKey },
  ) => {
    const res = await fetch(`${h.apiUrl}/v1/codec/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': NAMESPACE, ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
  };

  it('decodes the encrypted payloads of a real history back to the plaintext', async () => {
    const history = await rawHistory(h.temporal, NAMESPACE, conversation.workflowId);
    const input = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    expect(metadataText(input, 'encoding')).toBe('binary/encrypted');
    const result = history.events!.at(-1)!.workflowExecutionCompletedEventAttributes!.result!.payloads![0]!;

    const res = await post('decode', { payloads: [toJson(input), toJson(result)] });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['payloads']);
    const [decodedInput, decodedResult] = res.body.payloads as JsonPayload[];
    expect(unb64(decodedInput!.metadata.encoding!)).toBe('json/plain');
    const sagaInput = JSON.parse(unb64(decodedInput!.data));
    expect(sagaInput).toMatchObject({
      tenantId: tenant.tenantId,
      channelId: channel.id,
      message: { text: conversation.text, contact: { phone: conversation.phone } },
    });
    const sagaResult = JSON.parse(unb64(decodedResult!.data)) as ProcessInboundMessageResult;
    expect(sagaResult).toEqual(await h.workflowResult(conversation.workflowId));
  });

  it('encodes with the current key and decodes back to the same payload; plaintext decodes unchanged', async () => {
    const plain: JsonPayload = {
      metadata: { encoding: b64('json/plain') },
      data: b64(JSON.stringify({ phone: '5531911112222', text: 'segredo' })),
    };
    const encoded = await post('encode', { payloads: [plain] });
    expect(encoded.status).toBe(200);
    const [encrypted] = encoded.body.payloads as JsonPayload[];
    expect(Object.fromEntries(Object.entries(encrypted!.metadata).map(([k, v]) => [k, unb64(v)]))).toEqual({
      encoding: 'binary/encrypted',
      'encryption-key-id': 'current',
    });
    expect(Buffer.from(encrypted!.data, 'base64').includes('5531911112222')).toBe(false);

    const decoded = await post('decode', { payloads: [encrypted, plain] });
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads).toEqual([plain, plain]);
  });

  it("refuses a key without the admin scope (403 INSUFFICIENT_SCOPE): the codec reads every tenant's payloads", async () => {
    const created = await fetch(`${h.apiUrl}/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey },
      body: JSON.stringify({ name: 'integration', scopes: ['write'] }),
    });
    expect(created.status).toBe(201);
    const writeKey = ((await created.json()) as { key: string }).key;
    for (const path of ['encode', 'decode']) {
      const refused = await post(path, { payloads: [] }, { 'x-api-key': writeKey });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'INSUFFICIENT_SCOPE' });
      const bearer = await post(path, { payloads: [] }, { authorization: `Bearer ${tenant.apiKey}` });
      expect(bearer.status).toBe(200);
    }
  });

  it('answers 401 without an API key or with an unknown one', async () => {
    for (const path of ['encode', 'decode']) {
      const none = await post(path, { payloads: [] }, {});
      expect(none.status).toBe(401);
      const wrong = await post(path, { payloads: [] }, { 'x-api-key': `crm_${randomUUID()}` });
      expect(wrong.status).toBe(401);
    }
  });

  it("answers the Temporal UI's CORS preflight for the configured origin, Authorization allowed, and no other origin", async () => {
    const preflight = (origin: string) =>
      fetch(`${h.apiUrl}/v1/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-namespace',
        },
      });
    const allowed = await preflight(UI_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    const allowedHeaders = allowed.headers.get('access-control-allow-headers')!.toLowerCase().split(/,\s*/);
    expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-namespace']));
    expect(allowed.headers.get('vary')).toContain('Origin');

    const other = await preflight('https://evil.example.com');
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(await other.json()).toMatchObject({ statusCode: 403, error: 'Forbidden', code: 'CORS_ORIGIN_NOT_ALLOWED' });

    // The answers themselves carry the header for the UI's origin (a 401 too, so the UI can show it).
    const answered = await post('decode', { payloads: [] }, { 'x-api-key': tenant.apiKey, origin: UI_ORIGIN });
    expect(answered.status).toBe(200);
    expect(answered.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const refused = await post('decode', { payloads: [] }, { origin: UI_ORIGIN });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(
      (
        await post('decode', { payloads: [] }, { 'x-api-key': tenant.apiKey, origin: 'https://evil.example.com' })
      ).headers.get('access-control-allow-origin'),
    ).toBeNull();
  });

  it('refuses bad input with the field named, another namespace, and payloads it cannot decrypt', async () => {
    const badBody = await post('decode', { items: [] });
    expect(badBody.status).toBe(400);
    expect(badBody.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'payloads' });
    expect(badBody.body.errors.map((e: { field: string }) => e.field)).toEqual(['payloads', 'items']);
    const badData = await post('decode', {
      payloads: [{ metadata: { encoding: b64('json/plain') }, data: 'not base64!' }],
    });
    expect(badData.status).toBe(400);
    expect(badData.body).toMatchObject({ field: 'payloads[0].data' });
    const badMetadata = await post('encode', { payloads: [{ metadata: { encoding: 42 }, data: '' }] });
    expect(badMetadata.body).toMatchObject({ field: 'payloads[0].metadata.encoding' });
    const otherNamespace = await post(
      'decode',
      { payloads: [] },
      { 'x-api-key': tenant.apiKey, 'x-namespace': 'someone-else' },
    );
    expect(otherNamespace.status).toBe(400);
    expect(otherNamespace.body.message).toContain(
      `"someone-else" is not the namespace this deployment's keys belong to (${NAMESPACE})`,
    );

    const [encrypted] = (
      await post('encode', { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"x"') }] })
    ).body.payloads as JsonPayload[];
    const tampered = Buffer.from(encrypted!.data, 'base64');
    tampered[tampered.length - 1]! ^= 1;
    const altered = await post('decode', {
      payloads: [encrypted, { ...encrypted, data: tampered.toString('base64') }],
    });
    expect(altered.status).toBe(422);
    expect(altered.body).toMatchObject({ code: 'PAYLOAD_NOT_DECRYPTABLE', field: 'payloads[1]' });
    expect(altered.body.message).toContain('failed authentication with key "current"');
    const unknownKey = await post('decode', {
      payloads: [{ ...encrypted, metadata: { ...encrypted!.metadata, 'encryption-key-id': b64('retired-2025') } }],
    });
    expect(unknownKey.status).toBe(422);
    expect(unknownKey.body.message).toContain(
      'key "retired-2025", which TEMPORAL_PAYLOAD_KEYS does not hold (it holds: current, previous)',
    );
  });

  it('lets the Temporal CLI show the history decoded through --codec-endpoint (and only through it)', async () => {
    const cli = (await run('bash', [join(__dirname, '../../scripts/ensure-temporal-cli.sh')])).stdout.trim();
    const show = (...codec: string[]) =>
      run(
        cli,
        [
          'workflow',
          'show',
          '--address',
          TestEnv.temporalAddress(),
          '--namespace',
          NAMESPACE,
          '--workflow-id',
          conversation.workflowId,
          '--output',
          'json',
          ...codec,
        ],
        {
          maxBuffer: 16 * 1024 * 1024,
        },
      );
    /** The run's input as the CLI printed it (JSON output keeps payload data in base64). */
    const inputOf = (stdout: string): { encoding: string; data: string } => {
      const [payload] = JSON.parse(stdout).events[0].workflowExecutionStartedEventAttributes.input
        .payloads as JsonPayload[];
      return { encoding: unb64(payload!.metadata.encoding!), data: unb64(payload!.data) };
    };
    const decoded = inputOf(
      (await show('--codec-endpoint', `${h.apiUrl}/v1/codec`, '--codec-auth', `Bearer ${tenant.apiKey}`)).stdout,
    );
    expect(decoded.encoding).toBe('json/plain');
    expect(JSON.parse(decoded.data)).toMatchObject({
      message: { text: conversation.text, contact: { phone: conversation.phone } },
    });
    const asStored = inputOf((await show()).stdout);
    expect(asStored.encoding).toBe('binary/encrypted');
    expect(asStored.data).not.toContain(conversation.text);
  });
});
