import { deterministicHex } from './ids';
import { sampleAdReferral, type AdReferral } from './message-factory';

/** Newest seeded message time: 2026-03-10T00:00:00Z (unix seconds). Seeded data never depends on the clock. */
export const SEED_ANCHOR_SECONDS = 1773100800;
/** Seconds between two consecutive seeded messages. */
export const SEED_STEP_SECONDS = 60;

export interface SeedMessage {
  rawId: string;
  timestamp: number;
  fromMe: boolean;
  text: string;
  image: boolean;
  adReferral: AdReferral | null;
}

export interface SeedChat {
  chatId: string;
  phone: string;
  name: string;
  messages: SeedMessage[];
}

/** Phone of seeded chat `index` (1-based): a Rio mobile number, never the fixtures' São Paulo ones. */
export function seedPhone(index: number): string {
  return `55219${String(index).padStart(8, '0')}`;
}

/**
 * A deterministic data set of `chats` x `messagesPerChat`: chat 1 holds the newest messages; messages are
 * 60 s apart; every 3rd message is ours (sent through the API, READ), every 10th (from the 5th) an image,
 * and the first message of every 4th chat (from the 1st) came from a Click-to-WhatsApp ad.
 */
export function buildSeed(chats: number, messagesPerChat: number): SeedChat[] {
  const out: SeedChat[] = [];
  for (let i = 1; i <= chats; i++) {
    const phone = seedPhone(i);
    const name = `Contato Seed ${i}`;
    const messages: SeedMessage[] = [];
    for (let j = 0; j < messagesPerChat; j++) {
      const fromMe = j % 3 === 2;
      const image = !fromMe && j % 10 === 4;
      const hex = deterministicHex(`seed:${i}:${j}`, 30);
      const rawId = fromMe ? `3EB0${hex.slice(0, 18)}` : `AC${hex}`;
      const age = (i - 1) * messagesPerChat + (messagesPerChat - 1 - j);
      messages.push({
        rawId,
        timestamp: SEED_ANCHOR_SECONDS - age * SEED_STEP_SECONDS,
        fromMe,
        text: fromMe
          ? `Resposta ${j + 1} para ${name}`
          : image
            ? `Foto ${j + 1} de ${name}`
            : `Mensagem ${j + 1} de ${name}`,
        image,
        adReferral: !fromMe && j === 0 && i % 4 === 1 ? sampleAdReferral(rawId) : null,
      });
    }
    out.push({ chatId: `${phone}@c.us`, phone, name, messages });
  }
  return out;
}
