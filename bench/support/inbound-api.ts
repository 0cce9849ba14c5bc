import 'reflect-metadata';
import { type INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import { TenantService } from '@app/tenant';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { failStartup, serveParent } from './inbound-children';

/** One SQL statement the API issued while a capture ran: its text and its parameter values
 *  (dates as ISO strings, so the statement can be replayed: support/floor-pg.ts). */
export interface CapturedStatement {
  text: string;
  values?: unknown[];
}

/**
 * Records the statements this process sends through `pg` (TypeORM's driver: every Client of the
 * pool shares the prototype) while a capture is on. `bench:inbound` turns it on around a few
 * direct-mode posts, to print and count the statements of the real transaction next to its floor.
 */
function installStatementCapture(): { start(): void; stop(): CapturedStatement[] } {
  let captured: CapturedStatement[] | undefined;
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    if (captured) {
      const [first, second] = args;
      const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
      const values = Array.isArray(second) ? second : (first as { values?: unknown[] } | undefined)?.values;
      if (text) captured.push({ text, values: values?.map((v) => (v instanceof Date ? v.toISOString() : v)) });
    }
    return original.apply(this, args);
  };
  return {
    start: () => (captured = []),
    stop: () => {
      const out = captured ?? [];
      captured = undefined;
      return out;
    },
  };
}

/**
 * Child process of `npm run bench:inbound`: the API exactly as apps/api/src/main.ts builds it
 * (createApiApp), on 127.0.0.1 and a free port, configured by the environment the benchmark passes.
 * Own process so the load generator never shares the receiver's event loop (WAHA is another process
 * in production too).
 */
async function main(): Promise<void> {
  const capture = installStatementCapture();
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
      captureStart: async () => {
        capture.start();
        return true;
      },
      captureStop: async () => capture.stop(),
    },
    () => app.close(),
  );
  process.send?.({ type: 'ready', data: { url: url.replace('[::1]', '127.0.0.1'), pid: process.pid } });
}

main().catch(failStartup);
