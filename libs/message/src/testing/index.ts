export * from './conversation.seed';
export * from './message.mother';
