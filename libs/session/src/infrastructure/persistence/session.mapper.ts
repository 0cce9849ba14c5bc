import { Session } from '../../domain/session.aggregate';
import { parseSessionEndReason } from '../../domain/session-end-reason';
import { parseSessionStatus } from '../../domain/session-status';
import { SessionSummary } from '../../domain/session-summary.value-object';
import { type SessionOrmEntity } from './session.orm-entity';

/** Session aggregate <-> `sessions` row. `updated_at` is maintained by the repository, not the domain. */
export const SessionMapper = {
  toDomain(row: SessionOrmEntity): Session {
    return Session.rehydrate({
      id: row.id,
      tenantId: row.tenantId,
      contactId: row.contactId,
      channelId: row.channelId,
      status: parseSessionStatus(row.status),
      startedAt: row.startedAt,
      lastActivityAt: row.lastActivityAt,
      endedAt: row.endedAt,
      endReason: row.endReason === null ? null : parseSessionEndReason(row.endReason, 'endReason'),
      timeoutSeconds: row.timeoutSeconds,
      warningLeadSeconds: row.warningLeadSeconds,
      summary: row.summary === null ? null : SessionSummary.fromData(row.summary),
      firstTouch: row.firstTouch,
      createdAt: row.createdAt,
      version: row.version,
    });
  },

  /** The row's columns except `updated_at`. */
  toRow(session: Session): Omit<SessionOrmEntity, 'updatedAt'> {
    const props = session.toProps();
    return {
      id: props.id,
      tenantId: props.tenantId,
      contactId: props.contactId,
      channelId: props.channelId,
      status: props.status,
      startedAt: props.startedAt,
      lastActivityAt: props.lastActivityAt,
      endedAt: props.endedAt,
      endReason: props.endReason,
      timeoutSeconds: props.timeoutSeconds,
      warningLeadSeconds: props.warningLeadSeconds,
      summary: props.summary?.toJSON() ?? null,
      firstTouch: props.firstTouch,
      createdAt: props.createdAt,
      version: props.version,
    };
  },
};
