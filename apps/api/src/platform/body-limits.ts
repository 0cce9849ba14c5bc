import { PayloadTooLargeException } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { json, urlencoded, type NextFunction, type Request, type RequestHandler, type Response } from 'express';

/** WAHA's webhook target: its bodies can carry base64 thumbnails, so it has a limit of its own. */
export const WAHA_WEBHOOK_ROUTE = '/v1/channels/:channelId/waha/events';
/** The payload codec carries Temporal payloads (up to Temporal's 2 MB blob limit, base64 in JSON). */
export const CODEC_ROUTES = '/v1/codec';
const CODEC_BODY_LIMIT = '4mb';

/**
 * Body parsers with size limits: `limits.wahaWebhook` on the WAHA receiver, 4 MB on the payload codec,
 * `limits.api` on every other route. A larger body is refused with 413 PAYLOAD_TOO_LARGE before it is read. The raw
 * bytes are kept (`req.rawBody`) for the webhook HMAC check. Registered instead of Nest's parsers
 * (create the app with `bodyParser: false`); the first parser that matches a route reads the body
 * and the next ones see it read and skip.
 */
export function useBodyLimits(app: NestExpressApplication, limits: { api: string; wahaWebhook: string }): void {
  app.use(WAHA_WEBHOOK_ROUTE, limited(json({ limit: limits.wahaWebhook, verify: keepRawBody }), limits.wahaWebhook));
  app.use(CODEC_ROUTES, limited(json({ limit: CODEC_BODY_LIMIT }), CODEC_BODY_LIMIT));
  app.use(limited(json({ limit: limits.api, verify: keepRawBody }), limits.api));
  app.use(limited(urlencoded({ extended: true, limit: limits.api, verify: keepRawBody }), limits.api));
}

function keepRawBody(req: Request & { rawBody?: Buffer }, _res: Response, buffer: Buffer): void {
  req.rawBody = buffer;
}

/** The parser, with its "too large" error turned into the API's coded 413. */
function limited(parser: RequestHandler, limit: string): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) =>
    parser(req, res, (err?: unknown) => {
      if ((err as { type?: string } | undefined)?.type === 'entity.too.large') {
        next(
          new PayloadTooLargeException({
            code: 'PAYLOAD_TOO_LARGE',
            message: `The request body is larger than the ${limit} this route accepts`,
          }),
        );
      } else {
        next(err);
      }
    });
}
