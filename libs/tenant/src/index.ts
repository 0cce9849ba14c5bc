export * from './tenant.module';
export * from './application/tenant.service';
export * from './domain/api-key';
