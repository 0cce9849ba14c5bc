import { PG_FOREIGN_KEY_VIOLATION, violatedConstraint } from '@app/database';
import { MessageReferenceNotFoundError } from '../../domain/message.errors';

/** Turns a foreign-key violation on one of `constraints` (constraint name -> field) into
 *  MessageReferenceNotFoundError naming the field; anything else is returned unchanged. */
export function translateForeignKeyViolation(
  error: unknown,
  constraints: Record<string, { field: 'sessionId' | 'contactId' | 'channelId' | 'messageId'; id: string }>,
): unknown {
  const constraint = violatedConstraint(error, PG_FOREIGN_KEY_VIOLATION);
  const reference = constraint ? constraints[constraint] : undefined;
  return reference ? new MessageReferenceNotFoundError(reference.field, reference.id) : error;
}
