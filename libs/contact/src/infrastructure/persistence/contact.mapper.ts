import { Contact } from '../../domain/contact.aggregate';
import { parseContactSource } from '../../domain/contact-source';
import { ContactOrmEntity } from './contact.orm-entity';

/** Contact aggregate <-> `contacts` row. */
export const ContactMapper = {
  toDomain(row: ContactOrmEntity): Contact {
    return Contact.rehydrate({
      id: row.id,
      tenantId: row.tenantId,
      phone: row.phone,
      whatsappId: row.whatsappId,
      name: row.name,
      profilePictureUrl: row.profilePictureUrl,
      source: parseContactSource(row.source),
      firstTouch: row.firstTouch ?? null,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      deletedAt: row.deletedAt,
      version: row.version,
    });
  },

  toOrm(contact: Contact): ContactOrmEntity {
    const props = contact.toProps();
    const row = new ContactOrmEntity();
    row.id = props.id;
    row.tenantId = props.tenantId;
    row.phone = props.phone;
    row.whatsappId = props.whatsappId;
    row.name = props.name;
    row.profilePictureUrl = props.profilePictureUrl;
    row.source = props.source;
    row.firstTouch = props.firstTouch;
    row.createdAt = props.createdAt;
    row.updatedAt = props.updatedAt;
    row.deletedAt = props.deletedAt;
    row.version = props.version;
    return row;
  },
};
