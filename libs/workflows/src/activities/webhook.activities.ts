import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { type OutboxEnvelope, type OutboxPublisher, OutboxPublisherRegistry } from '@app/outbox';
import {
  WebhookDeliveryNotFoundError,
  WebhookDeliveryOutcomeService,
  WebhookDeliveryStarter,
  WebhookDispatchService,
  WebhookFanOutService,
  WebhookHeldDeliveryReleaseService,
} from '@app/webhook';
import {
  type DeliverWebhookResult,
  PERMANENT_WEBHOOK_ERROR,
  type WebhookActivitiesContract,
  type WebhookDeliveryInput,
  WEBHOOK_GONE,
  WEBHOOK_SUBSCRIPTION_INACTIVE,
} from '../contracts/webhook-delivery.contracts';
import { type WebhookHeldReleaseActivitiesContract, type WebhookHeldReleaseInput, type WebhookHeldReleaseResult } from '../contracts/webhook-held-release.contracts';
import { currentActivity, inActivity } from './activity-context';

/** DeliverWebhook, WebhookStatusUpdate and CompensateWebhook of the seed, over the webhook context,
 *  and the held-delivery release sweep. */
@Injectable()
export class WebhookActivities implements WebhookActivitiesContract, WebhookHeldReleaseActivitiesContract {
  constructor(
    private readonly dispatch: WebhookDispatchService,
    private readonly outcomes: WebhookDeliveryOutcomeService,
    private readonly heldRelease: WebhookHeldDeliveryReleaseService,
  ) {}

  deliverWebhook(input: WebhookDeliveryInput): Promise<DeliverWebhookResult> {
    return inActivity(async () => {
      const { attempt } = currentActivity();
      let result;
      try {
        result = await this.dispatch.deliver({ ...input, attempt });
      } catch (err) {
        if (err instanceof WebhookDeliveryNotFoundError) throw ApplicationFailure.nonRetryable(err.message, PERMANENT_WEBHOOK_ERROR);
        throw err;
      }
      const detail = `${result.statusCode === null ? 'no response' : `HTTP ${result.statusCode}`}${result.error ? `: ${result.error}` : ''}`;
      switch (result.outcome) {
        case 'delivered':
          return { statusCode: result.statusCode ?? 200, attempt };
        case 'gone':
          throw ApplicationFailure.nonRetryable(`endpoint is gone (${detail})`, WEBHOOK_GONE);
        case 'permanent':
          throw ApplicationFailure.nonRetryable(`endpoint refused the event (${detail})`, PERMANENT_WEBHOOK_ERROR);
        case 'inactive':
          throw ApplicationFailure.nonRetryable('the subscription is not active', WEBHOOK_SUBSCRIPTION_INACTIVE);
        case 'retryable':
          // Retried by the activity's retry policy; Retry-After, when the endpoint sent one, sets the wait.
          throw ApplicationFailure.create({
            message: `delivery attempt failed (${detail})`,
            type: 'RetryableWebhookError',
            nextRetryDelay: result.retryAfterMs ?? undefined,
          });
      }
    });
  }

  webhookStatusUpdate(input: { tenantId: string; deliveryId: string; statusCode: number }): Promise<void> {
    return inActivity(() => this.outcomes.delivered(input));
  }

  compensateWebhook(input: { tenantId: string; deliveryId: string; reason: string; gone: boolean }): Promise<{ attempts: number }> {
    return inActivity(() => this.outcomes.deadLettered(input));
  }

  releaseHeldWebhookDeliveries(input: WebhookHeldReleaseInput): Promise<WebhookHeldReleaseResult> {
    return inActivity(() => this.heldRelease.release(input));
  }
}

/** The outbox publisher for webhooks: one WebhookDeliveryWorkflow per (matching subscription, event).
 *  Registered wherever the outbox relay runs (the worker). */
@Injectable()
export class WebhookOutboxPublisher implements OutboxPublisher, OnModuleInit {
  readonly name = 'webhooks';

  constructor(
    private readonly fanOut: WebhookFanOutService,
    private readonly starter: WebhookDeliveryStarter,
    private readonly registry: OutboxPublisherRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async publish(event: OutboxEnvelope): Promise<void> {
    const planned = await this.fanOut.plan(event);
    await Promise.all(
      planned.map((delivery) => this.starter.start({ tenantId: event.tenantId, eventId: event.id, ...delivery }, { replay: false })),
    );
  }
}
