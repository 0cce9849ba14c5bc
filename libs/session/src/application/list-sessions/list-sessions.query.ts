import { type SessionStatus } from '../../domain/session-status';

export interface ListSessionsQuery {
  tenantId: string;
  contactId?: string;
  channelId?: string;
  status?: SessionStatus;
  /** 1 to 200; defaults to 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}
