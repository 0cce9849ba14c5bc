import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { WEBHOOK_TEST_MESSAGE_MAX_LENGTH } from '@app/webhook';

/** The body is optional. */
export class SendTestWebhookRequestDto {
  @ApiPropertyOptional({
    description: 'Carried in data.message; a default text when absent',
    example: 'Hello from the CRM',
    maxLength: WEBHOOK_TEST_MESSAGE_MAX_LENGTH,
  })
  @IsOptional()
  @IsString()
  @MaxLength(WEBHOOK_TEST_MESSAGE_MAX_LENGTH)
  message?: string;
}

export class TestWebhookSentResponseDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Id of the webhook.test event: the webhook-id header the endpoint will receive',
  })
  eventId!: string;
}
