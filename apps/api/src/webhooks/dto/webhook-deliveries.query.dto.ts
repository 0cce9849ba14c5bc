import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { WEBHOOK_DELIVERY_STATUSES, type WebhookDeliveryStatus } from '@app/webhook';
import { PageQueryDto } from '../../platform/page-query.dto';

export class ListWebhookDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: WEBHOOK_DELIVERY_STATUSES, example: 'dead' })
  @IsOptional()
  @IsIn(WEBHOOK_DELIVERY_STATUSES)
  status?: WebhookDeliveryStatus;
}

export class ReplayWebhookDeliveriesQueryDto {
  @ApiProperty({
    description: 'Replay deliveries that failed or were dead-lettered at or after this time (ISO 8601)',
    example: '2025-11-26T00:00:00Z',
  })
  @IsISO8601({ strict: true })
  since!: string;
}
