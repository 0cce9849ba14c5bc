export interface RecordTimeoutWarningCommand {
  tenantId: string;
  sessionId: string;
  /** When the warning is given (normally the session's warningAt). */
  at: Date;
}
