import { randomBytes, randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { parseWahaEvent } from '@app/inbound';
import {
  inboundMessageWorkflowId,
  parsePayloadKeys,
  type ProcessInboundMessageResult,
  sessionStateQuery,
  sessionWorkflowId,
  TaskQueues,
  TemporalClientProvider,
  temporalDataConverter,
} from '@app/workflows';
import { freshWahaFixture, type FixtureJson } from '../../fixtures/waha';
import { ConversationHarness, type HarnessChannel } from '../../support/conversation-harness';
import { historyBytes, metadataText, payloadsOf, rawHistory, type RawHistory } from '../../support/raw-history';
import { TestEnv } from '../../support/test-env';

const NAMESPACE = 'crm-codec';
const CURRENT_KEY = `kid-2026-12:${randomBytes(32).toString('base64')}`;
const OLD_KEY = `kid-2026-06:${randomBytes(32).toString('base64')}`;

/**
 * Payload encryption end to end on the real dev server and PostgreSQL: the API starts the real inbound
 * saga, the real worker (every task queue, real activities) runs it and the session lifecycle it
 * opens, all with TEMPORAL_PAYLOAD_KEYS set. The histories are read raw from the server's gRPC service.
 */
describe('Temporal payload encryption (real dev server, real worker and activities)', () => {
  let h: ConversationHarness;
  let tenant: { tenantId: string; apiKey: string };
  let channel: HarnessChannel;
  let plainConnection: Connection;
  /** A client without the codec, as a process without keys (or a run from before encryption) is. */
  let plainClient: Client;
  let phones = 0;

  beforeAll(async () => {
    h = await ConversationHarness.start(NAMESPACE, { TEMPORAL_PAYLOAD_KEYS: `${CURRENT_KEY},${OLD_KEY}` });
    tenant = await h.createTenant();
    channel = await h.createChannel(tenant.apiKey);
    plainConnection = await Connection.connect({ address: TestEnv.temporalAddress() });
    plainClient = new Client({ connection: plainConnection, namespace: NAMESPACE });
  });
  afterAll(async () => {
    await plainConnection?.close();
    await h?.close();
  });

  /** A WAHA message from a number no other case uses, with a text found nowhere else. */
  const inbound = (): { phone: string; text: string; body: FixtureJson } => {
    const phone = `55219770${String((phones += 1)).padStart(5, '0')}`;
    const text = `Meu pedido ${randomUUID()} chegou quebrado`;
    const body = freshWahaFixture('webhook-message-text', {
      rawId: `AC${randomUUID().replace(/-/g, '').toUpperCase()}`,
    });
    body.payload.id = (body.payload.id as string).replace('5511999990001', phone);
    body.payload.from = `${phone}@c.us`;
    body.payload.body = text;
    body.payload._data.Info.Chat = `${phone}@s.whatsapp.net`;
    body.payload._data.Info.Sender = `${phone}@s.whatsapp.net`;
    body.payload._data.Message.conversation = text;
    return { phone, text, body };
  };

  /** The payloads the data converter wrote (all that workflow code, activities and clients pass), and
   *  the SDK core's own bookkeeping, written without it: patch markers, the TemporalChangeVersion search
   *  attribute (search attributes never go through a codec: the server indexes them) and the local
   *  activity markers' `data` (sequence number, attempt, activity type and times; their result is converted). */
  const payloadsByWriter = (history: RawHistory) => {
    const sdkOwnedParts = (e: NonNullable<RawHistory['events']>[number]): unknown[] => {
      const marker = e.markerRecordedEventAttributes;
      if (marker?.markerName === 'core_patch' || e.upsertWorkflowSearchAttributesEventAttributes) return [e];
      if (marker?.markerName === 'core_local_activity') return [marker.details?.data];
      return [];
    };
    const sdkOwned = history.events!.flatMap((e) => sdkOwnedParts(e).flatMap((part) => payloadsOf(part)));
    return { converted: payloadsOf(history).filter((p) => !sdkOwned.includes(p)), sdkOwned };
  };

  const contains = (payload: { data?: Uint8Array | null }, needle: string) =>
    Buffer.from(payload.data ?? []).includes(needle);

  it('encrypts every payload of the saga and of the lifecycle workflow it starts; results and queries still decode', async () => {
    const { phone, text, body } = inbound();
    const accepted = await h.postWebhook(channel, body);
    expect(accepted.status).toBe(202);
    const workflowId = accepted.body.workflowId as string;
    const result = (await h.workflowResult(workflowId)) as ProcessInboundMessageResult;
    expect(result).toMatchObject({ contactCreated: true, sessionOpened: true, messageCreated: true });
    // The activities were given the decrypted message: the rows hold the plaintext.
    const [message] = await h.query(
      `SELECT m.text, c.phone FROM messages m JOIN contacts c ON c.id = m.contact_id WHERE m.id = $1`,
      [result.messageId],
    );
    expect(message).toEqual({ text, phone });

    const sagaHistory = await rawHistory(h.temporal, NAMESPACE, workflowId);
    const { converted, sdkOwned } = payloadsByWriter(sagaHistory);
    // The input, the steps' arguments and results, the result: all there, all encrypted with the current key.
    expect(sagaHistory.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads).toHaveLength(1);
    expect(converted.length).toBeGreaterThanOrEqual(6);
    for (const payload of converted) {
      expect({
        encoding: metadataText(payload, 'encoding'),
        keyId: metadataText(payload, 'encryption-key-id'),
      }).toEqual({
        encoding: 'binary/encrypted',
        keyId: 'kid-2026-12',
      });
      expect(contains(payload, phone)).toBe(false);
      expect(contains(payload, text)).toBe(false);
    }
    // The SDK's bookkeeping stays readable and holds none of it: exactly these shapes, nothing more.
    const shapeOf = (payload: (typeof sdkOwned)[number]) => {
      expect(contains(payload, phone) || contains(payload, text)).toBe(false);
      const value: unknown = JSON.parse(Buffer.from(payload.data!).toString());
      return Array.isArray(value)
        ? 'patch ids'
        : Object.keys(value as object)
            .sort()
            .join(',');
    };
    expect(new Set(sdkOwned.map(shapeOf))).toEqual(
      new Set([
        'deprecated,id',
        'patch ids',
        'activity_id,activity_type,attempt,backoff,complete_time,original_schedule_time,seq',
      ]),
    );

    // Nothing else in the stored history holds them either: not the workflow id, which is stored in
    // clear (no codec sees it) and hashes WAHA's message id because that id holds the sender's number.
    const started = sagaHistory.events![0]!.workflowExecutionStartedEventAttributes!;
    expect(started.workflowId).toBe(inboundMessageWorkflowId(channel.id, body.payload.id as string));
    expect(historyBytes(sagaHistory).includes(phone)).toBe(false);
    expect(historyBytes(sagaHistory).includes(text)).toBe(false);

    const lifecycle = h.temporal.workflow.getHandle(sessionWorkflowId(result.sessionId));
    const state = await lifecycle.query(sessionStateQuery);
    expect(state).toMatchObject({ sessionId: result.sessionId });
    const lifecyclePayloads = payloadsByWriter(
      await rawHistory(h.temporal, NAMESPACE, sessionWorkflowId(result.sessionId)),
    ).converted;
    expect(lifecyclePayloads.length).toBeGreaterThan(0);
    for (const payload of lifecyclePayloads) expect(metadataText(payload, 'encryption-key-id')).toBe('kid-2026-12');

    // Without the keys the result cannot be read, and the error says which key it needs.
    await expect(plainClient.workflow.getHandle(workflowId).result()).rejects.toThrow(/binary\/encrypted/);
    const otherKeys = new Client({
      connection: plainConnection,
      namespace: NAMESPACE,
      dataConverter: temporalDataConverter(parsePayloadKeys(`kid-x:${randomBytes(32).toString('base64')}`)),
    });
    await expect(otherKeys.workflow.getHandle(workflowId).result()).rejects.toThrow(
      'payload was encrypted with key "kid-2026-12", which TEMPORAL_PAYLOAD_KEYS does not hold (it holds: kid-x)',
    );
  });

  it('runs a saga whose input was written in plaintext (started before the keys were set): decoding passes it through', async () => {
    const { phone, text, body } = inbound();
    const event = parseWahaEvent(body);
    if (event.kind !== 'message') throw new Error('fixture is not a message');
    const workflowId = inboundMessageWorkflowId(channel.id, event.message.externalId);
    await plainClient.workflow.start('ProcessInboundMessageSaga', {
      taskQueue: TaskQueues.inbound,
      workflowId,
      args: [{ tenantId: tenant.tenantId, channelId: channel.id, message: event.message }],
    });
    const result = (await h.workflowResult(workflowId)) as ProcessInboundMessageResult;
    expect(result).toMatchObject({ contactCreated: true, messageCreated: true });
    expect((await h.query(`SELECT text FROM messages WHERE id = $1`, [result.messageId]))[0].text).toBe(text);

    const history: RawHistory = await rawHistory(h.temporal, NAMESPACE, workflowId);
    const [input, ...written] = payloadsByWriter(history).converted;
    // The old plaintext input (the byte search does see plaintext where there is some) ...
    expect(metadataText(input!, 'encoding')).toBe('json/plain');
    expect(contains(input!, phone) && contains(input!, text)).toBe(true);
    // ... and everything the worker wrote since is encrypted.
    expect(written.length).toBeGreaterThanOrEqual(5);
    for (const payload of written) {
      expect(metadataText(payload, 'encryption-key-id')).toBe('kid-2026-12');
      expect(contains(payload, phone) || contains(payload, text)).toBe(false);
    }
  });

  it('decrypts payloads written with the old key after a rotation', async () => {
    const { body } = inbound();
    const event = parseWahaEvent(body);
    if (event.kind !== 'message') throw new Error('fixture is not a message');
    const workflowId = inboundMessageWorkflowId(channel.id, event.message.externalId);
    // A client still on the old key alone (an api pod not yet rolled) starts the run.
    const oldClient = new Client({
      connection: plainConnection,
      namespace: NAMESPACE,
      dataConverter: temporalDataConverter(parsePayloadKeys(OLD_KEY)),
    });
    await oldClient.workflow.start('ProcessInboundMessageSaga', {
      taskQueue: TaskQueues.inbound,
      workflowId,
      args: [{ tenantId: tenant.tenantId, channelId: channel.id, message: event.message }],
    });
    const result = (await h.workflowResult(workflowId)) as ProcessInboundMessageResult;
    expect(result).toMatchObject({ messageCreated: true });
    const keyIds = payloadsByWriter(await rawHistory(h.temporal, NAMESPACE, workflowId)).converted.map((p) =>
      metadataText(p, 'encryption-key-id'),
    );
    expect(keyIds[0]).toBe('kid-2026-06');
    expect(new Set(keyIds.slice(1))).toEqual(new Set(['kid-2026-12']));
  });

  it('replays an encrypted history with the codec (and cannot without the keys)', async () => {
    const { body } = inbound();
    const accepted = await h.postWebhook(channel, body);
    const workflowId = accepted.body.workflowId as string;
    await h.workflowResult(workflowId);
    const history = await h.temporal.workflow.getHandle(workflowId).fetchHistory();
    const { dataConverter } = h.worker.get(TemporalClientProvider);
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: TestEnv.workflowBundlePath() }, dataConverter },
      history,
      `replay-${workflowId}`,
    );
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { codePath: TestEnv.workflowBundlePath() } },
        history,
        `replay-plain-${workflowId}`,
      ),
    ).rejects.toMatchObject({
      name: 'ReplayError',
      message: expect.stringContaining('Unknown encoding: binary/encrypted'),
    });
  });
});
