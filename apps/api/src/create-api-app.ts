import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { bodyParserErrors } from './platform/body-parser-errors';
import { configureApp } from './configure-app';

/** Largest JSON body (413 PAYLOAD_TOO_LARGE above it). */
export const JSON_BODY_LIMIT_BYTES = 5 * 1024 * 1024;

/** The API application as main.ts runs it (tests use the same): raw bodies kept for webhook HMACs. */
export async function createApiApp(options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true, rawBody: true, ...options });
  // WAHA bodies can carry thumbnails in _data; stay well above them but bounded.
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT_BYTES });
  // Right after the parser, so its errors (malformed JSON, too large) reach the filter with their codes.
  app.use(bodyParserErrors);
  return configureApp(app);
}
