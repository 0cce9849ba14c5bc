import { VersionedAggregateRoot, ValidationError, assertUuid } from '@app/shared';
import { type ContactFirstTouch, parseContactFirstTouch } from './contact-first-touch';
import { type ContactSource, parseContactSource } from './contact-source';
import { ContactAlreadyDeletedError } from './contact.errors';
import {
  CONTACT_AGGREGATE_TYPE,
  type ContactChangeableField,
  type ContactChangedValues,
  type ContactCreatedEventData,
  type ContactDeletedEventData,
  ContactEventTypes,
  type ContactSnapshot,
  type ContactUpdatedEventData,
} from './contact.events';
import { PhoneNumber } from './phone-number.value-object';

const NAME_MAX_LENGTH = 200;
const WHATSAPP_ID_MAX_LENGTH = 128;
const URL_MAX_LENGTH = 2048;
/** Control characters (NUL cannot even be stored in Postgres text). */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Everything a contact is made of; what the repository stores and reads back. */
export interface ContactProps {
  id: string;
  tenantId: string;
  /** E.164 digits with country code, no plus. */
  phone: string;
  whatsappId: string | null;
  name: string | null;
  profilePictureUrl: string | null;
  source: ContactSource;
  /** First-touch attribution (e.g. a click-to-WhatsApp ad referral); null until recorded. */
  firstTouch: ContactFirstTouch | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  /** Optimistic-concurrency version of the stored row (1 on insert, +1 per stored change). */
  version: number;
}

export interface NewContact {
  /** The id to give the contact (a UUID, stored lower-case); a random one when absent. Lets a caller
   *  such as a saga propose the id up front, so it knows which row is its own. */
  id?: string;
  tenantId: string;
  /** Any accepted phone format (see PhoneNumber), or an already parsed number. */
  phone: string | PhoneNumber;
  whatsappId?: string | null;
  name?: string | null;
  profilePictureUrl?: string | null;
  source: ContactSource;
}

/** A change request: `undefined` (or absent) leaves a field alone, `null` clears it. */
export interface ContactChanges {
  phone?: string | PhoneNumber;
  whatsappId?: string | null;
  name?: string | null;
  profilePictureUrl?: string | null;
}

const CHANGEABLE_FIELDS: readonly ContactChangeableField[] = ['phone', 'whatsappId', 'name', 'profilePictureUrl'];

/** A person the tenant talks to, identified within the tenant by phone number (one live contact per
 *  phone). Deleting is soft: the row stays, and the phone becomes free for a new contact. */
export class Contact extends VersionedAggregateRoot {
  protected readonly aggregateType = CONTACT_AGGREGATE_TYPE;

  private constructor(
    private readonly props: ContactProps,
    persistedVersion: number,
  ) {
    super(props, persistedVersion);
  }

  /** A new contact; records `contact.created`. */
  static create(input: NewContact, at: Date): Contact {
    assertUuid(input.tenantId, 'tenantId');
    if (input.id !== undefined) assertUuid(input.id, 'id');
    const contact = new Contact(
      {
        id: input.id?.toLowerCase() ?? globalThis.crypto.randomUUID(),
        tenantId: input.tenantId,
        phone: toPhone(input.phone).value,
        whatsappId: normaliseWhatsappId(input.whatsappId),
        name: normaliseName(input.name),
        profilePictureUrl: normaliseUrl(input.profilePictureUrl),
        source: parseContactSource(input.source),
        firstTouch: null,
        createdAt: at,
        updatedAt: at,
        deletedAt: null,
        version: 1,
      },
      0,
    );
    contact.record<ContactCreatedEventData>(
      ContactEventTypes.created,
      contact.tenantId,
      contact.id,
      { ...contact.snapshot(), createdAt: at.toISOString() },
      at,
    );
    return contact;
  }

  /** Rebuilds a stored contact; records nothing. */
  static rehydrate(props: ContactProps): Contact {
    return new Contact({ ...props, firstTouch: cloneFirstTouch(props.firstTouch) }, props.version);
  }

  get id(): string {
    return this.props.id;
  }
  get tenantId(): string {
    return this.props.tenantId;
  }
  get phone(): string {
    return this.props.phone;
  }
  get whatsappId(): string | null {
    return this.props.whatsappId;
  }
  get name(): string | null {
    return this.props.name;
  }
  get profilePictureUrl(): string | null {
    return this.props.profilePictureUrl;
  }
  get source(): ContactSource {
    return this.props.source;
  }
  /** A copy of the first-touch data, or null when none was recorded. */
  get firstTouch(): ContactFirstTouch | null {
    return cloneFirstTouch(this.props.firstTouch);
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get updatedAt(): Date {
    return this.props.updatedAt;
  }
  get deletedAt(): Date | null {
    return this.props.deletedAt;
  }
  get isDeleted(): boolean {
    return this.props.deletedAt !== null;
  }

  /**
   * Applies the given changes. Values are normalised first (phone to E.164 digits, blank names to
   * null), and only fields whose normalised value differs count as changed. Records one
   * `contact.updated` naming the changed fields and their new values; records nothing and keeps the
   * version when nothing changed. Returns the changed field names.
   */
  update(changes: ContactChanges, at: Date): ContactChangeableField[] {
    this.assertLive();
    const next: ContactChangedValues = {};
    if (changes.phone !== undefined) next.phone = toPhone(changes.phone).value;
    if (changes.whatsappId !== undefined) next.whatsappId = normaliseWhatsappId(changes.whatsappId);
    if (changes.name !== undefined) next.name = normaliseName(changes.name);
    if (changes.profilePictureUrl !== undefined) next.profilePictureUrl = normaliseUrl(changes.profilePictureUrl);

    const changed = CHANGEABLE_FIELDS.filter((field) => field in next && next[field] !== this.props[field]);
    if (changed.length === 0) return [];

    const applied = Object.fromEntries(changed.map((field) => [field, next[field]])) as ContactChangedValues;
    Object.assign(this.props, applied);
    this.touch(at);
    this.record<ContactUpdatedEventData>(
      ContactEventTypes.updated,
      this.tenantId,
      this.id,
      { ...this.snapshot(), changedFields: changed, changes: applied, updatedAt: at.toISOString() },
      at,
    );
    return changed;
  }

  /** Marks the contact deleted and records `contact.deleted`; a deleted contact cannot be deleted again. */
  softDelete(at: Date): void {
    this.assertLive();
    this.props.deletedAt = at;
    this.touch(at);
    this.record<ContactDeletedEventData>(
      ContactEventTypes.deleted,
      this.tenantId,
      this.id,
      { ...this.snapshot(), deletedAt: at.toISOString() },
      at,
    );
  }

  /**
   * Records the contact's first-touch attribution, only when it has none yet: the first touch wins,
   * and later calls change nothing and return false. When it sets the data, records one
   * `contact.updated` with `changedFields: ['firstTouch']` and the data in `changes.firstTouch`.
   * `data` must be a JSON object of at most 16 KiB as JSON (ValidationError on `firstTouch`
   * otherwise, even when a first touch is already set); it is stored in its JSON form. A deleted
   * contact cannot take one (ContactAlreadyDeletedError).
   */
  setFirstTouch(data: ContactFirstTouch, at: Date): boolean {
    this.assertLive();
    const firstTouch = parseContactFirstTouch(data);
    if (this.props.firstTouch !== null) return false;
    this.props.firstTouch = firstTouch;
    this.touch(at);
    this.record<ContactUpdatedEventData>(
      ContactEventTypes.updated,
      this.tenantId,
      this.id,
      {
        ...this.snapshot(),
        changedFields: ['firstTouch'],
        changes: { firstTouch: structuredClone(firstTouch) },
        updatedAt: at.toISOString(),
      },
      at,
    );
    return true;
  }

  /** The fields every contact event carries. */
  snapshot(): ContactSnapshot {
    return {
      id: this.props.id,
      phone: this.props.phone,
      whatsappId: this.props.whatsappId,
      name: this.props.name,
      profilePictureUrl: this.props.profilePictureUrl,
      source: this.props.source,
    };
  }

  /** A copy of the full state, for the persistence mapper. */
  toProps(): ContactProps {
    return { ...this.props, firstTouch: cloneFirstTouch(this.props.firstTouch) };
  }

  private assertLive(): void {
    if (this.props.deletedAt !== null) throw new ContactAlreadyDeletedError(this.props.id);
  }

  /** One version step per save, however many changes are made before it. */
  private touch(at: Date): void {
    this.props.updatedAt = at;
    this.bumpVersion();
  }
}

function cloneFirstTouch(firstTouch: ContactFirstTouch | null): ContactFirstTouch | null {
  return firstTouch === null ? null : structuredClone(firstTouch);
}

function toPhone(phone: string | PhoneNumber): PhoneNumber {
  return phone instanceof PhoneNumber ? phone : PhoneNumber.parse(phone, 'phone');
}

function normaliseName(name: string | null | undefined): string | null {
  if (name === undefined || name === null) return null;
  if (typeof name !== 'string') throw new ValidationError('name', 'must be a string');
  const trimmed = name.trim();
  if (trimmed.length > NAME_MAX_LENGTH)
    throw new ValidationError('name', `must be at most ${NAME_MAX_LENGTH} characters`);
  if (CONTROL_CHARACTERS.test(trimmed)) throw new ValidationError('name', 'must not contain control characters');
  return trimmed.length > 0 ? trimmed : null;
}

function normaliseWhatsappId(id: string | null | undefined): string | null {
  if (id === undefined || id === null) return null;
  if (typeof id !== 'string') throw new ValidationError('whatsappId', 'must be a string');
  const trimmed = id.trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length > WHATSAPP_ID_MAX_LENGTH) {
    throw new ValidationError('whatsappId', `must be at most ${WHATSAPP_ID_MAX_LENGTH} characters`);
  }
  if (/\s/.test(trimmed) || CONTROL_CHARACTERS.test(trimmed)) {
    throw new ValidationError('whatsappId', 'must not contain whitespace or control characters');
  }
  return trimmed;
}

function normaliseUrl(url: string | null | undefined): string | null {
  if (url === undefined || url === null) return null;
  if (typeof url !== 'string') throw new ValidationError('profilePictureUrl', 'must be a string');
  const trimmed = url.trim();
  if (trimmed.length === 0) return null;
  if (trimmed.length > URL_MAX_LENGTH) {
    throw new ValidationError('profilePictureUrl', `must be at most ${URL_MAX_LENGTH} characters`);
  }
  if (CONTROL_CHARACTERS.test(trimmed))
    throw new ValidationError('profilePictureUrl', 'must not contain control characters');
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new ValidationError('profilePictureUrl', 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ValidationError('profilePictureUrl', 'must be an absolute http(s) URL');
  }
  return trimmed;
}
