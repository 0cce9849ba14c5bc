import { Module } from '@nestjs/common';
import { ContactModule } from '@app/contact';
import { ContactsController } from './contacts.controller';

/** REST surface of the Contact context: `/v1/contacts`. */
@Module({
  imports: [ContactModule],
  controllers: [ContactsController],
})
export class ContactsHttpModule {}
