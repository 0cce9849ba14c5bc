import { createDecipheriv, randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import {
  AesGcmPayloadCodec,
  parsePayloadKeys,
  PayloadEncryptionError,
  temporalDataConverter,
} from './payload-encryption';
import { temporalConfig } from './temporal.config';

const newKey = () => randomBytes(32).toString('base64');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const codecOf = (spec: string) => new AesGcmPayloadCodec(parsePayloadKeys(spec));
const json = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

describe('AesGcmPayloadCodec', () => {
  const input = { phone: '5511987654321', text: 'Olá, quero falar do meu pedido' };

  it('round-trips: the encoded payload names the key, hides the value, and decodes to the original', async () => {
    const codec = codecOf(`k1:${newKey()}`);
    const original = [json(input), json(null), json('second')];
    const encoded = await codec.encode(original);
    expect(encoded).toHaveLength(3);
    for (const payload of encoded) {
      expect(text(payload.metadata?.encoding)).toBe('binary/encrypted');
      expect(text(payload.metadata?.['encryption-key-id'])).toBe('k1');
      expect(Object.keys(payload.metadata ?? {}).sort()).toEqual(['encoding', 'encryption-key-id']);
    }
    const bytes = Buffer.from(encoded[0]!.data!);
    expect(bytes.includes(input.phone)).toBe(false);
    expect(bytes.includes('pedido')).toBe(false);
    expect(bytes.includes('json/plain')).toBe(false);

    const decoded = await codec.decode(encoded);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([input, null, 'second']);
    expect(
      decoded.map((p) => Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, text(v)]))),
    ).toEqual(original.map((p) => Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, text(v)]))));
    expect(await codec.encode([])).toEqual([]);
  });

  it('uses a fresh IV per payload: the same value never encrypts to the same bytes', async () => {
    const codec = codecOf(`k1:${newKey()}`);
    const [a, b] = await codec.encode([json(input), json(input)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  it("writes Temporal's layout: iv | ciphertext | tag over the protobuf-encoded Payload (what other codec servers read)", async () => {
    const key = randomBytes(32);
    const [encoded] = await new AesGcmPayloadCodec(parsePayloadKeys(`k1:${key.toString('base64')}`)).encode([
      json(input),
    ]);
    const data = Buffer.from(encoded!.data!);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const inner = temporal.api.common.v1.Payload.decode(
      Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]),
    );
    expect(text(inner.metadata.encoding)).toBe('json/plain');
    expect(JSON.parse(text(inner.data))).toEqual(input);
  });

  it('detects tampering: a changed ciphertext, tag or IV, or a truncated payload, fails authentication with a clear error', async () => {
    const codec = codecOf(`k1:${newKey()}`);
    const [encoded] = await codec.encode([json(input)]);
    const flipped = (index: number): Payload => {
      const data = Buffer.from(encoded!.data!);
      data[index < 0 ? data.length + index : index]! ^= 0x01;
      return { metadata: encoded!.metadata, data };
    };
    for (const index of [0, 12, 20, -1]) {
      await expect(codec.decode([flipped(index)])).rejects.toThrow(
        new PayloadEncryptionError(
          'encrypted payload failed authentication with key "k1": it was altered or encrypted with another key of that id',
        ),
      );
    }
    await expect(
      codec.decode([{ metadata: encoded!.metadata, data: Buffer.from(encoded!.data!).subarray(0, 20) }]),
    ).rejects.toThrow(/key "k1"\) is truncated: 20 bytes/);
    // The same id with other key material (a key replaced instead of rotated) cannot pass as the original.
    await expect(codecOf(`k1:${newKey()}`).decode([encoded!])).rejects.toThrow(/failed authentication with key "k1"/);
  });

  it('rotates: the new key encrypts, the old key still decrypts what it wrote, a dropped key is named in the error', async () => {
    const k1 = newKey();
    const k2 = newKey();
    const before = codecOf(`k1:${k1}`);
    const [old] = await before.encode([json(input)]);

    // Step 1 of a rotation: the new key listed second decrypts, the first still encrypts.
    const staged = codecOf(`k1:${k1},k2:${k2}`);
    const [stagedPayload] = await staged.encode([json(input)]);
    expect(text(stagedPayload!.metadata?.['encryption-key-id'])).toBe('k1');
    const [writtenWithK2] = await codecOf(`k2:${k2}`).encode([json(input)]);
    expect(defaultPayloadConverter.fromPayload((await staged.decode([writtenWithK2!]))[0]!)).toEqual(input);

    const rotated = codecOf(`k2:${k2},k1:${k1}`);
    expect(rotated.currentKeyId).toBe('k2');
    expect(defaultPayloadConverter.fromPayload((await rotated.decode([old!]))[0]!)).toEqual(input);
    const [fresh] = await rotated.encode([json(input)]);
    expect(text(fresh!.metadata?.['encryption-key-id'])).toBe('k2');
    // A process still on the old key list cannot read the new key's payloads, and says why.
    await expect(before.decode([fresh!])).rejects.toThrow(
      'payload was encrypted with key "k2", which TEMPORAL_PAYLOAD_KEYS does not hold (it holds: k1)',
    );

    const retired = codecOf(`k2:${k2}`);
    await expect(retired.decode([old!])).rejects.toThrow(
      'payload was encrypted with key "k1", which TEMPORAL_PAYLOAD_KEYS does not hold (it holds: k2)',
    );
    await expect(new AesGcmPayloadCodec([]).decode([old!])).rejects.toThrow(
      'key "k1", which TEMPORAL_PAYLOAD_KEYS does not hold (it holds: none)',
    );
    await expect(
      rotated.decode([{ metadata: { encoding: Buffer.from('binary/encrypted') }, data: old!.data }]),
    ).rejects.toThrow('encrypted payload has no encryption-key-id metadata');
  });

  it('passes plaintext payloads through on decode (histories from before encryption), and encrypts nothing without keys', async () => {
    const codec = codecOf(`k1:${newKey()}`);
    const plain = [
      json(input),
      defaultPayloadConverter.toPayload(undefined),
      { metadata: {}, data: Buffer.from('raw') },
    ];
    const [encrypted] = await codec.encode([json('mixed in')]);
    const decoded = await codec.decode([...plain, encrypted!]);
    expect(decoded.slice(0, 3)).toEqual(plain);
    expect(defaultPayloadConverter.fromPayload(decoded[3]!)).toBe('mixed in');

    const { payloadCodecs } = temporalDataConverter([]);
    expect(payloadCodecs[0].currentKeyId).toBeUndefined();
    expect(await payloadCodecs[0].encode(plain)).toEqual(plain);
    expect(await payloadCodecs[0].decode(plain)).toEqual(plain);
  });
});

describe('TEMPORAL_PAYLOAD_KEYS', () => {
  it('parses ids and keys in order, the first being the current key, and never shows key material', () => {
    const keys = parsePayloadKeys(` 2026-12.b:${newKey()} , old_1:${newKey()}`);
    expect(keys.map((k) => k.id)).toEqual(['2026-12.b', 'old_1']);
    expect(keys[0]!.key.symmetricKeySize).toBe(32);
    expect(JSON.stringify(keys)).not.toMatch(/[A-Za-z0-9+/]{43}=/);
    expect(parsePayloadKeys(undefined)).toEqual([]);
    expect(parsePayloadKeys('  ')).toEqual([]);
  });

  it.each([
    [
      'a key of the wrong size',
      `k1:${randomBytes(16).toString('base64')}`,
      'key "k1" decodes to 16 bytes, AES-256 needs 32',
    ],
    ['a key that is not base64', `k1:${newKey().slice(0, 40)}!!!=`, 'key "k1" is not valid base64'],
    ['a missing key id', newKey(), 'entry 1 must start with a key id'],
    ['a key id with other characters', `k 1:${newKey()}`, 'entry 1 must start with a key id'],
    ['an empty entry', `k1:${newKey()},`, 'entry 2 must start with a key id'],
    ['the same id twice', `k1:${newKey()},k2:${newKey()},k1:${newKey()}`, 'key id "k1" appears twice'],
  ])('rejects %s, naming the variable', (_case, value, problem) => {
    expect(() => parsePayloadKeys(value)).toThrow(`TEMPORAL_PAYLOAD_KEYS: ${problem}`);
  });

  it('is validated with the rest of the Temporal config at start', () => {
    const saved = process.env.TEMPORAL_PAYLOAD_KEYS;
    try {
      process.env.TEMPORAL_PAYLOAD_KEYS = 'k1:short';
      expect(() => temporalConfig()).toThrow(/Invalid configuration:\n {2}TEMPORAL_PAYLOAD_KEYS: key "k1"/);
      process.env.TEMPORAL_PAYLOAD_KEYS = `k1:${newKey()}`;
      expect(temporalConfig().payloadKeys.map((k) => k.id)).toEqual(['k1']);
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_PAYLOAD_KEYS;
      else process.env.TEMPORAL_PAYLOAD_KEYS = saved;
    }
  });
});
