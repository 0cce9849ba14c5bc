import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { CHANNEL_TYPES, type ChannelType, INBOUND_MODES, type InboundMode } from '@app/channel';
import { ChannelLimits as L, WAHA_URL_OPTIONS } from './channel-settings.constraints';

export class CreateChannelRequestDto {
  @ApiProperty({
    description: `Unique in the tenant, ignoring case; 1 to ${L.nameMaxLength} characters`,
    example: 'Sales BR',
    maxLength: L.nameMaxLength,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(L.nameMaxLength)
  name!: string;

  @ApiPropertyOptional({ enum: CHANNEL_TYPES, default: 'waha', example: 'waha' })
  @IsOptional()
  @IsIn(CHANNEL_TYPES)
  type?: ChannelType;

  @ApiProperty({
    description:
      'Base URL of the WAHA server: absolute http(s), a path prefix is allowed; no credentials, query or fragment',
    example: 'https://waha.example.com',
    maxLength: L.baseUrlMaxLength,
  })
  @IsString()
  @IsUrl(WAHA_URL_OPTIONS)
  @MaxLength(L.baseUrlMaxLength)
  wahaBaseUrl!: string;

  @ApiPropertyOptional({
    description: `WAHA session name: letters, digits, "_" and "-", up to ${L.sessionMaxLength} characters`,
    default: 'default',
    example: 'default',
    maxLength: L.sessionMaxLength,
  })
  @IsOptional()
  @IsString()
  @Matches(L.sessionPattern, { message: 'wahaSession may contain only letters, digits, "_" and "-"' })
  @MaxLength(L.sessionMaxLength)
  wahaSession?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: `WAHA API key sent as X-Api-Key (stored encrypted, never shown again); up to ${L.apiKeyMaxLength} printable characters`,
    example: 'waha-secret-api-key',
    maxLength: L.apiKeyMaxLength,
  })
  @IsOptional()
  @IsString()
  @MaxLength(L.apiKeyMaxLength)
  wahaApiKey?: string | null;

  @ApiPropertyOptional({
    description: `HMAC secret WAHA signs webhooks with (${L.webhookSecretMinLength} to ${L.webhookSecretMaxLength} printable characters, no spaces). Generated (32 random bytes, hex) when absent; returned once in this answer.`,
    example: 'my-own-webhook-hmac-secret-2025',
    minLength: L.webhookSecretMinLength,
    maxLength: L.webhookSecretMaxLength,
  })
  @IsOptional()
  @IsString()
  @MinLength(L.webhookSecretMinLength)
  @MaxLength(L.webhookSecretMaxLength)
  webhookSecret?: string;

  @ApiPropertyOptional({ description: 'Process group chats (@g.us)', default: false, example: false })
  @IsOptional()
  @IsBoolean()
  allowGroups?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: `Idle seconds before a session closes, ${L.timeoutMinSeconds} to ${L.timeoutMaxSeconds}; null or absent: tenant default (30 minutes without one)`,
    minimum: L.timeoutMinSeconds,
    maximum: L.timeoutMaxSeconds,
    example: 1800,
  })
  @IsOptional()
  @IsInt()
  @Min(L.timeoutMinSeconds)
  @Max(L.timeoutMaxSeconds)
  sessionTimeoutSeconds?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description:
      'Seconds before the timeout at which sessionWarningText is sent; must be less than sessionTimeoutSeconds and needs sessionWarningText. null or absent: no warning',
    minimum: L.warningLeadMinSeconds,
    maximum: L.warningLeadMaxSeconds,
    example: 300,
  })
  @IsOptional()
  @IsInt()
  @Min(L.warningLeadMinSeconds)
  @Max(L.warningLeadMaxSeconds)
  sessionWarningLeadSeconds?: number | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: `Message sent to the contact before an idle session closes; required with sessionWarningLeadSeconds; up to ${L.warningTextMaxLength} characters`,
    example: 'Are you still there? This conversation closes in 5 minutes.',
    maxLength: L.warningTextMaxLength,
  })
  @IsOptional()
  @IsString()
  @MaxLength(L.warningTextMaxLength)
  sessionWarningText?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: `Milliseconds to wait for more messages before handling a burst as one group, ${L.debounceMinMs} to ${L.debounceMaxMs}; null or absent: no debouncing`,
    minimum: L.debounceMinMs,
    maximum: L.debounceMaxMs,
    example: 2000,
  })
  @IsOptional()
  @IsInt()
  @Min(L.debounceMinMs)
  @Max(L.debounceMaxMs)
  debounceWindowMs?: number | null;

  @ApiPropertyOptional({
    enum: INBOUND_MODES,
    nullable: true,
    description:
      'How inbound messages are processed: saga (Temporal workflow) or direct (one transaction); null or absent: configured default',
    example: 'saga',
  })
  @IsOptional()
  @IsIn(INBOUND_MODES)
  inboundMode?: InboundMode | null;
}
