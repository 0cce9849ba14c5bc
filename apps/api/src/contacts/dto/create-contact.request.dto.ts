import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { CONTACT_SOURCES, type ContactSource } from '@app/contact';

export class CreateContactRequestDto {
  @ApiProperty({
    description:
      'Phone number with country code, in any common format or as a WhatsApp id; stored as E.164 digits without the plus (5511999990000).',
    example: '+55 (11) 99999-0000',
    maxLength: 64,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  phone!: string;

  @ApiPropertyOptional({ type: String, example: 'Ana Souza', maxLength: 200, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string | null;

  @ApiPropertyOptional({
    description: 'WhatsApp id of the contact',
    type: String,
    example: '5511999990000@c.us',
    maxLength: 128,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  whatsappId?: string | null;

  @ApiPropertyOptional({
    type: String,
    example: 'https://pps.whatsapp.net/v/t61/ana.jpg',
    maxLength: 2048,
    nullable: true,
  })
  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2048)
  profilePictureUrl?: string | null;

  @ApiPropertyOptional({ enum: CONTACT_SOURCES, default: 'api', example: 'manual' })
  @IsOptional()
  @IsIn(CONTACT_SOURCES)
  source?: ContactSource;
}
