import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { MAX_SEED_MESSAGES } from '../simulator.config';
import { messageNotFoundBody } from '../waha/errors';
import {
  isGroupChat,
  lidForPhone,
  newApiRawId,
  newIosRawId,
  newPhoneRawId,
  normalizeChatId,
  normalizeGroupId,
  normalizeLid,
  parseMessageId,
  phoneOf,
} from '../waha/ids';
import {
  buildHistoryDataSet,
  type HistoryDataSetOptions,
  type HistoryDataSetSummary,
  type HistoryMessage,
} from '../waha/history-dataset';
import { SAMPLE_JPEG, SAMPLE_JPEG_HEIGHT, SAMPLE_JPEG_WIDTH, SAMPLE_MP4, SAMPLE_OGG, SAMPLE_PDF } from '../waha/media';
import {
  buildAckBody,
  buildEdited,
  buildMessage,
  buildReaction,
  buildRevoked,
  type ImageContent,
  type MediaKind,
  type PayloadShape,
  type QuotedMessage,
  sampleAdReferral,
  applyGows2025Shape,
  toGows2025Shape,
} from '../waha/message-factory';
import { buildSeed } from '../waha/seed';
import {
  type Ack,
  ACK_BY_NAME,
  type AckName,
  ackName,
  isAck,
  type SessionStatus,
  type SessionStatusBody,
  type WAMessage,
} from '../waha/types';
import { WebhookSender } from '../webhooks/webhook-sender';
import { Scheduler } from './scheduler';
import { SimulatorState, type StoredMedia, type StoredMessage } from './simulator-state';

/** The content of every simulated image message: the sample JPEG. */
const SAMPLE_IMAGE: ImageContent = {
  mimetype: 'image/jpeg',
  fileLength: SAMPLE_JPEG.length,
  width: SAMPLE_JPEG_WIDTH,
  height: SAMPLE_JPEG_HEIGHT,
};

export interface SendTextCommand {
  session: string;
  chatId: string;
  text: string;
  reply_to?: string | null;
  /** Pre-generated raw id. */
  id?: string;
  [key: string]: unknown;
}

export interface InboundCommand {
  from: string;
  text?: string;
  type?: 'text' | 'image';
  pushName?: string;
  group?: { groupId: string; participantLid?: string; participantPhone?: string; name?: string };
  adReferral?: boolean;
  timestamp?: number;
  fromMe?: boolean;
  rawId?: string;
  /** Payload spelling of the webhooks (the stored message, and so history and later events, stay 2026). */
  shape?: PayloadShape;
}

export interface InboundResult {
  id: string;
  timestamp: number;
  chatId: string;
  eventIds: Record<string, string>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The bytes a downloaded attachment of each kind serves (one shared buffer per kind, whatever the count). */
const SAMPLE_BYTES: Record<MediaKind, Buffer> = {
  image: SAMPLE_JPEG,
  audio: SAMPLE_OGG,
  video: SAMPLE_MP4,
  document: SAMPLE_PDF,
};

/** How long before the seeding the configured `history` profile's recent chats end. */
const RECENT_CHATS_AGO_SECONDS = 60;

/** The simulated WhatsApp account: what the API and the `/_sim` control endpoints make happen. */
@Injectable()
export class SimulatorService implements OnApplicationBootstrap {
  private readonly logger = new Logger(SimulatorService.name);

  constructor(
    private readonly state: SimulatorState,
    private readonly webhooks: WebhookSender,
    private readonly scheduler: Scheduler,
  ) {}

  onApplicationBootstrap(): void {
    this.applyConfiguredSeed();
  }

  /** `/_sim/reset`: cancels pending acks and deliveries and returns to the state at start (configured seed included). */
  reset(): void {
    this.scheduler.cancelAll();
    this.webhooks.cancelAll();
    this.state.clear();
    this.applyConfiguredSeed();
  }

  private applyConfiguredSeed(): void {
    const { settings } = this.state;
    const { chats, messagesPerChat } = settings.seed;
    if (chats === 0) return;
    if (settings.seedProfile === 'history') {
      const recent =
        settings.seedRecentChats > 0
          ? { recentAnchorSeconds: nowSeconds() - RECENT_CHATS_AGO_SECONDS, recentChats: settings.seedRecentChats }
          : {};
      const summary = this.loadHistoryDataSet({ chats, messagesPerChat, seed: settings.seedNumber, ...recent });
      this.logger.log(
        `loaded the history data set: ${summary.chats} chats, ${summary.distinctMessages} messages (seed ${summary.seed})`,
      );
      return;
    }
    const count = this.seed(chats, messagesPerChat);
    this.logger.log(`seeded ${chats} chats with ${count} messages`);
  }

  // ---- POST /api/sendText ----

  sendText(command: SendTextCommand): { id: string; _data: Record<string, unknown> } {
    this.state.requireWorking(command.session);
    const chatId = normalizeChatId(command.chatId);
    if (!chatId)
      throw new BadRequestException([
        `chatId '${command.chatId}' is not a valid chat id (use <phone>@c.us or <id>@g.us)`,
      ]);
    const me = this.state.me;
    const timestamp = nowSeconds();
    const quoted = command.reply_to ? this.quotedFor(command.reply_to, chatId) : null;
    const message = buildMessage({
      me,
      chatId,
      rawId: typeof command.id === 'string' && !this.state.faults.ignoreMessageIds ? command.id : newApiRawId(),
      timestamp,
      fromMe: true,
      source: 'api',
      pushName: me.pushName,
      text: command.text,
      quoted,
      ack: 1,
    });
    const stored = this.state.addMessage(chatId, message);
    this.state.touchActivity();
    this.state.recordSent({
      id: message.id,
      session: command.session,
      chatId,
      text: command.text,
      replyTo: command.reply_to ?? null,
      timestamp,
      request: { ...command },
    });

    // After the 201: message.any (ack SERVER), then DEVICE and READ receipts with the same id.
    this.scheduler.after(0, () => this.webhooks.emit('message.any', this.state.render(stored, true)));
    const reader = isGroupChat(chatId) ? this.lastGroupAuthor(chatId) : null;
    if (!isGroupChat(chatId) || reader) {
      const delay = this.state.settings.ackDelayMs;
      this.scheduler.after(delay, () => this.applyAck(stored, 2, reader));
      this.scheduler.after(delay * 2, () => this.applyAck(stored, 3, reader));
    }
    return { id: message.id, _data: structuredClone(message._data.Message) };
  }

  private quotedFor(replyTo: string, chatId: string): QuotedMessage {
    const target = this.state.findMessage(replyTo, chatId);
    const parsed = parseMessageId(replyTo);
    if (target) {
      const author = target.message.fromMe ? this.state.me.id : (target.message.participant ?? chatId);
      return { rawId: target.rawId, author, body: target.message.body, hasMedia: target.message.hasMedia };
    }
    const author = parsed?.fromMe ? this.state.me.id : (parsed?.participant ?? chatId);
    return { rawId: parsed?.rawId ?? replyTo, author, body: null, hasMedia: false };
  }

  private lastGroupAuthor(chatId: string): string | null {
    const incoming = this.state.messagesOf(chatId).filter((m) => !m.message.fromMe && m.message.participant);
    return incoming.length > 0 ? (incoming[incoming.length - 1].message.participant as string) : null;
  }

  // ---- acks ----

  /** Sets a message's ack and emits `message.ack` (1:1) or `message.ack.group` (groups, `reader` = who read it);
   *  null (nothing emitted) once the message is gone (revoked or reset). */
  applyAck(stored: StoredMessage, ack: Ack, reader: string | null = null): string | null {
    if (this.state.findMessage(stored.message.id) !== stored) return null;
    stored.message.ack = ack;
    stored.message.ackName = ackName(ack);
    stored.message._data.Status = ack + 1;
    const group = isGroupChat(stored.chatId);
    const readBy = group ? (reader ?? this.lastGroupAuthor(stored.chatId)) : null;
    const body = buildAckBody(stored.message, ack, nowSeconds(), readBy);
    return this.webhooks.emit(group ? 'message.ack.group' : 'message.ack', body).id;
  }

  ack(messageId: string, ack: number | string): { id: string; ack: Ack; eventId: string } {
    const stored = this.requireMessage(messageId);
    const value = typeof ack === 'string' ? ACK_BY_NAME[ack.toUpperCase() as AckName] : ack;
    if (!isAck(value))
      throw new BadRequestException([
        'ack must be one of -1, 0, 1, 2, 3, 4 or ERROR, PENDING, SERVER, DEVICE, READ, PLAYED',
      ]);
    const eventId = this.applyAck(stored, value);
    if (!eventId) throw new HttpException(messageNotFoundBody(messageId), HttpStatus.NOT_FOUND);
    return { id: stored.message.id, ack: value, eventId };
  }

  // ---- inbound traffic ----

  inbound(command: InboundCommand): InboundResult {
    this.state.requireWorking(this.state.sessionName);
    const from = normalizeChatId(command.from);
    if (!from || from.endsWith('@g.us'))
      throw new BadRequestException([
        'from must be phone digits or a …@c.us / …@lid chat id (use group.groupId for groups)',
      ]);
    const fromMe = command.fromMe ?? false;
    const timestamp = command.timestamp ?? nowSeconds();
    const text = command.text ?? null;
    const type = command.type ?? 'text';
    if (type === 'text' && !text) throw new BadRequestException(['text should not be empty for a text message']);
    const rawId = command.rawId ?? (command.group ? newIosRawId() : newPhoneRawId());

    let chatId = from;
    let author: string | null = null;
    let authorPhoneJid: string | null = null;
    if (command.group) {
      const groupId = normalizeGroupId(command.group.groupId);
      if (!groupId) throw new BadRequestException(['group.groupId must be <digits>@g.us']);
      chatId = groupId;
      // The author: `from` (or participantPhone) is its phone; it writes as its @lid, the phone goes to SenderAlt.
      let phone: string | null = from.endsWith('@c.us') ? phoneOf(from) : null;
      if (command.group.participantPhone !== undefined) {
        const byPhone = normalizeChatId(command.group.participantPhone);
        if (!byPhone?.endsWith('@c.us'))
          throw new BadRequestException(['group.participantPhone must be phone digits or …@c.us']);
        phone = phoneOf(byPhone);
      }
      let lid: string | null = from.endsWith('@lid') ? from : phone ? lidForPhone(phone) : null;
      if (command.group.participantLid !== undefined) {
        lid = normalizeLid(command.group.participantLid);
        if (!lid) throw new BadRequestException(['group.participantLid must be <digits>@lid']);
      }
      author = lid ?? from;
      authorPhoneJid = phone ? `${phone}@s.whatsapp.net` : null;
    }
    const pushName = fromMe
      ? this.state.me.pushName
      : (command.pushName ?? `Cliente ${phoneOf(author ?? from).slice(-4)}`);

    const image: ImageContent | null = type === 'image' ? SAMPLE_IMAGE : null;
    const message = buildMessage({
      me: this.state.me,
      chatId,
      rawId,
      timestamp,
      fromMe,
      source: 'app',
      pushName,
      text,
      image,
      author,
      authorPhoneJid,
      adReferral: command.adReferral ? sampleAdReferral(rawId) : null,
      ack: fromMe ? 1 : 2,
    });
    const chatName = command.group ? (command.group.name ?? null) : fromMe ? null : pushName;
    this.state.ensureChat(chatId, chatName, timestamp);
    const media: StoredMedia | null = image ? { mimetype: image.mimetype, bytes: SAMPLE_JPEG } : null;
    const stored = this.state.addMessage(chatId, message, media);
    this.state.touchActivity();

    // WAHA downloads media before it posts the webhook, so the payload carries a working media.url.
    const rendered = this.state.render(stored, true);
    const payload = command.shape === 'gows-2025' ? toGows2025Shape(rendered) : rendered;
    const eventIds: Record<string, string> = {};
    if (!fromMe) eventIds.message = this.webhooks.emit('message', payload).id;
    eventIds['message.any'] = this.webhooks.emit('message.any', structuredClone(payload)).id;
    return { id: message.id, timestamp, chatId, eventIds };
  }

  revoke(messageId: string): { revokedMessageId: string; id: string; eventId: string } {
    const target = this.requireMessage(messageId);
    const pushName = String(target.message._data.Info.PushName ?? '');
    const revoked = buildRevoked(
      this.state.me,
      target.message,
      target.message.fromMe ? newApiRawId() : newPhoneRawId(),
      nowSeconds(),
      pushName,
    );
    this.state.removeMessage(target);
    const eventId = this.webhooks.emit('message.revoked', revoked).id;
    return { revokedMessageId: revoked.revokedMessageId, id: revoked.after.id, eventId };
  }

  edit(messageId: string, text: string): { editedMessageId: string; id: string; eventId: string } {
    const target = this.requireMessage(messageId);
    const pushName = String(target.message._data.Info.PushName ?? '');
    const edited = buildEdited(this.state.me, target.message, newPhoneRawId(), nowSeconds(), pushName, text);
    target.message.body = text;
    const content = target.message._data.Message;
    if (typeof content.conversation === 'string') content.conversation = text;
    else if (content.extendedTextMessage)
      content.extendedTextMessage = { ...(content.extendedTextMessage as object), text };
    else if (content.imageMessage) content.imageMessage = { ...(content.imageMessage as object), caption: text };
    const eventId = this.webhooks.emit('message.edited', edited).id;
    return { editedMessageId: edited.editedMessageId, id: edited.id, eventId };
  }

  /** A reaction by `from` (default: the chat's counterpart, or the message author in groups); `''` removes it. */
  react(messageId: string, emoji: string, from?: string): { id: string; eventId: string } {
    const target = this.requireMessage(messageId);
    const chatId = target.chatId;
    const reactorId = from !== undefined ? normalizeChatId(from) : null;
    if (from !== undefined && !reactorId)
      throw new BadRequestException(['from must be phone digits or a …@c.us / …@lid id']);
    const fromMe = reactorId === this.state.me.id;
    let reactor: string | null = null;
    if (isGroupChat(chatId)) {
      reactor = fromMe ? this.state.me.id : (reactorId ?? target.message.participant ?? this.lastGroupAuthor(chatId));
      if (reactor?.endsWith('@c.us') && !fromMe) reactor = lidForPhone(phoneOf(reactor));
      if (!reactor) throw new BadRequestException(['from is required for a reaction in a group without known members']);
    }
    const reaction = buildReaction({
      chatId,
      rawId: fromMe ? newApiRawId() : newPhoneRawId(),
      timestamp: nowSeconds(),
      fromMe,
      reactor,
      emoji,
      targetMessageId: target.message.id,
    });
    return { id: reaction.id, eventId: this.webhooks.emit('message.reaction', reaction).id };
  }

  setSessionStatus(status: SessionStatus): { status: SessionStatus; eventId: string } {
    this.state.setStatus(status);
    const payload: SessionStatusBody = {
      name: this.state.sessionName,
      status,
      statuses: this.state.recentStatuses,
      data: null,
    };
    return { status, eventId: this.webhooks.emit('session.status', payload).id };
  }

  /** Stores the deterministic data set (same ids on every call: seeding twice replaces, never duplicates). */
  seed(chats: number, messagesPerChat: number): number {
    if (chats * messagesPerChat > MAX_SEED_MESSAGES)
      throw new BadRequestException([`chats x messagesPerChat must be at most ${MAX_SEED_MESSAGES}`]);
    const me = this.state.me;
    let count = 0;
    for (const chat of buildSeed(chats, messagesPerChat)) {
      const record = this.state.ensureChat(chat.chatId, chat.name, chat.messages[0]?.timestamp);
      for (const m of chat.messages) {
        const image: ImageContent | null = m.image ? SAMPLE_IMAGE : null;
        const message: WAMessage = buildMessage({
          me,
          chatId: record.id,
          rawId: m.rawId,
          timestamp: m.timestamp,
          fromMe: m.fromMe,
          source: m.fromMe ? 'api' : 'app',
          pushName: m.fromMe ? me.pushName : chat.name,
          text: m.text,
          image,
          adReferral: m.adReferral,
          ack: m.fromMe ? 3 : 2,
        });
        this.state.addMessage(record.id, message, image ? { mimetype: image.mimetype, bytes: SAMPLE_JPEG } : null);
        count++;
      }
    }
    return count;
  }

  /**
   * Replaces every chat and message with buildHistoryDataSet(options) and keeps its ground truth
   * (`GET /_sim/history-dataset/truth`); no webhooks are sent. Sends, webhook target and faults stay.
   */
  loadHistoryDataSet(options: HistoryDataSetOptions): HistoryDataSetSummary {
    if (options.chats * options.messagesPerChat > MAX_SEED_MESSAGES)
      throw new BadRequestException([`chats x messagesPerChat must be at most ${MAX_SEED_MESSAGES}`]);
    let dataSet: ReturnType<typeof buildHistoryDataSet>;
    try {
      dataSet = buildHistoryDataSet(options);
    } catch (err) {
      if (err instanceof RangeError) throw new BadRequestException([err.message]);
      throw err;
    }
    const me = this.state.me;
    this.state.clearMessages();
    for (const chat of dataSet.chats) {
      const record = this.state.ensureChat(
        chat.chatId,
        chat.name,
        chat.items[0]?.message.timestamp ?? dataSet.options.anchorSeconds,
      );
      const chatPhoneJid = chat.kind === 'lid' && chat.phone ? `${chat.phone}@s.whatsapp.net` : null;
      const build = (m: HistoryMessage): WAMessage => {
        const built = buildMessage({
          me,
          chatId: record.id,
          rawId: m.rawId,
          timestamp: m.timestamp,
          fromMe: m.fromMe,
          source: m.source,
          pushName: m.pushName ?? me.pushName,
          text: m.text,
          media: m.media,
          author: m.participant,
          chatPhoneJid,
          ack: m.ack,
        });
        return chat.idShape === 'bare' ? applyGows2025Shape(built) : built;
      };
      // A twin comes right after its first copy (HistoryChat.items).
      let previous: StoredMessage | null = null;
      for (const { message: m, twin } of chat.items) {
        if (twin && previous) {
          this.state.addTwin(previous);
          continue;
        }
        const media: StoredMedia | null = m.media
          ? { mimetype: m.media.mimetype, bytes: SAMPLE_BYTES[m.media.kind], filename: m.media.fileName ?? null }
          : null;
        previous = this.state.addLazyMessage(record, {
          id: m.id,
          rawId: m.rawId,
          timestamp: m.timestamp,
          media,
          spec: m,
          build,
        });
      }
    }
    this.state.historyTruth = dataSet.truth;
    return dataSet.truth.summary;
  }

  requireMessage(messageId: string, chatId?: string): StoredMessage {
    const stored = this.state.findMessage(messageId, chatId);
    if (!stored) throw new HttpException(messageNotFoundBody(messageId), HttpStatus.NOT_FOUND);
    return stored;
  }
}
