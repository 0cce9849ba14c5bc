import { ConflictError, NotFoundError, RuleViolationError } from '@app/shared';

/** No message with this id in the tenant (other tenants' messages look the same). */
export class MessageNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('message', id);
  }
}

/** The channel's message with this WAHA id is stored under another tenant: the channel id and the
 *  tenant id given do not belong together. */
export class MessageExternalIdConflictError extends ConflictError {
  constructor(
    readonly channelId: string,
    readonly externalId: string,
  ) {
    super(
      'MESSAGE.EXTERNAL_ID_CONFLICT',
      `externalId: message ${externalId} of channel ${channelId} belongs to another tenant`,
      'externalId',
    );
  }
}

/** A session, contact or channel the message refers to does not exist. */
export class MessageReferenceNotFoundError extends RuleViolationError {
  constructor(field: 'sessionId' | 'contactId' | 'channelId' | 'messageId', id: string) {
    super('MESSAGE.REFERENCE_NOT_FOUND', `${field}: ${field.replace(/Id$/, '')} ${id} does not exist`, field);
  }
}

/** A message group id is already taken by a group of another tenant or session. */
export class MessageGroupConflictError extends ConflictError {
  constructor(readonly groupId: string) {
    super(
      'MESSAGE_GROUP.ID_CONFLICT',
      `groupId: message group ${groupId} already exists for another session`,
      'groupId',
    );
  }
}
