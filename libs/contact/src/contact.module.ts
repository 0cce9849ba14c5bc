import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CreateContactHandler } from './application/create-contact/create-contact.handler';
import { DeleteContactHandler } from './application/delete-contact/delete-contact.handler';
import { FindOrCreateContactByPhoneHandler } from './application/find-or-create-contact-by-phone/find-or-create-contact-by-phone.handler';
import { GetContactHandler } from './application/get-contact/get-contact.handler';
import { ListContactsHandler } from './application/list-contacts/list-contacts.handler';
import { SetContactFirstTouchHandler } from './application/set-contact-first-touch/set-contact-first-touch.handler';
import { UpdateContactHandler } from './application/update-contact/update-contact.handler';
import { ContactRepository } from './domain/contact.repository.port';
import { ContactOrmEntity } from './infrastructure/persistence/contact.orm-entity';
import { TypeOrmContactRepository } from './infrastructure/persistence/typeorm-contact.repository';

const HANDLERS = [
  CreateContactHandler,
  GetContactHandler,
  ListContactsHandler,
  UpdateContactHandler,
  DeleteContactHandler,
  FindOrCreateContactByPhoneHandler,
  SetContactFirstTouchHandler,
];

/** The Contact bounded context. Needs DatabaseModule (UnitOfWork, Clock, TransactionContext) and
 *  OutboxModule (EventOutbox), both global, to be imported by the application. */
@Module({
  imports: [TypeOrmModule.forFeature([ContactOrmEntity])],
  providers: [{ provide: ContactRepository, useClass: TypeOrmContactRepository }, ...HANDLERS],
  exports: [...HANDLERS],
})
export class ContactModule {}
