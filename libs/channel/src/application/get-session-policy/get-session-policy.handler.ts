import { Inject, Injectable } from '@nestjs/common';
import { assertUuid } from '@app/shared';
import { type InboundMode } from '../../domain/channel-settings';
import { ChannelNotFoundError } from '../../domain/channel.errors';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { resolveSessionTimeoutPolicy, sessionConfig, type SessionConfig } from '@app/session';
import { TenantSessionDefaults } from '../tenant-session-defaults.port';
import { type GetSessionPolicyQuery } from './get-session-policy.query';

/** How conversations on a channel behave, with every fallback already applied. */
export interface SessionPolicy {
  /** Channel setting, else the tenant default, else SESSION_DEFAULT_TIMEOUT_SECONDS (30 minutes). */
  timeoutSeconds: number;
  /** null: no warning (none set, or not shorter than the timeout). */
  warningLeadSeconds: number | null;
  /** The warning message; null whenever warningLeadSeconds is null. */
  warningText: string | null;
  /** null: no debouncing. */
  debounceWindowMs: number | null;
  allowGroups: boolean;
  /** null: the configured default mode. */
  inboundMode: InboundMode | null;
}

@Injectable()
export class GetSessionPolicyHandler {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly tenantDefaults: TenantSessionDefaults,
    @Inject(sessionConfig.KEY) private readonly sessionDefaults: SessionConfig,
  ) {}

  async execute(query: GetSessionPolicyQuery): Promise<SessionPolicy> {
    assertUuid(query.channelId, 'channelId');
    const [channel, tenantDefaultTimeoutSeconds] = await Promise.all([
      this.channels.findById(query.tenantId, query.channelId),
      this.tenantDefaults.defaultTimeoutSeconds(query.tenantId),
    ]);
    if (!channel) throw new ChannelNotFoundError(query.channelId);
    // One resolver for the whole system: the session context's (channel, then tenant, then default).
    const { timeoutSeconds, warningLeadSeconds } = resolveSessionTimeoutPolicy({
      channelTimeoutSeconds: channel.sessionTimeoutSeconds,
      channelWarningLeadSeconds: channel.sessionWarningLeadSeconds,
      tenantDefaultTimeoutSeconds,
      defaultTimeoutSeconds: this.sessionDefaults.defaultTimeoutSeconds,
      defaultWarningLeadSeconds: this.sessionDefaults.defaultWarningLeadSeconds,
    });
    return {
      timeoutSeconds,
      warningLeadSeconds,
      warningText: warningLeadSeconds === null ? null : channel.sessionWarningText,
      debounceWindowMs: channel.debounceWindowMs,
      allowGroups: channel.allowGroups,
      inboundMode: channel.inboundMode,
    };
  }
}
