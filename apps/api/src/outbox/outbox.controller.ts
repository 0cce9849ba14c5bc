import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OutboxAdminService } from '@app/outbox';
import { CurrentTenant } from '../platform/current-tenant.decorator';
import { OutboxEventDto, OutboxEventPageDto, OutboxEventsQueryDto, OutboxStatsDto } from './outbox.dto';
import { UuidParam } from '../platform/uuid-param';
import { RequireScope } from '../platform/require-scope.decorator';

@ApiTags('outbox')
@Controller('v1/outbox')
export class OutboxController {
  constructor(private readonly outbox: OutboxAdminService) {}

  @Get('stats')
  @RequireScope('read')
  @ApiOperation({ summary: "Counts of this tenant's outbox events per status and the age of the oldest pending one" })
  @ApiOkResponse({ type: OutboxStatsDto })
  stats(@CurrentTenant() tenantId: string): Promise<OutboxStatsDto> {
    return this.outbox.stats(tenantId);
  }

  @Get('events')
  @RequireScope('read')
  @ApiOperation({ summary: 'Outbox events, newest first; `?status=dead` lists the dead letters' })
  @ApiOkResponse({ type: OutboxEventPageDto })
  async list(@CurrentTenant() tenantId: string, @Query() query: OutboxEventsQueryDto): Promise<OutboxEventPageDto> {
    const page = await this.outbox.list(tenantId, query.status, { limit: query.limit, cursor: query.cursor });
    return { data: page.data.map(OutboxEventDto.from), nextCursor: page.nextCursor };
  }

  @Post('events/:id/retry')
  @RequireScope('write')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put a failed or dead event back to pending with fresh attempts (422 for other statuses)' })
  @ApiOkResponse({ type: OutboxEventDto })
  async retry(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<OutboxEventDto> {
    return OutboxEventDto.from(await this.outbox.retry(tenantId, id));
  }
}
