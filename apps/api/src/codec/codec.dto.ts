import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type Payload } from '@temporalio/common';
import { type FieldError, ValidationFailedException } from '../platform/error-envelope';

/** A Payload in protobuf's JSON form, as the Temporal UI and CLI send and expect it. */
export class JsonPayloadDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', format: 'byte' },
    example: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==' },
  })
  metadata?: Record<string, string>;

  @ApiPropertyOptional({ type: 'string', format: 'byte', description: 'base64' })
  data?: string;
}

/** Body and answer of `encode` and `decode` (temporal.api.common.v1.Payloads). */
export class JsonPayloadsDto {
  @ApiProperty({ type: [JsonPayloadDto] })
  payloads!: JsonPayloadDto[];
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The body's payloads, or a 400 naming every field that is wrong. Fields protobuf JSON may add to
 *  a payload that a codec has no use for are ignored (the Temporal UI forwards payloads as the server
 *  gave them); the body itself holds `payloads` only. */
export function payloadsFromJson(body: unknown): Payload[] {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string, code?: string) =>
    errors.push({ field, message: `${field}: ${message}`, ...(code ? { code } : {}) });
  const object =
    typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const list = object.payloads;
  if (!Array.isArray(list)) fail('payloads', 'must be an array of payloads ({ metadata, data })');
  for (const unknown of Object.keys(object).filter((key) => key !== 'payloads'))
    fail(unknown, 'is not a property of the body', 'UNKNOWN_PROPERTY');

  const bytes = (value: unknown, name: string): Buffer => {
    if (typeof value === 'string' && BASE64.test(value)) return Buffer.from(value, 'base64');
    fail(name, 'must be a base64 string');
    return Buffer.alloc(0);
  };
  const payloads = (Array.isArray(list) ? list : []).map((item: unknown, index): Payload => {
    const field = `payloads[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      fail(field, 'must be an object');
      return {};
    }
    const { metadata = {}, data = '' } = item as { metadata?: unknown; data?: unknown };
    const metadataOk = typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata);
    if (!metadataOk) fail(`${field}.metadata`, 'must be an object of base64 strings');
    return {
      metadata: metadataOk
        ? Object.fromEntries(
            Object.entries(metadata).map(([key, value]) => [key, bytes(value, `${field}.metadata.${key}`)]),
          )
        : {},
      data: bytes(data, `${field}.data`),
    };
  });
  if (errors.length > 0) throw new ValidationFailedException(errors);
  return payloads;
}

export function payloadsToJson(payloads: Payload[]): JsonPayloadsDto {
  const base64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('base64');
  return {
    payloads: payloads.map((payload) => ({
      metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, base64(value)])),
      data: base64(payload.data),
    })),
  };
}
