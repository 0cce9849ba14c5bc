/** One imported message, as consolidation sees it. */
export interface ImportedMessageRef {
  externalId: string;
  sentAt: Date;
  direction: 'inbound' | 'outbound';
}

export interface HistoricalSession<T extends ImportedMessageRef = ImportedMessageRef> {
  messages: T[];
  startedAt: Date;
  lastActivityAt: Date;
  inbound: number;
  outbound: number;
  firstInboundAt: Date | null;
  firstOutboundAfterInboundAt: Date | null;
  /** `ended` (reason `import`, at its last message) or `active` (the newest, still within its timeout). */
  status: 'ended' | 'active';
}

/**
 * Groups one contact's imported messages into sessions by the channel's inactivity gap: a message
 * more than `timeoutSeconds` after the previous one starts a new session (the live rule: a session
 * ends at last activity + timeout). The newest session stays active only when its deadline is still
 * ahead and the contact has no live active session (which the import never touches); every other
 * session is ended. Messages must be sorted by time (ties in any stable order).
 */
export function groupIntoSessions<T extends ImportedMessageRef>(
  sorted: readonly T[],
  options: { timeoutSeconds: number; now: Date; hasLiveActiveSession: boolean },
): HistoricalSession<T>[] {
  const sessions: HistoricalSession<T>[] = [];
  const gapMs = options.timeoutSeconds * 1000;
  let current: HistoricalSession<T> | null = null;
  for (const message of sorted) {
    const at = message.sentAt;
    if (current === null || at.getTime() - current.lastActivityAt.getTime() > gapMs) {
      current = {
        messages: [],
        startedAt: at,
        lastActivityAt: at,
        inbound: 0,
        outbound: 0,
        firstInboundAt: null,
        firstOutboundAfterInboundAt: null,
        status: 'ended',
      };
      sessions.push(current);
    }
    current.messages.push(message);
    if (at.getTime() > current.lastActivityAt.getTime()) current.lastActivityAt = at;
    if (message.direction === 'inbound') {
      current.inbound += 1;
      current.firstInboundAt ??= at;
    } else {
      current.outbound += 1;
      if (
        current.firstInboundAt !== null &&
        current.firstOutboundAfterInboundAt === null &&
        at.getTime() >= current.firstInboundAt.getTime()
      ) {
        // `>=` as the live statistics count it (messages.sessionStats).
        current.firstOutboundAfterInboundAt = at;
      }
    }
  }
  const newest = sessions[sessions.length - 1];
  if (newest && !options.hasLiveActiveSession && newest.lastActivityAt.getTime() + gapMs > options.now.getTime())
    newest.status = 'active';
  return sessions;
}
