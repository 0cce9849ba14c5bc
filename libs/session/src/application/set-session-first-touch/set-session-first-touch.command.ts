import { type SessionFirstTouch } from '../../domain/session.events';

export interface SetSessionFirstTouchCommand {
  tenantId: string;
  sessionId: string;
  /** Ad first-touch data (e.g. the WhatsApp ad referral): a JSON object of at most 16 KiB. */
  firstTouch: SessionFirstTouch;
}
