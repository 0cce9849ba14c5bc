export interface SessionCleanupInput {
  /** Sessions ended per run at most, and the page size of the sweep through the overdue ones (it
   *  pages on past the sessions lifecycle workflows still watch). */
  batchSize: number;
}

export interface SessionCleanupResult {
  examined: number;
  ended: number;
  /** Expired by the clock but their lifecycle workflow still runs: it will end them. */
  stillManaged: number;
  endedByTenant: Record<string, number>;
  /** Acks held for messages that never arrived, dropped after a week. Optional in older results. */
  staleAcksPurged?: number;
  /** Revokes and reactions held for messages that never arrived, dropped after a week. Optional in older results. */
  staleHeldEventsPurged?: number;
}

export interface SessionCleanupActivitiesContract {
  cleanupExpiredSessions(input: { batchSize: number }): Promise<SessionCleanupResult>;
}
