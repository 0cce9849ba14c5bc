import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { type DataConverter, METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { Field, MapField, Root, Type } from 'protobufjs';

/** The variable that holds the keys; errors name it so a misconfigured process says what to fix. */
export const PAYLOAD_KEYS_VARIABLE = 'TEMPORAL_PAYLOAD_KEYS';
/** The metadata Temporal's own samples and codec servers use for encrypted payloads. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface PayloadKey {
  id: string;
  /** A KeyObject, so the key material never shows in a logged or inspected config. */
  key: KeyObject;
}

/** A payload this process cannot decrypt (unknown key id, tampered or truncated data). */
export class PayloadEncryptionError extends Error {
  override readonly name = 'PayloadEncryptionError';
}

/**
 * Parses `<id>:<base64 of 32 bytes>[,<id>:<key>...]`. The first key encrypts; every key decrypts, so
 * a rotation lists the new key second (all pods can read it), then first, and drops the old one once no history needs it. Empty or
 * unset means no encryption (payloads are written as plain JSON, as before).
 */
export function parsePayloadKeys(raw: string | undefined): PayloadKey[] {
  if (!raw?.trim()) return [];
  const fail = (problem: string): never => {
    throw new Error(
      `Invalid configuration:\n  ${PAYLOAD_KEYS_VARIABLE}: ${problem} (expected "<id>:<base64 of 32 random bytes>", comma-separated, current key first)`,
    );
  };
  const keys = raw.split(',').map((entry, index): PayloadKey => {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator).trim();
    const encoded = entry.slice(separator + 1).trim();
    if (separator < 0 || !KEY_ID.test(id))
      fail(`entry ${index + 1} must start with a key id of letters, digits, ".", "_" or "-", then ":"`);
    const key = Buffer.from(encoded, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || key.toString('base64') !== encoded)
      fail(`key "${id}" is not valid base64`);
    if (key.length !== 32) fail(`key "${id}" decodes to ${key.length} bytes, AES-256 needs 32`);
    return { id, key: createSecretKey(key) };
  });
  const seen = new Set<string>();
  for (const { id } of keys) {
    if (seen.has(id)) fail(`key id "${id}" appears twice`);
    seen.add(id);
  }
  return keys;
}

/** temporal.api.common.v1.Payload (fields 1 and 2): the whole inner payload, its own metadata
 *  included, is what gets encrypted. Defined here to keep to the protobufjs we depend on directly. */
const PayloadMessage = new Type('Payload')
  .add(new MapField('metadata', 1, 'string', 'bytes'))
  .add(new Field('data', 2, 'bytes'));
new Root().add(PayloadMessage);

/**
 * AES-256-GCM payload codec. An encrypted payload is `{ encoding: binary/encrypted,
 * encryption-key-id: <id> }` with data `iv (12 bytes) | ciphertext | auth tag (16 bytes)`, the layout
 * of Temporal's encryption samples. Decoding passes payloads without that encoding through unchanged
 * (histories written before encryption was turned on, or by a process without keys).
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, KeyObject>;

  constructor(private readonly keys: readonly PayloadKey[]) {
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  /** The key new payloads are encrypted with; none means encoding leaves payloads as they are. */
  get currentKeyId(): string | undefined {
    return this.keys[0]?.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const current = this.keys[0];
    if (!current) return payloads;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      const plaintext = PayloadMessage.encode(PayloadMessage.fromObject(payload)).finish();
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(current.id) },
        data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private decrypt(payload: Payload): Payload {
    const keyId = payload.metadata?.[KEY_ID_METADATA];
    if (!keyId) throw new PayloadEncryptionError(`encrypted payload has no ${KEY_ID_METADATA} metadata`);
    const id = Buffer.from(keyId).toString('utf8');
    const key = this.byId.get(id);
    if (!key) {
      const held = this.keys.length ? this.keys.map((k) => k.id).join(', ') : 'none';
      throw new PayloadEncryptionError(
        `payload was encrypted with key "${id}", which ${PAYLOAD_KEYS_VARIABLE} does not hold (it holds: ${held})`,
      );
    }
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadEncryptionError(`encrypted payload (key "${id}") is truncated: ${data.length} bytes`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadEncryptionError(
        `encrypted payload failed authentication with key "${id}": it was altered or encrypted with another key of that id`,
      );
    }
    const inner = PayloadMessage.toObject(PayloadMessage.decode(plaintext)) as Payload;
    return { metadata: inner.metadata ?? {}, data: inner.data ?? new Uint8Array() };
  }
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && encoding !== null && Buffer.from(encoding).toString('utf8') === ENCRYPTED_ENCODING;
}

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** The data converter every Client, Worker and replay of this deployment uses. The codec is always
 *  there: without keys it encrypts nothing, and an encrypted payload then fails with an error naming
 *  its key id instead of an unknown-encoding error from deep inside the SDK. */
export function temporalDataConverter(
  payloadKeys: readonly PayloadKey[],
): DataConverter & { payloadCodecs: [AesGcmPayloadCodec] } {
  return { payloadCodecs: [new AesGcmPayloadCodec(payloadKeys)] };
}
