import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
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
import {
  type ContactView,
  CreateContactHandler,
  DeleteContactHandler,
  GetContactHandler,
  ListContactsHandler,
  UpdateContactHandler,
} from '@app/contact';
import { type Page } from '@app/shared';
import { CurrentTenant } from '../platform/current-tenant.decorator';
import { ContactPageResponseDto, ContactResponseDto } from './dto/contact.response.dto';
import { CreateContactRequestDto } from './dto/create-contact.request.dto';
import { ListContactsQueryDto } from './dto/list-contacts.query.dto';
import { UpdateContactRequestDto } from './dto/update-contact.request.dto';
import { UuidParam } from '../platform/uuid-param';
import { RequireScope } from '../platform/require-scope.decorator';

@ApiTags('contacts')
@Controller('v1/contacts')
export class ContactsController {
  constructor(
    private readonly createContact: CreateContactHandler,
    private readonly getContact: GetContactHandler,
    private readonly listContacts: ListContactsHandler,
    private readonly updateContact: UpdateContactHandler,
    private readonly deleteContact: DeleteContactHandler,
  ) {}

  @Post()
  @RequireScope('write')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ summary: 'Create a contact' })
  @ApiCreatedResponse({ type: ContactResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid body (the message names the field), e.g. a malformed phone' })
  @ApiConflictResponse({ description: 'A contact with this phone already exists in the tenant' })
  create(@CurrentTenant() tenantId: string, @Body() body: CreateContactRequestDto): Promise<ContactView> {
    return this.createContact.execute({
      tenantId,
      phone: body.phone,
      name: body.name,
      whatsappId: body.whatsappId,
      profilePictureUrl: body.profilePictureUrl,
      source: body.source,
    });
  }

  @Get()
  @RequireScope('read')
  @ApiOperation({
    summary: 'List contacts, newest first',
    description: 'Keyset-paged: follow nextCursor until it is null.',
  })
  @ApiOkResponse({ type: ContactPageResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid limit, cursor or search' })
  list(@CurrentTenant() tenantId: string, @Query() query: ListContactsQueryDto): Promise<Page<ContactView>> {
    return this.listContacts.execute({ tenantId, limit: query.limit, cursor: query.cursor, search: query.search });
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'Get a contact' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ContactResponseDto })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such contact in the tenant (or it was deleted)' })
  get(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<ContactView> {
    return this.getContact.execute({ tenantId, id });
  }

  @Patch(':id')
  @RequireScope('write')
  @ApiOperation({
    summary: 'Change a contact',
    description: 'Absent fields stay as they are; null clears an optional field.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: ContactResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid id or body' })
  @ApiNotFoundResponse({ description: 'No such contact in the tenant (or it was deleted)' })
  @ApiConflictResponse({ description: 'The new phone belongs to another contact, or the contact changed concurrently' })
  update(
    @CurrentTenant() tenantId: string,
    @UuidParam() id: string,
    @Body() body: UpdateContactRequestDto,
  ): Promise<ContactView> {
    return this.updateContact.execute({
      tenantId,
      id,
      phone: body.phone,
      name: body.name,
      whatsappId: body.whatsappId,
      profilePictureUrl: body.profilePictureUrl,
    });
  }

  @Delete(':id')
  @RequireScope('write')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a contact (soft delete; its phone can be used again)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiBadRequestResponse({ description: 'id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No such contact in the tenant (or it was already deleted)' })
  async remove(@CurrentTenant() tenantId: string, @UuidParam() id: string): Promise<void> {
    await this.deleteContact.execute({ tenantId, id });
  }
}
