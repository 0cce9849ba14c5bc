import { ValidationError } from '@app/shared';

/** What a message carries. Same list as the `messages.type` check constraint. */
export const MESSAGE_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'location',
  'contact',
  'sticker',
  'reaction',
  'other',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Types whose content is a media file (`media` holds its URL, mimetype and filename). */
export const MEDIA_MESSAGE_TYPES: readonly MessageType[] = ['image', 'audio', 'video', 'document', 'sticker'];

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && (MESSAGE_TYPES as readonly string[]).includes(value);
}

export function parseMessageType(value: unknown, field = 'type'): MessageType {
  if (!isMessageType(value)) throw new ValidationError(field, `must be one of ${MESSAGE_TYPES.join(', ')}`);
  return value;
}
