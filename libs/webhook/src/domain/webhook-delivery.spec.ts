import {
  WebhookDelivery,
  type WebhookDeliveryStatus,
  classifyHttpStatus,
  parseRetryAfter,
  truncateError,
} from './webhook-delivery';

describe('webhook delivery', () => {
  it('classifies HTTP statuses as Standard Webhooks says', () => {
    for (const s of [200, 201, 202, 204, 299]) expect(classifyHttpStatus(s)).toBe('delivered');
    expect(classifyHttpStatus(410)).toBe('gone');
    for (const s of [408, 429, 500, 502, 503, 504, 599]) expect(classifyHttpStatus(s)).toBe('retryable');
    for (const s of [301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 409, 413, 422, 100])
      expect(classifyHttpStatus(s)).toBe('permanent');
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = new Date('2025-11-26T12:00:00.000Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 26 Nov 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 26 Nov 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(86_400_000);
    for (const bad of [null, undefined, '', 'soon', '-5', '1.5']) expect(parseRetryAfter(bad, now)).toBeNull();
  });

  it('truncates long errors', () => {
    expect(truncateError('x'.repeat(10))).toBe('x'.repeat(10));
    expect(truncateError('x'.repeat(2000))).toHaveLength(500);
  });

  const at = new Date('2025-11-26T12:00:00.000Z');
  const fresh = (status: WebhookDeliveryStatus = 'pending') =>
    WebhookDelivery.rehydrate({
      id: 'd',
      tenantId: 't',
      subscriptionId: 's',
      eventId: 'e',
      eventType: 'contact.created',
      status,
      attempts: 0,
      lastStatusCode: null,
      lastError: null,
      nextAttemptAt: null,
      deliveredAt: null,
      createdAt: at,
      updatedAt: at,
    });

  it('counts attempts: failures mark it failed (with the Retry-After time), success delivered', () => {
    const d = fresh();
    d.recordAttempt({ outcome: 'retryable', statusCode: 429, error: 'endpoint answered 429', retryAfterMs: 2000 }, at);
    expect(d.toProps()).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastStatusCode: 429,
      nextAttemptAt: new Date(at.getTime() + 2000),
    });
    d.recordAttempt({ outcome: 'delivered', statusCode: 200, error: null, retryAfterMs: null }, at);
    expect(d.toProps()).toMatchObject({
      status: 'delivered',
      attempts: 2,
      lastStatusCode: 200,
      lastError: null,
      deliveredAt: at,
      nextAttemptAt: null,
    });
  });

  it('dies once: a second dead letter and a dead letter after delivery change nothing', () => {
    const d = fresh();
    d.recordAttempt({ outcome: 'permanent', statusCode: 400, error: 'endpoint answered 400', retryAfterMs: null }, at);
    expect(d.markDead('endpoint answered 400', at)).toBe(true);
    expect(d.markDead('again', at)).toBe(false);
    expect(d.toProps()).toMatchObject({ status: 'dead', lastError: 'endpoint answered 400' });

    const delivered = fresh();
    delivered.markDelivered(204, at);
    expect(delivered.markDead('late', at)).toBe(false);
    expect(delivered.status).toBe('delivered');
  });

  it('holds a pending delivery never attempted, and nothing else', () => {
    const later = new Date(at.getTime() + 5_000);
    const pending = fresh('pending');
    expect(pending.hold(later)).toBe(true);
    expect(pending.toProps()).toMatchObject({ status: 'held', updatedAt: later });
    expect(pending.hold(later)).toBe(false);
    for (const status of ['failed', 'delivered', 'dead'] as const) expect(fresh(status).hold(later)).toBe(false);
    const attempted = fresh('pending');
    attempted.recordAttempt(
      { outcome: 'retryable', statusCode: 503, error: 'endpoint answered 503', retryAfterMs: null },
      at,
    );
    attempted.resetForReplay(at);
    attempted.recordAttempt(
      { outcome: 'retryable', statusCode: 503, error: 'endpoint answered 503', retryAfterMs: null },
      at,
    );
    expect(attempted.hold(later)).toBe(false);
    expect(attempted.status).toBe('failed');
  });

  it('releases a held delivery once; a held row being attempted (its release did not commit) counts like pending', () => {
    const later = new Date(at.getTime() + 5_000);
    const held = fresh('held');
    expect(held.status).toBe('held');
    expect(held.release(later)).toBe(true);
    expect(held.toProps()).toMatchObject({ status: 'pending', updatedAt: later });
    expect(held.release(later)).toBe(false);
    expect(fresh('failed').release(later)).toBe(false);

    const attempted = fresh('held');
    attempted.recordAttempt(
      { outcome: 'retryable', statusCode: 503, error: 'endpoint answered 503', retryAfterMs: null },
      at,
    );
    expect(attempted.status).toBe('failed');
    const dying = fresh('held');
    expect(dying.markDead('gave up', at)).toBe(true);
    expect(dying.status).toBe('dead');
  });

  it('resets for a replay', () => {
    const d = fresh();
    d.recordAttempt({ outcome: 'retryable', statusCode: 500, error: 'x', retryAfterMs: null }, at);
    d.markDead('x', at);
    d.resetForReplay(at);
    expect(d.toProps()).toMatchObject({
      status: 'pending',
      attempts: 0,
      lastStatusCode: null,
      lastError: null,
      deliveredAt: null,
      nextAttemptAt: null,
    });
  });
});
