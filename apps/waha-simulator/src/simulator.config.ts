import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
import { ConfigValidationError, validateConfig } from '@app/shared';

/** Upper bound of a seeded data set (chats x messages per chat), to keep the process in memory bounds. */
export const MAX_SEED_MESSAGES = 1_000_000;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `basic`: buildSeed (chats x messages, 60 s apart); `history`: buildHistoryDataSet (the import test mix). */
export const SEED_PROFILES = ['basic', 'history'] as const;
export type SeedProfile = (typeof SEED_PROFILES)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** An empty variable means "not set" (compose files often pass `VAR=`). */
const emptyAsUnset = () => Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value));
const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** Environment of the standalone simulator process (`node dist/apps/waha-simulator/src/main.js`). */
export class SimulatorEnv {
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(65535)
  WAHA_SIM_PORT: number = 3100;

  /** Listen address; 127.0.0.1 by default, 0.0.0.0 inside a container. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  WAHA_SIM_HOST: string = '127.0.0.1';

  /** Base of the media URLs it hands out (`{base}/api/files/...`); default the address it listens on. */
  @IsOptional()
  @emptyAsUnset()
  @IsUrl(URL_OPTIONS, { message: 'WAHA_SIM_BASE_URL must be an http(s) URL' })
  WAHA_SIM_BASE_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  WAHA_SIM_API_KEY: string = 'sim-api-key';

  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'WAHA_SIM_SESSION must be letters, digits, _ or -' })
  WAHA_SIM_SESSION: string = 'default';

  @IsOptional()
  @Matches(/^[1-9][0-9]{7,14}$/, { message: 'WAHA_SIM_ME_PHONE must be E.164 digits without +' })
  WAHA_SIM_ME_PHONE: string = '5511999990000';

  @IsOptional()
  @IsString()
  @MinLength(1)
  WAHA_SIM_ME_PUSH_NAME: string = 'WAHA Simulator';

  @IsOptional()
  @emptyAsUnset()
  @IsUrl(URL_OPTIONS, { message: 'WAHA_SIM_WEBHOOK_URL must be an http(s) URL' })
  WAHA_SIM_WEBHOOK_URL?: string;

  @IsOptional()
  @emptyAsUnset()
  @IsString()
  @MinLength(1)
  WAHA_SIM_WEBHOOK_HMAC_KEY?: string;

  /** Comma-separated event names, or `*` for all. */
  @IsOptional()
  @Matches(/^(\*|[a-z0-9.]+(,\s*[a-z0-9.]+)*)$/, {
    message: 'WAHA_SIM_WEBHOOK_EVENTS must be * or a comma-separated list of event names',
  })
  WAHA_SIM_WEBHOOK_EVENTS: string = '*';

  /** Retries after the first attempt (WAHA default 15, so up to 16 requests). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  WAHA_SIM_WEBHOOK_RETRIES: number = 15;

  @IsOptional()
  @IsInt()
  @Min(0)
  WAHA_SIM_WEBHOOK_RETRY_DELAY_MS: number = 2000;

  /** Per-attempt timeout; a timeout counts as a failed attempt. */
  @IsOptional()
  @IsInt()
  @Min(1)
  WAHA_SIM_WEBHOOK_TIMEOUT_MS: number = 10_000;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  WAHA_SIM_SEED_CHATS: number = 0;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  WAHA_SIM_SEED_MESSAGES: number = 0;

  @IsOptional()
  @IsIn(SEED_PROFILES)
  WAHA_SIM_SEED_PROFILE: SeedProfile = 'basic';

  /** PRNG seed of the `history` profile. */
  @IsOptional()
  @IsInt()
  WAHA_SIM_SEED: number = 1;

  /** `history` profile: the newest N chats end a minute before start (and each reset), so they are live. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000)
  WAHA_SIM_SEED_RECENT_CHATS: number = 0;

  /** Delay before DEVICE, and again before READ, after a sendText. */
  @IsOptional()
  @IsInt()
  @Min(0)
  WAHA_SIM_ACK_DELAY_MS: number = 300;

  /** Media files expire like WAHA's WHATSAPP_FILES_LIFETIME; 0 keeps them. */
  @IsOptional()
  @IsInt()
  @Min(0)
  WAHA_SIM_FILES_LIFETIME_SECONDS: number = 180;

  @IsOptional()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';
}

export interface WebhookTargetSettings {
  url: string | null;
  hmacKey: string | null;
  /** `['*']` = every event. */
  events: string[];
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
  /** Copied into every envelope as `metadata` (WAHA's `session.config.metadata`). */
  metadata: Record<string, string> | null;
}

export interface SimulatorSettings {
  port: number;
  host: string;
  /** Base of media URLs; null = the address it listens on. */
  baseUrl: string | null;
  apiKey: string;
  session: string;
  mePhone: string;
  mePushName: string;
  webhook: WebhookTargetSettings;
  seed: { chats: number; messagesPerChat: number };
  /** Which data set `seed` describes. */
  seedProfile: SeedProfile;
  /** PRNG seed of the `history` profile. */
  seedNumber: number;
  /** `history` profile: newest chats made recent (they end a minute before the seeding). */
  seedRecentChats: number;
  ackDelayMs: number;
  filesLifetimeSeconds: number;
  logLevel: LogLevel;
}

export const DEFAULT_SETTINGS: SimulatorSettings = {
  port: 3100,
  host: '127.0.0.1',
  baseUrl: null,
  apiKey: 'sim-api-key',
  session: 'default',
  mePhone: '5511999990000',
  mePushName: 'WAHA Simulator',
  webhook: {
    url: null,
    hmacKey: null,
    events: ['*'],
    retries: 15,
    retryDelayMs: 2000,
    timeoutMs: 10_000,
    metadata: null,
  },
  seed: { chats: 0, messagesPerChat: 0 },
  seedProfile: 'basic',
  seedNumber: 1,
  seedRecentChats: 0,
  ackDelayMs: 300,
  filesLifetimeSeconds: 180,
  logLevel: 'info',
};

export function parseEventList(raw: string): string[] {
  const events = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return events.length === 0 || events.includes('*') ? ['*'] : [...new Set(events)];
}

/** Validated settings from the environment; the error names every bad variable. */
export function settingsFromEnv(env: Record<string, unknown> = process.env): SimulatorSettings {
  const e = validateConfig(SimulatorEnv, env);
  if (e.WAHA_SIM_SEED_CHATS * e.WAHA_SIM_SEED_MESSAGES > MAX_SEED_MESSAGES) {
    throw new ConfigValidationError(
      `Invalid configuration:\n  WAHA_SIM_SEED_CHATS x WAHA_SIM_SEED_MESSAGES: at most ${MAX_SEED_MESSAGES} seeded messages (got ${e.WAHA_SIM_SEED_CHATS * e.WAHA_SIM_SEED_MESSAGES})`,
    );
  }
  return {
    port: e.WAHA_SIM_PORT,
    host: e.WAHA_SIM_HOST,
    baseUrl: e.WAHA_SIM_BASE_URL ?? null,
    apiKey: e.WAHA_SIM_API_KEY,
    session: e.WAHA_SIM_SESSION,
    mePhone: e.WAHA_SIM_ME_PHONE,
    mePushName: e.WAHA_SIM_ME_PUSH_NAME,
    webhook: {
      url: e.WAHA_SIM_WEBHOOK_URL ?? null,
      hmacKey: e.WAHA_SIM_WEBHOOK_HMAC_KEY ?? null,
      events: parseEventList(e.WAHA_SIM_WEBHOOK_EVENTS),
      retries: e.WAHA_SIM_WEBHOOK_RETRIES,
      retryDelayMs: e.WAHA_SIM_WEBHOOK_RETRY_DELAY_MS,
      timeoutMs: e.WAHA_SIM_WEBHOOK_TIMEOUT_MS,
      metadata: null,
    },
    seed: { chats: e.WAHA_SIM_SEED_CHATS, messagesPerChat: e.WAHA_SIM_SEED_MESSAGES },
    seedProfile: e.WAHA_SIM_SEED_PROFILE,
    seedNumber: e.WAHA_SIM_SEED,
    seedRecentChats: e.WAHA_SIM_SEED_RECENT_CHATS,
    ackDelayMs: e.WAHA_SIM_ACK_DELAY_MS,
    filesLifetimeSeconds: e.WAHA_SIM_FILES_LIFETIME_SECONDS,
    logLevel: e.LOG_LEVEL,
  };
}

export type WahaSimulatorOptions = Partial<Omit<SimulatorSettings, 'webhook' | 'seed'>> & {
  webhook?: Partial<WebhookTargetSettings>;
  seed?: Partial<SimulatorSettings['seed']>;
};

/** Programmatic options over the defaults (tests and benchmarks; no environment involved). */
export function resolveSettings(options: WahaSimulatorOptions = {}): SimulatorSettings {
  const { webhook, seed, ...rest } = options;
  const defined = <T extends object>(o: T | undefined): Partial<T> =>
    Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    ...DEFAULT_SETTINGS,
    ...defined(rest),
    webhook: { ...DEFAULT_SETTINGS.webhook, ...defined(webhook) },
    seed: { ...DEFAULT_SETTINGS.seed, ...defined(seed) },
  };
}

export const SIMULATOR_SETTINGS = Symbol('SIMULATOR_SETTINGS');
