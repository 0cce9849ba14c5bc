import { Injectable } from '@nestjs/common';
import { type KeysetPosition, type Page, ValidationError, assertUuid, decodeCursor, isUuid, toPage } from '@app/shared';
import { SessionRepository } from '../../domain/session.repository.port';
import { parseSessionStatus } from '../../domain/session-status';
import { type SessionView, toSessionView } from '../session.view';
import { type ListSessionsQuery } from './list-sessions.query';

export const SESSION_LIST_DEFAULT_LIMIT = 50;
export const SESSION_LIST_MAX_LIMIT = 200;

/** Sessions of the tenant, newest first (by creation), optionally narrowed to a contact, a channel
 *  and a status, one keyset page at a time. */
@Injectable()
export class ListSessionsHandler {
  constructor(private readonly sessions: SessionRepository) {}

  async execute(query: ListSessionsQuery): Promise<Page<SessionView>> {
    const limit = query.limit ?? SESSION_LIST_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > SESSION_LIST_MAX_LIMIT) {
      throw new ValidationError('limit', `must be an integer from 1 to ${SESSION_LIST_MAX_LIMIT}`);
    }
    if (query.contactId !== undefined) assertUuid(query.contactId, 'contactId');
    if (query.channelId !== undefined) assertUuid(query.channelId, 'channelId');
    const status = query.status === undefined ? undefined : parseSessionStatus(query.status);
    const after = query.cursor ? toPosition(query.cursor) : undefined;
    const rows = await this.sessions.list(query.tenantId, {
      limit: limit + 1,
      after,
      contactId: query.contactId,
      channelId: query.channelId,
      status,
    });
    return toPage(rows, limit, toSessionView);
  }
}

function toPosition(cursor: string): KeysetPosition {
  const position = decodeCursor(cursor);
  if (!isUuid(position.id)) throw new ValidationError('cursor', 'is not a cursor returned by this API');
  return position;
}
