import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { settingsFromEnv } from './simulator.config';
import { createWahaSimulator } from './simulator';
import { WAHA_VERSION } from './waha/types';

/** Standalone WAHA simulator: `node dist/apps/waha-simulator/src/main.js` (configured by WAHA_SIM_* variables). */
async function bootstrap(): Promise<void> {
  const settings = settingsFromEnv(process.env);
  const simulator = await createWahaSimulator({ ...settings, handleSignals: true });
  const target = settings.webhook.url
    ? `webhooks to ${settings.webhook.url}`
    : 'no webhook target yet (POST /_sim/webhook)';
  new Logger('WahaSimulator').log(
    `WAHA simulator (GOWS ${WAHA_VERSION}, session '${settings.session}') on ${simulator.url}; ${target}`,
  );
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
