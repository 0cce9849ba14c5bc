import { ValidationError } from '@app/shared';
import { WEBHOOK_EVENT_TYPES } from './webhook-event-catalogue';
import { eventFilterMatches, eventTypeMatches, parseEventTypes } from './webhook-event-filter';
import { routesTo } from './webhook-routing';

function fieldOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('webhook event filter', () => {
  it('matches exact names only exactly', () => {
    expect(eventTypeMatches('session.started', 'session.started')).toBe(true);
    expect(eventTypeMatches('session.started', 'session.ended')).toBe(false);
    expect(eventTypeMatches('session.started', 'session.started.x')).toBe(false);
    expect(eventTypeMatches('message.created', 'message.created')).toBe(true);
  });

  it('matches everything with *', () => {
    for (const type of [
      'contact.created',
      'session.ended',
      'message.group.completed',
      'webhook.delivery_failed',
      'anything.else',
    ]) {
      expect(eventTypeMatches('*', type)).toBe(true);
    }
  });

  it('matches a prefix pattern on whole dotted segments', () => {
    expect(eventTypeMatches('session.*', 'session.started')).toBe(true);
    expect(eventTypeMatches('session.*', 'session.timeout_warning')).toBe(true);
    expect(eventTypeMatches('message.*', 'message.group.completed')).toBe(true);
    expect(eventTypeMatches('message.group.*', 'message.group.completed')).toBe(true);
    expect(eventTypeMatches('message.group.*', 'message.created')).toBe(false);
    expect(eventTypeMatches('session.*', 'sessionx.y')).toBe(false);
    expect(eventTypeMatches('session.*', 'sessions.started')).toBe(false);
    expect(eventTypeMatches('session.*', 'session')).toBe(false);
    expect(eventTypeMatches('session.*', 'contact.session.started')).toBe(false);
  });

  it('matches when any entry of the filter does', () => {
    expect(eventFilterMatches(['contact.created', 'session.*'], 'session.ended')).toBe(true);
    expect(eventFilterMatches(['contact.created', 'session.*'], 'contact.updated')).toBe(false);
    expect(eventFilterMatches([], 'contact.created')).toBe(false);
  });

  it('accepts catalogue types, prefixes that match one, and *; drops duplicates; collapses to * when present', () => {
    expect(parseEventTypes(['session.*', 'contact.created', ' session.* '], WEBHOOK_EVENT_TYPES)).toEqual([
      'session.*',
      'contact.created',
    ]);
    expect(parseEventTypes(['message.group.*'], WEBHOOK_EVENT_TYPES)).toEqual(['message.group.*']);
    expect(parseEventTypes(['contact.created', '*'], WEBHOOK_EVENT_TYPES)).toEqual(['*']);
    expect(parseEventTypes(['webhook.test'], WEBHOOK_EVENT_TYPES)).toEqual(['webhook.test']);
  });

  it.each<[unknown, string]>([
    ['session.*', 'not an array'],
    [[], 'empty'],
    [['Session.Started'], 'upper case'],
    [['session.'], 'trailing dot'],
    [['*.started'], 'suffix wildcard'],
    [['session*'], 'wildcard without dot'],
    [['session.st*'], 'partial wildcard'],
    [['sesion.*'], 'prefix matching no known type'],
    [['session.begun'], 'unknown type'],
    [['contact.created', 42], 'a number'],
    [[''], 'blank'],
    [['*', 'nope'], 'a typo next to *'],
    [Array.from({ length: 51 }, () => 'contact.created'), 'too many'],
  ])('rejects %p (%s) naming eventTypes', (value) => {
    expect(fieldOf(() => parseEventTypes(value, WEBHOOK_EVENT_TYPES))).toBe('eventTypes');
  });
});

describe('routesTo', () => {
  const A = '11111111-1111-4111-8111-111111111111';
  const B = '22222222-2222-4222-8222-222222222222';
  const CHANNEL = '33333333-3333-4333-8333-333333333333';
  const all = { id: A, eventTypes: ['*'], channelId: null };

  it('routes by filter, and by channel when the subscription has a channel filter', () => {
    expect(routesTo({ id: A, eventTypes: ['session.*'], channelId: null }, { type: 'session.started', data: {} })).toBe(
      true,
    );
    expect(routesTo({ id: A, eventTypes: ['session.*'], channelId: null }, { type: 'contact.created', data: {} })).toBe(
      false,
    );
    const channelOnly = { id: A, eventTypes: ['*'], channelId: CHANNEL };
    expect(routesTo(channelOnly, { type: 'message.created', data: { channelId: CHANNEL } })).toBe(true);
    expect(routesTo(channelOnly, { type: 'message.created', data: { channelId: CHANNEL.toUpperCase() } })).toBe(true);
    expect(routesTo(channelOnly, { type: 'message.created', data: { channelId: B } })).toBe(false);
    expect(routesTo(channelOnly, { type: 'contact.created', data: {} })).toBe(false);
  });

  it('sends webhook.test only to the subscription it names, whatever the filter', () => {
    expect(routesTo(all, { type: 'webhook.test', data: { subscriptionId: A } })).toBe(true);
    expect(routesTo(all, { type: 'webhook.test', data: { subscriptionId: B } })).toBe(false);
    expect(
      routesTo(
        { id: A, eventTypes: ['contact.created'], channelId: CHANNEL },
        { type: 'webhook.test', data: { subscriptionId: A } },
      ),
    ).toBe(true);
    expect(routesTo(all, { type: 'webhook.test', data: {} })).toBe(false);
  });

  it('never tells a subscription about its own failures', () => {
    for (const type of ['webhook.delivery_failed', 'webhook.subscription_disabled']) {
      expect(routesTo(all, { type, data: { subscriptionId: A } })).toBe(false);
      expect(routesTo(all, { type, data: { subscriptionId: B } })).toBe(true);
    }
  });
});
