import { buildMessageId, lidForPhone } from './ids';
import {
  SAMPLE_JPEG,
  SAMPLE_JPEG_HEIGHT,
  SAMPLE_JPEG_WIDTH,
  SAMPLE_MP4,
  SAMPLE_OGG,
  SAMPLE_PDF,
  VOICE_NOTE_MIMETYPE,
} from './media';
import { MEDIA_KINDS, type MediaContent, type MediaKind } from './message-factory';
import { SeededRandom } from './prng';
import { SEED_ANCHOR_SECONDS } from './seed';
import type { Ack } from './types';

/**
 * A realistic, deterministic WhatsApp history for import tests and benchmarks: `chats` chats of
 * `messagesPerChat` distinct messages each, the same for the same options on every run (seeded
 * mulberry32, no clock, no Math.random), plus the ground truth a test compares an import against.
 *
 * The mix (each kind appears once the data set is big enough; "index" = 0-based chat index, chat 0
 * holds the newest conversation):
 * - chat kinds: index % 10 == 4 is a group (about 1 in 10; ids alternate `120363<12 digits>@g.us`
 *   and the older `<creator phone>-<creation time>@g.us`), index % 20 == 12 a 1:1 chat under a hidden
 *   `<15 digits>@lid` id whose phone rides along as `_data.Info.SenderAlt` (theirs) / `RecipientAlt`
 *   (ours), every other chat a `<phone>@c.us` 1:1 chat;
 * - id shapes: index % 8 == 6 (when a `@c.us` chat) serves bare raw ids in the GOWS 2025 spelling
 *   (`id` = raw id, `from` as `…@s.whatsapp.net`, see toGows2025Shape); all others the full
 *   `{fromMe}_{chatId}_{rawId}[_{participant}]`. Raw ids are upper-case hex: `3EB0`+18 for our API
 *   sends, `3A`+18 for our phone, and per contact either `AC`+30 (Android, 7 in 10) or `3A`+18 (iOS);
 * - directions: the first message of a chat is theirs; a conversation (see timing) opens with theirs
 *   85% of the time, then the speaker changes with probability 0.45 per message; messages that share
 *   one second keep one speaker. Ours are `source: 'api'` or `'app'` half and half (the data set's
 *   first two are api, then app, so both exist); theirs are `app`. A 1:1 chat of 2+ messages always
 *   holds at least one of ours;
 * - groups: 3 to 8 members, of whom up to 3 (at least 1 when the data set has a `@c.us` chat) also
 *   have their own 1:1 chat here (one contact in two chats). Groups hold only members' messages
 *   (inbound, `participant` = `<phone>@c.us`), never our own, so per-contact counts do not depend on
 *   how an importer treats own group messages. The first messages cycle through every member;
 * - media: every 7th message of the data set carries media, the kinds rotating image, audio (voice
 *   note, PTT), video, document (with a file name), so 28 messages hold all four; half of the images
 *   and videos and a third of the documents have a caption (`body`), voice notes never;
 * - timing: every timestamp is strictly before `anchorSeconds` (default SEED_ANCHOR_SECONDS); chats
 *   end 10 min to 6 h apart. Inside a chat, conversations of 3 to 20 messages are 3 s to 25 min apart
 *   message to message (80% under 4 min), conversations 40 min to 3 days apart: an importer that
 *   splits sessions at 30 minutes of silence finds several per chat, and no gap is near the limit;
 * - equal timestamps: a run of 3 to 7 messages sharing one second straddles every multiple of 50 of a
 *   chat's newest-first list (so page sizes 50, 100 and 200 cut through one), plus short runs of 2-3
 *   (about 1 position in 40) elsewhere;
 * - twins: every `twinChatEvery`-th chat (index % n == 2 % n; default 5, 0 = none) stores
 *   `twinsPerChat` (default 2) of its messages twice under the same id, like the `@lid` twin WAHA's
 *   merge returns: the copy sits right after its original in the newest-first list, preferably across
 *   position 200, 100 or 50 so the two land on different pages. The ground truth counts them once;
 * - recent chats: with `recentAnchorSeconds` (e.g. now - 60), the `recentChats` (default 1) newest
 *   chats end up to 30 s before that instead, a few minutes apart, so their last conversation is live.
 */
export interface HistoryDataSetOptions {
  chats: number;
  messagesPerChat: number;
  seed: number;
  /** Every timestamp is before this (unix seconds); default SEED_ANCHOR_SECONDS (2026-03-10T00:00:00Z). */
  anchorSeconds?: number;
  /** Unix seconds the newest `recentChats` chats end just before (e.g. now - 60); default none. */
  recentAnchorSeconds?: number | null;
  /** How many of the newest chats follow `recentAnchorSeconds`; default 1 (when it is set). */
  recentChats?: number;
  /** Every n-th chat stores some messages twice; 0 = none. Default 5. */
  twinChatEvery?: number;
  /** Messages stored twice in such a chat. Default 2. */
  twinsPerChat?: number;
}

export type ResolvedHistoryDataSetOptions = Required<Omit<HistoryDataSetOptions, 'recentAnchorSeconds'>> & {
  recentAnchorSeconds: number | null;
};

export type HistoryChatKind = 'direct' | 'lid' | 'group';
/** `prefixed`: `{fromMe}_{chatId}_{rawId}[_{participant}]` ids; `bare`: the raw id, GOWS 2025 spelling. */
export type HistoryIdShape = 'prefixed' | 'bare';
export type Direction = 'inbound' | 'outbound';

export interface HistoryMessage {
  chatId: string;
  rawId: string;
  /** The id WAHA serves: the full id, or the raw id in a `bare` chat. */
  id: string;
  /** `{fromMe}_{chatId}_{rawId}[_{participant}]` with the chat id as listed, whatever the shape served. */
  fullId: string;
  /** Unix seconds. */
  timestamp: number;
  fromMe: boolean;
  direction: Direction;
  source: 'api' | 'app';
  /** Group author (`<phone>@c.us`); null in 1:1 chats. */
  participant: string | null;
  /** The author's push name; null for our own messages (the session's push name). */
  pushName: string | null;
  /** Text, or the caption of the media; null for media without one. */
  text: string | null;
  media: MediaContent | null;
  ack: Ack;
}

export interface HistoryStoredItem {
  message: HistoryMessage;
  /** The message's second copy (same id), stored after the first. */
  twin: boolean;
}

export interface HistoryChat {
  index: number;
  chatId: string;
  kind: HistoryChatKind;
  idShape: HistoryIdShape;
  name: string | null;
  /** The counterparty of a 1:1 chat (for a `@lid` chat: the phone it carries); null for groups. */
  phone: string | null;
  /** Stored items, oldest first: the store must receive them in this order, so that messages of one
   *  second come back in the planned order (ties go by arrival). */
  items: HistoryStoredItem[];
}

/** The truth lists the data set's own message objects (no copies: 100,000 more objects slowed the load). */
export type TruthMessage = HistoryMessage;

export interface ChatTruth {
  chatId: string;
  kind: HistoryChatKind;
  idShape: HistoryIdShape;
  name: string | null;
  phone: string | null;
  distinctMessages: number;
  /** Items the messages endpoint serves (twins twice). */
  storedItems: number;
  inbound: number;
  outbound: number;
  /** Ids stored twice. */
  twinIds: string[];
  newestTimestamp: number | null;
  oldestTimestamp: number | null;
  /** Conversations when a silence of more than 30 minutes (SESSION_GAP_SECONDS) starts a new one. */
  sessionsAt30MinGap: number;
  /** Each message once, newest first (equal seconds in the order served). */
  messages: TruthMessage[];
}

export interface ContactTruth {
  phone: string;
  /** The chats holding the contact's messages: its 1:1 chat and the groups it wrote in. */
  chatIds: string[];
  distinctMessages: number;
  inbound: number;
  outbound: number;
  newestTimestamp: number;
  oldestTimestamp: number;
  /** Over the contact's messages of every chat, merged by time (gap > 30 min = new conversation). */
  sessionsAt30MinGap: number;
  /** Newest first: its 1:1 chat both ways, plus what it wrote in groups (the chats' own entries). */
  messages: TruthMessage[];
}

export interface HistoryDataSetSummary {
  seed: number;
  anchorSeconds: number;
  recentAnchorSeconds: number | null;
  chats: number;
  groups: number;
  contacts: number;
  /** Each message once (the ground truth's count). */
  distinctMessages: number;
  /** What the store holds and the messages endpoint serves: twins count twice. */
  storedItems: number;
  newestTimestamp: number | null;
  oldestTimestamp: number | null;
}

export interface HistoryTruth {
  summary: HistoryDataSetSummary;
  /** In data set order (chat 0, the newest, first). */
  chats: ChatTruth[];
  /** By phone, ascending. */
  contacts: ContactTruth[];
}

export interface HistoryDataSet {
  options: ResolvedHistoryDataSetOptions;
  chats: HistoryChat[];
  truth: HistoryTruth;
}

export const SESSION_GAP_SECONDS = 30 * 60;
/** Page boundaries the equal-second runs and twins are placed across (page sizes 50, 100, 200). */
export const PAGE_BOUNDARY_STEP = 50;

const GROUP_EVERY = 10;
const GROUP_AT = 4;
const LID_EVERY = 20;
const LID_AT = 12;
const BARE_EVERY = 8;
const BARE_AT = 6;
const MEDIA_EVERY = 7;
const MEDIA_AT = 3;

const MIN_CONVERSATION = 3;
const MAX_CONVERSATION = 20;
/** Inside a conversation; well under 30 min, so a 30-min rule never cuts one. */
const SHORT_GAP = { min: 3, max: 240 } as const;
const LONG_GAP_IN_CONVERSATION = { min: 241, max: 25 * 60 } as const;
/** Between conversations; well over 30 min. */
const MIN_CONVERSATION_GAP = 40 * 60;
const MAX_CONVERSATION_GAP = 3 * 24 * 3600;
const CHAT_SPACING = { min: 10 * 60, max: 6 * 3600 } as const;
/** Above these sizes gaps shrink, so that a million messages still fit in a few years before the anchor. */
const FULL_SPACING_MAX_CHATS = 1000;
const FULL_GAPS_MAX_MESSAGES = 2000;

const DDDS = ['11', '21', '31', '41', '47', '48', '51', '61', '71', '81', '85', '91'];
const FIRST_NAMES = [
  'Ana',
  'Bruno',
  'Carla',
  'Diego',
  'Elisa',
  'Felipe',
  'Gabriela',
  'Heitor',
  'Isabela',
  'João',
  'Karina',
  'Lucas',
  'Mariana',
  'Nicolas',
  'Olívia',
  'Paulo',
  'Quitéria',
  'Rafael',
  'Sofia',
  'Tiago',
  'Úrsula',
  'Vitor',
  'Wesley',
  'Yasmin',
];
const LAST_NAMES = [
  'Souza',
  'Lima',
  'Oliveira',
  'Santos',
  'Pereira',
  'Costa',
  'Rodrigues',
  'Almeida',
  'Nascimento',
  'Carvalho',
  'Ribeiro',
  'Gomes',
  'Martins',
  'Rocha',
];
const GROUP_NAMES = [
  'Clientes VIP - Acme',
  'Suporte Parceiros',
  'Revendedores Sul',
  'Equipe Comercial',
  'Condomínio Jardins',
  'Compras Coletivas',
  'Turma do Curso Pro',
  'Fornecedores 2026',
];
const INBOUND_TEXTS = [
  'Oi, tudo bem?',
  'Bom dia! Gostaria de saber mais sobre o plano Pro',
  'Qual o valor da mensalidade?',
  'Vocês entregam em Belo Horizonte?',
  'Pode me mandar o boleto?',
  'Obrigado!',
  'Ainda não recebi o pedido',
  'Consegue me ligar amanhã?',
  'Perfeito, fechado então',
  'Tem desconto à vista?',
  'Meu pedido é o 48213',
  'Ok',
  'Certo 👍',
  'Vou ver com meu sócio e te aviso',
  'Boa tarde',
  'Funcionou, valeu!',
  'Não consegui acessar o link',
  'Qual o horário de atendimento?',
];
const OUTBOUND_TEXTS = [
  'Olá! Como posso ajudar?',
  'O plano Pro custa R$ 99/mês.',
  'Segue o link de pagamento: https://pag.example/acme',
  'Seu pedido foi enviado hoje 🚚',
  'Posso te ligar às 15h?',
  'Claro, vou verificar e já te retorno',
  'Obrigado pelo contato!',
  'Conseguiu acessar?',
  'Temos 10% de desconto à vista',
  'Bom dia! Passando para confirmar o agendamento',
  'Qualquer dúvida estou à disposição',
];
const GROUP_TEXTS = [
  'Pessoal, a reunião foi remarcada',
  'Alguém tem o contato do fornecedor?',
  'Bom dia a todos',
  '👍',
  'Segue a planilha atualizada',
  'Quem vai amanhã?',
  'Combinado',
  'Alguém sabe se abre no feriado?',
];
const IMAGE_CAPTIONS = ['Foto do produto', 'Print da tela', 'Olha como ficou', 'Comprovante'];
const VIDEO_CAPTIONS = ['Vídeo do defeito', 'Veja o passo a passo', 'Unboxing'];
const DOCUMENT_NAMES = ['proposta-comercial', 'nota-fiscal', 'contrato', 'catalogo-2026', 'comprovante-pagamento'];
const DOCUMENT_CAPTIONS = ['Segue o documento', 'Em anexo'];

interface Person {
  phone: string;
  name: string;
  pushName: string;
  /** How its phone spells raw ids. */
  device: 'android' | 'ios';
}

interface ChatPlan {
  index: number;
  kind: HistoryChatKind;
  idShape: HistoryIdShape;
  chatId: string;
  name: string | null;
  /** Counterparty of a 1:1 chat. */
  person: Person | null;
  members: Person[];
  twins: number;
  endSeconds: number;
}

/** Counters that run across the whole data set (media rotation, the first two of our messages). */
interface Rotation {
  message: number;
  media: number;
  outbound: number;
}

export function resolveHistoryOptions(options: HistoryDataSetOptions): ResolvedHistoryDataSetOptions {
  const resolved: ResolvedHistoryDataSetOptions = {
    chats: options.chats,
    messagesPerChat: options.messagesPerChat,
    seed: options.seed,
    anchorSeconds: options.anchorSeconds ?? SEED_ANCHOR_SECONDS,
    recentAnchorSeconds: options.recentAnchorSeconds ?? null,
    recentChats:
      options.recentAnchorSeconds === undefined || options.recentAnchorSeconds === null
        ? 0
        : (options.recentChats ?? 1),
    twinChatEvery: options.twinChatEvery ?? 5,
    twinsPerChat: options.twinsPerChat ?? 2,
  };
  for (const key of [
    'chats',
    'messagesPerChat',
    'anchorSeconds',
    'recentChats',
    'twinChatEvery',
    'twinsPerChat',
  ] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 0)
      throw new RangeError(`${key} must be a non-negative integer, got ${resolved[key]}`);
  }
  if (!Number.isFinite(resolved.seed)) throw new RangeError(`seed must be a number, got ${resolved.seed}`);
  if (
    resolved.recentAnchorSeconds !== null &&
    (!Number.isInteger(resolved.recentAnchorSeconds) || resolved.recentAnchorSeconds <= 0)
  ) {
    throw new RangeError(`recentAnchorSeconds must be positive unix seconds, got ${resolved.recentAnchorSeconds}`);
  }
  return resolved;
}

/** See HistoryDataSetOptions for the mix. Pure: the same options give an equal data set. */
export function buildHistoryDataSet(options: HistoryDataSetOptions): HistoryDataSet {
  const resolved = resolveHistoryOptions(options);
  const rng = new SeededRandom(resolved.seed);
  const plans = planChats(resolved, rng);
  const rotation: Rotation = { message: 0, media: 0, outbound: 0 };
  const chats = plans.map((plan) => buildChat(plan, resolved.messagesPerChat, rng, rotation));
  const oldest = chats.reduce(
    (min, c) => Math.min(min, c.items[0]?.message.timestamp ?? min),
    Number.POSITIVE_INFINITY,
  );
  if (oldest <= 0)
    throw new RangeError(
      `anchorSeconds ${resolved.anchorSeconds} is too early for ${resolved.chats} x ${resolved.messagesPerChat} messages`,
    );
  return { options: resolved, chats, truth: buildTruth(resolved, chats) };
}

function planChats(options: ResolvedHistoryDataSetOptions, rng: SeededRandom): ChatPlan[] {
  const usedPhones = new Set<string>();
  const person = (): Person => {
    const first = rng.pick(FIRST_NAMES);
    const name = `${first} ${rng.pick(LAST_NAMES)}`;
    return {
      phone: newPhone(rng, usedPhones),
      name,
      pushName: rng.chance(0.5) ? name : first,
      device: rng.chance(0.7) ? 'android' : 'ios',
    };
  };
  const spacingMax = Math.max(
    CHAT_SPACING.min,
    Math.floor((CHAT_SPACING.max * FULL_SPACING_MAX_CHATS) / Math.max(options.chats, FULL_SPACING_MAX_CHATS)),
  );
  const spacingMin = Math.min(CHAT_SPACING.min, Math.floor(spacingMax / 2));
  let olderEnd = options.anchorSeconds - 1 - rng.int(0, 600);
  let recentEnd = options.recentAnchorSeconds === null ? 0 : options.recentAnchorSeconds - 1 - rng.int(0, 30);

  const plans: ChatPlan[] = [];
  let groups = 0;
  for (let index = 0; index < options.chats; index++) {
    let endSeconds: number;
    if (index < options.recentChats) {
      endSeconds = recentEnd;
      recentEnd -= rng.int(60, 600);
    } else {
      endSeconds = olderEnd;
      olderEnd -= rng.int(spacingMin, spacingMax);
    }
    const twins =
      options.twinChatEvery > 0 && index % options.twinChatEvery === 2 % options.twinChatEvery
        ? options.twinsPerChat
        : 0;
    const base = { index, members: [] as Person[], twins, endSeconds };
    if (index % GROUP_EVERY === GROUP_AT) {
      const id =
        groups % 2 === 0
          ? `120363${rng.digits(12)}@g.us`
          : `${newPhone(rng, usedPhones)}-${options.anchorSeconds - rng.int(400, 2000) * 86400}@g.us`;
      groups++;
      plans.push({
        ...base,
        kind: 'group',
        idShape: 'prefixed',
        chatId: id,
        name: rng.pick(GROUP_NAMES),
        person: null,
      });
    } else if (index % LID_EVERY === LID_AT) {
      const p = person();
      plans.push({
        ...base,
        kind: 'lid',
        idShape: 'prefixed',
        chatId: lidForPhone(p.phone),
        name: rng.chance(0.5) ? p.name : null,
        person: p,
      });
    } else {
      const p = person();
      const idShape: HistoryIdShape = index % BARE_EVERY === BARE_AT ? 'bare' : 'prefixed';
      // GOWS lists some chats without a name (never saved, no push name yet).
      plans.push({
        ...base,
        kind: 'direct',
        idShape,
        chatId: `${p.phone}@c.us`,
        name: rng.chance(0.85) ? p.name : null,
        person: p,
      });
    }
  }

  // Members last, so a group can take people whose 1:1 chat comes after it.
  const direct = plans.filter((p) => p.kind === 'direct').map((p) => p.person as Person);
  for (const plan of plans.filter((p) => p.kind === 'group')) {
    const size = rng.int(3, 8);
    const shared = Math.min(direct.length, rng.int(1, 3), size);
    const chosen = new Set<Person>();
    while (chosen.size < shared) chosen.add(rng.pick(direct));
    const members = [...chosen];
    while (members.length < size) members.push(person());
    plan.members = members;
  }
  return plans;
}

/** A Brazilian mobile number, never in the fixtures' 55119999… range (the own number lives there). */
function newPhone(rng: SeededRandom, used: Set<string>): string {
  for (;;) {
    const phone = `55${rng.pick(DDDS)}9${rng.int(6, 9)}${rng.digits(7)}`;
    if (!phone.startsWith('55119999') && !used.has(phone)) {
      used.add(phone);
      return phone;
    }
  }
}

/** Positions are in the order the messages endpoint serves a chat: newest first, 0-based. */
function buildChat(plan: ChatPlan, distinct: number, rng: SeededRandom, rotation: Rotation): HistoryChat {
  const twins = distinct > 0 ? Math.min(plan.twins, distinct) : 0;
  const total = distinct + twins;
  const isCopy = placeTwins(total, twins, rng);
  const sameSecondAsPrevious = placeEqualSeconds(total, isCopy, rng);
  const timestamps = assignTimestamps(plan.endSeconds, total, sameSecondAsPrevious, distinct, rng);

  // Originals oldest first (their content depends on what came before), then every position.
  const originals: number[] = [];
  for (let p = total - 1; p >= 0; p--) if (!isCopy[p]) originals.push(p);
  const speakers = planSpeakers(plan, originals, timestamps, rng);
  const messageAt: HistoryMessage[] = new Array<HistoryMessage>(total);
  originals.forEach((p, i) => {
    messageAt[p] = buildHistoryMessage(plan, speakers[i], timestamps[p], rng, rotation);
  });
  for (let p = 0; p < total; p++) if (isCopy[p]) messageAt[p] = messageAt[p - 1];

  // Oldest first, so the copy at p + 1 goes in before its original at p: that original is the second one.
  const items: HistoryStoredItem[] = [];
  for (let p = total - 1; p >= 0; p--) items.push({ message: messageAt[p], twin: p + 1 < total && isCopy[p + 1] });
  return {
    index: plan.index,
    chatId: plan.chatId,
    kind: plan.kind,
    idShape: plan.idShape,
    name: plan.name,
    phone: plan.person?.phone ?? null,
    items,
  };
}

/** `isCopy[p]`: position p repeats p - 1. Copies go across positions 200, 100, 50, ... first, then anywhere. */
function placeTwins(total: number, twins: number, rng: SeededRandom): boolean[] {
  const isCopy = new Array<boolean>(total).fill(false);
  const canCopyAt = (p: number) =>
    p >= 1 && p < total && !isCopy[p] && !isCopy[p - 1] && !(p + 1 < total && isCopy[p + 1]);
  const boundaries: number[] = [];
  for (let b = PAGE_BOUNDARY_STEP; b < total; b += PAGE_BOUNDARY_STEP) boundaries.push(b);
  const pageSizesCut = (b: number) => [50, 100, 200].filter((size) => b % size === 0).length;
  boundaries.sort((a, b) => pageSizesCut(b) - pageSizesCut(a) || a - b);
  let placed = 0;
  for (const b of boundaries) {
    if (placed === twins) break;
    if (canCopyAt(b)) {
      isCopy[b] = true;
      placed++;
    }
  }
  // Random probes, then a sweep (a small chat may have few free positions).
  for (let attempt = 0; placed < twins && attempt < twins * 20; attempt++) {
    const p = rng.int(1, Math.max(1, total - 1));
    if (canCopyAt(p)) {
      isCopy[p] = true;
      placed++;
    }
  }
  for (let p = 1; placed < twins && p < total; p++) {
    if (canCopyAt(p)) {
      isCopy[p] = true;
      placed++;
    }
  }
  return isCopy;
}

/** `same[p]`: position p has the second of p - 1 (twins, a run across each page boundary, short runs). */
function placeEqualSeconds(total: number, isCopy: boolean[], rng: SeededRandom): boolean[] {
  const same = isCopy.slice();
  for (let b = PAGE_BOUNDARY_STEP; b < total; b += PAGE_BOUNDARY_STEP) {
    const length = rng.int(3, 7);
    // At least one message on each side of the boundary.
    const start = b - rng.int(1, length - 1);
    for (let p = Math.max(1, start + 1); p <= Math.min(total - 1, start + length - 1); p++) same[p] = true;
  }
  for (let p = 1; p < total; p++) {
    if (same[p] || !rng.chance(0.025)) continue;
    same[p] = true;
    if (p + 1 < total && rng.chance(0.4)) same[p + 1] = true;
  }
  return same;
}

function assignTimestamps(
  endSeconds: number,
  total: number,
  same: boolean[],
  distinct: number,
  rng: SeededRandom,
): number[] {
  const maxConversationGap = Math.max(
    MIN_CONVERSATION_GAP * 2,
    Math.floor((MAX_CONVERSATION_GAP * FULL_GAPS_MAX_MESSAGES) / Math.max(distinct, FULL_GAPS_MAX_MESSAGES)),
  );
  const timestamps = new Array<number>(total);
  timestamps[0] = endSeconds;
  let leftInConversation = rng.int(MIN_CONVERSATION, MAX_CONVERSATION);
  for (let p = 1; p < total; p++) {
    if (same[p]) {
      timestamps[p] = timestamps[p - 1];
      continue;
    }
    leftInConversation--;
    let gap: number;
    if (leftInConversation <= 0) {
      gap = rng.logUniformInt(MIN_CONVERSATION_GAP, maxConversationGap);
      leftInConversation = rng.int(MIN_CONVERSATION, MAX_CONVERSATION);
    } else {
      gap = rng.chance(0.8)
        ? rng.int(SHORT_GAP.min, SHORT_GAP.max)
        : rng.int(LONG_GAP_IN_CONVERSATION.min, LONG_GAP_IN_CONVERSATION.max);
    }
    timestamps[p] = timestamps[p - 1] - gap;
  }
  return timestamps;
}

interface Speaker {
  fromMe: boolean;
  /** Group author. */
  member: Person | null;
}

const THEIRS: Speaker = { fromMe: false, member: null };
const OURS: Speaker = { fromMe: true, member: null };

/** Who wrote each original (oldest first). Speakers are shared objects: one per person, not per message. */
function planSpeakers(plan: ChatPlan, originals: number[], timestamps: number[], rng: SeededRandom): Speaker[] {
  const memberSpeakers = new Map(plan.members.map((member) => [member, { fromMe: false, member }]));
  const speakers: Speaker[] = [];
  let previous: Speaker | null = null;
  let previousTime = 0;
  originals.forEach((p, i) => {
    const time = timestamps[p];
    let speaker: Speaker;
    if (previous && time === previousTime) {
      speaker = previous;
    } else if (plan.kind === 'group') {
      // Everyone speaks once first, then anyone (half the time the last author goes on).
      const member: Person =
        i < plan.members.length
          ? plan.members[i]
          : previous && rng.chance(0.5)
            ? (previous.member as Person)
            : rng.pick(plan.members);
      speaker = memberSpeakers.get(member) as Speaker;
    } else if (!previous) {
      speaker = THEIRS;
    } else if (time - previousTime > SESSION_GAP_SECONDS) {
      speaker = rng.chance(0.85) ? THEIRS : OURS;
    } else {
      speaker = (rng.chance(0.45) ? !previous.fromMe : previous.fromMe) ? OURS : THEIRS;
    }
    speakers.push(speaker);
    previous = speaker;
    previousTime = time;
  });
  if (plan.kind !== 'group' && speakers.length >= 2 && !speakers.some((s) => s.fromMe)) {
    speakers[speakers.length - 1] = OURS;
  }
  return speakers;
}

function buildHistoryMessage(
  plan: ChatPlan,
  speaker: Speaker,
  timestamp: number,
  rng: SeededRandom,
  rotation: Rotation,
): HistoryMessage {
  const { fromMe } = speaker;
  const author = plan.kind === 'group' ? (speaker.member as Person) : (plan.person as Person);
  let source: 'api' | 'app' = 'app';
  if (fromMe) {
    source = rotation.outbound === 0 ? 'api' : rotation.outbound === 1 ? 'app' : rng.chance(0.5) ? 'api' : 'app';
    rotation.outbound++;
  }
  const mediaKind =
    rotation.message++ % MEDIA_EVERY === MEDIA_AT ? MEDIA_KINDS[rotation.media++ % MEDIA_KINDS.length] : null;
  const media = mediaKind ? mediaContent(mediaKind, rng) : null;
  const text = media
    ? captionFor(media, rng)
    : rng.pick(plan.kind === 'group' ? GROUP_TEXTS : fromMe ? OUTBOUND_TEXTS : INBOUND_TEXTS);
  const rawId = newRawId(rng, fromMe ? (source === 'api' ? 'api' : 'ios') : author.device);
  const participant = plan.kind === 'group' ? `${author.phone}@c.us` : null;
  const fullId = buildMessageId({ fromMe, chatId: plan.chatId, rawId, participant });
  return {
    chatId: plan.chatId,
    rawId,
    id: plan.idShape === 'bare' ? rawId : fullId,
    fullId,
    timestamp,
    fromMe,
    direction: fromMe ? 'outbound' : 'inbound',
    source,
    participant,
    pushName: fromMe ? null : author.pushName,
    text,
    media,
    // Theirs: delivered to this device; ours: read (a voice note: played).
    ack: fromMe ? (mediaKind === 'audio' ? 4 : 3) : 2,
  };
}

function mediaContent(kind: MediaKind, rng: SeededRandom): MediaContent {
  switch (kind) {
    case 'image':
      return {
        kind,
        mimetype: 'image/jpeg',
        fileLength: SAMPLE_JPEG.length,
        width: SAMPLE_JPEG_WIDTH,
        height: SAMPLE_JPEG_HEIGHT,
      };
    case 'audio':
      return { kind, mimetype: VOICE_NOTE_MIMETYPE, fileLength: SAMPLE_OGG.length, seconds: rng.int(2, 90) };
    case 'video':
      return {
        kind,
        mimetype: 'video/mp4',
        fileLength: SAMPLE_MP4.length,
        width: 640,
        height: 360,
        seconds: rng.int(3, 60),
      };
    case 'document':
      return {
        kind,
        mimetype: 'application/pdf',
        fileLength: SAMPLE_PDF.length,
        fileName: `${rng.pick(DOCUMENT_NAMES)}-${rng.int(1000, 9999)}.pdf`,
        pageCount: rng.int(1, 12),
      };
  }
}

function captionFor(media: MediaContent, rng: SeededRandom): string | null {
  switch (media.kind) {
    case 'image':
      return rng.chance(0.5) ? rng.pick(IMAGE_CAPTIONS) : null;
    case 'video':
      return rng.chance(0.5) ? rng.pick(VIDEO_CAPTIONS) : null;
    case 'document':
      return rng.chance(1 / 3) ? rng.pick(DOCUMENT_CAPTIONS) : null;
    case 'audio':
      return null;
  }
}

/**
 * `3EB0`+18 hex (WAHA / WhatsApp Web), `3A`+18 (iPhone), `AC`+30 (Android). Unique without a lookup:
 * 72 to 120 bits from consecutive states of a generator whose state does not repeat within 2^32
 * draws (a set of 100,000 ids cost a third of the build).
 */
function newRawId(rng: SeededRandom, style: 'api' | 'ios' | 'android'): string {
  return style === 'api' ? `3EB0${rng.hex(18)}` : style === 'ios' ? `3A${rng.hex(18)}` : `AC${rng.hex(30)}`;
}

/** Conversations in ascending timestamps: a gap of more than SESSION_GAP_SECONDS starts a new one. */
export function countSessions(
  ascendingTimestamps: readonly number[],
  gapSeconds: number = SESSION_GAP_SECONDS,
): number {
  let sessions = 0;
  for (let i = 0; i < ascendingTimestamps.length; i++) {
    if (i === 0 || ascendingTimestamps[i] - ascendingTimestamps[i - 1] > gapSeconds) sessions++;
  }
  return sessions;
}

function buildTruth(options: ResolvedHistoryDataSetOptions, chats: HistoryChat[]): HistoryTruth {
  const contacts = new Map<string, { chatIds: Set<string>; messages: TruthMessage[] }>();
  const contact = (phone: string) => {
    let entry = contacts.get(phone);
    if (!entry) {
      entry = { chatIds: new Set(), messages: [] };
      contacts.set(phone, entry);
    }
    return entry;
  };
  let distinctMessages = 0;
  let storedItems = 0;
  const chatTruths = chats.map((chat): ChatTruth => {
    const newestFirst: TruthMessage[] = [];
    const twinIds: string[] = [];
    for (let i = chat.items.length - 1; i >= 0; i--) {
      const { message, twin } = chat.items[i];
      if (twin) {
        twinIds.push(message.id);
        continue;
      }
      newestFirst.push(message);
    }
    for (const m of newestFirst) {
      const phone =
        chat.kind === 'group' ? (m.participant as string).slice(0, -'@c.us'.length) : (chat.phone as string);
      const entry = contact(phone);
      entry.chatIds.add(chat.chatId);
      entry.messages.push(m);
    }
    distinctMessages += newestFirst.length;
    storedItems += chat.items.length;
    const inbound = newestFirst.filter((m) => m.direction === 'inbound').length;
    return {
      chatId: chat.chatId,
      kind: chat.kind,
      idShape: chat.idShape,
      name: chat.name,
      phone: chat.phone,
      distinctMessages: newestFirst.length,
      storedItems: chat.items.length,
      inbound,
      outbound: newestFirst.length - inbound,
      twinIds,
      newestTimestamp: newestFirst[0]?.timestamp ?? null,
      oldestTimestamp: newestFirst[newestFirst.length - 1]?.timestamp ?? null,
      sessionsAt30MinGap: countSessions(newestFirst.map((m) => m.timestamp).reverse()),
      messages: newestFirst,
    };
  });

  const contactTruths = [...contacts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([phone, entry]): ContactTruth => {
      // Stable: equal seconds keep chat order, then the order served.
      const messages = entry.messages.slice().sort((a, b) => b.timestamp - a.timestamp);
      const inbound = messages.filter((m) => m.direction === 'inbound').length;
      return {
        phone,
        chatIds: [...entry.chatIds],
        distinctMessages: messages.length,
        inbound,
        outbound: messages.length - inbound,
        newestTimestamp: messages[0].timestamp,
        oldestTimestamp: messages[messages.length - 1].timestamp,
        sessionsAt30MinGap: countSessions(messages.map((m) => m.timestamp).reverse()),
        messages,
      };
    });

  // A loop, not Math.max(...): a spread of 100,000 chats overflows the call stack.
  let newestTimestamp: number | null = null;
  let oldestTimestamp: number | null = null;
  for (const c of chatTruths) {
    if (c.newestTimestamp === null || c.oldestTimestamp === null) continue;
    newestTimestamp = newestTimestamp === null ? c.newestTimestamp : Math.max(newestTimestamp, c.newestTimestamp);
    oldestTimestamp = oldestTimestamp === null ? c.oldestTimestamp : Math.min(oldestTimestamp, c.oldestTimestamp);
  }
  return {
    summary: {
      seed: options.seed,
      anchorSeconds: options.anchorSeconds,
      recentAnchorSeconds: options.recentAnchorSeconds,
      chats: chats.length,
      groups: chats.filter((c) => c.kind === 'group').length,
      contacts: contactTruths.length,
      distinctMessages,
      storedItems,
      newestTimestamp,
      oldestTimestamp,
    },
    chats: chatTruths,
    contacts: contactTruths,
  };
}
