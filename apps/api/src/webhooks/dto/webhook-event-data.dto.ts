import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNEL_TYPES, INBOUND_MODES } from '@app/channel';
import { CONTACT_SOURCES } from '@app/contact';
import { MESSAGE_DIRECTIONS, MESSAGE_STATUSES, MESSAGE_TYPES } from '@app/message';
import { SESSION_END_REASONS, SESSION_STATUSES } from '@app/session';
import { HistoryImportResponseDto } from '../../history-imports/dto/history-import.dto';

/* The `data` of every event type a webhook carries, as Swagger schemas (GET /v1/webhook-event-types
 * names the schema of each type). Stable contracts: fields are added, never renamed or removed. */

const ISO = { type: String, format: 'date-time' } as const;
const ISO_OR_NULL = { type: String, format: 'date-time', nullable: true } as const;

// ---- contact.* --------------------------------------------------------------------------------

export class ContactEventData {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'E.164 digits with country code, no plus', example: '5511999990000' }) phone!: string;
  @ApiProperty({ type: String, nullable: true, example: '5511999990000@c.us' }) whatsappId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Ana' }) name!: string | null;
  @ApiProperty({ type: String, nullable: true }) profilePictureUrl!: string | null;
  @ApiProperty({ enum: CONTACT_SOURCES }) source!: string;
}

export class ContactCreatedEventData extends ContactEventData {
  @ApiProperty(ISO) createdAt!: string;
}

export class ContactChangesData {
  @ApiPropertyOptional() phone?: string;
  @ApiPropertyOptional({ type: String, nullable: true }) whatsappId?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) name?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) profilePictureUrl?: string | null;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'First-touch attribution (only in the event that records it)',
  })
  firstTouch?: Record<string, unknown>;
}

export class ContactUpdatedEventData extends ContactEventData {
  @ApiProperty({ type: [String], enum: ['phone', 'whatsappId', 'name', 'profilePictureUrl', 'firstTouch'] })
  changedFields!: string[];
  @ApiProperty({ type: ContactChangesData, description: 'New values of the changed fields' })
  changes!: ContactChangesData;
  @ApiProperty(ISO) updatedAt!: string;
}

export class ContactDeletedEventData extends ContactEventData {
  @ApiProperty(ISO) deletedAt!: string;
}

// ---- session.* --------------------------------------------------------------------------------

export class SessionEventData {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'uuid' }) channelId!: string;
  @ApiProperty({ enum: SESSION_STATUSES }) status!: string;
  @ApiProperty(ISO) startedAt!: string;
  @ApiProperty(ISO) lastActivityAt!: string;
  @ApiProperty({ example: 1800 }) timeoutSeconds!: number;
  @ApiProperty({ type: Number, nullable: true, example: 300 }) warningLeadSeconds!: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Ad referral that started the conversation',
  })
  firstTouch!: Record<string, unknown> | null;
}

export class SessionStartedEventData extends SessionEventData {
  @ApiProperty({ ...ISO, description: 'When the session ends unless there is more activity' }) deadlineAt!: string;
  @ApiProperty(ISO_OR_NULL) warningAt!: string | null;
}

export class SessionTimeoutWarningEventData extends SessionEventData {
  @ApiProperty(ISO) warnedAt!: string;
  @ApiProperty(ISO) deadlineAt!: string;
  @ApiProperty({ example: 300 }) secondsRemaining!: number;
}

export class SessionSummaryData {
  @ApiProperty() messagesInbound!: number;
  @ApiProperty() messagesOutbound!: number;
  @ApiProperty() messagesTotal!: number;
  @ApiProperty(ISO_OR_NULL) firstMessageAt!: string | null;
  @ApiProperty(ISO_OR_NULL) lastMessageAt!: string | null;
  @ApiProperty({ example: 1800.25 }) durationSeconds!: number;
  @ApiProperty({ type: Number, nullable: true, example: 42.5 }) firstResponseSeconds!: number | null;
}

export class SessionEndedEventData extends SessionEventData {
  @ApiProperty({ enum: SESSION_END_REASONS }) reason!: string;
  @ApiProperty(ISO) endedAt!: string;
  @ApiProperty({ type: SessionSummaryData }) summary!: SessionSummaryData;
}

// ---- message.* --------------------------------------------------------------------------------

export class MessageEventData {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'uuid' }) channelId!: string;
  @ApiProperty({ description: 'WAHA message id', example: 'false_5511999990000@c.us_AC4A1B2C3D' }) externalId!: string;
}

export class MessageMediaData {
  @ApiProperty({ type: String, nullable: true }) url!: string | null;
  @ApiProperty({ type: String, nullable: true }) mimetype!: string | null;
  @ApiProperty({ type: String, nullable: true }) filename!: string | null;
  @ApiProperty({ type: String, nullable: true }) caption!: string | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}

export class MessageCreatedEventData extends MessageEventData {
  @ApiProperty({ enum: MESSAGE_DIRECTIONS }) direction!: string;
  @ApiProperty({ enum: MESSAGE_TYPES }) type!: string;
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty({ type: MessageMediaData, nullable: true }) media!: MessageMediaData | null;
  @ApiProperty({ ...ISO, description: 'WhatsApp time of the message' }) sentAt!: string;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status!: string;
}

export class MessageStatusChangedEventData extends MessageEventData {
  @ApiProperty({ enum: MESSAGE_DIRECTIONS }) direction!: string;
  @ApiProperty({ example: 'sent' }) from!: string;
  @ApiProperty({ example: 'read' }) to!: string;
  @ApiProperty({
    description: 'WAHA ack level (-1 error, 0 pending, 1 server, 2 device, 3 read, 4 played)',
    example: 3,
  })
  ackLevel!: number;
  @ApiProperty(ISO) changedAt!: string;
}

export class MessageRevokedEventData extends MessageEventData {
  @ApiProperty({ example: 'received' }) previousStatus!: string;
  @ApiProperty(ISO) revokedAt!: string;
}

export class MessageReactionEventData extends MessageEventData {
  @ApiProperty({ description: 'WhatsApp id of whoever reacted' }) reactor!: string;
  @ApiProperty({ description: 'The emoji; the empty string when a reaction is removed', example: '👍' }) emoji!: string;
  @ApiProperty({ type: String, nullable: true }) previousEmoji!: string | null;
  @ApiProperty() reactionExternalId!: string;
  @ApiProperty(ISO) reactedAt!: string;
}

export class MessageDeletedEventData extends MessageEventData {
  @ApiProperty({ example: 'saga_rollback' }) reason!: string;
  @ApiProperty(ISO) deletedAt!: string;
}

export class MessageGroupCompletedEventData {
  @ApiProperty({ format: 'uuid' }) groupId!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ format: 'uuid' }) channelId!: string;
  @ApiProperty({ type: [String], description: 'In the order they were collected' }) messageIds!: string[];
  @ApiProperty() count!: number;
  @ApiProperty(ISO) firstMessageAt!: string;
  @ApiProperty(ISO) lastMessageAt!: string;
  @ApiProperty(ISO) completedAt!: string;
}

// ---- tracking, channel, saga --------------------------------------------------------------------

export class AdConversionEventData {
  @ApiProperty({ format: 'uuid', description: 'The conversion id' }) id!: string;
  @ApiProperty({ format: 'uuid' }) messageId!: string;
  @ApiProperty({ format: 'uuid' }) contactId!: string;
  @ApiProperty({ format: 'uuid' }) sessionId!: string;
  @ApiProperty({ format: 'uuid' }) channelId!: string;
  @ApiProperty({ type: String, nullable: true }) sourceType!: string | null;
  @ApiProperty({ type: String, nullable: true }) sourceId!: string | null;
  @ApiProperty({ type: String, nullable: true }) sourceUrl!: string | null;
  @ApiProperty({ type: String, nullable: true }) ctwaClid!: string | null;
  @ApiProperty({ type: String, nullable: true }) title!: string | null;
  @ApiProperty({ type: String, nullable: true }) body!: string | null;
  @ApiProperty({ type: String, nullable: true }) entryPoint!: string | null;
  @ApiProperty(ISO) createdAt!: string;
}

export class ChannelEventData {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) type!: string;
  @ApiProperty() wahaBaseUrl!: string;
  @ApiProperty() wahaSession!: string;
  @ApiProperty({ description: 'Whether a WAHA API key is stored (never the key)' }) hasWahaApiKey!: boolean;
  @ApiProperty() allowGroups!: boolean;
  @ApiProperty({ type: Number, nullable: true }) sessionTimeoutSeconds!: number | null;
  @ApiProperty({ type: Number, nullable: true }) sessionWarningLeadSeconds!: number | null;
  @ApiProperty({ type: String, nullable: true }) sessionWarningText!: string | null;
  @ApiProperty({ type: Number, nullable: true }) debounceWindowMs!: number | null;
  @ApiProperty({ type: String, enum: INBOUND_MODES, nullable: true }) inboundMode!: string | null;
  @ApiProperty({ type: String, nullable: true }) wahaStatus!: string | null;
  @ApiProperty(ISO_OR_NULL) wahaStatusAt!: string | null;
}

export class ChannelCreatedEventData extends ChannelEventData {
  @ApiProperty(ISO) createdAt!: string;
}

export class ChannelUpdatedEventData extends ChannelEventData {
  @ApiProperty({
    type: [String],
    description: 'Changed fields; secrets appear only by name (wahaApiKey, webhookSecret)',
  })
  changedFields!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'New values of the changed non-secret fields',
  })
  changes!: Record<string, unknown>;
  @ApiProperty(ISO) updatedAt!: string;
}

export class SagaCompensatedEventData {
  @ApiProperty({ example: 'ProcessInboundMessageSaga' }) saga!: string;
  @ApiProperty() sagaId!: string;
  @ApiProperty({ type: [String], description: 'Steps undone, in the order they were undone' }) compensated!: string[];
  @ApiProperty({
    type: [String],
    description: 'Undos skipped because other messages use the row (a contact or session they adopted)',
  })
  kept!: string[];
  @ApiProperty() reason!: string;
}

// ---- history imports ---------------------------------------------------------------------------

export class MessageImportedEventData {
  @ApiProperty({ format: 'uuid' }) importId!: string;
  @ApiProperty({ format: 'uuid' }) channelId!: string;
  @ApiProperty({ example: '5511999990000@c.us' }) chatId!: string;
  @ApiProperty({ type: String, nullable: true }) chatName!: string | null;
  @ApiProperty() group!: boolean;
  @ApiProperty({
    enum: ['pending', 'running', 'done', 'failed', 'cancelled'],
    description: 'How the chat ended in this import',
  })
  chatStatus!: string;
  @ApiProperty() messagesImported!: number;
  @ApiProperty({ description: 'Messages already stored (same WAHA id)' }) duplicatesSkipped!: number;
  @ApiProperty({ description: 'History items that are not conversation messages, or malformed' }) itemsSkipped!: number;
  @ApiProperty() contactsCreated!: number;
  @ApiProperty(ISO_OR_NULL) firstMessageAt!: string | null;
  @ApiProperty(ISO_OR_NULL) lastMessageAt!: string | null;
}

// ---- webhook.* ----------------------------------------------------------------------------------

export class WebhookTestEventDataDto {
  @ApiProperty({ format: 'uuid', description: 'The subscription the test was sent to' }) subscriptionId!: string;
  @ApiProperty({ example: 'This is a test event.' }) message!: string;
}

export class WebhookDeliveryFailedEventDataDto {
  @ApiProperty({ format: 'uuid', description: 'The subscription that could not be reached (never this one)' })
  subscriptionId!: string;
  @ApiProperty({ format: 'uuid' }) deliveryId!: string;
  @ApiProperty({ format: 'uuid', description: 'The event that was not delivered' }) eventId!: string;
  @ApiProperty({ example: 'message.created' }) eventType!: string;
  @ApiProperty({ example: 8 }) attempts!: number;
  @ApiProperty({ example: 'endpoint answered 503' }) reason!: string;
}

export class WebhookSubscriptionDisabledEventDataDto {
  @ApiProperty({ format: 'uuid', description: 'The disabled subscription (never this one)' }) subscriptionId!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ example: 5 }) consecutiveFailures!: number;
}

/** The schema of each catalogued event type's `data`. */
export const WEBHOOK_EVENT_DATA_SCHEMAS: Readonly<Record<string, abstract new () => object>> = {
  'contact.created': ContactCreatedEventData,
  'contact.updated': ContactUpdatedEventData,
  'contact.deleted': ContactDeletedEventData,
  'session.started': SessionStartedEventData,
  'session.timeout_warning': SessionTimeoutWarningEventData,
  'session.ended': SessionEndedEventData,
  'message.created': MessageCreatedEventData,
  'message.status_changed': MessageStatusChangedEventData,
  'message.revoked': MessageRevokedEventData,
  'message.reaction_added': MessageReactionEventData,
  'message.reaction_removed': MessageReactionEventData,
  'message.deleted': MessageDeletedEventData,
  'message.group.completed': MessageGroupCompletedEventData,
  'tracking.ad_conversion': AdConversionEventData,
  'channel.created': ChannelCreatedEventData,
  'channel.updated': ChannelUpdatedEventData,
  'saga.compensated': SagaCompensatedEventData,
  'message.imported': MessageImportedEventData,
  'history_import.started': HistoryImportResponseDto,
  'history_import.completed': HistoryImportResponseDto,
  'history_import.failed': HistoryImportResponseDto,
  'history_import.cancelled': HistoryImportResponseDto,
  'webhook.test': WebhookTestEventDataDto,
  'webhook.delivery_failed': WebhookDeliveryFailedEventDataDto,
  'webhook.subscription_disabled': WebhookSubscriptionDisabledEventDataDto,
};

/** Every data schema, once (for @ApiExtraModels). */
export const WEBHOOK_EVENT_DATA_MODELS = [...new Set(Object.values(WEBHOOK_EVENT_DATA_SCHEMAS))];
