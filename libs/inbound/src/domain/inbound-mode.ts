export type InboundMode = 'saga' | 'direct';

/**
 * Which path processes a message. A channel's own mode wins; otherwise the configured default, and
 * when that is `saga`, only `sagaPercent`% of messages take it (a canary rollout): the share is
 * chosen by the message id, so every redelivery of one message takes the same path.
 */
export function chooseInboundMode(
  channelMode: InboundMode | null,
  defaultMode: InboundMode,
  sagaPercent: number,
  externalId: string,
): InboundMode {
  if (channelMode) return channelMode;
  if (defaultMode === 'direct' || sagaPercent >= 100) return defaultMode;
  if (sagaPercent <= 0) return 'direct';
  return bucketOf(externalId) < sagaPercent ? 'saga' : 'direct';
}

/** FNV-1a 32-bit hash of the id, mod 100: stable across processes and releases. */
export function bucketOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i += 1) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 100;
}
