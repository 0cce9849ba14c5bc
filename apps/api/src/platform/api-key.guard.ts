import {
  ExecutionContext,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { ApiScopes, type ApiScope, TenantService } from '@app/tenant';
import { ErrorCode } from './error-envelope';
import { IS_PUBLIC } from './public.decorator';
import { REQUIRED_SCOPE } from './require-scope.decorator';
import { TenantRequest } from './current-tenant.decorator';
import { ApiKeyUsage } from './api-key-usage';

export const API_KEY_HEADER = 'x-api-key';
const BEARER = /^Bearer\s+(\S+)\s*$/i;

type GuardedRequest = TenantRequest & { headers: Record<string, string | string[] | undefined>; ip?: string };

/**
 * The one gate of every route, in this order:
 * 1. @Public() routes pass (rate-limited per client address unless @SkipThrottle()).
 * 2. The API key, from `x-api-key` or `Authorization: Bearer <key>` (what the Temporal CLI's
 *    `--codec-auth` sends), must be valid and unrevoked: else 401, and the attempt counts against
 *    the client address's rate limit.
 * 3. The key's rate limit (per key, shared by all pods): else 429 with Retry-After.
 * 4. The route's @RequireScope(): else 403 INSUFFICIENT_SCOPE. A route with neither @Public() nor
 *    @RequireScope() is refused (fail closed).
 * One class, since the order matters: the limiter can only track by key once the key is known.
 */
@Injectable()
export class ApiKeyGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly tenants: TenantService,
    private readonly usage: ApiKeyUsage,
  ) {
    super(options, storage, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return super.canActivate(context);
    const required = this.reflector.getAllAndOverride<ApiScope | undefined>(REQUIRED_SCOPE, targets);
    if (!required)
      throw new Error(
        `${context.getClass().name}.${context.getHandler().name} has neither @Public() nor @RequireScope()`,
      );

    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const presented = presentedKey(request.headers);
    if (!presented) {
      await super.canActivate(context);
      throw new UnauthorizedException({
        code: ErrorCode.API_KEY_MISSING,
        message: `An API key is required: send it in the ${API_KEY_HEADER} header or as Authorization: Bearer <key>`,
        field: API_KEY_HEADER,
      });
    }
    const apiKey = await this.tenants.authenticate(presented);
    if (!apiKey) {
      await super.canActivate(context);
      throw new UnauthorizedException({
        code: ErrorCode.API_KEY_INVALID,
        message: 'The API key is not valid or was revoked',
        field: API_KEY_HEADER,
      });
    }
    request.apiKey = apiKey;
    request.tenantId = apiKey.tenantId;
    await this.usage.record(apiKey.id);
    await super.canActivate(context);
    if (!ApiScopes.grants(apiKey.scopes, required)) {
      throw new ForbiddenException({
        code: ErrorCode.INSUFFICIENT_SCOPE,
        message: `This route requires an API key with the '${required}' scope; this key has ${apiKey.scopes.map((s) => `'${s}'`).join(', ')}`,
        requiredScope: required,
      });
    }
    return true;
  }

  /** Counted per key once authenticated, else per client address. */
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const apiKey = (req as TenantRequest).apiKey;
    return apiKey ? `key:${apiKey.id}` : `ip:${await super.getTracker(req)}`;
  }

  /** One counter per tracker across all routes (Nest's default counts per route). */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new HttpException(
      {
        code: ErrorCode.RATE_LIMITED,
        message: `Rate limit of ${detail.limit} requests per ${Math.round(detail.ttl / 1000)} s exceeded; retry in ${detail.timeToBlockExpire} s`,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** The key from `x-api-key`, else from `Authorization: Bearer`. */
function presentedKey(headers: GuardedRequest['headers']): string | undefined {
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const header = first(headers[API_KEY_HEADER]);
  if (header) return header;
  return BEARER.exec(first(headers.authorization) ?? '')?.[1];
}
