import { Injectable } from '@nestjs/common';
import { assertUuid } from '@app/shared';
import { SessionRepository } from '../../domain/session.repository.port';
import { assertSessionTimeouts } from '../../domain/session-timeout';

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
    assertSessionTimeouts(command.timeoutSeconds, command.warningLeadSeconds);
    const { timeoutSeconds, warningLeadSeconds } = command;
    const sessionIds = await this.sessions.applyTimeoutPolicy(command.tenantId, command.channelId, {
      timeoutSeconds,
      warningLeadSeconds,
    });
    return { sessionIds };
  }
}
