import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { SESSION_STATUSES, type SessionStatus } from '@app/session';
import { PageQueryDto } from '../../platform/page-query.dto';

export class ListSessionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description: 'Only sessions of this contact',
    format: 'uuid',
    example: '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30',
  })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({
    description: 'Only sessions on this channel',
    format: 'uuid',
    example: '5d0c7a1e-3b2f-4e6a-8c9d-7f1e2a3b4c5d',
  })
  @IsOptional()
  @IsUUID()
  channelId?: string;

  @ApiPropertyOptional({ description: 'Only sessions in this status', enum: SESSION_STATUSES, example: 'active' })
  @IsOptional()
  @IsIn(SESSION_STATUSES)
  status?: SessionStatus;
}
