import { QueryFailedError } from 'typeorm';
import { MessageReferenceNotFoundError } from '../../domain/message.errors';

const FOREIGN_KEY_VIOLATION = '23503';

/** Turns a foreign-key violation on one of `constraints` (constraint name -> field) into
 *  MessageReferenceNotFoundError naming the field; anything else is returned unchanged. */
export function translateForeignKeyViolation(
  error: unknown,
  constraints: Record<string, { field: 'sessionId' | 'contactId' | 'channelId' | 'messageId'; id: string }>,
): unknown {
  if (error instanceof QueryFailedError) {
    const driverError = error.driverError as { code?: string; constraint?: string };
    const reference = driverError.constraint ? constraints[driverError.constraint] : undefined;
    if (driverError.code === FOREIGN_KEY_VIOLATION && reference) return new MessageReferenceNotFoundError(reference.field, reference.id);
  }
  return error;
}
