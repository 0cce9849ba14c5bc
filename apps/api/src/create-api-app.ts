import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { apiConfig, type ApiConfig } from './api.config';
import { bodyParserErrors } from './platform/body-parser-errors';
import { configureApp } from './configure-app';
import { useBodyLimits } from './platform/body-limits';

/** The API application as main.ts runs it (tests use the same): raw bodies kept for webhook HMACs. */
export async function createApiApp(options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    bodyParser: false,
    ...options,
  });
  const config = app.get<ApiConfig>(apiConfig.KEY);
  // The client address that unauthenticated calls are rate-limited by.
  app.set('trust proxy', config.trustProxy);
  useBodyLimits(app, config.bodyLimit);
  // Right after the parsers, so their errors (malformed JSON, bad charset) reach the filter with their codes.
  app.use(bodyParserErrors);
  return configureApp(app);
}
