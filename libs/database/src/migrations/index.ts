import { PlatformContactsOutbox1764115200000 } from './1764115200000-platform-contacts-outbox';
import { Conversations1764201600000 } from './1764201600000-conversations';
import { OutboxCorrelationIndex1764202000000 } from './1764202000000-outbox-correlation-index';
import { Webhooks1764288000000 } from './1764288000000-webhooks';
import { WebhookEndpointHealth1764374400000 } from './1764374400000-webhook-endpoint-health';
import { WebhookHeldDeliveries1764460800000 } from './1764460800000-webhook-held-deliveries';
import { HeldMessageEvents1764547200000 } from './1764547200000-held-message-events';
import { OutboxClaimToken1764633600000 } from './1764633600000-outbox-claim-token';
import { WahaCircuitState1764720000000 } from './1764720000000-waha-circuit-state';
import { HistoryImports1764806400000 } from './1764806400000-history-imports';
import { RowLevelSecurity1764892800000 } from './1764892800000-row-level-security';
import { ApiKeyScopesRateLimits1764979200000 } from './1764979200000-api-key-scopes-rate-limits';
import { OutboxTraceContext1765065600000 } from './1765065600000-outbox-trace-context';

/** Every migration, in order. Listed explicitly so the build output needs no glob. */
export const migrations = [
  PlatformContactsOutbox1764115200000,
  Conversations1764201600000,
  OutboxCorrelationIndex1764202000000,
  Webhooks1764288000000,
  WebhookEndpointHealth1764374400000,
  WebhookHeldDeliveries1764460800000,
  HeldMessageEvents1764547200000,
  OutboxClaimToken1764633600000,
  WahaCircuitState1764720000000,
  HistoryImports1764806400000,
  RowLevelSecurity1764892800000,
  ApiKeyScopesRateLimits1764979200000,
  OutboxTraceContext1765065600000,
];
