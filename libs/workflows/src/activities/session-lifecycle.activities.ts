import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { GetSessionPolicyHandler, GetWahaConnectionHandler, WahaClient, WahaPermanentError } from '@app/channel';
import { GetContactHandler } from '@app/contact';
import {
  AdoptWahaMessageIdHandler,
  ApplyMessageAckHandler,
  CreateMessageHandler,
  DeleteMessageHandler,
  GetSessionMessageStatsHandler,
} from '@app/message';
import {
  EndSessionHandler,
  GetSessionHandler,
  RecordTimeoutWarningHandler,
  SessionMetrics,
  SessionNotFoundError,
  type SessionView,
} from '@app/session';
import {
  type EndSessionOutcome,
  type SendTimeoutWarningInput,
  type SendTimeoutWarningResult,
  type SessionEndReason,
  type SessionLifecycleActivitiesContract,
  type SessionTimes,
} from '../contracts/session-lifecycle.contracts';
import { currentActivity, inActivity } from './activity-context';

/** SendSessionTimeoutWarning, EndSessionDueToTimeout and the manual end, for SessionLifecycleWorkflow. */
@Injectable()
export class SessionLifecycleActivities implements SessionLifecycleActivitiesContract {
  private readonly logger = new Logger(SessionLifecycleActivities.name);

  constructor(
    private readonly sessions: GetSessionHandler,
    private readonly endSessionHandler: EndSessionHandler,
    private readonly warnings: RecordTimeoutWarningHandler,
    private readonly stats: GetSessionMessageStatsHandler,
    private readonly policies: GetSessionPolicyHandler,
    private readonly connections: GetWahaConnectionHandler,
    private readonly contacts: GetContactHandler,
    private readonly waha: WahaClient,
    private readonly messages: CreateMessageHandler,
    private readonly acks: ApplyMessageAckHandler,
    private readonly deletions: DeleteMessageHandler,
    private readonly echoes: AdoptWahaMessageIdHandler,
  ) {}

  /**
   * Sends the channel's warning text to the contact. The outbound message is recorded BEFORE the send,
   * under a message id we choose and WAHA reuses: the message.any echo of the warning then finds it
   * recorded and is not taken for customer activity (which would restart the timeout, the original's
   * bug). A send that failed without a clear answer (5xx, timeout, lost worker) may have gone out, so
   * a retried attempt first asks WAHA for the message by that id: found, it counts as sent; not
   * found, it is sent again under the same id; the question itself failing fails the attempt, so
   * only the question is retried. A 4xx (session gone, bad request) marks the message failed.
   */
  sendSessionTimeoutWarning(input: SendTimeoutWarningInput) {
    return inActivity(async (): Promise<SendTimeoutWarningResult> => {
      const result = await this.sendWarning(input);
      SessionMetrics.warning(result.sent ? 'sent' : 'skipped');
      return result;
    });
  }

  private async sendWarning(input: SendTimeoutWarningInput): Promise<SendTimeoutWarningResult> {
    const session = await this.sessions.execute({ tenantId: input.tenantId, sessionId: input.sessionId });
    if (session.status !== 'active') return { sent: false, externalId: null, reason: 'session has ended' };
    if (input.lastActivityAt !== undefined && Date.parse(session.lastActivityAt) > Date.parse(input.lastActivityAt)) {
      return {
        sent: false,
        externalId: null,
        reason: 'the session has later activity',
        laterActivityAt: session.lastActivityAt,
      };
    }
    const policy = await this.policies.execute({ tenantId: input.tenantId, channelId: session.channelId });
    if (!policy.warningText) return { sent: false, externalId: null, reason: 'the channel has no warning text' };
    const contact = await this.contacts.execute({ tenantId: input.tenantId, id: session.contactId });
    const chatId = `${contact.phone}@c.us`;
    const rawId = input.messageRawId ?? warningMessageRawId();
    const externalId = `true_${chatId}_${rawId}`;
    const now = new Date();
    const warning = (id: string, ackLevel: number) =>
      warningMessage(input.tenantId, session, id, policy.warningText!, ackLevel, now);
    const placeholder = await this.messages.execute(warning(externalId, 0));
    const connection = await this.connections.execute({ tenantId: input.tenantId, channelId: session.channelId });
    const markFailed = () =>
      this.acks.execute({
        tenantId: input.tenantId,
        channelId: session.channelId,
        externalId,
        ack: -1,
        at: new Date(),
      });

    let sentId: string;
    try {
      const earlierAttempt = currentActivity().attempt > 1 || !placeholder.created;
      const found = earlierAttempt
        ? await this.waha.findMessage({ ...connection, chatId, messageId: externalId })
        : null;
      sentId = found
        ? found.id
        : (await this.waha.sendText({ ...connection, chatId, text: policy.warningText, messageId: rawId })).id;
    } catch (err) {
      if (err instanceof WahaPermanentError) {
        await markFailed();
        throw ApplicationFailure.nonRetryable(`WAHA refused the timeout warning: ${err.message}`, 'WahaPermanentError');
      }
      throw err;
    }
    if (sentId !== externalId) {
      // An engine that ignored our message id: the record takes the id WAHA really used (its echo
      // may have moved it already). Only if another record holds that id does ours go.
      this.logger.warn({ placeholderId: externalId, sentId }, 'WAHA did not reuse the pre-generated message id');
      const adopted = await this.echoes.execute({
        tenantId: input.tenantId,
        channelId: session.channelId,
        externalId: sentId,
        placeholderId: placeholder.message.id,
      });
      if (adopted?.message.id !== placeholder.message.id) {
        await this.deletions.execute({
          tenantId: input.tenantId,
          messageId: placeholder.message.id,
          reason: 'replaced by the id WAHA assigned',
        });
        if (!adopted) await this.messages.execute(warning(sentId, 1));
      }
    }
    await this.warnings.execute({ tenantId: input.tenantId, sessionId: session.id, at: new Date() });
    return { sent: true, externalId: sentId, reason: null };
  }

  recordTimeoutWarningFailed(input: { tenantId: string; sessionId: string; messageRawId: string }) {
    return inActivity(async () => {
      const session = await this.sessions.execute({ tenantId: input.tenantId, sessionId: input.sessionId });
      const contact = await this.contacts.execute({ tenantId: input.tenantId, id: session.contactId });
      const externalId = `true_${contact.phone}@c.us_${input.messageRawId}`;
      // ERROR moves only a message still pending: one that WAHA's acks showed sent stays sent.
      const { outcome } = await this.acks.execute({
        tenantId: input.tenantId,
        channelId: session.channelId,
        externalId,
        ack: -1,
        at: new Date(),
      });
      // The workflow calls this once the warning's activity has failed for good.
      SessionMetrics.warning('failed');
      return { marked: outcome === 'applied' };
    });
  }

  endSessionDueToTimeout(input: { tenantId: string; sessionId: string; deadlineAt: string }) {
    return inActivity(() => this.end(input.tenantId, input.sessionId, 'inactivity', new Date(input.deadlineAt), true));
  }

  /** The wake-up read of lazy deadlines: the row as stored, activity included. */
  readSessionTimes(input: { tenantId: string; sessionId: string }) {
    return inActivity(async (): Promise<SessionTimes> => {
      try {
        const session = await this.sessions.execute({ tenantId: input.tenantId, sessionId: input.sessionId });
        return {
          status: session.status === 'active' ? 'active' : 'ended',
          lastActivityAt: session.lastActivityAt,
          timeoutSeconds: session.timeoutSeconds,
          warningLeadSeconds: session.warningLeadSeconds,
          endReason: session.endReason,
          endedAt: session.endedAt,
        };
      } catch (err) {
        if (!(err instanceof SessionNotFoundError)) throw err;
        return {
          status: 'missing',
          lastActivityAt: new Date(0).toISOString(),
          timeoutSeconds: 1,
          warningLeadSeconds: null,
          endReason: null,
          endedAt: null,
        };
      }
    });
  }

  endSession(input: { tenantId: string; sessionId: string; reason: SessionEndReason }) {
    return inActivity(() => this.end(input.tenantId, input.sessionId, input.reason, new Date(), false));
  }

  private async end(
    tenantId: string,
    sessionId: string,
    reason: SessionEndReason,
    at: Date,
    onlyIfIdle: boolean,
  ): Promise<EndSessionOutcome> {
    const statsProvider = () => this.stats.execute({ tenantId, sessionId });
    const { session, ended } = await this.endSessionHandler.execute({
      tenantId,
      sessionId,
      reason,
      at,
      statsProvider,
      onlyIfIdle,
    });
    return {
      ended,
      status: session.status,
      endReason: session.endReason,
      endedAt: session.endedAt,
      lastActivityAt: session.status === 'active' ? session.lastActivityAt : null,
      timeoutSeconds: session.timeoutSeconds,
      warningLeadSeconds: session.warningLeadSeconds,
    };
  }
}

/** The outbound record of a session's timeout warning under one message id. */
function warningMessage(
  tenantId: string,
  session: SessionView,
  externalId: string,
  text: string,
  ackLevel: number,
  sentAt: Date,
): Parameters<CreateMessageHandler['execute']>[0] {
  return {
    tenantId,
    channelId: session.channelId,
    contactId: session.contactId,
    sessionId: session.id,
    direction: 'outbound',
    externalId,
    type: 'text',
    text,
    ackLevel,
    sentAt,
    metadata: { source: 'api', automated: 'session_timeout_warning' },
  };
}

/** WhatsApp-Web style raw id (`3EB0` + 18 hex), stable across retries of the same activity. */
function warningMessageRawId(): string {
  const { workflowId, runId, activityId } = currentActivity();
  const key = `${workflowId}:${runId}:${activityId}`;
  return `3EB0${createHash('sha1').update(key).digest('hex').slice(0, 18).toUpperCase()}`;
}
