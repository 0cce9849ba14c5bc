import { ApiProperty } from '@nestjs/swagger';
import { CONTACT_SOURCES, type ContactSource, type ContactView } from '@app/contact';

export class ContactResponseDto implements ContactView {
  @ApiProperty({ format: 'uuid', example: '0b6f3f4e-8d2a-4c1e-9f4b-2a7d5c9e1f30' })
  id!: string;

  @ApiProperty({ description: 'E.164 digits with country code, without the plus', example: '5511999990000' })
  phone!: string;

  @ApiProperty({ type: String, nullable: true, example: '5511999990000@c.us' })
  whatsappId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Ana Souza' })
  name!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'https://pps.whatsapp.net/v/t61/ana.jpg' })
  profilePictureUrl!: string | null;

  @ApiProperty({ enum: CONTACT_SOURCES, example: 'api' })
  source!: ContactSource;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'First-touch attribution (click-to-WhatsApp ad) of the first message that carried one; set once',
    example: {
      sourceType: 'ad',
      sourceId: '120210000000000001',
      sourceUrl: 'https://fb.me/1AbCdEfGhIjK',
      ctwaClid: 'Afc3…',
      entryPoint: 'ctwa_ad',
    },
  })
  firstTouch!: ContactView['firstTouch'];

  @ApiProperty({ format: 'date-time', example: '2025-11-26T12:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2025-11-26T12:30:00.000Z' })
  updatedAt!: string;
}

export class ContactPageResponseDto {
  @ApiProperty({ type: [ContactResponseDto] })
  data!: ContactResponseDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= to get the next page; null on the last page',
  })
  nextCursor!: string | null;
}
