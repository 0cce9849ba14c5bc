import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TenantService } from '@app/tenant';
import { ErrorCode } from './error-envelope';
import { IS_PUBLIC } from './public.decorator';
import { TenantRequest } from './current-tenant.decorator';

export const API_KEY_HEADER = 'x-api-key';

/** Every route needs a valid tenant API key in `x-api-key` unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tenants: TenantService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<TenantRequest & { headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers[API_KEY_HEADER];
    const key = Array.isArray(header) ? header[0] : header;
    if (!key) throw new UnauthorizedException({ code: ErrorCode.API_KEY_MISSING, message: `${API_KEY_HEADER} header is required` });
    const tenantId = await this.tenants.authenticate(key);
    if (!tenantId) throw new UnauthorizedException({ code: ErrorCode.API_KEY_INVALID, message: `${API_KEY_HEADER} is not a valid API key` });
    request.tenantId = tenantId;
    return true;
  }
}
