import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../platform/page-query.dto';

export class ListContactsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Phone prefix (digits of a number-like term, e.g. "+55 11" matches 5511...) or part of the name (case-insensitive).',
    example: 'ana',
    maxLength: 100,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}
