import { Body, Controller, Delete, Get, Post, Query } from '@nestjs/common';
import { parseEventList, type WebhookTargetSettings } from '../simulator.config';
import { SimulatorService, type InboundResult } from '../state/simulator.service';
import { type FaultSettings, NO_FAULTS, type SentRecord, SimulatorState } from '../state/simulator-state';
import type { Ack, SessionStatus } from '../waha/types';
import { type DeliveryRecord, WebhookSender } from '../webhooks/webhook-sender';
import { AckDto, EditDto, FaultsDto, InboundDto, MessageRefDto, ReactDto, SeedDto, SessionStatusDto, WebhookTargetDto } from './dto/sim.dto';

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
    };
    return this.state.faults;
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
