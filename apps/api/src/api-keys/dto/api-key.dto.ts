import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, MaxLength, MinLength } from 'class-validator';
import { API_SCOPES, type ApiKeyView, type ApiScope, type CreatedApiKeyView } from '@app/tenant';

export class CreateApiKeyRequestDto {
  @ApiProperty({
    description: 'What the key is for, to tell keys apart',
    example: 'CRM sync job',
    minLength: 1,
    maxLength: 100,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({
    enum: API_SCOPES,
    isArray: true,
    description:
      '`read` (GET routes), `write` (every change; implies read), `admin` (API keys, the Temporal codec; implies write and read)',
    example: ['read'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_SCOPES.length)
  @IsIn(API_SCOPES, { each: true })
  scopes!: ApiScope[];
}

export class ApiKeyResponseDto implements ApiKeyView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'CRM sync job' })
  name!: string;

  @ApiProperty({ description: 'The first characters of the key, to recognise it', example: 'crm_Xa9f2Q' })
  prefix!: string;

  @ApiProperty({
    enum: API_SCOPES,
    isArray: true,
    description: 'The scopes the key holds, implied ones included',
    example: ['read'],
  })
  scopes!: ApiScope[];

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Recorded at most once a minute (API_KEY_LAST_USED_RESOLUTION_SECONDS)',
  })
  lastUsedAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revokedAt!: string | null;
}

export class CreatedApiKeyResponseDto extends ApiKeyResponseDto implements CreatedApiKeyView {
  @ApiProperty({
    description: 'The key itself. Shown in this answer only: it is stored as a hash and cannot be shown again',
    example: 'crm_Xa9f2Q…',
  })
  key!: string;
}

export class ApiKeyPageResponseDto {
  @ApiProperty({ type: [ApiKeyResponseDto] })
  data!: ApiKeyResponseDto[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
