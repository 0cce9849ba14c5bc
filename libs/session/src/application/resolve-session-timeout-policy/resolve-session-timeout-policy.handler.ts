import { Inject, Injectable } from '@nestjs/common';
import { type SessionTimeoutPolicy, resolveSessionTimeoutPolicy } from '../../domain/session-timeout.policy';
import { type SessionConfig, sessionConfig } from '../../session.config';
import { type ResolveSessionTimeoutPolicyQuery } from './resolve-session-timeout-policy.query';

/**
 * Timeout and warning lead for a new session: the channel's, else the tenant's, else the system
 * default (SESSION_DEFAULT_TIMEOUT_SECONDS / SESSION_DEFAULT_WARNING_LEAD_SECONDS); see
 * resolveSessionTimeoutPolicy. The caller reads the channel and tenant values from their contexts
 * and passes the result to FindOrOpenSession. Pure: no I/O.
 */
@Injectable()
export class ResolveSessionTimeoutPolicyHandler {
  constructor(@Inject(sessionConfig.KEY) private readonly config: SessionConfig) {}

  execute(query: ResolveSessionTimeoutPolicyQuery): SessionTimeoutPolicy {
    return resolveSessionTimeoutPolicy({
      channelTimeoutSeconds: query.channelTimeoutSeconds,
      channelWarningLeadSeconds: query.channelWarningLeadSeconds,
      tenantDefaultTimeoutSeconds: query.tenantDefaultTimeoutSeconds,
      defaultTimeoutSeconds: this.config.defaultTimeoutSeconds,
      defaultWarningLeadSeconds: this.config.defaultWarningLeadSeconds,
    });
  }
}
