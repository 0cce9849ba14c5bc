import { type IsUrl } from 'class-validator';
import {
  CHANNEL_NAME_MAX_LENGTH,
  DEBOUNCE_WINDOW_MAX_MS,
  DEBOUNCE_WINDOW_MIN_MS,
  SESSION_TIMEOUT_MAX_SECONDS,
  SESSION_TIMEOUT_MIN_SECONDS,
  SESSION_WARNING_LEAD_MIN_SECONDS,
  SESSION_WARNING_TEXT_MAX_LENGTH,
  WAHA_API_KEY_MAX_LENGTH,
  WAHA_BASE_URL_MAX_LENGTH,
  WAHA_SESSION_MAX_LENGTH,
  WEBHOOK_SECRET_MAX_LENGTH,
  WEBHOOK_SECRET_MIN_LENGTH,
} from '@app/channel';

/** The limits the request DTOs check, taken from the Channel domain so both always agree. */
export const ChannelLimits = {
  nameMaxLength: CHANNEL_NAME_MAX_LENGTH,
  baseUrlMaxLength: WAHA_BASE_URL_MAX_LENGTH,
  sessionMaxLength: WAHA_SESSION_MAX_LENGTH,
  sessionPattern: /^[A-Za-z0-9_-]+$/,
  apiKeyMaxLength: WAHA_API_KEY_MAX_LENGTH,
  webhookSecretMinLength: WEBHOOK_SECRET_MIN_LENGTH,
  webhookSecretMaxLength: WEBHOOK_SECRET_MAX_LENGTH,
  timeoutMinSeconds: SESSION_TIMEOUT_MIN_SECONDS,
  timeoutMaxSeconds: SESSION_TIMEOUT_MAX_SECONDS,
  warningLeadMinSeconds: SESSION_WARNING_LEAD_MIN_SECONDS,
  warningLeadMaxSeconds: SESSION_TIMEOUT_MAX_SECONDS - 1,
  warningTextMaxLength: SESSION_WARNING_TEXT_MAX_LENGTH,
  debounceMinMs: DEBOUNCE_WINDOW_MIN_MS,
  debounceMaxMs: DEBOUNCE_WINDOW_MAX_MS,
} as const;

/** `http://waha:3000`, `http://waha_1:3000` and `http://127.0.0.1:3000` are all fine. */
export const WAHA_URL_OPTIONS: Parameters<typeof IsUrl>[0] = {
  protocols: ['http', 'https'],
  require_protocol: true,
  require_tld: false,
  allow_underscores: true,
};
