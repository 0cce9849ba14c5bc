export * from './recording-publisher';
