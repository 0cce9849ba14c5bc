import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { SIMULATOR_SETTINGS, type SimulatorSettings, type WebhookTargetSettings } from '../simulator.config';
import { sessionNotFoundBody, sessionNotWorkingBody } from '../waha/errors';
import type { HistoryTruth } from '../waha/history-dataset';
import { lidForPhone, parseMessageId } from '../waha/ids';
import { extensionFor } from '../waha/media';
import { compareStoredMessages, type StoredMessageRef } from '../waha/queries';
import { RequestStats } from '../waha/request-stats';
import type { GowsChat, MeInfo, SessionStatus, SessionStatusEntry, WAMessage } from '../waha/types';

export interface StoredMedia {
  mimetype: string;
  bytes: Buffer;
  /** Documents: served as `media.filename`. */
  filename?: string | null;
}

export interface StoredMessage extends StoredMessageRef {
  chatId: string;
  rawId: string;
  /** Kept with `media.url: null`; the URL is filled when the message is served with media. */
  message: WAMessage;
  media: StoredMedia | null;
}

/**
 * A stored message whose WAMessage is built on first read (then kept, so acks and edits stick):
 * loading 100,000 history messages stores these, and only the pages an import reads pay for their
 * payloads (building them all up front took most of a 2-second budget).
 */
class LazyStoredMessage<TSpec> implements StoredMessage {
  private built: WAMessage | null = null;

  constructor(
    readonly seq: number,
    readonly chatId: string,
    readonly rawId: string,
    readonly timestamp: number,
    readonly media: StoredMedia | null,
    // A spec plus a builder shared by the chat, rather than a closure per message.
    private readonly spec: TSpec,
    private readonly build: (spec: TSpec) => WAMessage,
  ) {}

  get message(): WAMessage {
    this.built ??= this.build(this.spec);
    return this.built;
  }
}

/** The second copy of a stored message (addTwin): its own place in the order, the original's message. */
class TwinStoredMessage implements StoredMessage {
  constructor(
    readonly seq: number,
    private readonly original: StoredMessage,
  ) {}

  get chatId(): string {
    return this.original.chatId;
  }

  get rawId(): string {
    return this.original.rawId;
  }

  get timestamp(): number {
    return this.original.timestamp;
  }

  get media(): StoredMedia | null {
    return this.original.media;
  }

  get message(): WAMessage {
    return this.original.message;
  }
}

/** What the store needs to know of a message without building it (addLazyMessage). */
export interface LazyMessageEntry<TSpec> {
  /** The id WAHA serves (the full id, or the bare raw id). */
  id: string;
  rawId: string;
  timestamp: number;
  media: StoredMedia | null;
  spec: TSpec;
  /** Builds the WAMessage from `spec` (once, on first read). */
  build: (spec: TSpec) => WAMessage;
}

export interface ChatRecord {
  id: string;
  name: string | null;
  picture: string | null;
  /** Chat time when it has no messages (seconds). */
  createdAt: number;
  /** Arrival order. A message stored twice (see addTwin) appears twice. */
  messages: StoredMessage[];
  /** `messages` by timestamp, then arrival (oldest first); built on first read after a change, so a
   *  history page costs a slice, not a sort. */
  sorted: StoredMessage[] | null;
}

export interface SentRecord {
  id: string;
  session: string;
  chatId: string;
  text: string;
  replyTo: string | null;
  /** Unix seconds of the message. */
  timestamp: number;
  /** The request body as received. */
  request: Record<string, unknown>;
}

export interface FaultSettings {
  latencyMs: number;
  /** 0..1: share of matching /api requests answered 500 (engine error body). */
  errorRate: number;
  /** 0..1: share of matching /api requests answered 429. */
  status429Rate: number;
  retryAfterSeconds: number;
  /** Path prefixes (e.g. `/api/sendText`); empty = every /api path. */
  onlyPaths: string[];
  /** Status of the injected errors: 500 (engine error), 404 (session gone, e.g. logged out), 422 (not WORKING). */
  errorStatus: 500 | 404 | 422;
  /** The request takes effect first; then the latency and the error replace its answer (WAHA that
   *  sent the message and then failed, or hangs). */
  afterHandling: boolean;
  /** sendText assigns its own message id, ignoring the pre-generated `id` (engines that do not take it). */
  ignoreMessageIds: boolean;
  /** Exactly the next `count` matching requests fail, then the API recovers (deterministic, unlike the rates). */
  failNext: FailNextSettings | null;
}

export const FAIL_NEXT_STATUSES = [429, 500, 502, 503, 404, 422] as const;
export type FailNextStatus = (typeof FAIL_NEXT_STATUSES)[number];

export interface FailNextSettings {
  /** As asked. */
  count: number;
  /** Still to fail; counts down as matching requests arrive. */
  remaining: number;
  /** 429 (with Retry-After), 500 (engine error), 502/503 (a proxy's HTML page), 404/422 (as errorStatus). */
  status: FailNextStatus;
  /** Retry-After of a 429 (default: the settings' retryAfterSeconds); a 503 carries it only when set. */
  retryAfterSeconds: number | null;
  /** Path patterns (see matchesPathPattern); default the settings' onlyPaths. */
  onlyPaths: string[];
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  status429Rate: 0,
  retryAfterSeconds: 1,
  onlyPaths: [],
  errorStatus: 500,
  afterHandling: false,
  ignoreMessageIds: false,
  failNext: null,
};

/**
 * A copy of a stored message that later changes cannot reach (a webhook retried later, an answer held
 * back by injected latency). Acks and edits only assign fields of the message, of `_data` and of
 * `_data.Message` (an edit replaces `extendedTextMessage` with a new object, never changes it), so
 * copying down to there is enough; structuredClone made a 200-message page cost over a millisecond.
 */
function snapshotOf(message: WAMessage): WAMessage {
  const data = message._data;
  return {
    ...message,
    media: message.media ? { ...message.media } : null,
    vCards: [...message.vCards],
    replyTo: message.replyTo ? { ...message.replyTo } : null,
    _data: { ...data, Info: { ...data.Info }, Message: { ...data.Message } },
  };
}

interface StoredFile extends StoredMedia {
  expiresAt: number | null;
}

/** Everything the simulator knows, in memory: one session, its chats and messages, media files, sends, faults. */
@Injectable()
export class SimulatorState {
  readonly me: MeInfo;
  baseUrl: string;
  webhook!: WebhookTargetSettings;
  faults: FaultSettings = { ...NO_FAULTS };
  /** Answered /api requests (`GET /_sim/requests`). */
  readonly requests = new RequestStats();
  /** Ground truth of the loaded history data set; null when none is loaded. */
  historyTruth: HistoryTruth | null = null;

  private status: SessionStatus = 'WORKING';
  private statuses: SessionStatusEntry[] = [];
  private activity: number | null = null;
  private readonly chats = new Map<string, ChatRecord>();
  private readonly byId = new Map<string, StoredMessage>();
  private readonly files = new Map<string, StoredFile>();
  private sentLog: SentRecord[] = [];
  private seq = 0;
  /** Every chat's messages in one timeline (`chatId=all`), built on first read after a change. */
  private allSorted: StoredMessage[] | null = null;

  constructor(@Inject(SIMULATOR_SETTINGS) readonly settings: SimulatorSettings) {
    this.me = {
      id: `${settings.mePhone}@c.us`,
      pushName: settings.mePushName,
      lid: lidForPhone(settings.mePhone),
      jid: `${settings.mePhone}:12@s.whatsapp.net`,
    };
    this.baseUrl = settings.baseUrl ?? `http://127.0.0.1:${settings.port}`;
    this.clear();
  }

  /** Back to the state at start: empty store, session WORKING, configured webhook target, no faults. */
  clear(): void {
    this.clearMessages();
    this.sentLog = [];
    this.faults = { ...NO_FAULTS };
    this.requests.clear();
    this.webhook = { ...this.settings.webhook, events: [...this.settings.webhook.events] };
    const now = Date.now();
    this.status = 'WORKING';
    this.statuses = [
      { status: 'STOPPED', timestamp: now - 2 },
      { status: 'STARTING', timestamp: now - 1 },
      { status: 'WORKING', timestamp: now },
    ];
    this.activity = now;
  }

  get sessionName(): string {
    return this.settings.session;
  }

  get sessionStatus(): SessionStatus {
    return this.status;
  }

  /** The last 3 status changes (ms timestamps), as `session.status` carries them. */
  get recentStatuses(): SessionStatusEntry[] {
    return this.statuses.slice(-3);
  }

  get activityTimestamp(): number | null {
    return this.activity;
  }

  /** `me` is known only while the session is authenticated. */
  get authenticatedMe(): MeInfo | null {
    return this.status === 'WORKING' ? this.me : null;
  }

  setStatus(status: SessionStatus): void {
    this.status = status;
    this.statuses.push({ status, timestamp: Date.now() });
    if (this.statuses.length > 10) this.statuses = this.statuses.slice(-10);
  }

  touchActivity(): void {
    this.activity = Date.now();
  }

  /** 404 with WAHA's body when `name` is not the simulated session. */
  requireSession(name: string): void {
    if (name !== this.settings.session) throw new HttpException(sessionNotFoundBody(name), HttpStatus.NOT_FOUND);
  }

  /** 404 for an unknown session, 422 with WAHA's body while it is not WORKING. */
  requireWorking(name: string): void {
    this.requireSession(name);
    if (this.status !== 'WORKING')
      throw new HttpException(sessionNotWorkingBody(name, this.status), HttpStatus.UNPROCESSABLE_ENTITY);
  }

  // ---- chats and messages ----

  nextSeq(): number {
    return ++this.seq;
  }

  chat(chatId: string): ChatRecord | undefined {
    return this.chats.get(chatId);
  }

  /** The chat, created when new; a non-empty `name` replaces the known one. */
  ensureChat(
    chatId: string,
    name: string | null = null,
    createdAt: number = Math.floor(Date.now() / 1000),
  ): ChatRecord {
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = { id: chatId, name, picture: null, createdAt, messages: [], sorted: null };
      this.chats.set(chatId, chat);
    } else if (name) {
      chat.name = name;
    }
    return chat;
  }

  /** Every chat and message and media file goes; the session, sends, webhook and faults stay. */
  clearMessages(): void {
    this.chats.clear();
    this.byId.clear();
    this.files.clear();
    this.allSorted = null;
    this.historyTruth = null;
  }

  allChats(): ChatRecord[] {
    return [...this.chats.values()];
  }

  gowsChat(chat: ChatRecord): GowsChat {
    const latest = this.latestMessageOf(chat);
    return { id: chat.id, name: chat.name, conversationTimestamp: latest?.timestamp ?? chat.createdAt };
  }

  /** The newest message of a chat (timestamp, then arrival). */
  latestMessageOf(chat: ChatRecord): StoredMessage | undefined {
    const sorted = this.sortedOf(chat);
    return sorted[sorted.length - 1];
  }

  /** Stores (or replaces, same id) a message in its chat. */
  addMessage(chatId: string, message: WAMessage, media: StoredMedia | null = null): StoredMessage {
    const chat = this.ensureChat(chatId);
    const rawId = String(message._data.Info.ID);
    const existing = this.byId.get(message.id);
    // The stored copy never holds a media URL (render publishes one); copied only when it does, as
    // loading a data set stores 100,000 fresh messages that hold none.
    const kept = message.media?.url ? { ...message, media: { ...message.media, url: null } } : message;
    const stored: StoredMessage = {
      seq: existing?.seq ?? this.nextSeq(),
      chatId,
      rawId,
      timestamp: message.timestamp,
      message: kept,
      media,
    };
    if (existing) {
      // Its twins (addTwin) are the same message too.
      chat.messages = chat.messages.map((m) =>
        m === existing ? stored : m.message.id === message.id ? { ...stored, seq: m.seq } : m,
      );
    } else {
      chat.messages.push(stored);
    }
    this.byId.set(message.id, stored);
    this.changed(chat);
    return stored;
  }

  /**
   * Stores a message known to be new (loading a data set into a cleared store: no lookup by id)
   * whose WAMessage is built when first read.
   */
  addLazyMessage<TSpec>(chat: ChatRecord, entry: LazyMessageEntry<TSpec>): StoredMessage {
    const stored = new LazyStoredMessage(
      this.nextSeq(),
      chat.id,
      entry.rawId,
      entry.timestamp,
      entry.media,
      entry.spec,
      entry.build,
    );
    chat.messages.push(stored);
    this.byId.set(entry.id, stored);
    this.changed(chat);
    return stored;
  }

  /**
   * Stores `original` a second time in its chat, like the `@lid` twin WAHA's merge returns: the
   * messages endpoint serves both (ordered by their own arrival), lookups by id find the first, and
   * both share one message object, so an ack or edit shows on both.
   */
  addTwin(original: StoredMessage): StoredMessage {
    const chat = this.ensureChat(original.chatId);
    const twin = new TwinStoredMessage(this.nextSeq(), original);
    chat.messages.push(twin);
    this.changed(chat);
    return twin;
  }

  private changed(chat: ChatRecord): void {
    chat.sorted = null;
    this.allSorted = null;
  }

  private sortedOf(chat: ChatRecord): StoredMessage[] {
    chat.sorted ??= chat.messages.slice().sort(compareStoredMessages);
    return chat.sorted;
  }

  /** By full id (`{fromMe}_{chat}_{raw}[_{participant}]`) or, within `chatId` (or any chat), by bare raw id. */
  findMessage(messageId: string, chatId?: string): StoredMessage | undefined {
    const direct = this.byId.get(messageId);
    if (direct) return !chatId || direct.chatId === chatId ? direct : undefined;
    const parsed = parseMessageId(messageId);
    const rawId = parsed?.rawId ?? messageId;
    const scope = chatId
      ? [this.chats.get(chatId)].filter((c): c is ChatRecord => Boolean(c))
      : [...this.chats.values()];
    for (const chat of scope) {
      const found = chat.messages.find((m) => m.rawId === rawId && (!parsed || m.chatId === parsed.chatId));
      if (found) return found;
    }
    return undefined;
  }

  /** Removes the message (and its twins). */
  removeMessage(stored: StoredMessage): void {
    const chat = this.chats.get(stored.chatId);
    if (chat) {
      chat.messages = chat.messages.filter((m) => m.message.id !== stored.message.id);
      this.changed(chat);
    }
    this.byId.delete(stored.message.id);
  }

  /** Arrival order. */
  messagesOf(chatId: string): StoredMessage[] {
    return this.chats.get(chatId)?.messages ?? [];
  }

  /** By timestamp, then arrival (oldest first); do not modify. */
  sortedMessagesOf(chatId: string): readonly StoredMessage[] {
    const chat = this.chats.get(chatId);
    return chat ? this.sortedOf(chat) : [];
  }

  /** Every chat's messages by timestamp, then arrival (oldest first); do not modify. */
  allSortedMessages(): readonly StoredMessage[] {
    this.allSorted ??= [...this.chats.values()].flatMap((c) => c.messages).sort(compareStoredMessages);
    return this.allSorted;
  }

  /** Distinct messages (a twin counts once). */
  get messageCount(): number {
    return this.byId.size;
  }

  // ---- media ----

  fileNameOf(stored: StoredMessage): string | null {
    return stored.media ? `${stored.rawId}.${extensionFor(stored.media.mimetype)}` : null;
  }

  mediaUrl(fileName: string): string {
    return `${this.baseUrl}/api/files/${this.settings.session}/${fileName}`;
  }

  /** The message as WAHA serves it: with `downloadMedia` the file is (re)published and `media.url` set, else `media: null`. */
  render(stored: StoredMessage, downloadMedia: boolean): WAMessage {
    const message = snapshotOf(stored.message);
    if (!message.hasMedia || !stored.media) return message;
    if (!downloadMedia) return { ...message, media: null };
    const fileName = this.fileNameOf(stored) as string;
    const lifetime = this.settings.filesLifetimeSeconds;
    this.files.set(fileName, { ...stored.media, expiresAt: lifetime > 0 ? Date.now() + lifetime * 1000 : null });
    return {
      ...message,
      media: {
        url: this.mediaUrl(fileName),
        mimetype: stored.media.mimetype,
        filename: stored.media.filename ?? null,
        error: null,
      },
    };
  }

  file(fileName: string): StoredMedia | undefined {
    const file = this.files.get(fileName);
    if (!file) return undefined;
    if (file.expiresAt !== null && file.expiresAt <= Date.now()) {
      this.files.delete(fileName);
      return undefined;
    }
    return file;
  }

  // ---- sends ----

  recordSent(record: SentRecord): void {
    this.sentLog.push(record);
  }

  get sent(): readonly SentRecord[] {
    return this.sentLog;
  }
}
