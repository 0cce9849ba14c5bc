import { Body, Controller, Delete, Get, NotFoundException, Post, Query } from '@nestjs/common';
import { parseEventList, type WebhookTargetSettings } from '../simulator.config';
import { SimulatorService, type InboundResult } from '../state/simulator.service';
import { type FaultSettings, NO_FAULTS, type SentRecord, SimulatorState } from '../state/simulator-state';
import type { HistoryDataSetSummary, HistoryTruth } from '../waha/history-dataset';
import { normalizeChatId } from '../waha/ids';
import type { RequestStatsView } from '../waha/request-stats';
import type { Ack, SessionStatus } from '../waha/types';
import { type DeliveryRecord, WebhookSender } from '../webhooks/webhook-sender';
import {
  AckDto,
  EditDto,
  FaultsDto,
  HistoryDataSetDto,
  HistoryTruthQueryDto,
  InboundDto,
  MessageRefDto,
  ReactDto,
  RequestStatsQueryDto,
  SeedDto,
  SessionStatusDto,
  WebhookTargetDto,
} from './dto/sim.dto';

/** Simulation control (`/_sim/*`, same API key): drive traffic, faults and state; inspect sends and deliveries. */
@Controller('_sim')
export class SimController {
  constructor(
    private readonly state: SimulatorState,
    private readonly simulator: SimulatorService,
    private readonly webhooks: WebhookSender,
  ) {}

  @Get('webhook')
  webhook(): WebhookTargetSettings {
    return this.state.webhook;
  }

  /** Sets the delivery target; omitted optional fields keep their current value. */
  @Post('webhook')
  setWebhook(@Body() body: WebhookTargetDto): WebhookTargetSettings {
    const current = this.state.webhook;
    this.state.webhook = {
      url: body.url,
      hmacKey: body.hmacKey === undefined ? current.hmacKey : body.hmacKey,
      events: body.events ? parseEventList(body.events.join(',')) : current.events,
      retries: body.retries ?? current.retries,
      retryDelayMs: body.retryDelayMs ?? current.retryDelayMs,
      timeoutMs: body.timeoutMs ?? current.timeoutMs,
      metadata: body.metadata === undefined ? current.metadata : body.metadata,
    };
    return this.state.webhook;
  }

  /** No more deliveries until a target is set again. */
  @Delete('webhook')
  clearWebhook(): WebhookTargetSettings {
    this.state.webhook = { ...this.state.webhook, url: null };
    return this.state.webhook;
  }

  @Post('inbound')
  inbound(@Body() body: InboundDto): InboundResult {
    return this.simulator.inbound(body);
  }

  @Post('ack')
  ack(@Body() body: AckDto): { id: string; ack: Ack; eventId: string } {
    return this.simulator.ack(body.messageId, body.ack);
  }

  @Post('revoke')
  revoke(@Body() body: MessageRefDto): { revokedMessageId: string; id: string; eventId: string } {
    return this.simulator.revoke(body.messageId);
  }

  @Post('react')
  react(@Body() body: ReactDto): { id: string; eventId: string } {
    return this.simulator.react(body.messageId, body.emoji, body.from);
  }

  @Post('edit')
  edit(@Body() body: EditDto): { editedMessageId: string; id: string; eventId: string } {
    return this.simulator.edit(body.messageId, body.text);
  }

  @Post('session-status')
  sessionStatus(@Body() body: SessionStatusDto): { status: SessionStatus; eventId: string } {
    return this.simulator.setSessionStatus(body.status);
  }

  @Get('faults')
  faults(): FaultSettings {
    return this.state.faults;
  }

  /** Replaces the fault settings (`{}` switches every fault off). */
  @Post('faults')
  setFaults(@Body() body: FaultsDto): FaultSettings {
    this.state.faults = {
      latencyMs: body.latencyMs ?? NO_FAULTS.latencyMs,
      errorRate: body.errorRate ?? NO_FAULTS.errorRate,
      status429Rate: body.status429Rate ?? NO_FAULTS.status429Rate,
      retryAfterSeconds: body.retryAfterSeconds ?? NO_FAULTS.retryAfterSeconds,
      onlyPaths: body.onlyPaths ?? [],
      errorStatus: body.errorStatus ?? NO_FAULTS.errorStatus,
      afterHandling: body.afterHandling ?? NO_FAULTS.afterHandling,
      ignoreMessageIds: body.ignoreMessageIds ?? NO_FAULTS.ignoreMessageIds,
      failNext: body.failNext
        ? {
            count: body.failNext.count,
            remaining: body.failNext.count,
            status: body.failNext.status,
            retryAfterSeconds: body.failNext.retryAfterSeconds ?? null,
            onlyPaths: body.failNext.onlyPaths ?? body.onlyPaths ?? [],
          }
        : null,
    };
    return this.state.faults;
  }

  /** Answered /api requests since start, reset or `DELETE` (only those past the API key check). */
  @Get('requests')
  requests(@Query() query: RequestStatsQueryDto): RequestStatsView {
    return this.state.requests.query({ path: query.path, kind: query.kind });
  }

  @Delete('requests')
  clearRequests(): { cleared: true } {
    this.state.requests.clear();
    return { cleared: true };
  }

  /** Replaces every chat and message with the history data set; answers its summary. */
  @Post('history-dataset')
  loadHistoryDataSet(@Body() body: HistoryDataSetDto): HistoryDataSetSummary {
    return this.simulator.loadHistoryDataSet({ ...body, seed: body.seed ?? 1 });
  }

  @Get('history-dataset')
  historyDataSet(): HistoryDataSetSummary {
    return this.requireTruth().summary;
  }

  /** The ground truth of the loaded data set, optionally narrowed to one chat or one contact. */
  @Get('history-dataset/truth')
  historyTruth(@Query() query: HistoryTruthQueryDto): HistoryTruth {
    const truth = this.requireTruth();
    let { chats, contacts } = truth;
    if (query.chatId !== undefined) {
      const chatId = normalizeChatId(query.chatId) ?? query.chatId;
      chats = chats.filter((c) => c.chatId === chatId);
      contacts = contacts.filter((c) => c.chatIds.includes(chatId));
    }
    if (query.phone !== undefined) {
      const phone = query.phone;
      contacts = contacts.filter((c) => c.phone === phone);
      const held = new Set(contacts.flatMap((c) => c.chatIds));
      chats = chats.filter((c) => held.has(c.chatId));
    }
    if (!query.messages) {
      chats = chats.map((c) => ({ ...c, messages: [] }));
      contacts = contacts.map((c) => ({ ...c, messages: [] }));
    }
    return { summary: truth.summary, chats, contacts };
  }

  private requireTruth(): HistoryTruth {
    const truth = this.state.historyTruth;
    if (!truth)
      throw new NotFoundException(
        'no history data set is loaded (POST /_sim/history-dataset, or WAHA_SIM_SEED_PROFILE=history)',
      );
    return truth;
  }

  @Post('seed')
  seed(@Body() body: SeedDto): { chats: number; messages: number } {
    return { chats: body.chats, messages: this.simulator.seed(body.chats, body.messagesPerChat) };
  }

  /** Every `POST /api/sendText` accepted since start/reset, oldest first. */
  @Get('sent')
  sent(): readonly SentRecord[] {
    return this.state.sent;
  }

  @Post('reset')
  reset(): { reset: true } {
    this.simulator.reset();
    return { reset: true };
  }

  /** Webhook delivery log (`?event=` filters), oldest first. */
  @Get('deliveries')
  deliveries(@Query('event') event?: string): readonly DeliveryRecord[] {
    const all = this.webhooks.deliveries;
    return typeof event === 'string' ? all.filter((d) => d.event === event) : all;
  }
}
