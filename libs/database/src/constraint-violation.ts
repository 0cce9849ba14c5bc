import { QueryFailedError } from 'typeorm';

/** Postgres SQLSTATEs a repository turns into domain errors. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';

/** The constraint a failed query violated with the given SQLSTATE; null for any other error. */
export function violatedConstraint(
  error: unknown,
  sqlState: typeof PG_UNIQUE_VIOLATION | typeof PG_FOREIGN_KEY_VIOLATION,
): string | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driverError = error.driverError as { code?: string; constraint?: string };
  return driverError.code === sqlState ? (driverError.constraint ?? null) : null;
}
