import { DomainEvent, newEventId } from './domain-event';

/** Aggregates record events; application handlers pull them and write them to the outbox
 *  in the same unit of work as the state change. */
export abstract class AggregateRoot {
  private pendingEvents: DomainEvent[] = [];

  protected abstract readonly aggregateType: string;

  protected record<TData extends object>(
    type: string,
    tenantId: string,
    aggregateId: string,
    data: TData,
    occurredAt: Date,
  ): void {
    this.pendingEvents.push({
      id: newEventId(),
      type,
      occurredAt,
      tenantId,
      aggregateType: this.aggregateType,
      aggregateId,
      data: data as Record<string, unknown>,
    });
  }

  pullEvents(): DomainEvent[] {
    const events = this.pendingEvents;
    this.pendingEvents = [];
    return events;
  }
}

/**
 * An aggregate stored with optimistic concurrency. `version` (kept in the aggregate's own props, as
 * stored) counts saved changes: any number of changes between two saves raise it once, and a save
 * must find the row still at `expectedVersion` (0 until first inserted).
 */
export abstract class VersionedAggregateRoot extends AggregateRoot {
  private persistedVersion: number;

  protected constructor(
    private readonly versioned: { version: number },
    persistedVersion: number,
  ) {
    super();
    this.persistedVersion = persistedVersion;
  }

  /** Version including unsaved changes (what the row will hold once saved). */
  get version(): number {
    return this.versioned.version;
  }
  /** Version the stored row must still have for a save to succeed. */
  get expectedVersion(): number {
    return this.persistedVersion;
  }
  get hasUnsavedChanges(): boolean {
    return this.versioned.version !== this.persistedVersion;
  }

  /** The repository saved it: the stored row now holds `version`. */
  markPersisted(): void {
    this.persistedVersion = this.versioned.version;
  }

  /** Called by every change: the first change since the last save raises the version. */
  protected bumpVersion(): void {
    if (this.versioned.version === this.persistedVersion) this.versioned.version += 1;
  }
}
