import { Controller, Get, type INestApplication } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { LoggerModule } from 'nestjs-pino';
import { DatabaseModule } from '@app/database';
import { TenantModule, TenantService } from '@app/tenant';
import { createTestDatabase } from '../../../../test/support/database';
import { ApiAccessModule } from './api-access.module';
import { ErrorEnvelopeFilter } from './error-envelope.filter';
import { Public } from './public.decorator';
import { RequireScope } from './require-scope.decorator';

@Controller('probe')
class ProbeController {
  @Get('scoped')
  @RequireScope('read')
  scoped() {
    return { ok: true };
  }

  /** A route someone forgot to give a scope. */
  @Get('forgotten')
  forgotten() {
    return { leaked: true };
  }

  @Get('public')
  @Public()
  open() {
    return { ok: true };
  }
}

/** ApiKeyGuard's branches that the app's own routes do not show: it fails closed on a route with
 *  neither @Public() nor @RequireScope(), and rate-limits a public route per client address. */
describe('ApiKeyGuard (HTTP, real PostgreSQL)', () => {
  let app: INestApplication;
  let base: string;
  let key: string;

  beforeAll(async () => {
    Object.assign(process.env, { DATABASE_URL: await createTestDatabase(), API_RATE_LIMIT_PER_IP: '3' });
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        LoggerModule.forRoot({ pinoHttp: { level: 'silent' } }),
        DatabaseModule,
        TenantModule,
        ApiAccessModule,
      ],
      controllers: [ProbeController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.useGlobalFilters(new ErrorEnvelopeFilter());
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
    key = (await app.get(TenantService).createTenant('Probe')).apiKey;
  });
  afterAll(async () => {
    await app?.close();
    delete process.env.API_RATE_LIMIT_PER_IP;
  });

  const get = async (path: string, apiKey?: string) => {
    const res = await fetch(`${base}${path}`, { headers: apiKey ? { 'x-api-key': apiKey } : {} });
    return { status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after') };
  };

  it('refuses a route with neither @Public() nor @RequireScope(), even to a full-power key', async () => {
    expect((await get('/probe/scoped', key)).status).toBe(200);
    const forgotten = await get('/probe/forgotten', key);
    expect(forgotten.status).toBe(500);
    expect(forgotten.text).not.toContain('leaked');
  });

  it('rate-limits a public route per client address unless it skips throttling', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/probe/public')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number((await get('/probe/public')).retryAfter)).toBeGreaterThan(0);
  });
});
