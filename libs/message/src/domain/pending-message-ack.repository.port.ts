import { type WahaAck } from './message-ack';

/** An ack that arrived before its message (WAHA does not order events). */
export interface PendingMessageAck {
  channelId: string;
  /** `{fromMe}_{chatId}_{rawId}` of the message (waMessageKey). */
  waKey: string;
  ackLevel: WahaAck;
  /** WhatsApp time of the ack. */
  receivedAt: Date;
}

/** Acks waiting for their message, one per message: the strongest seen. Callers hold the message's
 *  lock (MessageRepository.lockWaMessage) around find/save/take. */
export abstract class PendingMessageAckRepository {
  abstract find(channelId: string, waKey: string): Promise<PendingMessageAck | null>;
  /** Inserts or replaces the pending ack of the message. */
  abstract save(ack: PendingMessageAck): Promise<void>;
  /** Removes and returns the pending ack of the message, if any. */
  abstract take(channelId: string, waKey: string): Promise<PendingMessageAck | null>;
  /** Deletes acks received before `before` whose message never came (ignored chats, lost events). */
  abstract deleteReceivedBefore(before: Date, limit: number): Promise<number>;
}
