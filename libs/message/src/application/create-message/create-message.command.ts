import { type NewMessage } from '../../domain/message.aggregate';

/**
 * A message already normalised from a WAHA payload. The id is generated; the status is derived
 * (inbound: `received`; outbound: from `ackLevel`, `sent` when unknown; `deleted` with `revokedAt`).
 * `waChatId`/`waRawId` may be left out: they are the 2nd and 3rd segments of `externalId`.
 */
export type CreateMessageCommand = NewMessage;
