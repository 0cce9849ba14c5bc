import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PAYLOAD_SHAPES, type PayloadShape } from '../../waha/message-factory';
import { SESSION_STATUSES, type SessionStatus } from '../../waha/types';

/** `POST /_sim/webhook`: where (and what) to deliver. Omitted fields keep their current value. */
export class WebhookTargetDto {
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  url!: string;

  /** null switches signing off. */
  @IsOptional() @IsString() @IsNotEmpty()
  hmacKey?: string | null;

  /** Event names, or `["*"]` for all. */
  @IsOptional() @IsArray() @IsString({ each: true }) @IsNotEmpty({ each: true })
  events?: string[];

  @IsOptional() @IsInt() @Min(0) @Max(1000)
  retries?: number;

  @IsOptional() @IsInt() @Min(0)
  retryDelayMs?: number;

  @IsOptional() @IsInt() @Min(1)
  timeoutMs?: number;

  /** Envelope `metadata` (WAHA's session.config.metadata); null removes it. */
  @IsOptional() @IsObject()
  metadata?: Record<string, string> | null;
}

export class InboundGroupDto {
  @IsString() @IsNotEmpty()
  groupId!: string;

  @IsOptional() @IsString() @IsNotEmpty()
  participantLid?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  participantPhone?: string;

  /** Group subject (chat name). */
  @IsOptional() @IsString()
  name?: string;
}

/** `POST /_sim/inbound`: a message arriving from WhatsApp. */
export class InboundDto {
  /** Sender: phone digits or a chat id (`…@c.us`, `…@lid`); the author inside a group. */
  @IsString() @IsNotEmpty()
  from!: string;

  /** Text, or the caption of an image. */
  @IsOptional() @IsString()
  text?: string;

  @IsOptional() @IsIn(['text', 'image'])
  type?: 'text' | 'image';

  @IsOptional() @IsString() @IsNotEmpty()
  pushName?: string;

  @IsOptional() @ValidateNested() @Type(() => InboundGroupDto)
  group?: InboundGroupDto;

  /** First message after a Click-to-WhatsApp ad: `_data…contextInfo.externalAdReply`. */
  @IsOptional() @IsBoolean()
  adReferral?: boolean;

  /** Unix seconds; default now. */
  @IsOptional() @IsInt() @Min(0)
  timestamp?: number;

  /** Sent from the account's own phone: only `message.any` (source `app`). */
  @IsOptional() @IsBoolean()
  fromMe?: boolean;

  /** Fixed raw id (upper-case hex); re-using one replaces the stored message and re-emits its events. */
  @IsOptional() @Matches(/^[0-9A-F]{8,64}$/, { message: 'rawId must be upper-case hex' })
  rawId?: string;

  /** Payload spelling of the webhooks: `waha-2026` (default) or `gows-2025` (bare id, `@s.whatsapp.net` from). */
  @IsOptional() @IsIn(PAYLOAD_SHAPES)
  shape?: PayloadShape;
}

export class MessageRefDto {
  @IsString() @IsNotEmpty()
  messageId!: string;
}

export class AckDto extends MessageRefDto {
  /** -1..4 or ERROR, PENDING, SERVER, DEVICE, READ, PLAYED. */
  @IsDefined()
  ack!: number | string;
}

export class ReactDto extends MessageRefDto {
  /** Empty string removes the reaction. */
  @IsString()
  emoji!: string;

  /** Who reacts: phone digits / chat id; default the chat's counterpart (use the own phone for fromMe). */
  @IsOptional() @IsString() @IsNotEmpty()
  from?: string;
}

export class EditDto extends MessageRefDto {
  @IsString() @IsNotEmpty()
  text!: string;
}

export class SessionStatusDto {
  @IsIn(SESSION_STATUSES)
  status!: SessionStatus;
}

export class FaultsDto {
  @IsOptional() @IsInt() @Min(0) @Max(600_000)
  latencyMs?: number;

  @IsOptional() @IsNumber() @Min(0) @Max(1)
  errorRate?: number;

  @IsOptional() @IsNumber() @Min(0) @Max(1)
  status429Rate?: number;

  @IsOptional() @IsInt() @Min(0)
  retryAfterSeconds?: number;

  /** Path prefixes such as `/api/sendText`; empty or absent = every /api path. */
  @IsOptional() @IsArray() @IsString({ each: true })
  onlyPaths?: string[];

  /** Status of the injected errors (default 500). */
  @IsOptional() @IsIn([500, 404, 422])
  errorStatus?: 500 | 404 | 422;

  /** Handle the request first, then delay or fail its answer. */
  @IsOptional() @IsBoolean()
  afterHandling?: boolean;

  /** sendText ignores the pre-generated id. */
  @IsOptional() @IsBoolean()
  ignoreMessageIds?: boolean;
}

export class SeedDto {
  @IsInt() @Min(0) @Max(100_000)
  chats!: number;

  @IsInt() @Min(0) @Max(100_000)
  messagesPerChat!: number;
}
