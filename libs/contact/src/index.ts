export * from './contact.module';

export * from './domain/contact.aggregate';
export * from './domain/contact-source';
export * from './domain/contact-first-touch';
export * from './domain/contact.events';
export * from './domain/contact.errors';
export * from './domain/contact.repository.port';
export * from './domain/phone-number.value-object';

export * from './application/contact.view';
export * from './application/create-contact/create-contact.command';
export * from './application/create-contact/create-contact.handler';
export * from './application/get-contact/get-contact.query';
export * from './application/get-contact/get-contact.handler';
export * from './application/list-contacts/list-contacts.query';
export * from './application/list-contacts/list-contacts.handler';
export * from './application/update-contact/update-contact.command';
export * from './application/update-contact/update-contact.handler';
export * from './application/delete-contact/delete-contact.command';
export * from './application/delete-contact/delete-contact.handler';
export * from './application/find-or-create-contact-by-phone/find-or-create-contact-by-phone.command';
export * from './application/find-or-create-contact-by-phone/find-or-create-contact-by-phone.handler';
export * from './application/set-contact-first-touch/set-contact-first-touch.command';
export * from './application/set-contact-first-touch/set-contact-first-touch.handler';
