import { DomainEvent } from '../domain/domain-event';

/** Appends domain events to the transactional outbox, inside the current unit of work. */
export abstract class EventOutbox {
  abstract append(events: DomainEvent[]): Promise<void>;
}
