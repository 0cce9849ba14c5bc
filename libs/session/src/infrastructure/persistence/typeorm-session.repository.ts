import { Injectable } from '@nestjs/common';
import { type SelectQueryBuilder } from 'typeorm';
import {
  PG_FOREIGN_KEY_VIOLATION,
  TransactionContext,
  exactTimestampSql,
  violatedConstraint,
  keysetPage,
  returnedRows,
} from '@app/database';
import { Clock, ValidationError, isUuid, type Positioned } from '@app/shared';
import { type Session } from '../../domain/session.aggregate';
import { SessionNotFoundError, SessionVersionConflictError } from '../../domain/session.errors';
import {
  type ExpiredSessionCriteria,
  type ExpiredSessionRef,
  type SessionListCriteria,
  SessionRepository,
} from '../../domain/session.repository.port';
import { SessionMapper } from './session.mapper';
import { SessionOrmEntity } from './session.orm-entity';

/** Foreign keys of `sessions` (Postgres' default names) and the field each one is about. */
const FOREIGN_KEY_FIELDS: Record<string, { field: string; resource: string }> = {
  sessions_tenant_id_fkey: { field: 'tenantId', resource: 'tenant' },
  sessions_contact_id_fkey: { field: 'contactId', resource: 'contact' },
  sessions_channel_id_fkey: { field: 'channelId', resource: 'channel' },
};

const INSERT_COLUMNS =
  'id, tenant_id, contact_id, channel_id, status, started_at, last_activity_at, ended_at, end_reason, ' +
  'timeout_seconds, warning_lead_seconds, summary, first_touch, created_at, updated_at, version';

@Injectable()
export class TypeOrmSessionRepository extends SessionRepository {
  constructor(
    private readonly tx: TransactionContext,
    private readonly clock: Clock,
  ) {
    super();
  }

  async insertIfAbsent(session: Session): Promise<boolean> {
    const row = SessionMapper.toRow(session);
    let inserted: { id: string }[];
    try {
      inserted = await this.tx.forTenant(session.tenantId, (m) =>
        m.query(
          `INSERT INTO sessions (${INSERT_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::jsonb, $14, $14, $15)
         ON CONFLICT (contact_id, channel_id) WHERE status = 'active' DO NOTHING
         RETURNING id`,
          [
            row.id,
            row.tenantId,
            row.contactId,
            row.channelId,
            row.status,
            row.startedAt,
            row.lastActivityAt,
            row.endedAt,
            row.endReason,
            row.timeoutSeconds,
            row.warningLeadSeconds,
            toJsonParameter(row.summary),
            toJsonParameter(row.firstTouch),
            row.createdAt,
            row.version,
          ],
        ),
      );
    } catch (error) {
      throw translateForeignKeyViolation(error, row);
    }
    if (inserted.length === 0) return false;
    session.markPersisted();
    return true;
  }

  async findActive(tenantId: string, contactId: string, channelId: string): Promise<Session | null> {
    if (!isUuid(tenantId) || !isUuid(contactId) || !isUuid(channelId)) return null;
    const row = await this.scoped(tenantId, (q) =>
      q
        .andWhere('s.contact_id = :contactId AND s.channel_id = :channelId', { contactId, channelId })
        .andWhere(`s.status = 'active'`)
        .getOne(),
    );
    return row ? SessionMapper.toDomain(row) : null;
  }

  async findById(tenantId: string, id: string): Promise<Session | null> {
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.scoped(tenantId, (q) => q.andWhere('s.id = :id', { id }).getOne());
    return row ? SessionMapper.toDomain(row) : null;
  }

  async findByIdForUpdate(tenantId: string, id: string): Promise<Session | null> {
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.scoped(tenantId, (q) =>
      q.andWhere('s.id = :id', { id }).setLock('pessimistic_write').getOne(),
    );
    return row ? SessionMapper.toDomain(row) : null;
  }

  async update(session: Session): Promise<void> {
    const row = SessionMapper.toRow(session);
    const result = await this.tx.forTenant(session.tenantId, (m) =>
      m
        .createQueryBuilder()
        .update(SessionOrmEntity)
        .set({
          status: row.status,
          lastActivityAt: row.lastActivityAt,
          endedAt: row.endedAt,
          endReason: row.endReason,
          summary: () => 'CAST(:summary AS jsonb)',
          firstTouch: () => 'CAST(:firstTouch AS jsonb)',
          updatedAt: this.clock.now(),
          version: row.version,
        })
        .where('tenant_id = :tenantId AND id = :id AND version = :expectedVersion', {
          tenantId: session.tenantId,
          id: session.id,
          expectedVersion: session.expectedVersion,
        })
        .setParameters({ summary: toJsonParameter(row.summary), firstTouch: toJsonParameter(row.firstTouch) })
        .execute(),
    );
    if (!result.affected) {
      const current = await this.findById(session.tenantId, session.id);
      if (!current) throw new SessionNotFoundError(session.id);
      throw new SessionVersionConflictError(session.id, session.expectedVersion);
    }
    session.markPersisted();
  }

  async list(tenantId: string, criteria: SessionListCriteria): Promise<Positioned<Session>[]> {
    if (!isUuid(tenantId)) return [];
    if (criteria.contactId !== undefined && !isUuid(criteria.contactId)) return [];
    if (criteria.channelId !== undefined && !isUuid(criteria.channelId)) return [];
    const rows = await this.scoped(tenantId, (query) => {
      if (criteria.contactId !== undefined)
        query.andWhere('s.contact_id = :contactId', { contactId: criteria.contactId });
      if (criteria.channelId !== undefined)
        query.andWhere('s.channel_id = :channelId', { channelId: criteria.channelId });
      if (criteria.status !== undefined) query.andWhere('s.status = :status', { status: criteria.status });
      return keysetPage(query, 's', criteria);
    });
    return rows.map(({ entity, position }) => ({ item: SessionMapper.toDomain(entity), position }));
  }

  async applyTimeoutPolicy(
    tenantId: string,
    channelId: string,
    policy: { timeoutSeconds: number; warningLeadSeconds: number | null },
  ): Promise<string[]> {
    if (!isUuid(tenantId) || !isUuid(channelId)) return [];
    const result: unknown = await this.tx.forTenant(tenantId, (m) =>
      m.query(
        `UPDATE sessions
          SET timeout_seconds = $3, warning_lead_seconds = $4, version = version + 1, updated_at = $5
        WHERE tenant_id = $1 AND channel_id = $2 AND status = 'active'
          AND (timeout_seconds, warning_lead_seconds) IS DISTINCT FROM ($3::int, $4::int)
        RETURNING id`,
        [tenantId, channelId, policy.timeoutSeconds, policy.warningLeadSeconds, this.clock.now()],
      ),
    );
    return returnedRows<{ id: string }>(result).map((row) => row.id);
  }

  async findExpiredActive(criteria: ExpiredSessionCriteria): Promise<ExpiredSessionRef[]> {
    const deadline = `last_activity_at + timeout_seconds * interval '1 second'`;
    const params: unknown[] = [criteria.now, criteria.limit];
    let afterClause = '';
    if (criteria.after) {
      params.push(criteria.after.deadline, criteria.after.sessionId);
      afterClause = `AND (${deadline}, id) > ($3::timestamptz, $4::uuid)`;
    }
    // The cleanup sweep: every tenant's expired sessions.
    const rows: { tenant_id: string; id: string; deadline: string }[] = await this.tx.asSystem((m) =>
      m.query(
        `SELECT tenant_id, id, ${exactTimestampSql(deadline)} AS deadline
         FROM sessions
        WHERE status = 'active'
          AND ${deadline} < $1
          ${afterClause}
        ORDER BY ${deadline}, id
        LIMIT $2`,
        params,
      ),
    );
    return rows.map((row) => ({ tenantId: row.tenant_id, sessionId: row.id, deadline: row.deadline }));
  }

  private scoped<T>(
    tenantId: string,
    query: (builder: SelectQueryBuilder<SessionOrmEntity>) => Promise<T>,
  ): Promise<T> {
    return this.tx.forTenant(tenantId, (m) =>
      query(m.createQueryBuilder(SessionOrmEntity, 's').where('s.tenant_id = :tenantId', { tenantId })),
    );
  }
}

function toJsonParameter(value: object | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** A session naming a contact, channel or tenant that does not exist is a caller error naming that field. */
function translateForeignKeyViolation(
  error: unknown,
  row: { tenantId: string; contactId: string; channelId: string },
): unknown {
  const constraint = violatedConstraint(error, PG_FOREIGN_KEY_VIOLATION);
  const target = constraint ? FOREIGN_KEY_FIELDS[constraint] : undefined;
  if (!target) return error;
  const id = row[target.field as 'tenantId' | 'contactId' | 'channelId'];
  return new ValidationError(target.field, `${target.resource} ${id} does not exist`);
}
