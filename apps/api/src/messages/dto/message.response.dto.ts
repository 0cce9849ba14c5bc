import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  type AdReferral,
  MESSAGE_DIRECTIONS,
  MESSAGE_SOURCES,
  MESSAGE_STATUSES,
  MESSAGE_TYPES,
  type MessageDirection,
  type MessageLocation,
  type MessageMedia,
  type MessageMetadataView,
  type MessageReactionView,
  type MessageReplyTo,
  type MessageSource,
  type MessageStatus,
  type MessageType,
  type MessageView,
  type WahaAck,
} from '@app/message';

export class MessageMediaDto implements MessageMedia {
  @ApiProperty({
    type: String,
    nullable: true,
    description: "WAHA's file URL (short-lived, needs the WAHA API key); null when the media was not downloaded",
    example: 'http://localhost:3000/api/files/default/AC2B7E1F4D9A3C5E8B0F6A2D4C7E9B13.jpeg',
  })
  url!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'image/jpeg' })
  mimetype!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Documents only', example: null })
  filename!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Essa é a tela que aparece pra mim' })
  caption!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why WAHA could not download the file', example: null })
  error!: string | null;
}

export class MessageReplyToDto implements MessageReplyTo {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Raw or full WAHA id of the quoted message',
    example: 'AC1F3B7E9D2C4A6F8E0B1D3C5A7E9F21',
  })
  id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  participant!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'Olá! Vi o anúncio de vocês e quero saber mais sobre o plano Pro.',
  })
  body!: string | null;
}

export class MessageLocationDto implements MessageLocation {
  @ApiProperty({ example: -23.561684 })
  latitude!: number;

  @ApiProperty({ example: -46.655981 })
  longitude!: number;

  @ApiProperty({ type: String, nullable: true, example: 'Acme Vendas' })
  name!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Av. Paulista, 1000 - São Paulo' })
  address!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  url!: string | null;

  @ApiProperty({ example: false })
  live!: boolean;
}

export class AdReferralDto implements AdReferral {
  @ApiProperty({ type: String, nullable: true, example: 'ad' })
  sourceType!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The ad id', example: '120210000000000001' })
  sourceId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'https://fb.me/1AbCdEfGhIjK' })
  sourceUrl!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Click-to-WhatsApp click id',
    example: 'Afc3nYt8WqKx2mP0dLr7sVb1eZg9hJ4oN6uI5yT0aQwXcEr2',
  })
  ctwaClid!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Plano Pro Acme - 30% off no primeiro mês' })
  title!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Fale com a gente pelo WhatsApp' })
  body!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'ctwa_ad' })
  entryPoint!: string | null;
}

export class MessageMetadataDto implements MessageMetadataView {
  @ApiPropertyOptional({
    enum: MESSAGE_SOURCES,
    description: 'Own messages: written through the API or in a WhatsApp app',
    example: 'app',
  })
  source?: MessageSource;

  @ApiPropertyOptional({ type: MessageReplyToDto })
  replyTo?: MessageReplyToDto;

  @ApiPropertyOptional({ type: MessageLocationDto })
  location?: MessageLocationDto;

  @ApiPropertyOptional({
    type: [String],
    description: 'Raw vCard texts of shared contacts',
    example: ['BEGIN:VCARD\nVERSION:3.0\nFN:Bruno Lima\nEND:VCARD'],
  })
  vCards?: string[];

  @ApiPropertyOptional({
    type: AdReferralDto,
    description: 'Present on the first message sent after tapping a Click-to-WhatsApp ad',
  })
  adReferral?: AdReferralDto;

  @ApiPropertyOptional({ description: 'Group messages: the group chat id', example: '120363400000000001@g.us' })
  groupChatId?: string;

  @ApiPropertyOptional({ description: 'Group messages: the author', example: '123450000000002@lid' })
  participant?: string;
}

export class MessageReactionDto implements MessageReactionView {
  @ApiProperty({ description: 'WhatsApp id of whoever reacted', example: '5511999990001@c.us' })
  reactor!: string;

  @ApiProperty({ example: '👍' })
  emoji!: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-10T13:02:20.000Z' })
  reactedAt!: string;
}

export class MessageResponseDto implements MessageView {
  @ApiProperty({ format: 'uuid', example: '9c3e8a52-51b4-4d0e-8f0a-3f1f4f2b7a10' })
  id!: string;

  @ApiProperty({ format: 'uuid', example: '4f0c2a7e-1d3b-4c5a-9e8f-0a1b2c3d4e5f' })
  sessionId!: string;

  @ApiProperty({ format: 'uuid', example: '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30' })
  contactId!: string;

  @ApiProperty({ format: 'uuid', example: '2d7c6b5a-4e3f-4a1b-8c9d-0e1f2a3b4c5d' })
  channelId!: string;

  @ApiProperty({ enum: MESSAGE_DIRECTIONS, example: 'inbound' })
  direction!: MessageDirection;

  @ApiProperty({
    description: 'WAHA message id {fromMe}_{chatId}_{rawId}[_{participant}]',
    example: 'false_5511999990001@c.us_AC2B7E1F4D9A3C5E8B0F6A2D4C7E9B13',
  })
  externalId!: string;

  @ApiProperty({ example: '5511999990001@c.us' })
  waChatId!: string;

  @ApiProperty({ example: 'AC2B7E1F4D9A3C5E8B0F6A2D4C7E9B13' })
  waRawId!: string;

  @ApiProperty({ enum: MESSAGE_TYPES, example: 'image' })
  type!: MessageType;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Text, or the caption of a media message',
    example: 'Essa é a tela que aparece pra mim',
  })
  text!: string | null;

  @ApiProperty({ type: MessageMediaDto, nullable: true })
  media!: MessageMediaDto | null;

  @ApiProperty({
    enum: MESSAGE_STATUSES,
    description:
      'Inbound: received. Outbound: pending, sent, delivered, read, played (forward only) or failed. Revoked: deleted.',
    example: 'received',
  })
  status!: MessageStatus;

  @ApiProperty({
    type: Number,
    nullable: true,
    enum: [-1, 0, 1, 2, 3, 4],
    description: 'Last WAHA ack: -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED',
    example: 2,
  })
  ackLevel!: WahaAck | null;

  @ApiProperty({
    format: 'date-time',
    description: 'WhatsApp time of the message',
    example: '2026-03-10T13:00:40.000Z',
  })
  sentAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the sender deleted it for everyone',
    example: null,
  })
  revokedAt!: string | null;

  @ApiProperty({ type: MessageMetadataDto })
  metadata!: MessageMetadataDto;

  @ApiProperty({ type: [MessageReactionDto], description: 'Reactions in place, oldest first' })
  reactions!: MessageReactionDto[];

  @ApiProperty({ format: 'date-time', description: 'When the CRM stored it', example: '2026-03-10T13:00:41.120Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-10T13:00:41.120Z' })
  updatedAt!: string;
}

export class MessagePageResponseDto {
  @ApiProperty({ type: [MessageResponseDto] })
  data!: MessageResponseDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= to get the next page; null on the last page',
  })
  nextCursor!: string | null;
}
