import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '@app/shared';
import { MESSAGE_DIRECTIONS, isMessageDirection, parseMessageDirection } from './message-direction';
import { MESSAGE_STATUSES, isMessageStatus, parseMessageStatus } from './message-status';
import { MEDIA_MESSAGE_TYPES, MESSAGE_TYPES, isMessageType, parseMessageType } from './message-type';

/** The values of `CHECK (<column> IN (...))` on the messages table, as migrated. */
function checkList(column: string): string[] {
  const migration = readFileSync(
    join(__dirname, '../../../database/src/migrations/1764201600000-conversations.ts'),
    'utf8',
  );
  const table = migration.slice(migration.indexOf('CREATE TABLE messages'));
  const match = new RegExp(`\\b${column} text NOT NULL CHECK \\(${column} IN \\(([^)]*)\\)\\)`).exec(table);
  if (!match) throw new Error(`no check constraint for messages.${column}`);
  return match[1]!.split(',').map((value) => value.trim().replace(/^'|'$/g, ''));
}

describe('message enums', () => {
  it('match the check constraints of the messages table exactly', () => {
    expect([...MESSAGE_TYPES]).toEqual(checkList('type'));
    expect([...MESSAGE_STATUSES]).toEqual(checkList('status'));
    expect([...MESSAGE_DIRECTIONS]).toEqual(checkList('direction'));
  });

  it('lists DESIGN §3 types and the media subset', () => {
    expect(MESSAGE_TYPES).toEqual([
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
    ]);
    expect(MEDIA_MESSAGE_TYPES).toEqual(['image', 'audio', 'video', 'document', 'sticker']);
  });

  it.each([
    [parseMessageType, isMessageType, 'image', 'voice', 'type'],
    [parseMessageStatus, isMessageStatus, 'played', 'queued', 'status'],
    [parseMessageDirection, isMessageDirection, 'outbound', 'out', 'direction'],
  ] as const)(
    'parses known values and rejects others with a ValidationError naming the field',
    (parse, is, good, bad, field) => {
      expect(parse(good)).toBe(good);
      expect(is(good)).toBe(true);
      expect(is(bad)).toBe(false);
      expect(is(undefined)).toBe(false);
      let caught: unknown;
      try {
        parse(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ValidationError);
      expect((caught as ValidationError).field).toBe(field);
    },
  );
});
