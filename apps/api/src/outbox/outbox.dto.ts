import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { OUTBOX_STATUSES, OutboxEventRecord, OutboxStatus } from '@app/outbox';
import { PageQueryDto } from '../platform/page-query.dto';

export class OutboxEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: OUTBOX_STATUSES, example: 'dead' })
  @IsOptional()
  @IsIn(OUTBOX_STATUSES)
  status?: OutboxStatus;
}

export class OutboxStatsDto {
  @ApiProperty({ example: 3 }) pending!: number;
  @ApiProperty({ example: 1200 }) published!: number;
  @ApiProperty({ example: 1 }) failed!: number;
  @ApiProperty({ example: 0 }) dead!: number;
  @ApiProperty({ example: 850, nullable: true, type: Number, description: 'age of the oldest pending event' })
  oldestPendingAgeMs!: number | null;
}

export class OutboxEventDto {
  @ApiProperty({ format: 'uuid', description: 'event id: the idempotency key for consumers' }) id!: string;
  @ApiProperty({ example: 'contact.created' }) type!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ format: 'uuid' }) tenantId!: string;
  @ApiProperty({ example: 'contact' }) aggregateType!: string;
  @ApiProperty() aggregateId!: string;
  @ApiProperty({ nullable: true, type: String }) correlationId!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { id: '…', phone: '5511999990000' } })
  data!: Record<string, unknown>;
  @ApiProperty({ enum: OUTBOX_STATUSES }) status!: OutboxStatus;
  @ApiProperty({ example: 0 }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) nextAttemptAt!: string;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) publishedAt!: string | null;

  static from(record: OutboxEventRecord): OutboxEventDto {
    return {
      ...record.envelope,
      status: record.status,
      attempts: record.attempts,
      nextAttemptAt: record.nextAttemptAt.toISOString(),
      lastError: record.lastError,
      createdAt: record.createdAt.toISOString(),
      publishedAt: record.publishedAt?.toISOString() ?? null,
    };
  }
}

export class OutboxEventPageDto {
  @ApiProperty({ type: [OutboxEventDto] }) data!: OutboxEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
}
