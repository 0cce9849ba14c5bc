import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { SIMULATOR_SETTINGS, type SimulatorSettings } from '../simulator.config';
import { IS_PUBLIC } from './public.decorator';

export const API_KEY_HEADER = 'x-api-key';

function first(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : undefined;
}

/** WAHA auth (§1.2): `X-Api-Key` header or `?x-api-key=`; else 401 `{"message":"Unauthorized","statusCode":401}`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(SIMULATOR_SETTINGS) settings: SimulatorSettings,
  ) {
    this.expected = Buffer.from(settings.apiKey, 'utf8');
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const given =
      first(request.headers[API_KEY_HEADER]) ??
      first((request.query as Record<string, unknown> | undefined)?.[API_KEY_HEADER]);
    const key = Buffer.from(given ?? '', 'utf8');
    if (key.length !== this.expected.length || !timingSafeEqual(key, this.expected)) throw new UnauthorizedException();
    return true;
  }
}
