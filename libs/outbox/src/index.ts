export * from './outbox.module';
export * from './outbox.config';
export * from './domain/outbox-event';
export * from './domain/outbox.errors';
export * from './application/outbox-publisher';
export * from './application/outbox-relay.service';
export * from './application/outbox-admin.service';
export type { OutboxCounts } from './application/outbox.repository.port';
export * from './infrastructure/outbox-notification.listener';
