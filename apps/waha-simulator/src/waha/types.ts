/** WAHA 2026.7.1 wire shapes as the GOWS engine produces them (see shared/reference/waha-api.md §2-§3). */

export const WAHA_VERSION = '2026.7.1';
export const WAHA_ENGINE = 'GOWS';

export const SESSION_STATUSES = [
  'STOPPED',
  'STARTING',
  'SCAN_QR_CODE',
  'PASSKEY_REQUIRED',
  'PASSKEY_CONFIRMATION_REQUIRED',
  'WORKING',
  'FAILED',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** WAHA ack numbers and their names (§3.4). */
export const ACK_NAMES = { [-1]: 'ERROR', 0: 'PENDING', 1: 'SERVER', 2: 'DEVICE', 3: 'READ', 4: 'PLAYED' } as const;
export type Ack = -1 | 0 | 1 | 2 | 3 | 4;
export type AckName = (typeof ACK_NAMES)[Ack];
export const ACK_BY_NAME: Record<AckName, Ack> = { ERROR: -1, PENDING: 0, SERVER: 1, DEVICE: 2, READ: 3, PLAYED: 4 };

export function isAck(value: unknown): value is Ack {
  return typeof value === 'number' && Number.isInteger(value) && value >= -1 && value <= 4;
}

export function ackName(ack: Ack): AckName {
  return ACK_NAMES[ack];
}

export interface MeInfo {
  id: string;
  pushName: string;
  lid: string;
  jid: string;
}

export interface WahaEnvironment {
  version: string;
  engine: string;
  tier: string;
  browser: string | null;
  platform: string;
  worker: { id: string | null };
}

export const WAHA_ENVIRONMENT: WahaEnvironment = {
  version: WAHA_VERSION,
  engine: WAHA_ENGINE,
  tier: 'CORE',
  browser: null,
  platform: 'linux/x64',
  worker: { id: null },
};

export interface WAMedia {
  url: string | null;
  mimetype: string;
  filename: string | null;
  error: unknown;
}

export interface WAReplyTo {
  id: string;
  participant: string | null;
  body: string | null;
  hasMedia: boolean;
}

/** `_data` of a GOWS message: whatsmeow's `events.Message` as JSON. */
export interface GowsMessageData {
  Info: Record<string, unknown>;
  Message: Record<string, unknown>;
  Status: number;
}

export interface WAMessage {
  id: string;
  timestamp: number;
  from: string;
  fromMe: boolean;
  source: 'api' | 'app';
  body: string | null;
  to: string | null;
  participant: string | null;
  hasMedia: boolean;
  media: WAMedia | null;
  ack: Ack;
  ackName: AckName;
  vCards: string[];
  replyTo: WAReplyTo | null;
  _data: GowsMessageData;
}

export interface GowsChat {
  id: string;
  name: string | null;
  conversationTimestamp: number;
}

export interface ChatSummary {
  id: string;
  name: string | null;
  picture: string | null;
  lastMessage: WAMessage | null;
  _chat: GowsChat;
}

export interface WAMessageAckBody {
  id: string;
  from: string;
  to: string | null;
  participant: string | null;
  fromMe: boolean;
  ack: Ack;
  ackName: AckName;
  _data: Record<string, unknown>;
}

export interface WAMessageReaction {
  id: string;
  timestamp: number;
  from: string;
  fromMe: boolean;
  source: 'api' | 'app';
  to: string | null;
  participant: string | null;
  reaction: { text: string; messageId: string };
}

export interface WAMessageRevokedBody {
  after: WAMessage;
  before: WAMessage | null;
  revokedMessageId: string;
  _data: GowsMessageData;
}

export interface SessionStatusEntry {
  status: SessionStatus;
  timestamp: number;
}

export interface SessionStatusBody {
  name: string;
  status: SessionStatus;
  statuses: SessionStatusEntry[];
  data: null;
}

export interface WebhookConfigView {
  url: string;
  events: string[];
  hmac: { key: string } | null;
  retries: { policy: 'constant'; delaySeconds: number; attempts: number };
  customHeaders: null;
}

export interface SessionInfo {
  name: string;
  status: SessionStatus;
  config: {
    metadata: Record<string, string> | null;
    proxy: null;
    debug: boolean;
    ignore: { status: boolean; groups: boolean; channels: boolean; broadcast: boolean };
    webhooks: WebhookConfigView[];
  };
  me: MeInfo | null;
  engine?: { engine: string };
  presence: null;
  timestamps: { activity: number | null };
}

/** The webhook envelope (`WAHAWebhook`, §3.2). */
export interface WahaWebhookEnvelope<TPayload = unknown> {
  id: string;
  timestamp: number;
  event: string;
  session: string;
  metadata?: Record<string, string>;
  me?: MeInfo;
  payload: TPayload;
  engine: string;
  environment: WahaEnvironment;
}
