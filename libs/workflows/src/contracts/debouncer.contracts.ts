import { defineSignal } from '@temporalio/workflow';

export interface MessageDebouncerInput {
  tenantId: string;
  channelId: string;
  sessionId: string;
  windowMs: number;
}

export interface DebouncedMessage {
  messageId: string;
}

/** Adds a message to the session's open group (signal-with-start opens one). */
export const messageReceivedSignal = defineSignal<[DebouncedMessage]>('messageReceived');

export interface DebouncerActivitiesContract {
  /** groupId null: every message was grouped already (a repeated signal), nothing was stored. */
  completeMessageGroup(input: {
    tenantId: string;
    channelId: string;
    sessionId: string;
    groupId: string;
    messageIds: string[];
  }): Promise<{ groupId: string | null }>;
}
