import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApplySessionTimeoutPolicyHandler } from './application/apply-session-timeout-policy/apply-session-timeout-policy.handler';
import { EndSessionHandler } from './application/end-session/end-session.handler';
import { FindExpiredSessionsHandler } from './application/find-expired-sessions/find-expired-sessions.handler';
import { FindOrOpenSessionHandler } from './application/find-or-open-session/find-or-open-session.handler';
import { GetSessionHandler } from './application/get-session/get-session.handler';
import { ListSessionsHandler } from './application/list-sessions/list-sessions.handler';
import { RecordSessionActivityHandler } from './application/record-session-activity/record-session-activity.handler';
import { RecordTimeoutWarningHandler } from './application/record-timeout-warning/record-timeout-warning.handler';
import { ResolveSessionTimeoutPolicyHandler } from './application/resolve-session-timeout-policy/resolve-session-timeout-policy.handler';
import { SetSessionFirstTouchHandler } from './application/set-session-first-touch/set-session-first-touch.handler';
import { SessionRepository } from './domain/session.repository.port';
import { SessionOrmEntity } from './infrastructure/persistence/session.orm-entity';
import { TypeOrmSessionRepository } from './infrastructure/persistence/typeorm-session.repository';
import { sessionConfig } from './session.config';

const HANDLERS = [
  FindOrOpenSessionHandler,
  RecordSessionActivityHandler,
  EndSessionHandler,
  RecordTimeoutWarningHandler,
  SetSessionFirstTouchHandler,
  GetSessionHandler,
  ListSessionsHandler,
  FindExpiredSessionsHandler,
  ResolveSessionTimeoutPolicyHandler,
  ApplySessionTimeoutPolicyHandler,
];

/** The Session bounded context. Needs DatabaseModule (UnitOfWork, Clock, TransactionContext) and
 *  OutboxModule (EventOutbox), both global, to be imported by the application. */
@Module({
  imports: [TypeOrmModule.forFeature([SessionOrmEntity]), ConfigModule.forFeature(sessionConfig)],
  providers: [{ provide: SessionRepository, useClass: TypeOrmSessionRepository }, ...HANDLERS],
  exports: [...HANDLERS],
})
export class SessionModule {}
