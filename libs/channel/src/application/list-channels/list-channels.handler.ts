import { Injectable } from '@nestjs/common';
import { keysetAfter, type Page, pageLimit, toPage } from '@app/shared';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { type ChannelView, toChannelView } from '../channel.view';
import { WahaCircuitStateStore } from '../waha/waha-circuit-state.port';
import { type ListChannelsQuery } from './list-channels.query';

/** Channels of the tenant, newest first, one keyset page at a time, each with its WAHA circuit
 *  breaker's recorded state (one query for the page). */
@Injectable()
export class ListChannelsHandler {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly circuits: WahaCircuitStateStore,
  ) {}

  async execute(query: ListChannelsQuery): Promise<Page<ChannelView>> {
    const limit = pageLimit(query.limit);
    const after = keysetAfter(query.cursor);
    const rows = await this.channels.list(query.tenantId, { limit: limit + 1, after });
    const circuits = await this.circuits.findByChannels(
      query.tenantId,
      rows.slice(0, limit).map((row) => row.item.id),
    );
    return toPage(rows, limit, (channel) => toChannelView(channel, circuits.get(channel.id)));
  }
}
