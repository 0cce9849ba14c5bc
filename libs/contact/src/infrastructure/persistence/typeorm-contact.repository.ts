import { Injectable } from '@nestjs/common';
import { Brackets, type SelectQueryBuilder } from 'typeorm';
import { PG_UNIQUE_VIOLATION, TransactionContext, violatedConstraint, keysetPage } from '@app/database';
import { isUuid, type Positioned } from '@app/shared';
import { type Contact } from '../../domain/contact.aggregate';
import {
  ContactIdTakenError,
  ContactNotFoundError,
  ContactVersionConflictError,
  DuplicateContactPhoneError,
} from '../../domain/contact.errors';
import { type ContactListCriteria, ContactRepository } from '../../domain/contact.repository.port';
import { type PhoneNumber } from '../../domain/phone-number.value-object';
import { ContactMapper } from './contact.mapper';
import { ContactOrmEntity } from './contact.orm-entity';

/** The partial unique index that allows one live contact per (tenant, phone). */
const LIVE_PHONE_INDEX = 'contacts_tenant_phone_live_uq';
/** The primary key: violated when a proposed id is already used. */
const PRIMARY_KEY = 'contacts_pkey';

const INSERT_COLUMNS =
  'id, tenant_id, phone, whatsapp_id, name, profile_picture_url, source, first_touch, created_at, updated_at, deleted_at, version';
const INSERT_VALUES = '$1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12';

/** The values of INSERT_COLUMNS, in order. */
function insertParameters(contact: Contact): unknown[] {
  const row = ContactMapper.toOrm(contact);
  return [
    row.id,
    row.tenantId,
    row.phone,
    row.whatsappId,
    row.name,
    row.profilePictureUrl,
    row.source,
    toJsonParameter(row.firstTouch),
    row.createdAt,
    row.updatedAt,
    row.deletedAt,
    row.version,
  ];
}

/** jsonb values go to Postgres as JSON text (and are cast there), never as driver-serialised objects. */
function toJsonParameter(value: object | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

@Injectable()
export class TypeOrmContactRepository extends ContactRepository {
  constructor(private readonly tx: TransactionContext) {
    super();
  }

  async insert(contact: Contact): Promise<void> {
    try {
      await this.tx.forTenant(contact.tenantId, (m) =>
        m.query(`INSERT INTO contacts (${INSERT_COLUMNS}) VALUES (${INSERT_VALUES})`, insertParameters(contact)),
      );
    } catch (error) {
      throw translateUniqueViolation(error, contact);
    }
    contact.markPersisted();
  }

  async insertIfAbsent(contact: Contact): Promise<boolean> {
    let inserted: { id: string }[];
    try {
      // Only the live-phone conflict means "already there"; any other (a taken id) is an error.
      inserted = await this.tx.forTenant(contact.tenantId, (m) =>
        m.query(
          `INSERT INTO contacts (${INSERT_COLUMNS}) VALUES (${INSERT_VALUES})
           ON CONFLICT (tenant_id, phone) WHERE deleted_at IS NULL DO NOTHING
           RETURNING id`,
          insertParameters(contact),
        ),
      );
    } catch (error) {
      throw translateUniqueViolation(error, contact);
    }
    if (inserted.length === 0) return false;
    contact.markPersisted();
    return true;
  }

  async findById(tenantId: string, id: string): Promise<Contact | null> {
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.live(tenantId, (q) => q.andWhere('c.id = :id', { id }).getOne());
    return row ? ContactMapper.toDomain(row) : null;
  }

  async findByIdForUpdate(tenantId: string, id: string): Promise<Contact | null> {
    if (!isUuid(tenantId) || !isUuid(id)) return null;
    const row = await this.live(tenantId, (q) =>
      q.andWhere('c.id = :id', { id }).setLock('pessimistic_write').getOne(),
    );
    return row ? ContactMapper.toDomain(row) : null;
  }

  async findLiveByPhone(tenantId: string, phone: PhoneNumber): Promise<Contact | null> {
    if (!isUuid(tenantId)) return null;
    const row = await this.live(tenantId, (q) => q.andWhere('c.phone = :phone', { phone: phone.value }).getOne());
    return row ? ContactMapper.toDomain(row) : null;
  }

  async list(tenantId: string, criteria: ContactListCriteria): Promise<Positioned<Contact>[]> {
    if (!isUuid(tenantId)) return [];
    const { search } = criteria;
    const rows = await this.live(tenantId, (query) => {
      if (search) {
        query.andWhere(
          new Brackets((either) => {
            either.where(`c.name ILIKE :namePattern`, { namePattern: `%${escapeLike(search.nameContains)}%` });
            if (search.phonePrefix)
              either.orWhere('c.phone LIKE :phonePattern', { phonePattern: `${search.phonePrefix}%` });
          }),
        );
      }
      return keysetPage(query, 'c', criteria);
    });
    return rows.map(({ entity, position }) => ({ item: ContactMapper.toDomain(entity), position }));
  }

  async update(contact: Contact): Promise<void> {
    const row = ContactMapper.toOrm(contact);
    let affected: number | undefined;
    try {
      const result = await this.tx.forTenant(contact.tenantId, (m) =>
        m
          .createQueryBuilder()
          .update(ContactOrmEntity)
          .set({
            phone: row.phone,
            whatsappId: row.whatsappId,
            name: row.name,
            profilePictureUrl: row.profilePictureUrl,
            firstTouch: () => 'CAST(:firstTouch AS jsonb)',
            updatedAt: row.updatedAt,
            deletedAt: row.deletedAt,
            version: row.version,
          })
          .where('tenant_id = :tenantId AND id = :id AND version = :expectedVersion AND deleted_at IS NULL', {
            tenantId: contact.tenantId,
            id: contact.id,
            expectedVersion: contact.expectedVersion,
          })
          .setParameter('firstTouch', toJsonParameter(row.firstTouch))
          .execute(),
      );
      affected = result.affected;
    } catch (error) {
      throw translateUniqueViolation(error, contact);
    }
    if (!affected) {
      const current = await this.findById(contact.tenantId, contact.id);
      if (!current) throw new ContactNotFoundError(contact.id);
      throw new ContactVersionConflictError(contact.id, contact.expectedVersion);
    }
    contact.markPersisted();
  }

  private live<T>(tenantId: string, query: (builder: SelectQueryBuilder<ContactOrmEntity>) => Promise<T>): Promise<T> {
    return this.tx.forTenant(tenantId, (m) =>
      query(
        m
          .createQueryBuilder(ContactOrmEntity, 'c')
          .where('c.tenant_id = :tenantId', { tenantId })
          .andWhere('c.deleted_at IS NULL'),
      ),
    );
  }
}

function translateUniqueViolation(error: unknown, contact: Contact): unknown {
  const constraint = violatedConstraint(error, PG_UNIQUE_VIOLATION);
  if (constraint === LIVE_PHONE_INDEX) return new DuplicateContactPhoneError(contact.phone);
  if (constraint === PRIMARY_KEY) return new ContactIdTakenError(contact.id);
  return error;
}

/** Makes `text` match literally inside a LIKE pattern (backslash is Postgres' default escape). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
