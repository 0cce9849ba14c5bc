import { Inject, Injectable, Logger } from '@nestjs/common';
import { GetSessionPolicyHandler } from '@app/channel';
import { ConversationWorkflows } from '@app/inbound';
import { Session, SessionEventTypes } from '@app/session';
import { Clock, deterministicEventId, type DomainEvent } from '@app/shared';
import { groupIntoSessions } from '../domain/history-sessions';
import { type HistoryImportConfig, historyImportConfig } from '../history-import.config';
import { type ConsolidatedSessionRow, HistoryImportStore, type StagedRef } from './history-import.store.port';

export interface ConsolidationOutcome {
  contacts: number;
  sessionsCreated: number;
  sessionsActive: number;
  messagesMoved: number;
}

export const MESSAGE_IMPORTED_EVENT = 'message.imported';

/**
 * Moves a channel's staged history into sessions, contact by contact (a batch of contacts per
 * transaction): each contact's messages are grouped by the channel's inactivity gap; every session
 * but the newest ends with reason `import` at its deadline, with its summary (counts, first and
 * last message, duration, first response time); the newest stays active with a lifecycle workflow
 * whose deadline follows from its last message, unless that deadline has passed or the contact has
 * a live active session (which is never touched). Sessions are made from messages, so none is
 * empty. Then one `message.imported` summary per chat.
 */
@Injectable()
export class HistorySessionConsolidator {
  private readonly logger = new Logger(HistorySessionConsolidator.name);

  constructor(
    private readonly store: HistoryImportStore,
    private readonly policies: GetSessionPolicyHandler,
    private readonly workflows: ConversationWorkflows,
    private readonly clock: Clock,
    @Inject(historyImportConfig.KEY) private readonly config: HistoryImportConfig,
  ) {}

  async consolidate(
    input: { importId: string; tenantId: string; channelId: string },
    heartbeat: () => void,
  ): Promise<ConsolidationOutcome> {
    const policy = await this.policies.execute({ tenantId: input.tenantId, channelId: input.channelId });
    const outcome: ConsolidationOutcome = { contacts: 0, sessionsCreated: 0, sessionsActive: 0, messagesMoved: 0 };
    let after: string | null = null;
    for (;;) {
      const contactIds = await this.store.stagedContacts(input.channelId, after, this.config.consolidationBatch);
      if (contactIds.length === 0) break;
      const now = this.clock.now();
      const watch: Session[] = [];
      const written = await this.store.consolidate(input.channelId, contactIds, (staged, withLiveSession) => {
        const plan = planSessions(staged, withLiveSession, {
          tenantId: input.tenantId,
          channelId: input.channelId,
          ...policy,
          now,
        });
        watch.push(...plan.active);
        return plan;
      });
      // After the commit: the active ones get their lifecycle workflow, deadline from their last
      // message. A crash right here leaves them to the cleanup schedule, which ends them when due.
      for (const session of watch) {
        await this.workflows.watchSession({
          tenantId: input.tenantId,
          sessionId: session.id,
          lastActivityAt: session.lastActivityAt.toISOString(),
          timeoutSeconds: session.timeoutSeconds,
          warningLeadSeconds: session.warningLeadSeconds,
        });
      }
      outcome.contacts += contactIds.length;
      outcome.sessionsCreated += written.sessions;
      outcome.sessionsActive += written.active;
      outcome.messagesMoved += written.messages;
      after = contactIds[contactIds.length - 1]!;
      heartbeat();
    }
    await this.store.appendEvents(await this.chatSummaries(input));
    this.logger.log({ importId: input.importId, ...outcome }, 'history sessions consolidated');
    return outcome;
  }

  /** One `message.imported` per chat that had messages (an id per import and chat, so a retry writes it once). */
  private async chatSummaries(input: {
    importId: string;
    tenantId: string;
    channelId: string;
  }): Promise<DomainEvent[]> {
    const now = this.clock.now();
    return (await this.store.chats(input.importId))
      .filter((c) => c.imported + c.duplicate + c.skipped > 0)
      .map((c) => ({
        id: deterministicEventId(`message.imported:${input.importId}:${c.chatId}`),
        type: MESSAGE_IMPORTED_EVENT,
        occurredAt: now,
        tenantId: input.tenantId,
        aggregateType: 'history_import',
        aggregateId: input.importId,
        data: {
          importId: input.importId,
          channelId: input.channelId,
          chatId: c.chatId,
          chatName: c.name,
          group: c.chatId.endsWith('@g.us'),
          chatStatus: c.status,
          messagesImported: c.imported,
          duplicatesSkipped: c.duplicate,
          itemsSkipped: c.skipped,
          contactsCreated: c.contactsCreated,
          firstMessageAt: c.firstMessageAt?.toISOString() ?? null,
          lastMessageAt: c.lastMessageAt?.toISOString() ?? null,
        },
      }));
  }
}

/** Sessions for staged messages sorted by contact then time; built by the Session aggregate. */
export function planSessions(
  staged: StagedRef[],
  withLiveSession: Set<string>,
  context: {
    tenantId: string;
    channelId: string;
    timeoutSeconds: number;
    warningLeadSeconds: number | null;
    now: Date;
  },
): { sessions: ConsolidatedSessionRow[]; assignments: Map<string, string>; events: DomainEvent[]; active: Session[] } {
  const sessions: ConsolidatedSessionRow[] = [];
  const assignments = new Map<string, string>();
  const events: DomainEvent[] = [];
  const active: Session[] = [];
  const byContact = new Map<string, StagedRef[]>();
  for (const ref of staged) {
    const list = byContact.get(ref.contactId);
    if (list) list.push(ref);
    else byContact.set(ref.contactId, [ref]);
  }
  for (const [contactId, messages] of byContact) {
    const groups = groupIntoSessions(messages, {
      timeoutSeconds: context.timeoutSeconds,
      now: context.now,
      hasLiveActiveSession: withLiveSession.has(contactId),
    });
    for (const group of groups) {
      const session = Session.open(
        {
          tenantId: context.tenantId,
          contactId,
          channelId: context.channelId,
          startedAt: group.startedAt,
          timeoutSeconds: context.timeoutSeconds,
          warningLeadSeconds: context.warningLeadSeconds,
        },
        context.now,
      );
      for (const m of group.messages) session.recordActivity(m.sentAt);
      if (group.status === 'ended') {
        const endAt = new Date(Math.min(session.deadline().getTime(), context.now.getTime()));
        session.end('import', endAt, {
          inbound: group.inbound,
          outbound: group.outbound,
          firstMessageAt: group.startedAt,
          lastMessageAt: group.lastActivityAt,
          firstInboundAt: group.firstInboundAt,
          firstOutboundAfterInboundAt: group.firstOutboundAfterInboundAt,
        });
        // History needs no per-session events: the chat's `message.imported` summarises it.
        session.pullEvents();
      } else {
        events.push(
          ...session
            .pullEvents()
            .filter((e) => e.type === SessionEventTypes.started)
            .map((e) => ({ ...e, id: deterministicEventId(`session.started:${session.id}`) })),
        );
        active.push(session);
      }
      const props = session.toProps();
      sessions.push({
        id: props.id,
        tenantId: props.tenantId,
        contactId,
        channelId: context.channelId,
        status: props.status,
        startedAt: props.startedAt,
        lastActivityAt: props.lastActivityAt,
        endedAt: props.endedAt,
        timeoutSeconds: props.timeoutSeconds,
        warningLeadSeconds: props.warningLeadSeconds,
        summary: props.summary ? props.summary.toJSON() : null,
        createdAt: context.now,
      });
      for (const m of group.messages) assignments.set(m.externalId, props.id);
    }
  }
  return { sessions, assignments, events, active };
}
