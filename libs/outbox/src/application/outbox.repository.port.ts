import { KeysetPosition, Positioned } from '@app/shared';
import { OutboxEventRecord, OutboxStatus } from '../domain/outbox-event';

export interface OutboxCounts {
  pending: number;
  published: number;
  failed: number;
  dead: number;
  oldestPendingAgeMs: number | null;
}

/** One claim of due events: the token every outcome of these events must present. */
export interface OutboxClaim {
  token: string;
  events: OutboxEventRecord[];
}

export abstract class OutboxRepository {
  /** Claims due events of the given statuses for `leaseMs` (FOR UPDATE SKIP LOCKED): two relays never
   *  get the same event, and a relay that dies mid-publish frees its claim when the lease runs out. */
  abstract claimDue(
    status: 'pending' | 'failed',
    limit: number,
    leaseMs: number,
    correlationId?: string,
  ): Promise<OutboxClaim>;
  /** Records the outcome only for events still held by `claimToken` (a later claim of an event whose
   *  lease ran out owns its outcome); answers how many were recorded. */
  abstract markPublished(ids: string[], at: Date, claimToken: string): Promise<number>;
  /** As markPublished: false when another claim has taken the event over. */
  abstract markFailed(
    id: string,
    claimToken: string,
    update: { status: 'failed' | 'dead'; attempts: number; nextAttemptAt: Date; error: string },
  ): Promise<boolean>;
  /** Deletes published events older than `before`, except those an unfinished webhook delivery
   *  (held, pending or failed) still has to read. */
  abstract deletePublishedBefore(before: Date, limit: number): Promise<number>;
  abstract counts(tenantId?: string): Promise<OutboxCounts>;
  /** Newest first, `limit` rows after the keyset position when one is given. */
  abstract list(
    tenantId: string,
    status: OutboxStatus | undefined,
    page: { limit: number; after?: KeysetPosition },
  ): Promise<Positioned<OutboxEventRecord>[]>;
  abstract findById(tenantId: string, id: string): Promise<OutboxEventRecord | null>;
  /** Puts a failed or dead event back to pending with fresh attempts and wakes the relay. */
  abstract requeue(tenantId: string, id: string): Promise<void>;
}
