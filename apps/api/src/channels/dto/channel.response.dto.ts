import { ApiProperty } from '@nestjs/swagger';
import {
  CHANNEL_TYPES,
  type ChannelType,
  type ChannelView,
  INBOUND_MODES,
  type InboundMode,
  KNOWN_WAHA_SESSION_STATUSES,
  WAHA_CIRCUIT_STATES,
  type WahaCircuitState,
  type WahaCircuitView,
} from '@app/channel';

export class WahaCircuitResponseDto implements WahaCircuitView {
  @ApiProperty({
    enum: WAHA_CIRCUIT_STATES,
    description:
      "closed: calls to the channel's WAHA go through. open: after consecutive WAHA failures (5xx, timeouts, unreachable, session not WORKING) calls fail fast for a cool-down. half_open: one test call decides. closed when it never opened",
    example: 'closed',
  })
  state!: WahaCircuitState;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the breaker entered this state; null when it never changed',
    example: '2025-11-26T12:00:00.000Z',
  })
  changedAt!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The failure that opened the breaker last (kept after it closed again)',
    example: 'WAHA GET /api/{session}/chats answered 503: {"statusCode":503}',
  })
  lastFailure!: string | null;
}

export class ChannelResponseDto implements ChannelView {
  @ApiProperty({ format: 'uuid', example: '3c9a1f0e-5b7d-4e2a-9c8b-1d2e3f4a5b6c' })
  id!: string;

  @ApiProperty({ example: 'Sales BR' })
  name!: string;

  @ApiProperty({ enum: CHANNEL_TYPES, example: 'waha' })
  type!: ChannelType;

  @ApiProperty({ description: 'WAHA server base URL, without a trailing slash', example: 'https://waha.example.com' })
  wahaBaseUrl!: string;

  @ApiProperty({ description: 'WAHA session name', example: 'default' })
  wahaSession!: string;

  @ApiProperty({ description: 'Whether a WAHA API key is stored (the key itself is never shown)', example: true })
  hasWahaApiKey!: boolean;

  @ApiProperty({ description: 'Whether group chats (@g.us) are processed', example: false })
  allowGroups!: boolean;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'null: the tenant default applies (30 minutes without one)',
    example: 1800,
  })
  sessionTimeoutSeconds!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'null: no warning before an idle session closes',
    example: 300,
  })
  sessionWarningLeadSeconds!: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'Are you still there? This conversation closes in 5 minutes.' })
  sessionWarningText!: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'null: inbound messages are not debounced', example: 2000 })
  debounceWindowMs!: number | null;

  @ApiProperty({
    enum: INBOUND_MODES,
    nullable: true,
    description: 'null: the configured default mode',
    example: 'saga',
  })
  inboundMode!: InboundMode | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: `Last session status WAHA reported (${KNOWN_WAHA_SESSION_STATUSES.join(', ')}, ...)`,
    example: 'WORKING',
  })
  wahaStatus!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When WAHA reported wahaStatus',
    example: '2025-11-26T12:00:00.000Z',
  })
  wahaStatusAt!: string | null;

  @ApiProperty({
    type: WahaCircuitResponseDto,
    description: "The circuit breaker of the workers' calls to this channel's WAHA, as last recorded",
  })
  wahaCircuit!: WahaCircuitResponseDto;

  @ApiProperty({
    description:
      "Path of this channel's WAHA webhook on this API: configure WAHA's webhook url as <api base URL> + this path",
    example: '/v1/channels/3c9a1f0e-5b7d-4e2a-9c8b-1d2e3f4a5b6c/waha/events',
  })
  webhookPath!: string;

  @ApiProperty({ format: 'date-time', example: '2025-11-26T12:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2025-11-26T12:30:00.000Z' })
  updatedAt!: string;
}

/** The answer to creating a channel or rotating its webhook secret: the only time the secret is shown. */
export class ChannelWithWebhookSecretResponseDto extends ChannelResponseDto {
  @ApiProperty({
    description:
      "HMAC secret WAHA must sign this channel's webhooks with: set it as the webhook's hmac.key in WAHA. Shown only in this answer.",
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  })
  webhookSecret!: string;
}

export class ChannelPageResponseDto {
  @ApiProperty({ type: [ChannelResponseDto] })
  data!: ChannelResponseDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= to get the next page; null on the last page',
  })
  nextCursor!: string | null;
}
