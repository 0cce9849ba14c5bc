import { CallHandler, ExecutionContext, HttpException, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, mergeMap, type Observable } from 'rxjs';
import { type FaultSettings, SimulatorState } from '../state/simulator-state';
import { Scheduler } from '../state/scheduler';
import { engineErrorBody, sessionNotFoundBody, sessionNotWorkingBody, tooManyRequestsBody } from '../waha/errors';

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

/** Injected latency, 429s (with Retry-After) and errors (500 engine error, 404 session gone, 422 not
 *  WORKING) on the /api endpoints (`POST /_sim/faults`); before the request is handled, or after it
 *  (`afterHandling`: the call took effect, its answer is late or an error). */
@Injectable()
export class FaultInterceptor implements NestInterceptor {
  constructor(
    private readonly state: SimulatorState,
    // Injected latency is a timer like the others: a simulated hang must end when the simulator closes.
    private readonly scheduler: Scheduler,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const faults = this.state.faults;
    if (!faultApplies(request.path, faults.onlyPaths)) return next.handle();
    const delay = async () => {
      if (faults.latencyMs <= 0) return;
      // Cut short by shutdown: the call is not handled (it would schedule acks on a closed simulator).
      if (!(await this.scheduler.sleep(faults.latencyMs))) throw new HttpException('the simulator is shutting down', HttpStatus.SERVICE_UNAVAILABLE);
    };
    const inject = () => {
      const outcome = decideFault(faults);
      if (outcome === 'throttle') {
        context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(faults.retryAfterSeconds));
        throw new HttpException(tooManyRequestsBody(), HttpStatus.TOO_MANY_REQUESTS);
      }
      if (outcome === 'error') throw this.injectedError(request, faults.errorStatus);
    };
    if (faults.afterHandling) {
      return next.handle().pipe(
        mergeMap(async (answer: unknown) => {
          await delay();
          inject();
          return answer;
        }),
      );
    }
    return from(delay()).pipe(
      mergeMap(() => {
        inject();
        return next.handle();
      }),
    );
  }

  private injectedError(request: Request, status: FaultSettings['errorStatus']): HttpException {
    const body = request.body as Record<string, unknown> | undefined;
    const session = typeof body?.session === 'string' ? body.session : this.state.sessionName;
    if (status === 404) return new HttpException(sessionNotFoundBody(session), HttpStatus.NOT_FOUND);
    if (status === 422) return new HttpException(sessionNotWorkingBody(session, 'STARTING'), HttpStatus.UNPROCESSABLE_ENTITY);
    const summary = { method: request.method, path: request.path, query: request.query, body: request.body as unknown };
    return new HttpException(engineErrorBody(summary), HttpStatus.INTERNAL_SERVER_ERROR);
  }
}
