import { classifyApiRequest, decodePath, matchesPathPattern, RequestStats } from './request-stats';

describe('path patterns', () => {
  it('decodes percent escapes per segment and keeps malformed ones', () => {
    expect(decodePath('/api/default/chats/5511999990001%40c.us/messages')).toBe(
      '/api/default/chats/5511999990001@c.us/messages',
    );
    expect(decodePath('/api/default/chats/%E0%A4%A/messages')).toBe('/api/default/chats/%E0%A4%A/messages');
    expect(decodePath('/api/sendText')).toBe('/api/sendText');
  });

  it('matches prefixes, * as one segment and a trailing $ as the end', () => {
    expect(matchesPathPattern('/api/sendText', '/api/sendText')).toBe(true);
    expect(matchesPathPattern('/api/default/chats/1@c.us/messages', '/api/default/chats/')).toBe(true);
    expect(matchesPathPattern('/api/default/chats', '/api/default/chats/')).toBe(false);
    const pages = '/api/default/chats/*/messages$';
    expect(matchesPathPattern('/api/default/chats/5511-16@g.us/messages', pages)).toBe(true);
    expect(matchesPathPattern('/api/default/chats/1@c.us/messages/true_1@c.us_AC', pages)).toBe(false);
    expect(
      matchesPathPattern('/api/default/chats/1@c.us/messages/true_1@c.us_AC', '/api/default/chats/*/messages'),
    ).toBe(true);
    expect(matchesPathPattern('/api/default/chats/a/b/messages', pages)).toBe(false);
    expect(matchesPathPattern('/api/default/chats', '/api/default/chats$')).toBe(true);
    expect(matchesPathPattern('/api/default/chats/overview', '/api/default/chats$')).toBe(false);
    expect(matchesPathPattern('/api/x.y', '/api/x.y')).toBe(true);
    expect(matchesPathPattern('/api/xzy/z', '/api/x.y/*')).toBe(false);
  });
});

describe('request kinds', () => {
  it('classifies the GOWS routes', () => {
    expect(classifyApiRequest('GET', '/api/default/chats/5511@c.us/messages')).toBe('chat-messages');
    expect(classifyApiRequest('GET', '/api/default/chats/all/messages')).toBe('chat-messages');
    expect(classifyApiRequest('GET', '/api/default/chats/5511@c.us/messages/AC00')).toBe('chat-message');
    expect(classifyApiRequest('GET', '/api/default/chats')).toBe('chats');
    expect(classifyApiRequest('POST', '/api/default/chats/overview')).toBe('chats-overview');
    expect(classifyApiRequest('POST', '/api/sendText')).toBe('send-text');
    expect(classifyApiRequest('GET', '/api/sessions/default')).toBe('sessions');
    expect(classifyApiRequest('GET', '/api/files/default/AC.jpeg')).toBe('files');
    expect(classifyApiRequest('GET', '/api/server/version')).toBe('other');
    expect(classifyApiRequest('POST', '/api/default/chats/5511@c.us/messages')).toBe('other');
  });
});

describe('request counters', () => {
  it('counts served, failed and injected answers, filtered by kind or path', () => {
    const stats = new RequestStats();
    const page = (chat: string) => `/api/default/chats/${chat}/messages`;
    stats.record('GET', page('1@c.us'), 200, false);
    stats.record('GET', page('1@c.us'), 200, false);
    stats.record('GET', page('2@c.us'), 503, true);
    stats.record('GET', page('2@c.us'), 429, true);
    stats.record('GET', page('2@c.us'), 400, false);
    stats.record('GET', '/api/default/chats', 200, false);
    stats.record('POST', '/api/sendText', 201, false);

    expect(stats.query()).toMatchObject({
      total: 7,
      served: 4,
      failed: 3,
      injected: 2,
      byStatus: { 200: 3, 201: 1, 400: 1, 429: 1, 503: 1 },
    });
    expect(stats.query().byKind['send-text']).toEqual({
      total: 1,
      served: 1,
      failed: 0,
      injected: 0,
      byStatus: { 201: 1 },
    });
    expect(stats.query({ kind: 'chat-messages' })).toEqual({
      total: 5,
      served: 2,
      failed: 3,
      injected: 2,
      byStatus: { 200: 2, 400: 1, 429: 1, 503: 1 },
      byKind: {
        'chat-messages': { total: 5, served: 2, failed: 3, injected: 2, byStatus: { 200: 2, 400: 1, 429: 1, 503: 1 } },
      },
    });
    expect(stats.query({ path: page('2@c.us') })).toMatchObject({ total: 3, served: 0, failed: 3 });
    expect(stats.query({ path: '/api/default/chats/*/messages$' }).total).toBe(5);
    stats.clear();
    expect(stats.query()).toEqual({ total: 0, served: 0, failed: 0, injected: 0, byStatus: {}, byKind: {} });
  });
});
