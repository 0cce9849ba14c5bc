import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { TenantService } from '@app/tenant';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { failStartup, serveParent } from './inbound-children';

/**
 * Child process of `npm run bench:inbound`: the API exactly as apps/api/src/main.ts builds it
 * (createApiApp), on 127.0.0.1 and a free port, configured by the environment the benchmark passes.
 * Own process so the load generator never shares the receiver's event loop (WAHA is another process
 * in production too).
 */
async function main(): Promise<void> {
  const app: INestApplication = await createApiApp({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  serveParent(
    {
      createTenant: async (args) => {
        const issued = await app.get(TenantService).createTenant(String((args as { name: string }).name));
        return { tenantId: issued.tenant.id, apiKey: issued.apiKey };
      },
      memory: async () => process.memoryUsage(),
    },
    () => app.close(),
  );
  process.send?.({ type: 'ready', data: { url: url.replace('[::1]', '127.0.0.1'), pid: process.pid } });
}

main().catch(failStartup);
