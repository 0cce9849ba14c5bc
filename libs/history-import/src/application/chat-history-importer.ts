import { Inject, Injectable } from '@nestjs/common';
import { GetChannelHandler, GetWahaConnectionHandler, WahaClient } from '@app/channel';
import { Contact } from '@app/contact';
import { messageContentOf, parseWahaHistoryMessage } from '@app/inbound';
import { Message } from '@app/message';
import { Clock, DomainError } from '@app/shared';
import { type HistoryImportConfig, historyImportConfig } from '../history-import.config';
import {
  advance,
  firstCursor,
  type HistoryCursor,
  pageRequest,
  type PagedItem,
  readCursor,
} from '../domain/history-paging';
import {
  type ChatTotals,
  HistoryImportStore,
  type ProposedContact,
  type StagedMessage,
} from './history-import.store.port';
import { HistoryImportMetrics } from './history-import.metrics';

export interface ChatSliceRequest {
  importId: string;
  tenantId: string;
  channelId: string;
  chatId: string;
  chatName: string | null;
  range: { start: Date | null; end: Date };
  messagesPerChatLimit: number | null;
}

export interface SliceControl {
  /** Called after every stored page with the cursor it stored (the activity heartbeats it). */
  pageStored(cursor: HistoryCursor, totals: ChatTotals): void;
  /** True once the slice should stop after the page in hand (cancelled, or its time is up). */
  shouldStop(): boolean;
}

interface HistoryItem extends PagedItem {
  raw: Record<string, unknown>;
}

/**
 * Imports one chat's history page by page (newest first, keyset cursor, see history-paging.ts).
 * Each page is parsed by the live receiver's rules, validated by the message and contact domains,
 * and stored with its cursor and counts in ONE transaction (contacts upserted, messages staged,
 * duplicates by WAHA id skipped), so a slice that dies at any point resumes exactly after the last
 * stored page. Nothing here starts a workflow, sends a warning, debounces or attributes an ad.
 */
@Injectable()
export class ChatHistoryImporter {
  constructor(
    private readonly store: HistoryImportStore,
    private readonly waha: WahaClient,
    private readonly connections: GetWahaConnectionHandler,
    private readonly channels: GetChannelHandler,
    private readonly clock: Clock,
    @Inject(historyImportConfig.KEY) private readonly config: HistoryImportConfig,
  ) {}

  async importSlice(request: ChatSliceRequest, control: SliceControl): Promise<{ done: boolean; totals: ChatTotals }> {
    const stored = await this.store.chatCursor(request.importId, request.chatId);
    if (!stored) throw new Error(`history import ${request.importId} has no chat ${request.chatId}`);
    const rangeEnd = Math.floor(request.range.end.getTime() / 1000);
    const rangeStart = request.range.start === null ? null : Math.ceil(request.range.start.getTime() / 1000);
    let cursor = readCursor(stored.cursor) ?? firstCursor(rangeEnd);
    let totals = stored.totals;
    if (cursor.done) return { done: true, totals };

    const [connection, channel] = await Promise.all([
      this.connections.execute({ tenantId: request.tenantId, channelId: request.channelId }),
      this.channels.execute({ tenantId: request.tenantId, id: request.channelId }),
    ]);
    do {
      const ask = pageRequest(cursor, rangeStart, this.config.pageSize);
      const page = await this.waha.listChatMessages({
        ...connection,
        chatId: request.chatId,
        limit: ask.limit,
        offset: ask.offset,
        sortOrder: 'desc',
        timestampLte: ask.timestampLte,
        timestampGte: ask.timestampGte,
      });
      const items: HistoryItem[] = [];
      let malformed = 0;
      for (const raw of page) {
        const item = pagedItemOf(raw);
        if (item) items.push(item);
        else malformed += 1;
      }
      const { fresh, cursor: next } = advance(cursor, items, {
        rangeStartSeconds: rangeStart,
        limit: request.messagesPerChatLimit,
      });
      const { contacts, messages, skipped, repeated } = this.prepare(
        request,
        fresh.map((i) => i.raw),
        channel.allowGroups,
      );
      const before = totals;
      totals = await this.store.writePage({
        importId: request.importId,
        tenantId: request.tenantId,
        channelId: request.channelId,
        chatId: request.chatId,
        contacts,
        messages,
        skipped: skipped + malformed,
        repeatedInPage: repeated,
        cursor: next,
        at: this.clock.now(),
      });
      HistoryImportMetrics.pageStored(before, totals);
      cursor = next;
      control.pageStored(cursor, totals);
    } while (!cursor.done && !control.shouldStop());
    return { done: cursor.done, totals };
  }

  /** The page's conversation messages and their contacts; the rest is counted as skipped. */
  private prepare(request: ChatSliceRequest, raws: Record<string, unknown>[], allowGroups: boolean) {
    const now = this.clock.now();
    const contacts = new Map<string, ProposedContact>();
    const messages = new Map<string, StagedMessage>();
    let skipped = 0;
    let repeated = 0;
    for (const raw of raws) {
      let staged: StagedMessage;
      try {
        const parsed = parseWahaHistoryMessage(raw);
        if (parsed.kind === 'ignored' || (parsed.message.group && !allowGroups)) {
          skipped += 1;
          continue;
        }
        const m = parsed.message;
        const phone = m.contact.phone;
        if (!contacts.has(phone)) {
          const contact = Contact.create(
            {
              tenantId: request.tenantId,
              phone,
              whatsappId: `${phone}@c.us`,
              // A 1:1 chat's name is the contact's; a group's is not.
              name: m.contact.name ?? (m.group ? null : request.chatName),
              source: 'import',
            },
            now,
          );
          contacts.set(phone, {
            id: contact.id,
            phone: contact.phone,
            whatsappId: contact.whatsappId,
            name: contact.name,
            createdAt: now,
            createdEvent: contact.pullEvents()[0]!,
          });
        }
        // Validated and normalised as the live path stores it. The session is assigned when the
        // import consolidates; until then the row is staged, so the run's id stands in for it.
        const message = Message.create(
          {
            tenantId: request.tenantId,
            channelId: request.channelId,
            contactId: contacts.get(phone)!.id,
            sessionId: request.importId,
            ...messageContentOf(m),
          },
          now,
        );
        staged = {
          externalId: message.externalId,
          contactPhone: phone,
          direction: message.direction,
          waChatId: message.waChatId,
          waRawId: message.waRawId,
          type: message.type,
          text: message.text,
          media: message.media,
          status: message.status,
          ackLevel: message.ackLevel,
          sentAt: message.sentAt,
          metadata: message.metadata,
        };
      } catch (err) {
        // A malformed history item is counted and left out; it cannot become valid on a retry.
        if (err instanceof DomainError) {
          skipped += 1;
          continue;
        }
        throw err;
      }
      if (messages.has(staged.externalId)) repeated += 1;
      else messages.set(staged.externalId, staged);
    }
    return { contacts: [...contacts.values()], messages: [...messages.values()], skipped, repeated };
  }
}

/** Id and timestamp, which paging needs; null for an item without them (counted as skipped). */
function pagedItemOf(raw: Record<string, unknown>): HistoryItem | null {
  const id =
    typeof raw.id === 'string'
      ? raw.id
      : isRecord(raw.id) && typeof raw.id._serialized === 'string'
        ? raw.id._serialized
        : null;
  const timestamp =
    typeof raw.timestamp === 'number' && Number.isFinite(raw.timestamp) ? Math.floor(raw.timestamp) : null;
  if (!id || timestamp === null) return null;
  return { id, timestamp, raw };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
