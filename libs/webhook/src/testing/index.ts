export * from './recording-webhook-delivery-starter';
export * from './test-webhook-receiver';
