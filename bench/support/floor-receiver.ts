import 'reflect-metadata';
import { Controller, HttpCode, Module, Param, Post, type RawBodyRequest, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type Request } from 'express';
import { failStartup, serveParent } from './inbound-children';

/** The route of the real receiver, answering 202 without work (body parsed, nothing verified or stored). */
@Controller('v1/channels')
class FloorReceiverController {
  @Post(':channelId/waha/events')
  @HttpCode(202)
  receive(
    @Param('channelId') channelId: string,
    @Req() req: RawBodyRequest<Request>,
  ): { status: string; channelId: string; bytes: number } {
    return { status: 'accepted', channelId, bytes: req.rawBody?.length ?? 0 };
  }
}

@Module({ controllers: [FloorReceiverController] })
class FloorReceiverModule {}

/**
 * Child process of `npm run bench:inbound`: the receiver floor. The same platform as the API (Nest
 * on Express, `rawBody: true` and the JSON body parser with the API's 5 MB limit, see
 * apps/api/src/create-api-app.ts), one route at the receiver's path that answers 202 at once: what
 * the HTTP stack alone costs per webhook, hit by the same load generator at the same concurrency.
 */
async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(FloorReceiverModule, { rawBody: true, logger: false });
  app.useBodyParser('json', { limit: '5mb' });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  serveParent({}, () => app.close());
  process.send?.({ type: 'ready', data: { url, pid: process.pid } });
}

main().catch(failStartup);
