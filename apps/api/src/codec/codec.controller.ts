import { Body, Controller, Headers, HttpCode, Logger, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { type Payload } from '@temporalio/common';
import { RuleViolationError, ValidationError } from '@app/shared';
import { PayloadEncryptionError, TemporalClientProvider } from '@app/workflows';
import { CurrentTenant } from '../platform/current-tenant.decorator';
import { RequireScope } from '../platform/require-scope.decorator';
import { JsonPayloadsDto, payloadsFromJson, payloadsToJson } from './codec.dto';

const NAMESPACE_HEADER = 'x-namespace';

/**
 * Temporal's remote codec protocol, for the Temporal UI (`codec endpoint` setting) and the CLI
 * (`--codec-endpoint`): `POST {base}/encode` and `{base}/decode` with `{ payloads: [...] }` in
 * protobuf JSON. It uses this deployment's payload keys (TEMPORAL_PAYLOAD_KEYS).
 *
 * Whoever can call it reads every payload in the namespace, whatever tenant it belongs to (histories
 * are not split by tenant): it is an operator's tool and must be limited to admin keys.
 */
@ApiTags('codec')
@ApiHeader({
  name: 'X-Namespace',
  required: false,
  description: "The Temporal namespace (sent by the UI and CLI); must be this deployment's",
})
@Controller('v1/codec')
export class CodecController {
  private readonly logger = new Logger(CodecController.name);

  constructor(private readonly temporal: TemporalClientProvider) {}

  @Post('encode')
  @RequireScope('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Encrypt payloads with the current key (unchanged when no key is configured)' })
  @ApiBody({ type: JsonPayloadsDto })
  @ApiOkResponse({ type: JsonPayloadsDto })
  @ApiBadRequestResponse({ description: 'malformed body, or another namespace in X-Namespace' })
  encode(
    @CurrentTenant() tenantId: string,
    @Headers(NAMESPACE_HEADER) namespace: string | undefined,
    @Body() body: unknown,
  ): Promise<JsonPayloadsDto> {
    return this.run('encode', tenantId, namespace, body);
  }

  @Post('decode')
  @RequireScope('admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decrypt payloads (plaintext ones come back unchanged)' })
  @ApiBody({ type: JsonPayloadsDto })
  @ApiOkResponse({ type: JsonPayloadsDto })
  @ApiBadRequestResponse({ description: 'malformed body, or another namespace in X-Namespace' })
  @ApiUnprocessableEntityResponse({ description: 'a payload cannot be decrypted: unknown key id, or altered' })
  decode(
    @CurrentTenant() tenantId: string,
    @Headers(NAMESPACE_HEADER) namespace: string | undefined,
    @Body() body: unknown,
  ): Promise<JsonPayloadsDto> {
    return this.run('decode', tenantId, namespace, body);
  }

  private async run(
    operation: 'encode' | 'decode',
    tenantId: string,
    namespace: string | undefined,
    body: unknown,
  ): Promise<JsonPayloadsDto> {
    const served = this.temporal.config.namespace;
    if (namespace !== undefined && namespace !== served) {
      throw new ValidationError(
        'X-Namespace',
        `"${namespace}" is not the namespace this deployment's keys belong to (${served})`,
      );
    }
    const payloads = payloadsFromJson(body);
    const [codec] = this.temporal.dataConverter.payloadCodecs;
    // One payload at a time, so an error names the one that failed.
    const done: Payload[] = [];
    for (const [index, payload] of payloads.entries()) {
      try {
        done.push(...(await codec[operation]([payload])));
      } catch (err) {
        if (err instanceof PayloadEncryptionError)
          throw new RuleViolationError(
            'PAYLOAD_NOT_DECRYPTABLE',
            `payloads[${index}]: ${err.message}`,
            `payloads[${index}]`,
          );
        throw err;
      }
    }
    // An audit line: who read or wrote which namespace's payloads.
    this.logger.log({ tenantId, namespace: served, payloads: payloads.length }, `codec ${operation}`);
    return payloadsToJson(done);
  }
}
