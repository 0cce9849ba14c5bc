import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { parseWahaApiKey } from '../../domain/channel-secrets';
import { type ChannelChanges } from '../../domain/channel.aggregate';
import { ChannelNotFoundError } from '../../domain/channel.errors';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { ChannelSecrets } from '../channel-secrets';
import { WahaUrlGuard } from '../waha/waha-url.guard';
import { type ChannelView, toChannelView } from '../channel.view';
import { WahaCircuitStateStore } from '../waha/waha-circuit-state.port';
import { type UpdateChannelCommand } from './update-channel.command';

/** Changes a channel (PATCH semantics). Stores and raises `channel.updated` only when a value really
 *  changes; a WAHA API key counts as changed only when it differs from the stored one. */
@Injectable()
export class UpdateChannelHandler {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly secrets: ChannelSecrets,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
    private readonly wahaUrls: WahaUrlGuard,
    private readonly circuits: WahaCircuitStateStore,
  ) {}

  async execute(command: UpdateChannelCommand): Promise<ChannelView> {
    assertUuid(command.id, 'id');
    const wahaApiKey = command.wahaApiKey === undefined ? undefined : parseWahaApiKey(command.wahaApiKey);
    // Before the transaction: the check may wait on DNS.
    if (command.wahaBaseUrl !== undefined) await this.wahaUrls.check(command.wahaBaseUrl);
    const updated = await this.unitOfWork.run(async () => {
      const channel = await this.channels.findByIdForUpdate(command.tenantId, command.id);
      if (!channel) throw new ChannelNotFoundError(command.id);
      const changes: ChannelChanges = {
        name: command.name,
        wahaBaseUrl: command.wahaBaseUrl,
        wahaSession: command.wahaSession,
        allowGroups: command.allowGroups,
        sessionTimeoutSeconds: command.sessionTimeoutSeconds,
        sessionWarningLeadSeconds: command.sessionWarningLeadSeconds,
        sessionWarningText: command.sessionWarningText,
        debounceWindowMs: command.debounceWindowMs,
        inboundMode: command.inboundMode,
      };
      if (wahaApiKey !== undefined && !this.secrets.holds(channel.encryptedWahaApiKey, wahaApiKey)) {
        changes.encryptedWahaApiKey = wahaApiKey === null ? null : this.secrets.encrypt(wahaApiKey);
      }
      const changed = channel.update(changes, this.clock.now());
      if (changed.length > 0) {
        await this.channels.update(channel);
        await this.eventOutbox.append(channel.pullEvents());
      }
      return channel;
    });
    // The breaker's recorded state, as GET shows it (a change of WAHA settings does not reset it).
    const circuits = await this.circuits.findByChannels(command.tenantId, [updated.id]);
    return toChannelView(updated, circuits.get(updated.id));
  }
}
