import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ChannelModule } from '@app/channel';
import { ContactModule } from '@app/contact';
import { MessageModule } from '@app/message';
import { SessionModule } from '@app/session';
import { inboundConfig } from './inbound.config';
import { DirectInboundProcessor } from './application/direct-inbound.processor';
import { InboundConversationSteps } from './application/inbound-conversation.steps';
import { WahaEventApplier } from './application/waha-event.applier';
import { SessionPolicyPropagation } from './application/session-policy-propagation';

/** Inbound WhatsApp traffic: parsing, and the conversation steps both inbound modes share. Needs a
 *  ConversationWorkflows provider (WorkflowGatewaysModule from @app/workflows). */
@Module({
  imports: [ChannelModule, ContactModule, SessionModule, MessageModule, ConfigModule.forFeature(inboundConfig)],
  providers: [InboundConversationSteps, DirectInboundProcessor, WahaEventApplier, SessionPolicyPropagation],
  exports: [
    InboundConversationSteps,
    DirectInboundProcessor,
    WahaEventApplier,
    SessionPolicyPropagation,
    ChannelModule,
    ContactModule,
    SessionModule,
    MessageModule,
    ConfigModule,
  ],
})
export class InboundModule {}
