import { Injectable } from '@nestjs/common';
import { NotFoundError, Page, PageRequest, keysetAfter, toPage } from '@app/shared';
import { OutboxEventRecord, OutboxStatus } from '../domain/outbox-event';
import { OutboxEventNotRetryableError } from '../domain/outbox.errors';
import { OutboxCounts, OutboxRepository } from './outbox.repository.port';

/** Tenant-scoped view of the outbox for operators: counts, dead letters, manual retry. */
@Injectable()
export class OutboxAdminService {
  constructor(private readonly repository: OutboxRepository) {}

  stats(tenantId: string): Promise<OutboxCounts> {
    return this.repository.counts(tenantId);
  }

  async list(tenantId: string, status: OutboxStatus | undefined, page: PageRequest): Promise<Page<OutboxEventRecord>> {
    const rows = await this.repository.list(tenantId, status, {
      limit: page.limit + 1,
      after: keysetAfter(page.cursor),
    });
    return toPage(rows, page.limit, (record) => record);
  }

  async retry(tenantId: string, id: string): Promise<OutboxEventRecord> {
    const event = await this.repository.findById(tenantId, id);
    if (!event) throw new NotFoundError('outbox event', id);
    if (event.status !== 'failed' && event.status !== 'dead') throw new OutboxEventNotRetryableError(id, event.status);
    await this.repository.requeue(tenantId, id);
    return (await this.repository.findById(tenantId, id)) as OutboxEventRecord;
  }
}
