import { ConflictError } from '@app/shared';

/** The contact or session a message was about to be stored under was rolled back meanwhile: the
 *  failed saga that created it deleted the contact or ended the session. The caller resolves the
 *  contact and session again. */
export class ConversationRolledBackError extends ConflictError {
  constructor(resource: 'contact' | 'session', id: string) {
    super(
      'INBOUND.CONVERSATION_ROLLED_BACK',
      `${resource}Id: ${resource} ${id} was rolled back by a failed saga; resolve the contact and session again`,
      `${resource}Id`,
    );
  }
}
