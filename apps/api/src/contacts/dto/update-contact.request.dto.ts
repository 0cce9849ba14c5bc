import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUrl, MaxLength, ValidateIf } from 'class-validator';

/** Absent fields stay as they are; `null` clears name, whatsappId or profilePictureUrl. */
export class UpdateContactRequestDto {
  @ApiPropertyOptional({
    description: 'New phone number (any common format); must not belong to another contact of the tenant.',
    example: '+55 11 98888-1111',
    maxLength: 64,
  })
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  phone?: string;

  @ApiPropertyOptional({ type: String, example: 'Ana Souza Lima', maxLength: 200, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({ type: String, example: '5511988881111@c.us', maxLength: 128, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  whatsappId?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: 'https://pps.whatsapp.net/v/t61/ana-new.jpg',
    maxLength: 2048,
    nullable: true,
  })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  profilePictureUrl?: string | null;
}
