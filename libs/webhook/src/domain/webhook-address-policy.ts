import { AddressPolicy } from '@app/shared';

/** The address policy of webhook endpoints, allow-listed by WEBHOOK_ALLOWED_CIDRS (its own type, so
 *  it is injected apart from the WAHA client's policy). */
export class WebhookAddressPolicy extends AddressPolicy {}
