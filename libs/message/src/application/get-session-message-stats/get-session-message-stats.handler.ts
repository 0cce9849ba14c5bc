import { Injectable } from '@nestjs/common';
import { assertUuid } from '@app/shared';
import { MessageRepository } from '../../domain/message.repository.port';
import { type SessionMessageStats } from '../../domain/session-message-stats';
import { type GetSessionMessageStatsQuery } from './get-session-message-stats.query';

/** Counts and times of a session's messages (zeros and nulls for a session without messages);
 *  runs inside the caller's unit of work when there is one. */
@Injectable()
export class GetSessionMessageStatsHandler {
  constructor(private readonly messages: MessageRepository) {}

  async execute(query: GetSessionMessageStatsQuery): Promise<SessionMessageStats> {
    assertUuid(query.tenantId, 'tenantId');
    assertUuid(query.sessionId, 'sessionId');
    return this.messages.sessionStats(query.tenantId, query.sessionId);
  }
}
