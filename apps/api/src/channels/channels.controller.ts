import { Body, Controller, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  type ChannelView,
  type ChannelWithWebhookSecretView,
  CreateChannelHandler,
  GetChannelHandler,
  ListChannelsHandler,
  RotateWebhookSecretHandler,
  UpdateChannelHandler,
} from '@app/channel';
import { type Page } from '@app/shared';
import { CurrentTenant } from '../platform/current-tenant.decorator';
import { PageQueryDto } from '../platform/page-query.dto';
import {
  ChannelPageResponseDto,
  ChannelResponseDto,
  ChannelWithWebhookSecretResponseDto,
} from './dto/channel.response.dto';
import { CreateChannelRequestDto } from './dto/create-channel.request.dto';
import { RotateWebhookSecretRequestDto } from './dto/rotate-webhook-secret.request.dto';
import { UpdateChannelRequestDto } from './dto/update-channel.request.dto';
import { SessionPolicyPropagation } from '@app/inbound';
import { UuidParam } from '../platform/uuid-param';
import { RequireScope } from '../platform/require-scope.decorator';

@ApiTags('channels')
@Controller('v1/channels')
export class ChannelsController {
  constructor(
    private readonly createChannel: CreateChannelHandler,
    private readonly getChannel: GetChannelHandler,
    private readonly listChannels: ListChannelsHandler,
    private readonly updateChannel: UpdateChannelHandler,
    private readonly sessionPolicies: SessionPolicyPropagation,
    private readonly rotateWebhookSecret: RotateWebhookSecretHandler,
  ) {}

  @Post()
  @RequireScope('write')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Connect a WAHA session as a channel',
    description:
      'The answer carries webhookSecret, shown only this once: configure a WAHA webhook with url = <this API> + webhookPath and hmac.key = webhookSecret.',
  })
  @ApiCreatedResponse({ type: ChannelWithWebhookSecretResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid body (the message names the field), e.g. a warning lead not shorter than the timeout',
  })
  @ApiConflictResponse({ description: 'A channel with this name already exists in the tenant' })
  create(
    @CurrentTenant() tenantId: string,
    @Body() body: CreateChannelRequestDto,
  ): Promise<ChannelWithWebhookSecretView> {
    return this.createChannel.execute({
      tenantId,
      name: body.name,
      type: body.type,
      wahaBaseUrl: body.wahaBaseUrl,
      wahaSession: body.wahaSession,
      wahaApiKey: body.wahaApiKey,
      webhookSecret: body.webhookSecret,
      allowGroups: body.allowGroups,
      sessionTimeoutSeconds: body.sessionTimeoutSeconds,
      sessionWarningLeadSeconds: body.sessionWarningLeadSeconds,
      sessionWarningText: body.sessionWarningText,
      debounceWindowMs: body.debounceWindowMs,
      inboundMode: body.inboundMode,
    });
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'List channels, newest first',
    description: 'Keyset-paged: follow nextCursor until it is null.',
  })
  @ApiOkResponse({ type: ChannelPageResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid limit or cursor' })
  list(@CurrentTenant() tenantId: string, @Query() query: PageQueryDto): Promise<Page<ChannelView>> {
    return this.listChannels.execute({ tenantId, limit: query.limit, cursor: query.cursor });
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'Get a channel (its secrets are never shown)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ChannelResponseDto })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such channel in the tenant' })
  get(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<ChannelView> {
    return this.getChannel.execute({ tenantId, id });
  }

  @Patch(':id')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Change a channel',
    description:
      'Absent fields stay as they are; null clears an optional setting (it falls back to its default) or removes the WAHA API key. ' +
      'A change of sessionTimeoutSeconds or sessionWarningLeadSeconds also applies to the open sessions of the channel: each one then ends at its last activity + the new timeout.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ChannelResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid id or body (the message names the field)' })
  @ApiNotFoundResponse({ description: 'No such channel in the tenant' })
  @ApiConflictResponse({ description: 'The new name belongs to another channel of the tenant' })
  async update(
    @CurrentTenant() tenantId: string,
    @UuidParam() id: string,
    @Body() body: UpdateChannelRequestDto,
  ): Promise<ChannelView> {
    const channel = await this.updateChannel.execute({
      tenantId,
      id,
      name: body.name,
      wahaBaseUrl: body.wahaBaseUrl,
      wahaSession: body.wahaSession,
      wahaApiKey: body.wahaApiKey,
      allowGroups: body.allowGroups,
      sessionTimeoutSeconds: body.sessionTimeoutSeconds,
      sessionWarningLeadSeconds: body.sessionWarningLeadSeconds,
      sessionWarningText: body.sessionWarningText,
      debounceWindowMs: body.debounceWindowMs,
      inboundMode: body.inboundMode,
    });
    // Open sessions follow the channel's timeout; repeated on every PATCH naming it, so a retry
    // after a failure here completes what the first one began.
    if (body.sessionTimeoutSeconds !== undefined || body.sessionWarningLeadSeconds !== undefined) {
      await this.sessionPolicies.channelPolicyChanged(tenantId, channel.id);
    }
    return channel;
  }

  @Post(':id/rotate-webhook-secret')
  @RequireScope('write')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: "Replace the channel's webhook HMAC secret",
    description:
      'The answer carries the new webhookSecret, shown only this once. Webhooks signed with the old secret are refused from now on: update hmac.key in WAHA right away.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiBody({ type: RotateWebhookSecretRequestDto, required: false })
  @ApiOkResponse({ type: ChannelWithWebhookSecretResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid id or webhookSecret' })
  @ApiNotFoundResponse({ description: 'No such channel in the tenant' })
  rotate(
    @CurrentTenant() tenantId: string,
    @UuidParam() id: string,
    @Body() body: RotateWebhookSecretRequestDto,
  ): Promise<ChannelWithWebhookSecretView> {
    return this.rotateWebhookSecret.execute({ tenantId, id, webhookSecret: body.webhookSecret });
  }
}
