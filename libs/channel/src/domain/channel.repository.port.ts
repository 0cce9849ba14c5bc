import { type KeysetPosition, type Positioned } from '@app/shared';
import { type Channel } from './channel.aggregate';

export interface ChannelListCriteria {
  /** Maximum number of channels returned. */
  limit: number;
  /** Return only channels after this position in the (createdAt DESC, id DESC) order. */
  after?: KeysetPosition;
}

/**
 * Persistence of Channel aggregates. Every method joins the current unit of work when called inside
 * one. All reads are scoped to a tenant except `findByIdInAnyTenant`, which serves the inbound
 * webhook path, where only the channel id (from the URL) is known.
 */
export abstract class ChannelRepository {
  /** Stores a new channel. Throws DuplicateChannelNameError when the tenant has one with its name. */
  abstract insert(channel: Channel): Promise<void>;

  /** The channel with this id in the tenant, or null. */
  abstract findById(tenantId: string, id: string): Promise<Channel | null>;

  /** Like findById, with the row locked until the current unit of work ends, so that writers of
   *  one channel run one after another instead of failing the version check. Needs a unit of work. */
  abstract findByIdForUpdate(tenantId: string, id: string): Promise<Channel | null>;

  /** The channel with this id, whichever tenant owns it, or null. */
  abstract findByIdInAnyTenant(id: string): Promise<Channel | null>;

  /** Channels of the tenant, newest first: ordered by (createdAt DESC, id DESC), each with its exact position. */
  abstract list(tenantId: string, criteria: ChannelListCriteria): Promise<Positioned<Channel>[]>;

  /** Stores the changes of a channel if the stored row still has the version it was read with.
   *  Throws ChannelVersionConflictError when it changed meanwhile, ChannelNotFoundError when it is
   *  gone, and DuplicateChannelNameError when a new name is taken. */
  abstract update(channel: Channel): Promise<void>;
}
