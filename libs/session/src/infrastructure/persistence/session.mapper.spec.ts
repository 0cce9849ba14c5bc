import { ValidationError } from '@app/shared';
import { Session } from '../../domain/session.aggregate';
import { emptySessionMessageStats } from '../../domain/session-summary.value-object';
import { SessionMapper } from './session.mapper';
import { SessionOrmEntity } from './session.orm-entity';

const T0 = new Date('2025-11-26T10:00:00.000Z');

function opened(): Session {
  const session = Session.open(
    {
      tenantId: '6f1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f',
      contactId: '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30',
      channelId: '5d0c7a1e-3b2f-4e6a-8c9d-7f1e2a3b4c5d',
      startedAt: T0,
      timeoutSeconds: 600,
      warningLeadSeconds: 60,
    },
    T0,
  );
  session.markPersisted();
  return session;
}

function toEntity(session: Session): SessionOrmEntity {
  return Object.assign(new SessionOrmEntity(), SessionMapper.toRow(session), { updatedAt: T0 });
}

describe('SessionMapper', () => {
  it('maps an ended session to a row and back without loss', () => {
    const session = opened();
    session.setFirstTouch({ sourceId: 'ad-1' });
    session.end('inactivity', new Date('2025-11-26T10:10:00.000Z'), emptySessionMessageStats());
    session.markPersisted();
    const row = SessionMapper.toRow(session);
    expect(row).toMatchObject({
      status: 'ended',
      endReason: 'inactivity',
      version: 2,
      firstTouch: { sourceId: 'ad-1' },
    });
    expect(row.summary).toEqual(session.summary?.toJSON());
    expect(SessionMapper.toDomain(toEntity(session)).toProps()).toEqual(session.toProps());
  });

  it('refuses a row with a status or end reason the domain does not know', () => {
    const row = toEntity(opened());
    expect(() => SessionMapper.toDomain({ ...row, status: 'expired' })).toThrow(ValidationError);
    expect(() => SessionMapper.toDomain({ ...row, endReason: 'agent_closed' })).toThrow(ValidationError);
  });
});
