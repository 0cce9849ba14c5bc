import { Injectable } from '@nestjs/common';
import { assertUuid, keysetAfter, type Page, pageLimit, toPage } from '@app/shared';
import { SessionRepository } from '../../domain/session.repository.port';
import { parseSessionStatus } from '../../domain/session-status';
import { type SessionView, toSessionView } from '../session.view';
import { type ListSessionsQuery } from './list-sessions.query';

/** Sessions of the tenant, newest first (by creation), optionally narrowed to a contact, a channel
 *  and a status, one keyset page at a time. */
@Injectable()
export class ListSessionsHandler {
  constructor(private readonly sessions: SessionRepository) {}

  async execute(query: ListSessionsQuery): Promise<Page<SessionView>> {
    const limit = pageLimit(query.limit);
    if (query.contactId !== undefined) assertUuid(query.contactId, 'contactId');
    if (query.channelId !== undefined) assertUuid(query.channelId, 'channelId');
    const status = query.status === undefined ? undefined : parseSessionStatus(query.status);
    const after = keysetAfter(query.cursor);
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
