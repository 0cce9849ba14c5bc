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
import { FAIL_NEXT_STATUSES, type FailNextStatus } from '../../state/simulator-state';
import { PAYLOAD_SHAPES, type PayloadShape } from '../../waha/message-factory';
import { API_REQUEST_KINDS, type ApiRequestKind } from '../../waha/request-stats';
import { SESSION_STATUSES, type SessionStatus } from '../../waha/types';
import { QueryBoolean } from './api.dto';

/** `POST /_sim/webhook`: where (and what) to deliver. Omitted fields keep their current value. */
export class WebhookTargetDto {
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  url!: string;

  /** null switches signing off. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  hmacKey?: string | null;

  /** Event names, or `["*"]` for all. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  events?: string[];

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  retries?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  retryDelayMs?: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  timeoutMs?: number;

  /** Envelope `metadata` (WAHA's session.config.metadata); null removes it. */
  @IsOptional()
  @IsObject()
  metadata?: Record<string, string> | null;
}

export class InboundGroupDto {
  @IsString()
  @IsNotEmpty()
  groupId!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  participantLid?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  participantPhone?: string;

  /** Group subject (chat name). */
  @IsOptional()
  @IsString()
  name?: string;
}

/** `POST /_sim/inbound`: a message arriving from WhatsApp. */
export class InboundDto {
  /** Sender: phone digits or a chat id (`…@c.us`, `…@lid`); the author inside a group. */
  @IsString()
  @IsNotEmpty()
  from!: string;

  /** Text, or the caption of an image. */
  @IsOptional()
  @IsString()
  text?: string;

  @IsOptional()
  @IsIn(['text', 'image'])
  type?: 'text' | 'image';

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  pushName?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => InboundGroupDto)
  group?: InboundGroupDto;

  /** First message after a Click-to-WhatsApp ad: `_data…contextInfo.externalAdReply`. */
  @IsOptional()
  @IsBoolean()
  adReferral?: boolean;

  /** Unix seconds; default now. */
  @IsOptional()
  @IsInt()
  @Min(0)
  timestamp?: number;

  /** Sent from the account's own phone: only `message.any` (source `app`). */
  @IsOptional()
  @IsBoolean()
  fromMe?: boolean;

  /** Fixed raw id (upper-case hex); re-using one replaces the stored message and re-emits its events. */
  @IsOptional()
  @Matches(/^[0-9A-F]{8,64}$/, { message: 'rawId must be upper-case hex' })
  rawId?: string;

  /** Payload spelling of the webhooks: `waha-2026` (default) or `gows-2025` (bare id, `@s.whatsapp.net` from). */
  @IsOptional()
  @IsIn(PAYLOAD_SHAPES)
  shape?: PayloadShape;
}

export class MessageRefDto {
  @IsString()
  @IsNotEmpty()
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
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  from?: string;
}

export class EditDto extends MessageRefDto {
  @IsString()
  @IsNotEmpty()
  text!: string;
}

export class SessionStatusDto {
  @IsIn(SESSION_STATUSES)
  status!: SessionStatus;
}

/** `failNext`: exactly the next `count` matching /api requests fail with `status`, then all is well again. */
export class FailNextDto {
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  count!: number;

  /** 429 (Retry-After), 500 (engine error), 502/503 (proxy HTML page), 404 (session gone), 422 (not WORKING). */
  @IsIn(FAIL_NEXT_STATUSES)
  status!: FailNextStatus;

  /** Retry-After of a 429 (default the top-level retryAfterSeconds); a 503 carries it only when given. */
  @IsOptional()
  @IsInt()
  @Min(0)
  retryAfterSeconds?: number;

  /** Path patterns (prefix, `*` = one segment, trailing `$` = end); default the top-level onlyPaths. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  onlyPaths?: string[];
}

export class FaultsDto {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(600_000)
  latencyMs?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  errorRate?: number;

  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  status429Rate?: number;

  @IsOptional()
  @IsInt()
  @Min(0)
  retryAfterSeconds?: number;

  /** Path patterns such as `/api/sendText` or `/api/default/chats/*` + `/messages` (prefix of the
   *  decoded path, `*` = one segment, trailing `$` = end); empty or absent = every /api path. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  onlyPaths?: string[];

  /** Status of the injected errors (default 500). */
  @IsOptional()
  @IsIn([500, 404, 422])
  errorStatus?: 500 | 404 | 422;

  /** Handle the request first, then delay or fail its answer. */
  @IsOptional()
  @IsBoolean()
  afterHandling?: boolean;

  /** sendText ignores the pre-generated id. */
  @IsOptional()
  @IsBoolean()
  ignoreMessageIds?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => FailNextDto)
  failNext?: FailNextDto;
}

export class SeedDto {
  @IsInt()
  @Min(0)
  @Max(100_000)
  chats!: number;

  @IsInt()
  @Min(0)
  @Max(100_000)
  messagesPerChat!: number;
}

/** `POST /_sim/history-dataset` (buildHistoryDataSet; the mix is described there and in the README). */
export class HistoryDataSetDto {
  @IsInt()
  @Min(0)
  @Max(100_000)
  chats!: number;

  @IsInt()
  @Min(0)
  @Max(100_000)
  messagesPerChat!: number;

  /** PRNG seed: the same seed (and sizes) give the same data set. Default 1. */
  @IsOptional()
  @IsInt()
  seed?: number;

  /** Every timestamp is before it (unix seconds); default 1773100800 (2026-03-10T00:00:00Z). */
  @IsOptional()
  @IsInt()
  @Min(1)
  anchorSeconds?: number;

  /** The newest `recentChats` chats end up to 30 s before it instead (e.g. now - 60). */
  @IsOptional()
  @IsInt()
  @Min(1)
  recentAnchorSeconds?: number;

  /** Default 1 when recentAnchorSeconds is given. */
  @IsOptional()
  @IsInt()
  @Min(0)
  recentChats?: number;

  /** Every n-th chat stores some messages twice (same id); 0 = none. Default 5. */
  @IsOptional()
  @IsInt()
  @Min(0)
  twinChatEvery?: number;

  /** Default 2. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  twinsPerChat?: number;
}

/** `GET /_sim/history-dataset/truth` query. */
export class HistoryTruthQueryDto {
  /** Only this chat (and the contacts with messages in it). */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  chatId?: string;

  /** Only this contact (and the chats holding its messages). */
  @IsOptional()
  @Matches(/^[0-9]{8,15}$/, { message: 'phone must be E.164 digits without +' })
  phone?: string;

  /** false leaves out the per-message lists (counts only). Default true. */
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  messages: boolean = true;
}

/** `GET /_sim/requests` query. */
export class RequestStatsQueryDto {
  /** Path pattern, as in onlyPaths. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  path?: string;

  @IsOptional()
  @IsIn(API_REQUEST_KINDS)
  kind?: ApiRequestKind;
}
