import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { apiConfig, type ApiConfig } from './api.config';
import { configureApp } from './configure-app';
import { useBodyLimits } from './platform/body-limits';

/** The API application as main.ts runs it (tests use the same): raw bodies kept for webhook HMACs. */
export async function createApiApp(options: { logger?: false } = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true, bodyParser: false, ...options });
  useBodyLimits(app, app.get<ApiConfig>(apiConfig.KEY).bodyLimit);
  return configureApp(app);
}
