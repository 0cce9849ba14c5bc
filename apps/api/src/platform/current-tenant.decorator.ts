import { createParamDecorator, ExecutionContext } from '@nestjs/common';

export interface TenantRequest {
  tenantId?: string;
}

/** The tenant id the request's API key belongs to (set by ApiKeyGuard). */
export const CurrentTenant = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const tenantId = ctx.switchToHttp().getRequest<TenantRequest>().tenantId;
  if (!tenantId) throw new Error('CurrentTenant used on a route without ApiKeyGuard');
  return tenantId;
});
