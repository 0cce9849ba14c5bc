import { ValidationError } from '@app/shared';
import {
  type AckTarget,
  WAHA_ACK,
  type WahaAck,
  decideAck,
  initialMessageStatus,
  isWahaAck,
  parseWahaAck,
  statusForAck,
  strongerAck,
  wahaAckFromName,
} from './message-ack';
import { type MessageStatus } from './message-status';

/** Folds a sequence of acks over an outbound message, as ApplyMessageAck does one call at a time. */
function replay(
  start: MessageStatus,
  acks: WahaAck[],
): { status: MessageStatus; changes: Array<[MessageStatus, MessageStatus]> } {
  let status = start;
  const changes: Array<[MessageStatus, MessageStatus]> = [];
  for (const ack of acks) {
    const decision = decideAck({ direction: 'outbound', status }, ack);
    if (decision.apply) {
      changes.push([status, decision.status]);
      status = decision.status;
    }
  }
  return { status, changes };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('WAHA ack mapping', () => {
  it('maps every ack to its status, PLAYED to played (not read)', () => {
    expect([-1, 0, 1, 2, 3, 4].map((ack) => statusForAck(ack as WahaAck))).toEqual([
      'failed',
      'pending',
      'sent',
      'delivered',
      'read',
      'played',
    ]);
    expect(statusForAck(WAHA_ACK.PLAYED)).toBe('played');
  });

  it('reads ack names in any case and answers null for UNKNOWN or garbage', () => {
    expect(wahaAckFromName('READ')).toBe(3);
    expect(wahaAckFromName('device')).toBe(2);
    expect(wahaAckFromName(' ERROR ')).toBe(-1);
    expect(wahaAckFromName('UNKNOWN')).toBeNull();
    expect(wahaAckFromName('toString')).toBeNull();
    expect(wahaAckFromName(3)).toBeNull();
  });

  it('accepts only the integers -1 to 4', () => {
    for (const ack of [-1, 0, 1, 2, 3, 4]) expect(isWahaAck(ack)).toBe(true);
    for (const ack of [-2, 5, 1.5, Number.NaN, '3', null]) expect(isWahaAck(ack)).toBe(false);
    expect(() => parseWahaAck(7)).toThrow(ValidationError);
    expect(() => parseWahaAck(7)).toThrow(/^ack: /);
    expect(() => parseWahaAck('2', 'ackLevel')).toThrow(/^ackLevel: /);
  });

  it('derives the first status: received inbound, the ack outbound, sent when WAHA gives none', () => {
    expect(initialMessageStatus('inbound', 2)).toBe('received');
    expect(initialMessageStatus('inbound', null)).toBe('received');
    expect(initialMessageStatus('outbound', 1)).toBe('sent');
    expect(initialMessageStatus('outbound', 0)).toBe('pending');
    expect(initialMessageStatus('outbound', -1)).toBe('failed');
    expect(initialMessageStatus('outbound', null)).toBe('sent');
  });
});

describe('decideAck (forward only)', () => {
  const outbound = (status: MessageStatus): AckTarget => ({ direction: 'outbound', status });

  it('moves forward and reports the new status and level', () => {
    expect(decideAck(outbound('sent'), 2)).toEqual({ apply: true, status: 'delivered', ackLevel: 2 });
    expect(decideAck(outbound('sent'), 4)).toEqual({ apply: true, status: 'played', ackLevel: 4 });
    expect(decideAck(outbound('pending'), 1)).toEqual({ apply: true, status: 'sent', ackLevel: 1 });
  });

  it('ignores older and equal acks', () => {
    expect(decideAck(outbound('read'), 2)).toEqual({ apply: false, reason: 'not_forward' });
    expect(decideAck(outbound('read'), 3)).toEqual({ apply: false, reason: 'not_forward' });
    expect(decideAck(outbound('played'), 3)).toEqual({ apply: false, reason: 'not_forward' });
    expect(decideAck(outbound('delivered'), 0)).toEqual({ apply: false, reason: 'not_forward' });
  });

  it('applies ERROR only while nothing beyond pending was seen', () => {
    expect(decideAck(outbound('pending'), -1)).toEqual({ apply: true, status: 'failed', ackLevel: -1 });
    for (const status of ['sent', 'delivered', 'read', 'played', 'failed'] as const) {
      expect(decideAck(outbound(status), -1)).toEqual({ apply: false, reason: 'not_forward' });
    }
  });

  it('lets proof of delivery overrule an earlier error, but not a late PENDING', () => {
    expect(decideAck(outbound('failed'), 0)).toEqual({ apply: false, reason: 'not_forward' });
    expect(decideAck(outbound('failed'), 1)).toEqual({ apply: true, status: 'sent', ackLevel: 1 });
    expect(decideAck(outbound('failed'), 3)).toEqual({ apply: true, status: 'read', ackLevel: 3 });
  });

  it('never touches inbound or revoked messages', () => {
    expect(decideAck({ direction: 'inbound', status: 'received' }, 3)).toEqual({ apply: false, reason: 'inbound' });
    expect(decideAck(outbound('deleted'), 4)).toEqual({ apply: false, reason: 'deleted' });
  });

  it('READ then DEVICE ends read, with one change', () => {
    expect(replay('sent', [3, 2])).toEqual({ status: 'read', changes: [['sent', 'read']] });
  });

  it('ends at the highest ack whatever order SERVER, DEVICE, READ and PLAYED arrive in', () => {
    for (const order of permutations<WahaAck>([1, 2, 3, 4])) {
      const { status, changes } = replay('pending', order);
      expect(status).toBe('played');
      // Every change moves forward, so there are never more changes than acks and never a step back.
      const rank = ['pending', 'failed', 'sent', 'delivered', 'read', 'played'];
      for (const [from, to] of changes) expect(rank.indexOf(to)).toBeGreaterThan(rank.indexOf(from));
      expect(changes[changes.length - 1]![1]).toBe('played');
    }
  });

  it('is idempotent: repeating a sequence changes nothing more', () => {
    const first = replay('sent', [2, 3]);
    expect(replay(first.status, [2, 3, 3, 2, 1, 0, -1])).toEqual({ status: 'read', changes: [] });
  });

  it('keeps ERROR out of every sequence that saw SERVER or more, in any order', () => {
    for (const order of permutations<WahaAck>([-1, 1, 2])) {
      expect(replay('pending', order).status).toBe('delivered');
    }
    expect(replay('pending', [0, -1, 0]).status).toBe('failed');
  });
});

describe('strongerAck', () => {
  it('keeps the ack that carries the message further (ERROR beats PENDING only)', () => {
    expect(strongerAck(2, 3)).toBe(3);
    expect(strongerAck(3, 2)).toBe(3);
    expect(strongerAck(0, -1)).toBe(-1);
    expect(strongerAck(-1, 0)).toBe(-1);
    expect(strongerAck(-1, 1)).toBe(1);
    expect(strongerAck(4, -1)).toBe(4);
    expect(strongerAck(2, 2)).toBe(2);
  });
});
