import { Injectable } from '@nestjs/common';
import { InboundConversationSteps } from '@app/inbound';
import {
  GetSessionMessageStatsHandler,
  PurgeStaleHeldMessageEventsHandler,
  PurgeStalePendingAcksHandler,
} from '@app/message';
import { EndSessionHandler, type ExpiredSessionPosition, FindExpiredSessionsHandler } from '@app/session';
import { type DebouncerActivitiesContract } from '../contracts/debouncer.contracts';
import {
  type SessionCleanupActivitiesContract,
  type SessionCleanupResult,
} from '../contracts/session-cleanup.contracts';
import { TemporalConversationWorkflows } from '../temporal/temporal-conversation-workflows';
import { inActivity } from './activity-context';

/** The automation queue: SessionCleanupWorkflow's sweep and the debouncer's group completion. */
@Injectable()
export class AutomationActivities implements SessionCleanupActivitiesContract, DebouncerActivitiesContract {
  constructor(
    private readonly expired: FindExpiredSessionsHandler,
    private readonly endSession: EndSessionHandler,
    private readonly stats: GetSessionMessageStatsHandler,
    private readonly workflows: TemporalConversationWorkflows,
    private readonly steps: InboundConversationSteps,
    private readonly staleAcks: PurgeStalePendingAcksHandler,
    private readonly staleHeldEvents: PurgeStaleHeldMessageEventsHandler,
  ) {}

  /** Ends expired active sessions that no lifecycle workflow watches (reason `cleanup`), up to
   *  `batchSize` of them per run. Sessions a workflow still watches are left to it: it ends them itself,
   *  with their own timeout. The sweep pages on past them (keyset over deadline, id) until it has ended
   *  a batch or seen every overdue session, so watched sessions filling the first page never starve the
   *  orphans behind them. Also drops acks, revokes and reactions that waited a week for a message
   *  that never came. */
  cleanupExpiredSessions(input: { batchSize: number }) {
    return inActivity(async () => {
      const now = new Date();
      const result: SessionCleanupResult = { examined: 0, ended: 0, stillManaged: 0, endedByTenant: {} };
      let after: ExpiredSessionPosition | undefined;
      while (result.ended < input.batchSize) {
        const refs = await this.expired.execute({ now, limit: input.batchSize, after });
        for (const { tenantId, sessionId } of refs) {
          result.examined += 1;
          if (await this.workflows.isSessionWatched(sessionId)) {
            result.stillManaged += 1;
            continue;
          }
          const statsProvider = () => this.stats.execute({ tenantId, sessionId });
          const { ended } = await this.endSession.execute({
            tenantId,
            sessionId,
            reason: 'cleanup',
            at: now,
            statsProvider,
            onlyIfIdle: true,
          });
          if (ended) {
            result.ended += 1;
            result.endedByTenant[tenantId] = (result.endedByTenant[tenantId] ?? 0) + 1;
          }
        }
        const last = refs[refs.length - 1];
        if (!last || refs.length < input.batchSize) break;
        after = { deadline: last.deadline, sessionId: last.sessionId };
      }
      result.staleAcksPurged = (await this.staleAcks.execute({ batchSize: input.batchSize })).deleted;
      result.staleHeldEventsPurged = (await this.staleHeldEvents.execute({ batchSize: input.batchSize })).deleted;
      return result;
    });
  }

  completeMessageGroup(input: {
    tenantId: string;
    channelId: string;
    sessionId: string;
    groupId: string;
    messageIds: string[];
  }) {
    return inActivity(async () => ({ groupId: (await this.steps.completeMessageGroup(input))?.id ?? null }));
  }
}
