import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { ChannelNotFoundError } from '../../domain/channel.errors';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { ChannelSecrets } from '../channel-secrets';
import { type ChannelWithWebhookSecretView, toChannelView } from '../channel.view';
import { WahaCircuitStateStore } from '../waha/waha-circuit-state.port';
import { type RotateWebhookSecretCommand } from './rotate-webhook-secret.command';

/** Replaces the channel's webhook HMAC secret and raises `channel.updated` (naming the field, never
 *  the value). The answer carries the new secret: the only time it is shown. From now on WAHA's
 *  webhooks verify only with the new secret, so the operator updates WAHA's `hmac.key` at once. */
@Injectable()
export class RotateWebhookSecretHandler {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly secrets: ChannelSecrets,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
    private readonly circuits: WahaCircuitStateStore,
  ) {}

  async execute(command: RotateWebhookSecretCommand): Promise<ChannelWithWebhookSecretView> {
    assertUuid(command.id, 'id');
    const webhookSecret = this.secrets.webhookSecretFrom(command.webhookSecret);
    const encrypted = this.secrets.encrypt(webhookSecret);
    const channel = await this.unitOfWork.run(async () => {
      const found = await this.channels.findByIdForUpdate(command.tenantId, command.id);
      if (!found) throw new ChannelNotFoundError(command.id);
      found.rotateWebhookSecret(encrypted, this.clock.now());
      await this.channels.update(found);
      await this.eventOutbox.append(found.pullEvents());
      return found;
    });
    const circuits = await this.circuits.findByChannels(command.tenantId, [channel.id]);
    return { ...toChannelView(channel, circuits.get(channel.id)), webhookSecret };
  }
}
