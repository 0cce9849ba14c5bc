import './tracing';
import 'reflect-metadata';
import { ConfigType } from '@nestjs/config';
import { apiConfig } from './api.config';
import { createApiApp } from './create-api-app';

async function bootstrap(): Promise<void> {
  const app = await createApiApp();
  const { port } = app.get<ConfigType<typeof apiConfig>>(apiConfig.KEY);
  await app.listen(port);
}

bootstrap().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
