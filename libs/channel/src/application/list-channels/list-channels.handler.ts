import { Injectable } from '@nestjs/common';
import { type KeysetPosition, type Page, ValidationError, decodeCursor, isUuid, toPage } from '@app/shared';
import { ChannelRepository } from '../../domain/channel.repository.port';
import { type ChannelView, toChannelView } from '../channel.view';
import { type ListChannelsQuery } from './list-channels.query';

export const CHANNEL_LIST_DEFAULT_LIMIT = 50;
export const CHANNEL_LIST_MAX_LIMIT = 200;

/** Channels of the tenant, newest first, one keyset page at a time. */
@Injectable()
export class ListChannelsHandler {
  constructor(private readonly channels: ChannelRepository) {}

  async execute(query: ListChannelsQuery): Promise<Page<ChannelView>> {
    const limit = query.limit ?? CHANNEL_LIST_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > CHANNEL_LIST_MAX_LIMIT) {
      throw new ValidationError('limit', `must be an integer from 1 to ${CHANNEL_LIST_MAX_LIMIT}`);
    }
    const after = query.cursor ? toPosition(query.cursor) : undefined;
    const rows = await this.channels.list(query.tenantId, { limit: limit + 1, after });
    return toPage(rows, limit, toChannelView);
  }
}

function toPosition(cursor: string): KeysetPosition {
  const position = decodeCursor(cursor);
  if (!isUuid(position.id)) throw new ValidationError('cursor', 'is not a cursor returned by this API');
  return position;
}
