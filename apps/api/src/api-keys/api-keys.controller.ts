import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { type ApiKeyView, type CreatedApiKeyView, TenantService } from '@app/tenant';
import { type Page } from '@app/shared';
import { CurrentTenant } from '../platform/current-tenant.decorator';
import { PageQueryDto } from '../platform/page-query.dto';
import { RequireScope } from '../platform/require-scope.decorator';
import { UuidParam } from '../platform/uuid-param';
import { ApiKeyPageResponseDto, CreatedApiKeyResponseDto, CreateApiKeyRequestDto } from './dto/api-key.dto';

@ApiTags('api keys')
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly tenants: TenantService) {}

  @Post()
  @RequireScope('admin')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary: 'Create an API key of your tenant',
    description:
      'The answer carries the key itself (`key`), once: store it, it cannot be shown again. A scope includes the weaker ones (admin > write > read).',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid name or scopes (the message names the field)' })
  create(@CurrentTenant() tenantId: string, @Body() body: CreateApiKeyRequestDto): Promise<CreatedApiKeyView> {
    return this.tenants.createKey(tenantId, body.name, body.scopes);
  }

  @Get()
  @RequireScope('admin')
  @ApiOperation({ summary: "Your tenant's API keys, revoked ones included, newest first (never the keys themselves)" })
  @ApiOkResponse({ type: ApiKeyPageResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid limit or cursor' })
  list(@CurrentTenant() tenantId: string, @Query() query: PageQueryDto): Promise<Page<ApiKeyView>> {
    return this.tenants.listKeys(tenantId, { limit: query.limit, cursor: query.cursor });
  }

  @Delete(':id')
  @RequireScope('admin')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Revoke an API key',
    description:
      'The key stops working at once, the one making this call included (revoke a leaked key with itself). Revoking a revoked key changes nothing. ' +
      "The tenant's last active admin key cannot be revoked (409 LAST_ADMIN_KEY): create another admin key first.",
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such key in your tenant' })
  @ApiConflictResponse({ description: "The tenant's last active admin key (code LAST_ADMIN_KEY)" })
  async revoke(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<void> {
    await this.tenants.revokeKey(tenantId, id);
  }
}
