import { buildSeed, SEED_ANCHOR_SECONDS, SEED_STEP_SECONDS, seedPhone } from './seed';

describe('seeded data set', () => {
  it('is deterministic', () => {
    expect(buildSeed(3, 12)).toEqual(buildSeed(3, 12));
    expect(seedPhone(7)).toBe('5521900000007');
  });

  it('has N chats x M messages, 60 s apart, chat 1 newest, mixed directions, images and an ad', () => {
    const seed = buildSeed(5, 10);
    expect(seed).toHaveLength(5);
    expect(seed.every((c) => c.messages.length === 10)).toBe(true);
    expect(seed[0].messages[9].timestamp).toBe(SEED_ANCHOR_SECONDS);
    expect(seed[0].messages[8].timestamp).toBe(SEED_ANCHOR_SECONDS - SEED_STEP_SECONDS);
    expect(seed[1].messages[9].timestamp).toBe(SEED_ANCHOR_SECONDS - 10 * SEED_STEP_SECONDS);
    const all = seed.flatMap((c) => c.messages);
    expect(new Set(all.map((m) => m.timestamp)).size).toBe(50);
    expect(new Set(all.map((m) => m.rawId)).size).toBe(50);
    expect(all.filter((m) => m.fromMe).every((m) => /^3EB0[0-9A-F]{18}$/.test(m.rawId))).toBe(true);
    expect(all.filter((m) => !m.fromMe).every((m) => /^AC[0-9A-F]{30}$/.test(m.rawId))).toBe(true);
    expect(seed[0].messages.filter((m) => m.fromMe)).toHaveLength(3);
    expect(seed[0].messages[4].image).toBe(true);
    expect(seed[0].messages[0].adReferral).not.toBeNull();
    expect(seed[1].messages[0].adReferral).toBeNull();
    expect(seed[4].messages[0].adReferral).not.toBeNull();
  });
});
