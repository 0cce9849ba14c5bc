export * from './history-import.module';
export * from './history-import.config';

export * from './domain/history-import';
export * from './domain/history-paging';
export * from './domain/history-sessions';

export * from './application/history-import-workflows.port';
export * from './application/history-import.view';
export * from './application/history-imports.service';
export * from './application/history-import-runs';
export * from './application/chat-history-importer';
export * from './application/history-session-consolidator';
export * from './application/buffered-webhooks';
