import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CodecController } from './codec.controller';
import { CodecCorsMiddleware } from './codec-cors.middleware';
import { codecConfig } from './codec.config';

@Module({
  imports: [ConfigModule.forFeature(codecConfig)],
  controllers: [CodecController],
})
export class CodecHttpModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // Every method, OPTIONS included: preflights have no route of their own.
    consumer.apply(CodecCorsMiddleware).forRoutes({ path: 'v1/codec/*path', method: RequestMethod.ALL });
  }
}
