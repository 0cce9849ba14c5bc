import { Module } from '@nestjs/common';
import { InboundModule } from '@app/inbound';
import { SessionModule } from '@app/session';
import { SessionsController } from './sessions.controller';

/** REST surface of the Session context: `GET /v1/sessions[/{id}]`, `POST /v1/sessions/{id}/close`. */
@Module({
  imports: [SessionModule, InboundModule],
  controllers: [SessionsController],
})
export class SessionsHttpModule {}
