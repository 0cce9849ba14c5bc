import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './configure-app';

/** The API application as main.ts runs it (tests use the same): raw bodies kept for webhook HMACs. */
export async function createApiApp(options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true, rawBody: true, ...options });
  // WAHA bodies can carry thumbnails in _data; stay well above them but bounded.
  app.useBodyParser('json', { limit: '5mb' });
  return configureApp(app);
}
