import { Injectable } from '@nestjs/common';
import { ValidationError, assertUuid } from '@app/shared';
import { SessionRepository } from '../../domain/session.repository.port';

export interface ApplySessionTimeoutPolicyCommand {
  tenantId: string;
  channelId: string;
  timeoutSeconds: number;
  warningLeadSeconds: number | null;
}

/**
 * A channel's timeout or warning lead changed: its active sessions take the new values, so each one's
 * deadline becomes its last activity + the new timeout (shorter or longer). Answers the ids of the
 * sessions that changed, whose lifecycle workflows must read them again.
 */
@Injectable()
export class ApplySessionTimeoutPolicyHandler {
  constructor(private readonly sessions: SessionRepository) {}

  async execute(command: ApplySessionTimeoutPolicyCommand): Promise<{ sessionIds: string[] }> {
    assertUuid(command.channelId, 'channelId');
    if (!Number.isInteger(command.timeoutSeconds) || command.timeoutSeconds < 1) throw new ValidationError('timeoutSeconds', 'must be a positive integer');
    const lead = command.warningLeadSeconds;
    if (lead !== null && (!Number.isInteger(lead) || lead < 1 || lead >= command.timeoutSeconds)) {
      throw new ValidationError('warningLeadSeconds', 'must be a positive integer below timeoutSeconds, or null');
    }
    const sessionIds = await this.sessions.applyTimeoutPolicy(command.tenantId, command.channelId, { timeoutSeconds: command.timeoutSeconds, warningLeadSeconds: lead });
    return { sessionIds };
  }
}
