import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork } from '@app/shared';
import { parseWahaApiKey } from '../../domain/channel-secrets';
import { Channel } from '../../domain/channel.aggregate';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { ChannelSecrets } from '../channel-secrets';
import { WahaUrlGuard } from '../waha/waha-url.guard';
import { type ChannelWithWebhookSecretView, toChannelView } from '../channel.view';
import { type CreateChannelCommand } from './create-channel.command';

/** Creates a channel and raises `channel.created`. The answer carries the webhook secret: the only
 *  time it is shown. Fails with DuplicateChannelNameError when the tenant has a channel of that name. */
@Injectable()
export class CreateChannelHandler {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly secrets: ChannelSecrets,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
    private readonly wahaUrls: WahaUrlGuard,
  ) {}

  async execute(command: CreateChannelCommand): Promise<ChannelWithWebhookSecretView> {
    const webhookSecret = this.secrets.webhookSecretFrom(command.webhookSecret);
    const wahaApiKey = command.wahaApiKey === undefined ? null : parseWahaApiKey(command.wahaApiKey);
    await this.wahaUrls.check(command.wahaBaseUrl);
    const channel = Channel.create(
      {
        tenantId: command.tenantId,
        name: command.name,
        type: command.type,
        wahaBaseUrl: command.wahaBaseUrl,
        wahaSession: command.wahaSession,
        encryptedWahaApiKey: wahaApiKey === null ? null : this.secrets.encrypt(wahaApiKey),
        encryptedWebhookSecret: this.secrets.encrypt(webhookSecret),
        allowGroups: command.allowGroups,
        sessionTimeoutSeconds: command.sessionTimeoutSeconds,
        sessionWarningLeadSeconds: command.sessionWarningLeadSeconds,
        sessionWarningText: command.sessionWarningText,
        debounceWindowMs: command.debounceWindowMs,
        inboundMode: command.inboundMode,
      },
      this.clock.now(),
    );
    await this.unitOfWork.run(async () => {
      await this.channels.insert(channel);
      await this.eventOutbox.append(channel.pullEvents());
    });
    return { ...toChannelView(channel), webhookSecret };
  }
}
