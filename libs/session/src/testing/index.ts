/** Test helpers for the Session context; imported only by specs, never by production code. */
export * from './session-test-context';
