import { AddressPolicy } from '@app/shared';

/** The address policy of channels' WAHA servers, allow-listed by WAHA_ALLOWED_CIDRS (its own type, so
 *  it is injected apart from the webhooks' policy). */
export class WahaAddressPolicy extends AddressPolicy {}
