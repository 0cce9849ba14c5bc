import { CallHandler, ExecutionContext, HttpException, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, mergeMap, type Observable } from 'rxjs';
import { SimulatorState } from '../state/simulator-state';
import { engineErrorBody, tooManyRequestsBody } from '../waha/errors';

/** Pure decision of what a fault-injected request gets; `roll` returns numbers in [0, 1). */
export function decideFault(
  faults: { errorRate: number; status429Rate: number },
  roll: () => number = Math.random,
): 'none' | 'throttle' | 'error' {
  if (faults.status429Rate > 0 && roll() < faults.status429Rate) return 'throttle';
  if (faults.errorRate > 0 && roll() < faults.errorRate) return 'error';
  return 'none';
}

export function faultApplies(path: string, onlyPaths: readonly string[]): boolean {
  if (path !== '/api' && !path.startsWith('/api/')) return false;
  return onlyPaths.length === 0 || onlyPaths.some((prefix) => path.startsWith(prefix));
}

/** Injected latency, 429s (with Retry-After) and 500 engine errors on the /api endpoints (`POST /_sim/faults`). */
@Injectable()
export class FaultInterceptor implements NestInterceptor {
  constructor(private readonly state: SimulatorState) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const faults = this.state.faults;
    if (!faultApplies(request.path, faults.onlyPaths)) return next.handle();
    const delay = faults.latencyMs > 0 ? new Promise<void>((resolve) => setTimeout(resolve, faults.latencyMs)) : Promise.resolve();
    return from(delay).pipe(
      mergeMap(() => {
        const outcome = decideFault(faults);
        if (outcome === 'throttle') {
          context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(faults.retryAfterSeconds));
          throw new HttpException(tooManyRequestsBody(), HttpStatus.TOO_MANY_REQUESTS);
        }
        if (outcome === 'error') {
          const summary = { method: request.method, path: request.path, query: request.query, body: request.body as unknown };
          throw new HttpException(engineErrorBody(summary), HttpStatus.INTERNAL_SERVER_ERROR);
        }
        return next.handle();
      }),
    );
  }
}
