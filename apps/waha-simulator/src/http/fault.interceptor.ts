import { CallHandler, ExecutionContext, HttpException, HttpStatus, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, mergeMap, type Observable } from 'rxjs';
import { type FailNextStatus, type FaultSettings, SimulatorState } from '../state/simulator-state';
import { Scheduler } from '../state/scheduler';
import { engineErrorBody, sessionNotFoundBody, sessionNotWorkingBody, tooManyRequestsBody } from '../waha/errors';
import { decodePath, matchesPathPattern } from '../waha/request-stats';
import { ProxyErrorException } from './proxy-error';

/** Pure decision of what a fault-injected request gets; `roll` returns numbers in [0, 1). */
export function decideFault(
  faults: { errorRate: number; status429Rate: number },
  roll: () => number = Math.random,
): 'none' | 'throttle' | 'error' {
  if (faults.status429Rate > 0 && roll() < faults.status429Rate) return 'throttle';
  if (faults.errorRate > 0 && roll() < faults.errorRate) return 'error';
  return 'none';
}

export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

/** Whether faults apply to a (decoded) path: /api paths only, narrowed by patterns (see matchesPathPattern). */
export function faultApplies(path: string, onlyPaths: readonly string[]): boolean {
  if (!isApiPath(path)) return false;
  return onlyPaths.length === 0 || onlyPaths.some((pattern) => matchesPathPattern(path, pattern));
}

/** An injected failure: the status and, for 429 (and a 503 when asked), the Retry-After seconds. */
export interface InjectedFailure {
  status: FailNextStatus;
  retryAfterSeconds: number | null;
}

/**
 * What a request arriving now gets: the `failNext` budget first (counted down here, so exactly
 * `count` matching requests fail, in arrival order), then the rates (only within `onlyPaths`).
 */
export function takeFailure(
  faults: FaultSettings,
  path: string,
  roll: () => number = Math.random,
): InjectedFailure | null {
  const failNext = faults.failNext;
  if (failNext && failNext.remaining > 0 && faultApplies(path, failNext.onlyPaths)) {
    failNext.remaining--;
    const retryAfterSeconds =
      failNext.status === 429
        ? (failNext.retryAfterSeconds ?? faults.retryAfterSeconds)
        : failNext.status === 503
          ? failNext.retryAfterSeconds
          : null;
    return { status: failNext.status, retryAfterSeconds };
  }
  if (!faultApplies(path, faults.onlyPaths)) return null;
  const outcome = decideFault(faults, roll);
  if (outcome === 'throttle') return { status: 429, retryAfterSeconds: faults.retryAfterSeconds };
  if (outcome === 'error') return { status: faults.errorStatus, retryAfterSeconds: null };
  return null;
}

/** Marks a response whose failure was injected (for the request counters). */
const INJECTED = 'wahaSimInjectedFault';

/** Injected latency, 429s (with Retry-After) and errors (500 engine error, 502/503 proxy page, 404
 *  session gone, 422 not WORKING) on the /api endpoints (`POST /_sim/faults`); before the request is
 *  handled, or after it (`afterHandling`: the call took effect, its answer is late or an error).
 *  It also counts every answered /api request (`GET /_sim/requests`). */
@Injectable()
export class FaultInterceptor implements NestInterceptor {
  constructor(
    private readonly state: SimulatorState,
    // Injected latency is a timer like the others: a simulated hang must end when the simulator closes.
    private readonly scheduler: Scheduler,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    // Patterns are written with `@`; clients send `%40`.
    const path = decodePath(request.path);
    if (!isApiPath(path)) return next.handle();
    response.once('finish', () =>
      this.state.requests.record(request.method, path, response.statusCode, response.locals[INJECTED] === true),
    );

    const faults = this.state.faults;
    // Decided on arrival, so `failNext` fails the first N requests in the order they came.
    const failure = takeFailure(faults, path);
    const latencyMs = faultApplies(path, faults.onlyPaths) ? faults.latencyMs : 0;
    if (!failure && latencyMs <= 0) return next.handle();

    const delay = async () => {
      if (latencyMs <= 0) return;
      // Cut short by shutdown: the call is not handled (it would schedule acks on a closed simulator).
      if (!(await this.scheduler.sleep(latencyMs)))
        throw new HttpException('the simulator is shutting down', HttpStatus.SERVICE_UNAVAILABLE);
    };
    const inject = () => {
      if (!failure) return;
      response.locals[INJECTED] = true;
      if (failure.retryAfterSeconds !== null) response.setHeader('Retry-After', String(failure.retryAfterSeconds));
      throw this.injectedError(request, failure.status);
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

  private injectedError(request: Request, status: FailNextStatus): HttpException {
    if (status === 429) return new HttpException(tooManyRequestsBody(), HttpStatus.TOO_MANY_REQUESTS);
    if (status === 502 || status === 503) return new ProxyErrorException(status);
    const body = request.body as Record<string, unknown> | undefined;
    const session = typeof body?.session === 'string' ? body.session : this.state.sessionName;
    if (status === 404) return new HttpException(sessionNotFoundBody(session), HttpStatus.NOT_FOUND);
    if (status === 422)
      return new HttpException(sessionNotWorkingBody(session, 'STARTING'), HttpStatus.UNPROCESSABLE_ENTITY);
    const summary = { method: request.method, path: request.path, query: request.query, body: request.body as unknown };
    return new HttpException(engineErrorBody(summary), HttpStatus.INTERNAL_SERVER_ERROR);
  }
}
