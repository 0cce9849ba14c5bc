import { ForbiddenException, Inject, Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../platform/error-envelope';
import { codecConfig, CodecConfig } from './codec.config';

/** The headers the Temporal UI and CLI send: the UI's `Authorization` (its access token, or a key a
 *  proxy adds), `X-Namespace`; our own key header for direct calls. */
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace, X-Api-Key';

/**
 * CORS for the codec endpoint only, so the Temporal UI (another origin) can call it from the browser.
 * Runs before the API key guard: a preflight carries no credentials and is answered here, and every
 * answer (a 401 too) to an allowed origin carries the CORS headers, so the UI can show the error.
 * Other origins get no CORS headers, and the browser keeps them out.
 */
@Injectable()
export class CodecCorsMiddleware implements NestMiddleware {
  constructor(@Inject(codecConfig.KEY) private readonly config: CodecConfig) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && this.config.corsOrigins.includes(origin);
    res.vary('Origin');
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    if (req.method !== 'OPTIONS') return next();
    if (!allowed) {
      // Through the error filter, so the refusal has the API's one error envelope.
      return next(
        new ForbiddenException({
          code: ErrorCode.CORS_ORIGIN_NOT_ALLOWED,
          message: `origin ${origin ?? '(none)'} is not in TEMPORAL_CODEC_CORS_ORIGINS`,
        }),
      );
    }
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  }
}
