import { Injectable } from '@nestjs/common';
import { Clock, EventOutbox, UnitOfWork, assertUuid } from '@app/shared';
import { Contact } from '../../domain/contact.aggregate';
import { ContactPhoneContendedError } from '../../domain/contact.errors';
import { ContactRepository } from '../../domain/contact.repository.port';
import { PhoneNumber } from '../../domain/phone-number.value-object';
import { type ContactView, toContactView } from '../contact.view';
import { type FindOrCreateContactByPhoneCommand } from './find-or-create-contact-by-phone.command';

export interface FindOrCreateContactByPhoneResult {
  contact: ContactView;
  /** True only for the one call that stored the contact (and raised its `contact.created`). */
  created: boolean;
}

/** Rounds before giving up when the live contact for the phone keeps disappearing (created and
 *  deleted concurrently); one round is the normal case, two happen only under such churn. */
const MAX_ROUNDS = 3;

/**
 * The tenant's live contact with this phone, created if there is none. Safe under concurrency and
 * retries: the insert is `ON CONFLICT DO NOTHING` against the live-phone unique index, so however
 * many calls race, one row and one `contact.created` event are written, and every caller gets that
 * contact back. Existing contacts are returned as they are (nothing is updated). When it creates the
 * contact, it uses the proposed `id` if the command has one (see FindOrCreateContactByPhoneCommand).
 */
@Injectable()
export class FindOrCreateContactByPhoneHandler {
  constructor(
    private readonly contacts: ContactRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly eventOutbox: EventOutbox,
    private readonly clock: Clock,
  ) {}

  async execute(command: FindOrCreateContactByPhoneCommand): Promise<FindOrCreateContactByPhoneResult> {
    // Checked even when an existing contact makes it unused, so a bad id never goes unnoticed.
    if (command.id !== undefined) assertUuid(command.id, 'id');
    const phone = PhoneNumber.parse(command.phone, 'phone');
    for (let round = 1; round <= MAX_ROUNDS; round += 1) {
      const result = await this.unitOfWork.run(() => this.attempt(command, phone));
      if (result) return result;
    }
    throw new ContactPhoneContendedError(phone.value);
  }

  private async attempt(
    command: FindOrCreateContactByPhoneCommand,
    phone: PhoneNumber,
  ): Promise<FindOrCreateContactByPhoneResult | null> {
    const existing = await this.contacts.findLiveByPhone(command.tenantId, phone);
    if (existing) return { contact: toContactView(existing), created: false };

    const candidate = Contact.create(
      {
        id: command.id,
        tenantId: command.tenantId,
        phone,
        whatsappId: command.whatsappId,
        name: command.name,
        profilePictureUrl: command.profilePictureUrl,
        source: command.source ?? 'whatsapp',
      },
      this.clock.now(),
    );
    if (await this.contacts.insertIfAbsent(candidate)) {
      await this.eventOutbox.append(candidate.pullEvents());
      return { contact: toContactView(candidate), created: true };
    }
    // A concurrent call stored it first. Its insert has committed (ours waited for it), and under
    // READ COMMITTED this new statement sees it.
    const winner = await this.contacts.findLiveByPhone(command.tenantId, phone);
    return winner ? { contact: toContactView(winner), created: false } : null;
  }
}
