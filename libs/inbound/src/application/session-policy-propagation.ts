import { Injectable, Logger } from '@nestjs/common';
import { GetSessionPolicyHandler } from '@app/channel';
import { ApplySessionTimeoutPolicyHandler } from '@app/session';
import { ConversationWorkflows } from './conversation-workflows.port';

/**
 * After a channel's session timeout or warning lead changed: its open sessions take the channel's
 * effective policy (its own values, else the tenant's and system defaults), and their lifecycle
 * workflows are told to read them again, since a shorter timeout may bring a deadline before the
 * time they sleep until. Repeatable: sessions already on the policy are left alone.
 */
@Injectable()
export class SessionPolicyPropagation {
  private readonly logger = new Logger(SessionPolicyPropagation.name);

  constructor(
    private readonly policies: GetSessionPolicyHandler,
    private readonly sessions: ApplySessionTimeoutPolicyHandler,
    private readonly workflows: ConversationWorkflows,
  ) {}

  async channelPolicyChanged(
    tenantId: string,
    channelId: string,
  ): Promise<{ sessionsUpdated: number; workflowsSignalled: number }> {
    const policy = await this.policies.execute({ tenantId, channelId });
    const { sessionIds } = await this.sessions.execute({
      tenantId,
      channelId,
      timeoutSeconds: policy.timeoutSeconds,
      warningLeadSeconds: policy.warningLeadSeconds,
    });
    if (sessionIds.length === 0) return { sessionsUpdated: 0, workflowsSignalled: 0 };
    let signalled = 0;
    try {
      ({ signalled } = await this.workflows.sessionPolicyChanged(sessionIds));
    } catch (err) {
      // The rows hold the policy already: each workflow reads it at its next wake-up anyway (a
      // shortened timeout then ends the session at that wake-up rather than at its new deadline).
      this.logger.warn(
        { channelId, error: (err as Error).message },
        'could not tell every session workflow about the new policy',
      );
    }
    this.logger.log(
      { channelId, sessionsUpdated: sessionIds.length, signalled },
      'open sessions took the new timeout policy',
    );
    return { sessionsUpdated: sessionIds.length, workflowsSignalled: signalled };
  }
}
