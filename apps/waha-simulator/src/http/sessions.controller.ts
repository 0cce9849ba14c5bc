import { Controller, Get, Param, Query } from '@nestjs/common';
import { SimulatorState } from '../state/simulator-state';
import { WAHA_ENGINE, WAHA_ENVIRONMENT, type MeInfo, type SessionInfo, type WahaEnvironment } from '../waha/types';
import { SessionsQueryDto } from './dto/api.dto';
import { Public } from './public.decorator';

/** `SessionInfo` of the simulated session; the single-session GET adds the `engine` block (§2.1). */
export function sessionInfo(state: SimulatorState, withEngine: boolean): SessionInfo {
  const webhook = state.webhook;
  return {
    name: state.sessionName,
    status: state.sessionStatus,
    config: {
      metadata: webhook.metadata ? { ...webhook.metadata } : null,
      proxy: null,
      debug: false,
      ignore: { status: false, groups: false, channels: false, broadcast: false },
      webhooks: webhook.url
        ? [
            {
              url: webhook.url,
              events: [...webhook.events],
              hmac: webhook.hmacKey ? { key: webhook.hmacKey } : null,
              retries: { policy: 'constant', delaySeconds: webhook.retryDelayMs / 1000, attempts: webhook.retries },
              customHeaders: null,
            },
          ]
        : [],
    },
    me: state.authenticatedMe ? { ...state.authenticatedMe } : null,
    ...(withEngine ? { engine: { engine: WAHA_ENGINE } } : {}),
    presence: null,
    timestamps: { activity: state.activityTimestamp },
  };
}

@Controller()
export class SessionsController {
  constructor(private readonly state: SimulatorState) {}

  @Public()
  @Get('ping')
  ping(): { message: string } {
    return { message: 'pong' };
  }

  @Public()
  @Get('health')
  health(): Record<string, unknown> {
    return { status: 'ok', info: { session: { status: 'up' } }, error: {}, details: { session: { status: 'up' } } };
  }

  @Get('api/server/version')
  version(): WahaEnvironment {
    return WAHA_ENVIRONMENT;
  }

  /** STOPPED sessions only with `?all=true`. */
  @Get('api/sessions')
  list(@Query() query: SessionsQueryDto): SessionInfo[] {
    if (this.state.sessionStatus === 'STOPPED' && !query.all) return [];
    return [sessionInfo(this.state, false)];
  }

  @Get('api/sessions/:session')
  get(@Param('session') session: string): SessionInfo {
    this.state.requireSession(session);
    return sessionInfo(this.state, true);
  }

  /** `MeInfo`, or an empty body while not authenticated. */
  @Get('api/sessions/:session/me')
  me(@Param('session') session: string): MeInfo | null {
    this.state.requireSession(session);
    return this.state.authenticatedMe ? { ...this.state.authenticatedMe } : null;
  }
}
