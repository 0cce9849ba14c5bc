import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { resolveSettings, type SimulatorSettings, type WahaSimulatorOptions } from './simulator.config';
import { SimulatorModule } from './simulator.module';
import { SimulatorState } from './state/simulator-state';

export type { WahaSimulatorOptions } from './simulator.config';

export interface CreateWahaSimulatorOptions extends WahaSimulatorOptions {
  /** Close on SIGTERM/SIGINT (the standalone process); off for in-process use. */
  handleSignals?: boolean;
}

export interface WahaSimulator {
  /** `http://127.0.0.1:<port>` (the address it listens on). */
  url: string;
  port: number;
  app: NestExpressApplication;
  settings: SimulatorSettings;
  /** The in-memory state, for assertions in tests. */
  state: SimulatorState;
  close(): Promise<void>;
}

/**
 * Starts a WAHA-compatible HTTP simulator (GOWS engine, WAHA 2026.7.1) on `options.port` (0 = random) and
 * `options.host` (127.0.0.1); everything lives in memory and is gone on `close()`.
 */
export async function createWahaSimulator(options: CreateWahaSimulatorOptions = {}): Promise<WahaSimulator> {
  const { handleSignals = false, ...rest } = options;
  const settings = resolveSettings(rest);
  const app = await NestFactory.create<NestExpressApplication>(SimulatorModule.forRoot(settings), {
    bufferLogs: true,
    abortOnError: false,
    forceCloseConnections: true,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, transform: true, transformOptions: { enableImplicitConversion: false } }),
  );
  if (handleSignals) app.enableShutdownHooks();
  await app.listen(settings.port, settings.host);

  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const state = app.get(SimulatorState);
  state.baseUrl = settings.baseUrl ?? url;

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    app,
    settings: { ...settings, port },
    state,
    close: () => (closing ??= app.close()),
  };
}
