import { Injectable, OnModuleInit } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { type OutboxEnvelope, type OutboxPublisher, OutboxPublisherRegistry } from '@app/outbox';
import {
  WebhookDeliveryNotFoundError,
  WebhookDeliveryOutcomeService,
  WebhookDispatchService,
  WebhookHeldDeliveryReleaseService,
  WebhookInlineFirstAttemptService,
  describeFailedAttempt,
} from '@app/webhook';
import {
  type DeliverWebhookResult,
  PERMANENT_WEBHOOK_ERROR,
  type WebhookActivitiesContract,
  type WebhookDeliveryInput,
  WEBHOOK_GONE,
  WEBHOOK_SUBSCRIPTION_INACTIVE,
} from '../contracts/webhook-delivery.contracts';
import {
  type WebhookHeldReleaseActivitiesContract,
  type WebhookHeldReleaseInput,
  type WebhookHeldReleaseResult,
} from '../contracts/webhook-held-release.contracts';
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
      // The inline first attempt at fan-out, when there was one, is attempt 1.
      const attempt = (input.attemptsMade ?? 0) + currentActivity().attempt;
      const { tenantId, subscriptionId, eventId, deliveryId } = input;
      let result;
      try {
        result = await this.dispatch.deliver({ tenantId, subscriptionId, eventId, deliveryId, attempt });
      } catch (err) {
        if (err instanceof WebhookDeliveryNotFoundError)
          throw ApplicationFailure.nonRetryable(err.message, PERMANENT_WEBHOOK_ERROR);
        throw err;
      }
      const message = describeFailedAttempt(result);
      switch (result.outcome) {
        case 'delivered':
          return { statusCode: result.statusCode ?? 200, attempt };
        case 'gone':
          throw ApplicationFailure.nonRetryable(message, WEBHOOK_GONE);
        case 'permanent':
          throw ApplicationFailure.nonRetryable(message, PERMANENT_WEBHOOK_ERROR);
        case 'inactive':
          throw ApplicationFailure.nonRetryable(message, WEBHOOK_SUBSCRIPTION_INACTIVE);
        case 'retryable':
          // Retried by the activity's retry policy; Retry-After, when the endpoint sent one, sets the wait.
          throw ApplicationFailure.create({
            message,
            type: 'RetryableWebhookError',
            nextRetryDelay: result.retryAfterMs ?? undefined,
          });
      }
    });
  }

  webhookStatusUpdate(input: { tenantId: string; deliveryId: string; statusCode: number }): Promise<void> {
    return inActivity(() => this.outcomes.delivered(input));
  }

  compensateWebhook(input: {
    tenantId: string;
    deliveryId: string;
    reason: string;
    gone: boolean;
  }): Promise<{ attempts: number }> {
    return inActivity(() => this.outcomes.deadLettered(input));
  }

  releaseHeldWebhookDeliveries(input: WebhookHeldReleaseInput): Promise<WebhookHeldReleaseResult> {
    return inActivity(() => this.heldRelease.release(input));
  }
}

/** The outbox publisher for webhooks: per matching subscription, a delivery row and its first
 *  attempt inline; a WebhookDeliveryWorkflow only for those that need retries (see
 *  WebhookInlineFirstAttemptService). Registered wherever the outbox relay runs (the worker). */
@Injectable()
export class WebhookOutboxPublisher implements OutboxPublisher, OnModuleInit {
  readonly name = 'webhooks';

  constructor(
    private readonly inlineFirstAttempt: WebhookInlineFirstAttemptService,
    private readonly registry: OutboxPublisherRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async publish(event: OutboxEnvelope): Promise<void> {
    await this.inlineFirstAttempt.deliver(event);
  }
}
