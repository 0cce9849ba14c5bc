import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { type AuthenticatedApiKey } from '@app/tenant';

export interface TenantRequest {
  tenantId?: string;
  /** The key the request authenticated with (set by ApiKeyGuard). */
  apiKey?: AuthenticatedApiKey;
}

/** The tenant id the request's API key belongs to (set by ApiKeyGuard). */
export const CurrentTenant = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const tenantId = ctx.switchToHttp().getRequest<TenantRequest>().tenantId;
  if (!tenantId) throw new Error('CurrentTenant used on a route without ApiKeyGuard');
  return tenantId;
});
