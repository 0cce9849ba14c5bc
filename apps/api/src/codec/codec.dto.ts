import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type Payload } from '@temporalio/common';
import { ValidationError } from '@app/shared';

/** A Payload in protobuf's JSON form, as the Temporal UI and CLI send and expect it. */
export class JsonPayloadDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string', format: 'byte' }, example: { encoding: 'YmluYXJ5L2VuY3J5cHRlZA==' } })
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

/** The body's payloads, or a 400 naming the field. Fields protobuf JSON may add that a codec has no
 *  use for are ignored (the Temporal UI forwards payloads as the server gave them). */
export function payloadsFromJson(body: unknown): Payload[] {
  const list = (body as { payloads?: unknown } | null)?.payloads;
  if (!Array.isArray(list)) throw new ValidationError('payloads', 'must be an array of payloads ({ metadata, data })');
  return list.map((item: unknown, index) => {
    const field = `payloads[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new ValidationError(field, 'must be an object');
    const { metadata = {}, data = '' } = item as { metadata?: unknown; data?: unknown };
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw new ValidationError(`${field}.metadata`, 'must be an object of base64 strings');
    const bytes = (value: unknown, name: string): Buffer => {
      if (typeof value !== 'string' || !BASE64.test(value)) throw new ValidationError(name, 'must be a base64 string');
      return Buffer.from(value, 'base64');
    };
    return {
      metadata: Object.fromEntries(Object.entries(metadata).map(([key, value]) => [key, bytes(value, `${field}.metadata.${key}`)])),
      data: bytes(data, `${field}.data`),
    };
  });
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
