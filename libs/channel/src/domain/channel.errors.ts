import { ConflictError, NotFoundError } from '@app/shared';

/** No channel with this id in the tenant (other tenants' channels look the same). */
export class ChannelNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('channel', id);
  }
}

/** Another channel of the tenant already has this name (compared case-insensitively). */
export class DuplicateChannelNameError extends ConflictError {
  constructor(readonly channelName: string) {
    super('CHANNEL.DUPLICATE_NAME', `name: a channel named "${channelName}" already exists`, 'name');
  }
}

/** The channel changed since it was read: optimistic concurrency check failed. */
export class ChannelVersionConflictError extends ConflictError {
  constructor(id: string, expectedVersion: number) {
    super(
      'CHANNEL.VERSION_CONFLICT',
      `version: channel ${id} was modified concurrently (expected version ${expectedVersion})`,
      'version',
    );
  }
}
