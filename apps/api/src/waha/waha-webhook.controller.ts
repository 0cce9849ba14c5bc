import { Controller, Headers, HttpCode, Post, Req, Res, type RawBodyRequest } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { Public } from '../platform/public.decorator';
import { UuidParam } from '../platform/uuid-param';
import { WahaWebhookService } from './waha-webhook.service';

@ApiTags('waha')
@Public()
@SkipThrottle()
@Controller('v1/channels/:channelId/waha')
export class WahaWebhookController {
  constructor(private readonly webhooks: WahaWebhookService) {}

  @Post('events')
  @HttpCode(202)
  @ApiOperation({
    summary: "WAHA's webhook target for one channel",
    description:
      "Configure it as the channel's WAHA session webhook with `hmac.key` = the channel's webhook secret. Authenticated by X-Webhook-Hmac (HMAC-SHA512 of the raw body), not by API key. Handles message, message.any, message.ack, message.revoked, message.reaction and session.status; other events are acknowledged and ignored.",
  })
  @ApiParam({ name: 'channelId', format: 'uuid' })
  @ApiHeader({ name: 'X-Webhook-Hmac', required: true, description: 'lower-case hex HMAC-SHA512 of the raw body' })
  @ApiBody({
    description: 'A WAHA webhook envelope { id, timestamp, event, session, payload, ... }',
    schema: { type: 'object' },
  })
  @ApiAcceptedResponse({
    description:
      'Durably accepted: the saga started (or already ran) or the transaction committed. An ack, revoke or reaction that overtook its message is kept and applied when the message lands (outcome `pending` or `held`)',
  })
  @ApiOkResponse({
    description: 'Ignored (an event we do not process, a status broadcast, a group on a channel without groups, ...)',
  })
  @ApiBadRequestResponse({
    description:
      'channelId is not a UUID, or the body is malformed (VALIDATION_FAILED names the field; MALFORMED_JSON)',
  })
  @ApiUnauthorizedResponse({ description: 'WEBHOOK_SIGNATURE_INVALID: missing or wrong HMAC; nothing was recorded' })
  @ApiNotFoundResponse({ description: 'Unknown channel' })
  @ApiServiceUnavailableResponse({
    description:
      'The database or Temporal is unavailable (`Retry-After`): deliver again; a redelivery of a message already stored completes what is missing',
  })
  async receive(
    @UuidParam('channelId') channelId: string,
    @Headers('x-webhook-hmac') signature: string | undefined,
    @Req() req: RawBodyRequest<Request>,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    const outcome = await this.webhooks.receive(channelId, req.rawBody, signature);
    res.status(outcome.httpStatus);
    return outcome.body;
  }
}
