import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChannelModule } from '@app/channel';
import { DnsHostResolver, HostResolver } from '@app/shared';
import { CreateWebhookSubscriptionHandler } from './application/create-webhook-subscription/create-webhook-subscription.handler';
import { DeleteWebhookSubscriptionHandler } from './application/delete-webhook-subscription/delete-webhook-subscription.handler';
import { WebhookDeliveryOutcomeService } from './application/delivery-outcome/webhook-delivery-outcome.service';
import { WebhookDispatchService } from './application/dispatch/webhook-dispatch.service';
import { EnableWebhookSubscriptionHandler } from './application/enable-webhook-subscription/enable-webhook-subscription.handler';
import { WebhookFanOutService } from './application/fan-out/webhook-fan-out.service';
import { GetWebhookSubscriptionHandler } from './application/get-webhook-subscription/get-webhook-subscription.handler';
import { WebhookInlineFirstAttemptService } from './application/inline-first-attempt/webhook-inline-first-attempt.service';
import { ListWebhookDeliveriesHandler } from './application/list-webhook-deliveries/list-webhook-deliveries.handler';
import { ListWebhookSubscriptionsHandler } from './application/list-webhook-subscriptions/list-webhook-subscriptions.handler';
import { WebhookHeldDeliveryReleaseService } from './application/release-held/webhook-held-delivery-release.service';
import { ReplayFailedWebhookDeliveriesHandler } from './application/replay-failed-webhook-deliveries/replay-failed-webhook-deliveries.handler';
import { ReplayWebhookDeliveryHandler } from './application/replay-webhook-delivery/replay-webhook-delivery.handler';
import { RotateWebhookSubscriptionSecretHandler } from './application/rotate-webhook-subscription-secret/rotate-webhook-subscription-secret.handler';
import { SendTestWebhookHandler } from './application/send-test-webhook/send-test-webhook.handler';
import { TenantChannels } from './application/tenant-channels.port';
import { UpdateWebhookSubscriptionHandler } from './application/update-webhook-subscription/update-webhook-subscription.handler';
import { WebhookEventSource } from './application/webhook-event-source.port';
import { WebhookHttpSender } from './application/webhook-http-sender.port';
import { WebhookSecrets } from './application/webhook-secrets';
import { WebhookUrlGuard } from './application/webhook-url.guard';
import { WebhookAddressPolicy } from './domain/webhook-address-policy';
import { WebhookDeliveryRepository } from './domain/webhook-delivery.repository.port';
import { WebhookSubscriptionRepository } from './domain/webhook-subscription.repository.port';
import { ChannelContextTenantChannels } from './infrastructure/channel-tenant-channels';
import { NodeWebhookHttpSender } from './infrastructure/http/node-webhook-http.sender';
import { TypeOrmWebhookDeliveryRepository } from './infrastructure/persistence/typeorm-webhook-delivery.repository';
import { TypeOrmWebhookEventSource } from './infrastructure/persistence/typeorm-webhook-event-source';
import { TypeOrmWebhookSubscriptionRepository } from './infrastructure/persistence/typeorm-webhook-subscription.repository';
import { WebhookDeliveryAttemptOrmEntity } from './infrastructure/persistence/webhook-delivery-attempt.orm-entity';
import { WebhookDeliveryOrmEntity } from './infrastructure/persistence/webhook-delivery.orm-entity';
import { WebhookSubscriptionOrmEntity } from './infrastructure/persistence/webhook-subscription.orm-entity';
import { type WebhookSettings, webhookConfig } from './webhook.config';

const HANDLERS = [
  CreateWebhookSubscriptionHandler,
  ListWebhookSubscriptionsHandler,
  GetWebhookSubscriptionHandler,
  UpdateWebhookSubscriptionHandler,
  DeleteWebhookSubscriptionHandler,
  RotateWebhookSubscriptionSecretHandler,
  EnableWebhookSubscriptionHandler,
  SendTestWebhookHandler,
  ListWebhookDeliveriesHandler,
  ReplayWebhookDeliveryHandler,
  ReplayFailedWebhookDeliveriesHandler,
];

const SERVICES = [
  WebhookFanOutService,
  WebhookDispatchService,
  WebhookDeliveryOutcomeService,
  WebhookHeldDeliveryReleaseService,
  WebhookInlineFirstAttemptService,
];

/**
 * The Webhook bounded context: subscriptions, deliveries and their attempt log, the fan-out, the
 * signed HTTP dispatch (with SSRF guard), the inline first attempt and the delivery bookkeeping. Needs DatabaseModule
 * (UnitOfWork, Clock, TransactionContext), OutboxModule (EventOutbox) and SecretsModule
 * (SecretCipher), all global, plus a global provider of the WebhookDeliveryStarter port (the
 * replays start delivery runs through it).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([WebhookSubscriptionOrmEntity, WebhookDeliveryOrmEntity, WebhookDeliveryAttemptOrmEntity]),
    ConfigModule.forFeature(webhookConfig),
    ChannelModule,
  ],
  providers: [
    { provide: WebhookSubscriptionRepository, useClass: TypeOrmWebhookSubscriptionRepository },
    { provide: WebhookDeliveryRepository, useClass: TypeOrmWebhookDeliveryRepository },
    { provide: WebhookEventSource, useClass: TypeOrmWebhookEventSource },
    { provide: HostResolver, useClass: DnsHostResolver },
    { provide: WebhookHttpSender, useClass: NodeWebhookHttpSender },
    { provide: TenantChannels, useClass: ChannelContextTenantChannels },
    {
      provide: WebhookAddressPolicy,
      inject: [webhookConfig.KEY],
      useFactory: (config: WebhookSettings) => new WebhookAddressPolicy(config.allowedCidrs),
    },
    WebhookSecrets,
    WebhookUrlGuard,
    ...HANDLERS,
    ...SERVICES,
  ],
  exports: [...HANDLERS, ...SERVICES, WebhookUrlGuard],
})
export class WebhookModule {}
