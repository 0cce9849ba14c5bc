import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../platform/page-query.dto';

export class ListMessagesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only messages of this session (conversation)',
    example: '4f0c2a7e-1d3b-4c5a-9e8f-0a1b2c3d4e5f',
  })
  @IsOptional()
  @IsUUID()
  sessionId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only messages with this contact',
    example: '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30',
  })
  @IsOptional()
  @IsUUID()
  contactId?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only messages of this channel',
    example: '2d7c6b5a-4e3f-4a1b-8c9d-0e1f2a3b4c5d',
  })
  @IsOptional()
  @IsUUID()
  channelId?: string;
}
