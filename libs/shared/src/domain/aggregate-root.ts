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
