import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { type Page } from '@app/shared';
import {
  CreateWebhookSubscriptionHandler,
  DeleteWebhookSubscriptionHandler,
  EnableWebhookSubscriptionHandler,
  GetWebhookSubscriptionHandler,
  ListWebhookDeliveriesHandler,
  ListWebhookSubscriptionsHandler,
  ReplayFailedWebhookDeliveriesHandler,
  type ReplayFailedWebhookDeliveriesResult,
  RotateWebhookSubscriptionSecretHandler,
  SendTestWebhookHandler,
  UpdateWebhookSubscriptionHandler,
  type WebhookDeliveryWithAttemptsView,
  type WebhookSubscriptionView,
  type WebhookSubscriptionWithSecretView,
} from '@app/webhook';
import { CurrentTenant } from '../platform/current-tenant.decorator';
import { PageQueryDto } from '../platform/page-query.dto';
import { CreateWebhookSubscriptionRequestDto } from './dto/create-webhook-subscription.request.dto';
import { SendTestWebhookRequestDto, TestWebhookSentResponseDto } from './dto/send-test-webhook.request.dto';
import { UpdateWebhookSubscriptionRequestDto } from './dto/update-webhook-subscription.request.dto';
import { ListWebhookDeliveriesQueryDto, ReplayWebhookDeliveriesQueryDto } from './dto/webhook-deliveries.query.dto';
import { WebhookDeliveryPageResponseDto, WebhookReplayResultResponseDto } from './dto/webhook-delivery.response.dto';
import {
  WebhookSubscriptionPageResponseDto,
  WebhookSubscriptionResponseDto,
  WebhookSubscriptionWithSecretResponseDto,
} from './dto/webhook-subscription.response.dto';
import { UuidParam } from '../platform/uuid-param';
import { RequireScope } from '../platform/require-scope.decorator';

@ApiTags('webhooks')
@Controller('v1/webhook-subscriptions')
export class WebhookSubscriptionsController {
  constructor(
    private readonly createSubscription: CreateWebhookSubscriptionHandler,
    private readonly listSubscriptions: ListWebhookSubscriptionsHandler,
    private readonly getSubscription: GetWebhookSubscriptionHandler,
    private readonly updateSubscription: UpdateWebhookSubscriptionHandler,
    private readonly deleteSubscription: DeleteWebhookSubscriptionHandler,
    private readonly rotateSecret: RotateWebhookSubscriptionSecretHandler,
    private readonly enableSubscription: EnableWebhookSubscriptionHandler,
    private readonly sendTest: SendTestWebhookHandler,
    private readonly listDeliveries: ListWebhookDeliveriesHandler,
    private readonly replayFailed: ReplayFailedWebhookDeliveriesHandler,
  ) {}

  @Post()
  @RequireScope('write')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Subscribe an endpoint to events',
    description:
      'The answer carries the signing secret (whsec_...), shown only this once. Deliveries are POSTs signed per Standard Webhooks; ' +
      'see GET /v1/webhook-event-types for the payloads. The URL must be https and resolve to public addresses only.',
  })
  @ApiCreatedResponse({ type: WebhookSubscriptionWithSecretResponseDto })
  @ApiBadRequestResponse({
    description:
      'Invalid body; the message names the field (e.g. url: resolves to a private address, eventTypes: unknown type)',
  })
  create(
    @CurrentTenant() tenantId: string,
    @Body() body: CreateWebhookSubscriptionRequestDto,
  ): Promise<WebhookSubscriptionWithSecretView> {
    return this.createSubscription.execute({
      tenantId,
      url: body.url,
      eventTypes: body.eventTypes,
      channelId: body.channelId,
      description: body.description,
      maxAttempts: body.maxAttempts,
    });
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'List webhook subscriptions, newest first',
    description: 'Keyset-paged: follow nextCursor until it is null. Secrets are never shown.',
  })
  @ApiOkResponse({ type: WebhookSubscriptionPageResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid limit or cursor' })
  list(@CurrentTenant() tenantId: string, @Query() query: PageQueryDto): Promise<Page<WebhookSubscriptionView>> {
    return this.listSubscriptions.execute({ tenantId, limit: query.limit, cursor: query.cursor });
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'Get a webhook subscription (its secret is never shown)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookSubscriptionResponseDto })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such subscription in the tenant (or it was deleted)' })
  get(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<WebhookSubscriptionView> {
    return this.getSubscription.execute({ tenantId, id });
  }

  @Patch(':id')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Change a webhook subscription',
    description: 'Absent fields stay as they are; null clears channelId or description.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookSubscriptionResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid id or body (the message names the field)' })
  @ApiNotFoundResponse({ description: 'No such subscription in the tenant (or it was deleted)' })
  update(
    @CurrentTenant() tenantId: string,
    @UuidParam() id: string,
    @Body() body: UpdateWebhookSubscriptionRequestDto,
  ): Promise<WebhookSubscriptionView> {
    return this.updateSubscription.execute({
      tenantId,
      id,
      url: body.url,
      eventTypes: body.eventTypes,
      channelId: body.channelId,
      description: body.description,
      maxAttempts: body.maxAttempts,
      active: body.active,
    });
  }

  @Delete(':id')
  @RequireScope('write')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete a webhook subscription (soft delete: nothing more is sent; its deliveries are kept)',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such subscription in the tenant (or it was already deleted)' })
  async remove(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<void> {
    await this.deleteSubscription.execute({ tenantId, id });
  }

  @Post(':id/rotate-secret')
  @RequireScope('write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Replace the signing secret',
    description:
      'The answer carries the new secret, shown only this once. Every attempt from now on, retries included, is signed with it.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookSubscriptionWithSecretResponseDto })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such subscription in the tenant' })
  rotate(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<WebhookSubscriptionWithSecretView> {
    return this.rotateSecret.execute({ tenantId, id });
  }

  @Post(':id/enable')
  @RequireScope('write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Re-enable a disabled or paused subscription',
    description:
      'Active again, failure count reset, disabled mark cleared. Events raised meanwhile are not sent: replay them with POST .../replay?since=.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookSubscriptionResponseDto })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such subscription in the tenant' })
  enable(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<WebhookSubscriptionView> {
    return this.enableSubscription.execute({ tenantId, id });
  }

  @Post(':id/test')
  @RequireScope('write')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a webhook.test event to this subscription only',
    description:
      'The event goes through the outbox like any other and is delivered shortly after, signed; the answer names its id (the webhook-id).',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: SendTestWebhookRequestDto, required: false })
  @ApiAcceptedResponse({ type: TestWebhookSentResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid id or message' })
  @ApiNotFoundResponse({ description: 'No such subscription in the tenant' })
  @ApiUnprocessableEntityResponse({ description: 'The subscription is not active: enable it first' })
  test(
    @CurrentTenant() tenantId: string,
    @UuidParam() id: string,
    @Body() body: SendTestWebhookRequestDto,
  ): Promise<TestWebhookSentResponseDto> {
    return this.sendTest.execute({ tenantId, id, message: body?.message });
  }

  @Get(':id/deliveries')
  @RequireScope('read')
  @ApiOperation({
    summary: "The subscription's deliveries, newest first, each with every attempt",
    description: 'Keyset-paged; filter with ?status=.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: WebhookDeliveryPageResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid id, status, limit or cursor' })
  @ApiNotFoundResponse({ description: 'No such subscription in the tenant' })
  deliveries(
    @CurrentTenant() tenantId: string,
    @UuidParam() id: string,
    @Query() query: ListWebhookDeliveriesQueryDto,
  ): Promise<Page<WebhookDeliveryWithAttemptsView>> {
    return this.listDeliveries.execute({
      tenantId,
      subscriptionId: id,
      status: query.status,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  @Post(':id/replay')
  @RequireScope('write')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Re-deliver everything that failed or was dead-lettered since a time',
    description: 'Each such delivery goes back to pending and is sent again (a new run with the full retry schedule).',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiAcceptedResponse({ type: WebhookReplayResultResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid id or since' })
  @ApiNotFoundResponse({ description: 'No such subscription in the tenant' })
  @ApiUnprocessableEntityResponse({ description: 'The subscription is not active: enable it first' })
  replay(
    @CurrentTenant() tenantId: string,
    @UuidParam() id: string,
    @Query() query: ReplayWebhookDeliveriesQueryDto,
  ): Promise<ReplayFailedWebhookDeliveriesResult> {
    return this.replayFailed.execute({ tenantId, subscriptionId: id, since: new Date(query.since) });
  }
}
