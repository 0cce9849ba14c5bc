import { Injectable } from '@nestjs/common';
import { assertUuid } from '@app/shared';
import { ChannelNotFoundError } from '../../domain/channel.errors';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { type ChannelView, toChannelView } from '../channel.view';
import { WahaCircuitStateStore } from '../waha/waha-circuit-state.port';
import { type GetChannelQuery } from './get-channel.query';

/** A channel of the tenant, with its WAHA circuit breaker's recorded state; ChannelNotFoundError
 *  when it does not exist or belongs elsewhere. */
@Injectable()
export class GetChannelHandler {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly circuits: WahaCircuitStateStore,
  ) {}

  async execute(query: GetChannelQuery): Promise<ChannelView> {
    assertUuid(query.id, 'id');
    const channel = await this.channels.findById(query.tenantId, query.id);
    if (!channel) throw new ChannelNotFoundError(query.id);
    const circuits = await this.circuits.findByChannels(query.tenantId, [channel.id]);
    return toChannelView(channel, circuits.get(channel.id));
  }
}
