export * from './workflows.module';
export * from './contracts';
export * from './activities/outbox.activities';
export * from './activities/activity-registry';
export * from './temporal/temporal.config';
export * from './temporal/connection-options';
export * from './temporal/temporal-client.module';
