import { startTracing } from '@app/shared';

// Imported first by main.ts: instrumentation only patches http and pg when they load after it.
startTracing({ serviceName: 'crm-api' });
