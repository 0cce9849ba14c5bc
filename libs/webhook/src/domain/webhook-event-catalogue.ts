import { WebhookEventTypes } from './webhook.events';

/** One event type a subscription can receive: what it means and a `data` example. */
export interface WebhookEventTypeEntry {
  type: string;
  description: string;
  /** A realistic `data` object (the payload's `data` field). */
  exampleData: Record<string, unknown>;
}

const TENANT = '7d1f0c52-3a4b-4c5d-8e6f-0a1b2c3d4e5f';
const CONTACT = '0f8b6d7e-1c2a-4b3c-9d4e-5f6a7b8c9d0e';
const CHANNEL = '3c9a1f0e-5b7d-4e2a-9c8b-1d2e3f4a5b6c';
const SESSION = '5e4d3c2b-1a09-4f8e-b7d6-c5b4a3928170';
const MESSAGE = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const SUBSCRIPTION = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const AT = '2025-11-26T12:00:00.000Z';
const IMPORT = 'a7b8c9d0-e1f2-4a3b-8c4d-5e6f7a8b9c0d';

const contact = {
  id: CONTACT,
  phone: '5511999990000',
  whatsappId: '5511999990000@c.us',
  name: 'Ana',
  profilePictureUrl: null,
  source: 'whatsapp',
};
const session = {
  id: SESSION,
  contactId: CONTACT,
  channelId: CHANNEL,
  status: 'active',
  startedAt: AT,
  lastActivityAt: AT,
  timeoutSeconds: 1800,
  warningLeadSeconds: 300,
  firstTouch: null,
};
const historyImport = {
  id: IMPORT,
  channelId: CHANNEL,
  workflowId: `history-import:${CHANNEL}`,
  status: 'completed',
  phase: 'completed',
  request: { days: 30, chatLimit: null, messagesPerChatLimit: null },
  range: { start: '2025-10-27T12:00:00.000Z', end: AT },
  chatsTotal: 120,
  chatsDone: 119,
  chatsFailed: 1,
  messagesImported: 15230,
  messagesDuplicate: 12,
  messagesSkipped: 40,
  contactsCreated: 97,
  sessionsCreated: 410,
  sessionsActive: 3,
  webhooksReplayed: 5,
  failedChats: [
    { chatId: '5511999990009@c.us', error: 'WAHA GET /api/{session}/chats/{chatId}/messages answered 500' },
  ],
  percent: 100,
  messagesPerSecond: 850.4,
  estimatedSecondsRemaining: 0,
  error: null,
  startedAt: '2025-11-26T11:59:42.000Z',
  completedAt: AT,
  source: 'stored',
};
const messageRefs = {
  id: MESSAGE,
  sessionId: SESSION,
  contactId: CONTACT,
  channelId: CHANNEL,
  externalId: 'false_5511999990000@c.us_AC4A1B2C3D',
};
const channel = {
  id: CHANNEL,
  name: 'Sales BR',
  type: 'waha',
  wahaBaseUrl: 'https://waha.example.com',
  wahaSession: 'default',
  hasWahaApiKey: true,
  allowGroups: false,
  sessionTimeoutSeconds: 1800,
  sessionWarningLeadSeconds: 300,
  sessionWarningText: 'Are you still there?',
  debounceWindowMs: null,
  inboundMode: null,
  wahaStatus: 'WORKING',
  wahaStatusAt: AT,
};

/**
 * Every event type a webhook subscription can receive, in catalogue order. The `data` of each type
 * is a public contract: fields are added, never renamed or removed. Subscriptions filter on these
 * names exactly, on `*`, or on a prefix pattern such as `session.*`.
 */
export const WEBHOOK_EVENT_CATALOGUE: readonly WebhookEventTypeEntry[] = [
  {
    type: 'contact.created',
    description: 'A contact was created (by the API, an import, or the first WhatsApp message from a new number).',
    exampleData: { ...contact, createdAt: AT },
  },
  {
    type: 'contact.updated',
    description:
      'A contact changed: the snapshot after the change, the names of the changed fields and their new values.',
    exampleData: {
      ...contact,
      name: 'Ana Maria',
      changedFields: ['name'],
      changes: { name: 'Ana Maria' },
      updatedAt: AT,
    },
  },
  {
    type: 'contact.deleted',
    description: 'A contact was deleted (soft delete): the snapshot at the time of deletion.',
    exampleData: { ...contact, deletedAt: AT },
  },
  {
    type: 'session.started',
    description:
      'A conversation session opened with a contact on a channel, with the time it ends unless there is more activity.',
    exampleData: { ...session, deadlineAt: '2025-11-26T12:30:00.000Z', warningAt: '2025-11-26T12:25:00.000Z' },
  },
  {
    type: 'session.timeout_warning',
    description: 'An idle session is about to end; the warning text was sent to the contact.',
    exampleData: {
      ...session,
      warnedAt: '2025-11-26T12:25:00.000Z',
      deadlineAt: '2025-11-26T12:30:00.000Z',
      secondsRemaining: 300,
    },
  },
  {
    type: 'session.ended',
    description:
      'A session ended, with the reason (inactivity, manual, saga_rollback, cleanup, import) and its summary.',
    exampleData: {
      ...session,
      status: 'ended',
      reason: 'inactivity',
      endedAt: '2025-11-26T12:30:00.000Z',
      summary: {
        messagesInbound: 3,
        messagesOutbound: 2,
        messagesTotal: 5,
        firstMessageAt: AT,
        lastMessageAt: '2025-11-26T12:05:00.000Z',
        durationSeconds: 1800,
        firstResponseSeconds: 42.5,
      },
    },
  },
  {
    type: 'message.created',
    description: 'A message was stored: inbound from the contact or outbound to it.',
    exampleData: {
      ...messageRefs,
      direction: 'inbound',
      type: 'text',
      text: 'Hi! Is this still available?',
      media: null,
      sentAt: AT,
      status: 'received',
    },
  },
  {
    type: 'message.status_changed',
    description: 'An outbound message moved forward (sent, delivered, read) as WhatsApp acknowledged it.',
    exampleData: { ...messageRefs, direction: 'outbound', from: 'sent', to: 'read', ackLevel: 3, changedAt: AT },
  },
  {
    type: 'message.revoked',
    description: 'The sender deleted a message for everyone.',
    exampleData: { ...messageRefs, previousStatus: 'received', revokedAt: AT },
  },
  {
    type: 'message.reaction_added',
    description: 'Someone reacted to a message with an emoji.',
    exampleData: {
      ...messageRefs,
      reactor: '5511999990000@c.us',
      emoji: '👍',
      previousEmoji: null,
      reactionExternalId: 'false_5511999990000@c.us_BB12',
      reactedAt: AT,
    },
  },
  {
    type: 'message.reaction_removed',
    description: 'Someone removed their reaction from a message (emoji is the empty string).',
    exampleData: {
      ...messageRefs,
      reactor: '5511999990000@c.us',
      emoji: '',
      previousEmoji: '👍',
      reactionExternalId: 'false_5511999990000@c.us_BB13',
      reactedAt: AT,
    },
  },
  {
    type: 'message.deleted',
    description: 'A stored message was removed again to compensate a failed inbound saga.',
    exampleData: { ...messageRefs, reason: 'saga_rollback', deletedAt: AT },
  },
  {
    type: 'message.imported',
    description:
      'A history import stored the messages of one chat: one summary per chat instead of one message.created per message (an import ' +
      'brings hundreds of thousands of old messages; consumers read them through GET /v1/messages when they want them).',
    exampleData: {
      importId: IMPORT,
      channelId: CHANNEL,
      chatId: '5511999990000@c.us',
      chatName: 'Ana',
      group: false,
      chatStatus: 'done',
      messagesImported: 128,
      duplicatesSkipped: 3,
      itemsSkipped: 1,
      contactsCreated: 1,
      firstMessageAt: '2025-10-01T09:12:00.000Z',
      lastMessageAt: AT,
    },
  },
  {
    type: 'message.group.completed',
    description: 'A burst of inbound messages closed its debounce window and is handled as one group.',
    exampleData: {
      groupId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
      sessionId: SESSION,
      channelId: CHANNEL,
      messageIds: [MESSAGE],
      count: 1,
      firstMessageAt: AT,
      lastMessageAt: AT,
      completedAt: '2025-11-26T12:00:02.000Z',
    },
  },
  {
    type: 'tracking.ad_conversion',
    description: 'A conversation started from a click-to-WhatsApp ad; the referral as WhatsApp reported it.',
    exampleData: {
      id: 'd4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f7a',
      messageId: MESSAGE,
      contactId: CONTACT,
      sessionId: SESSION,
      channelId: CHANNEL,
      sourceType: 'ad',
      sourceId: '120210000000000000',
      sourceUrl: 'https://fb.me/abc123',
      ctwaClid: 'ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a1x',
      title: 'Summer sale',
      body: 'Talk to us on WhatsApp',
      entryPoint: 'ctwa_ad',
      createdAt: AT,
    },
  },
  {
    type: 'channel.created',
    description: 'A WhatsApp channel (WAHA session) was connected. Never carries secrets.',
    exampleData: { ...channel, wahaStatus: null, wahaStatusAt: null, createdAt: AT },
  },
  {
    type: 'channel.updated',
    description: 'A channel changed (settings, secrets by name only, or the WAHA session status).',
    exampleData: {
      ...channel,
      changedFields: ['wahaStatus'],
      changes: { wahaStatus: 'WORKING', wahaStatusAt: AT },
      updatedAt: AT,
    },
  },
  {
    type: 'history_import.started',
    description: "A history import of the channel started; the channel's live webhooks are buffered until it ends.",
    exampleData: {
      ...historyImport,
      status: 'running',
      phase: 'starting',
      chatsTotal: 0,
      chatsDone: 0,
      chatsFailed: 0,
      messagesImported: 0,
      messagesDuplicate: 0,
      messagesSkipped: 0,
      contactsCreated: 0,
      sessionsCreated: 0,
      sessionsActive: 0,
      webhooksReplayed: 0,
      failedChats: [],
      percent: 0,
      messagesPerSecond: null,
      estimatedSecondsRemaining: null,
      range: { start: null, end: null },
      completedAt: null,
    },
  },
  {
    type: 'history_import.completed',
    description:
      'A history import ended: its counts, the chats that failed (they do not fail the import) and the sessions it made.',
    exampleData: historyImport,
  },
  {
    type: 'history_import.failed',
    description:
      'A history import could not finish (for example WAHA refused the chat list); what it imported is kept and consolidated.',
    exampleData: {
      ...historyImport,
      status: 'failed',
      phase: 'failed',
      error: 'WAHA GET /api/{session}/chats answered 401: Unauthorized',
    },
  },
  {
    type: 'history_import.cancelled',
    description:
      'A history import was cancelled; the chats it finished are kept and consolidated, the others kept their cursor.',
    exampleData: { ...historyImport, status: 'cancelled', phase: 'cancelled', percent: 40 },
  },
  {
    type: 'saga.compensated',
    description:
      'Processing of an inbound message failed midway and its completed steps were undone (`compensated`); a contact or session another message had adopted meanwhile is kept (`kept`).',
    exampleData: {
      saga: 'ProcessInboundMessageSaga',
      sagaId: `inbound:${CHANNEL}:q3Jc0Xh2m1PzR8vB4sTaLw`,
      compensated: ['deleteMessage'],
      kept: ['closeSession', 'deleteContact'],
      reason: 'session store unavailable',
    },
  },
  {
    type: WebhookEventTypes.test,
    description:
      'Sent on request (POST /v1/webhook-subscriptions/{id}/test) to that subscription only, to check the endpoint and its signature verification.',
    exampleData: { subscriptionId: SUBSCRIPTION, message: 'This is a test event.' },
  },
  {
    type: WebhookEventTypes.deliveryFailed,
    description:
      'An event could not be delivered to a subscription after all its attempts. Sent to the other subscriptions only.',
    exampleData: {
      subscriptionId: SUBSCRIPTION,
      deliveryId: 'e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b',
      eventId: 'f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f7a8b9c',
      eventType: 'message.created',
      attempts: 8,
      reason: 'endpoint answered 503',
    },
  },
  {
    type: WebhookEventTypes.subscriptionDisabled,
    description:
      'A subscription was disabled: its endpoint answered 410 Gone, or too many deliveries in a row failed. Sent to the other subscriptions only.',
    exampleData: {
      subscriptionId: SUBSCRIPTION,
      reason: '5 consecutive deliveries failed; last: endpoint answered 503',
      consecutiveFailures: 5,
    },
  },
];

/** The names of all catalogued event types. */
export const WEBHOOK_EVENT_TYPES: readonly string[] = WEBHOOK_EVENT_CATALOGUE.map((entry) => entry.type);

/** The example tenant id used in catalogue payloads. */
export const WEBHOOK_EXAMPLE_TENANT_ID = TENANT;
