import { ValidationError } from '@app/shared';
import { AdConversion, type NewAdConversion } from './ad-conversion.aggregate';

const NOW = new Date('2026-03-10T13:00:01.000Z');

const input = (referral: NewAdConversion['referral']): NewAdConversion => ({
  tenantId: '6f1d2c3b-4a59-4e8f-9d7c-1b2a3c4d5e6f',
  messageId: '1a2b3c4d-0000-4000-8000-000000000010',
  contactId: '1a2b3c4d-0000-4000-8000-000000000002',
  sessionId: '1a2b3c4d-0000-4000-8000-000000000001',
  channelId: '1a2b3c4d-0000-4000-8000-000000000003',
  referral,
});

describe('AdConversion', () => {
  it('records tracking.ad_conversion with the referral (the raw context stays on the row)', () => {
    const raw = {
      externalAdReply: { sourceID: '120210000000000001', thumbnailURL: 'https://x/y.jpg' },
      entryPointConversionApp: 'facebook',
    };
    const conversion = AdConversion.record(
      input({
        sourceType: 'ad',
        sourceId: '120210000000000001',
        sourceUrl: 'https://fb.me/1AbC',
        ctwaClid: 'Afc3',
        title: 'Plano Pro',
        body: 'Fale',
        entryPoint: 'ctwa_ad',
        raw,
      }),
      NOW,
    );
    expect(conversion.toProps()).toMatchObject({ raw, sourceId: '120210000000000001', createdAt: NOW });
    const [event, ...rest] = conversion.pullEvents();
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      type: 'tracking.ad_conversion',
      aggregateType: 'ad_conversion',
      aggregateId: conversion.id,
    });
    expect(event!.data).toEqual({
      id: conversion.id,
      messageId: '1a2b3c4d-0000-4000-8000-000000000010',
      contactId: '1a2b3c4d-0000-4000-8000-000000000002',
      sessionId: '1a2b3c4d-0000-4000-8000-000000000001',
      channelId: '1a2b3c4d-0000-4000-8000-000000000003',
      sourceType: 'ad',
      sourceId: '120210000000000001',
      sourceUrl: 'https://fb.me/1AbC',
      ctwaClid: 'Afc3',
      title: 'Plano Pro',
      body: 'Fale',
      entryPoint: 'ctwa_ad',
      createdAt: NOW.toISOString(),
    });
  });

  it('accepts an opaque referral (only raw data) and cleans NUL characters out of it', () => {
    const conversion = AdConversion.record(input({ raw: { ctwaPayload: 'AAE\u0000x' } }), NOW);
    expect(conversion.toProps().raw).toEqual({ ctwaPayload: 'AAEx' });
    expect(conversion.toProps().sourceId).toBeNull();
  });

  it('refuses a referral without any ad data, and raw data that is not plain JSON', () => {
    const empty = (() => {
      try {
        AdConversion.record(input({ sourceId: '  ', raw: {} }), NOW);
      } catch (error) {
        return error as ValidationError;
      }
      throw new Error('expected a ValidationError');
    })();
    expect(empty).toBeInstanceOf(ValidationError);
    expect(empty.field).toBe('referral');
    expect(() => AdConversion.record(input({ raw: { at: new Date() } as never }), NOW)).toThrow('referral.raw');
    expect(() => AdConversion.record(input({ raw: [] as never }), NOW)).toThrow('referral.raw');
    expect(() => AdConversion.record({ ...input({ sourceId: '1' }), messageId: 'x' }, NOW)).toThrow('messageId');
  });
});
