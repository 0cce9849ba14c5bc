import { Injectable } from '@nestjs/common';
import { keysetAfter, type Page, pageLimit, toPage } from '@app/shared';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { type ChannelView, toChannelView } from '../channel.view';
import { type ListChannelsQuery } from './list-channels.query';

/** Channels of the tenant, newest first, one keyset page at a time. */
@Injectable()
export class ListChannelsHandler {
  constructor(private readonly channels: ChannelRepository) {}

  async execute(query: ListChannelsQuery): Promise<Page<ChannelView>> {
    const limit = pageLimit(query.limit);
    const after = keysetAfter(query.cursor);
    const rows = await this.channels.list(query.tenantId, { limit: limit + 1, after });
    return toPage(rows, limit, toChannelView);
  }
}
