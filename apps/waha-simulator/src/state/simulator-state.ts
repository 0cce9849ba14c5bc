import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { SIMULATOR_SETTINGS, type SimulatorSettings, type WebhookTargetSettings } from '../simulator.config';
import { sessionNotFoundBody, sessionNotWorkingBody } from '../waha/errors';
import { lidForPhone, parseMessageId } from '../waha/ids';
import { extensionFor } from '../waha/media';
import { latestOf, type StoredMessageRef } from '../waha/queries';
import type { GowsChat, MeInfo, SessionStatus, SessionStatusEntry, WAMessage } from '../waha/types';

export interface StoredMedia {
  mimetype: string;
  bytes: Buffer;
}

export interface StoredMessage extends StoredMessageRef {
  chatId: string;
  rawId: string;
  /** Kept with `media.url: null`; the URL is filled when the message is served with media. */
  message: WAMessage;
  media: StoredMedia | null;
}

export interface ChatRecord {
  id: string;
  name: string | null;
  picture: string | null;
  /** Chat time when it has no messages (seconds). */
  createdAt: number;
  messages: StoredMessage[];
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
};

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

  private status: SessionStatus = 'WORKING';
  private statuses: SessionStatusEntry[] = [];
  private activity: number | null = null;
  private readonly chats = new Map<string, ChatRecord>();
  private readonly byId = new Map<string, StoredMessage>();
  private readonly files = new Map<string, StoredFile>();
  private sentLog: SentRecord[] = [];
  private seq = 0;

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
    this.chats.clear();
    this.byId.clear();
    this.files.clear();
    this.sentLog = [];
    this.faults = { ...NO_FAULTS };
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
    if (this.status !== 'WORKING') throw new HttpException(sessionNotWorkingBody(name, this.status), HttpStatus.UNPROCESSABLE_ENTITY);
  }

  // ---- chats and messages ----

  nextSeq(): number {
    return ++this.seq;
  }

  chat(chatId: string): ChatRecord | undefined {
    return this.chats.get(chatId);
  }

  /** The chat, created when new; a non-empty `name` replaces the known one. */
  ensureChat(chatId: string, name: string | null = null, createdAt: number = Math.floor(Date.now() / 1000)): ChatRecord {
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = { id: chatId, name, picture: null, createdAt, messages: [] };
      this.chats.set(chatId, chat);
    } else if (name) {
      chat.name = name;
    }
    return chat;
  }

  allChats(): ChatRecord[] {
    return [...this.chats.values()];
  }

  gowsChat(chat: ChatRecord): GowsChat {
    const latest = latestOf(chat.messages);
    return { id: chat.id, name: chat.name, conversationTimestamp: latest?.message.timestamp ?? chat.createdAt };
  }

  /** Stores (or replaces, same id) a message in its chat. */
  addMessage(chatId: string, message: WAMessage, media: StoredMedia | null = null): StoredMessage {
    const chat = this.ensureChat(chatId);
    const rawId = String(message._data.Info.ID);
    const existing = this.byId.get(message.id);
    const stored: StoredMessage = { seq: existing?.seq ?? this.nextSeq(), chatId, rawId, message: { ...message, media: message.media ? { ...message.media, url: null } : null }, media };
    if (existing) chat.messages[chat.messages.indexOf(existing)] = stored;
    else chat.messages.push(stored);
    this.byId.set(message.id, stored);
    return stored;
  }

  /** By full id (`{fromMe}_{chat}_{raw}[_{participant}]`) or, within `chatId` (or any chat), by bare raw id. */
  findMessage(messageId: string, chatId?: string): StoredMessage | undefined {
    const direct = this.byId.get(messageId);
    if (direct) return !chatId || direct.chatId === chatId ? direct : undefined;
    const parsed = parseMessageId(messageId);
    const rawId = parsed?.rawId ?? messageId;
    const scope = chatId ? [this.chats.get(chatId)].filter((c): c is ChatRecord => Boolean(c)) : [...this.chats.values()];
    for (const chat of scope) {
      const found = chat.messages.find((m) => m.rawId === rawId && (!parsed || m.chatId === parsed.chatId));
      if (found) return found;
    }
    return undefined;
  }

  removeMessage(stored: StoredMessage): void {
    const chat = this.chats.get(stored.chatId);
    if (chat) chat.messages = chat.messages.filter((m) => m !== stored);
    this.byId.delete(stored.message.id);
  }

  messagesOf(chatId: string): StoredMessage[] {
    return this.chats.get(chatId)?.messages ?? [];
  }

  allMessages(): StoredMessage[] {
    return [...this.chats.values()].flatMap((c) => c.messages);
  }

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
    const message = structuredClone(stored.message);
    if (!message.hasMedia || !stored.media) return message;
    if (!downloadMedia) return { ...message, media: null };
    const fileName = this.fileNameOf(stored) as string;
    const lifetime = this.settings.filesLifetimeSeconds;
    this.files.set(fileName, { ...stored.media, expiresAt: lifetime > 0 ? Date.now() + lifetime * 1000 : null });
    return { ...message, media: { url: this.mediaUrl(fileName), mimetype: stored.media.mimetype, filename: null, error: null } };
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
