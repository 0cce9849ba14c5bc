import { ApiPropertyOptional } from '@nestjs/swagger';
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
  ValidateIf,
} from 'class-validator';
import { INBOUND_MODES, type InboundMode } from '@app/channel';
import { ChannelLimits as L, WAHA_URL_OPTIONS } from './channel-settings.constraints';

const isPresent = (_dto: unknown, value: unknown) => value !== undefined;

/** Absent fields stay as they are; null clears an optional setting (it then falls back to its
 *  default) or removes the WAHA API key. */
export class UpdateChannelRequestDto {
  @ApiPropertyOptional({
    description: `Unique in the tenant, ignoring case; 1 to ${L.nameMaxLength} characters`,
    example: 'Sales BR (new)',
    maxLength: L.nameMaxLength,
  })
  @ValidateIf(isPresent)
  @IsString()
  @IsNotEmpty()
  @MaxLength(L.nameMaxLength)
  name?: string;

  @ApiPropertyOptional({
    description: 'Base URL of the WAHA server (absolute http(s))',
    example: 'https://waha2.example.com',
    maxLength: L.baseUrlMaxLength,
  })
  @ValidateIf(isPresent)
  @IsString()
  @IsUrl(WAHA_URL_OPTIONS)
  @MaxLength(L.baseUrlMaxLength)
  wahaBaseUrl?: string;

  @ApiPropertyOptional({
    description: 'WAHA session name: letters, digits, "_" and "-"',
    example: 'sales',
    maxLength: L.sessionMaxLength,
  })
  @ValidateIf(isPresent)
  @IsString()
  @Matches(L.sessionPattern, { message: 'wahaSession may contain only letters, digits, "_" and "-"' })
  @MaxLength(L.sessionMaxLength)
  wahaSession?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'A new WAHA API key (stored encrypted, never shown), or null to remove it',
    example: 'rotated-waha-api-key',
    maxLength: L.apiKeyMaxLength,
  })
  @IsOptional()
  @IsString()
  @MaxLength(L.apiKeyMaxLength)
  wahaApiKey?: string | null;

  @ApiPropertyOptional({ description: 'Process group chats (@g.us)', example: true })
  @ValidateIf(isPresent)
  @IsBoolean()
  allowGroups?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: `Idle seconds before a session closes, ${L.timeoutMinSeconds} to ${L.timeoutMaxSeconds}; null: tenant default`,
    minimum: L.timeoutMinSeconds,
    maximum: L.timeoutMaxSeconds,
    example: 3600,
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
      'Seconds before the timeout to send sessionWarningText; must be less than the timeout and needs a text; null: no warning',
    minimum: L.warningLeadMinSeconds,
    maximum: L.warningLeadMaxSeconds,
    example: 600,
  })
  @IsOptional()
  @IsInt()
  @Min(L.warningLeadMinSeconds)
  @Max(L.warningLeadMaxSeconds)
  sessionWarningLeadSeconds?: number | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: `Message sent before an idle session closes; up to ${L.warningTextMaxLength} characters`,
    example: 'Still there? We will close this chat in 10 minutes.',
    maxLength: L.warningTextMaxLength,
  })
  @IsOptional()
  @IsString()
  @MaxLength(L.warningTextMaxLength)
  sessionWarningText?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: `Debounce window in milliseconds, ${L.debounceMinMs} to ${L.debounceMaxMs}; null: no debouncing`,
    minimum: L.debounceMinMs,
    maximum: L.debounceMaxMs,
    example: 1500,
  })
  @IsOptional()
  @IsInt()
  @Min(L.debounceMinMs)
  @Max(L.debounceMaxMs)
  debounceWindowMs?: number | null;

  @ApiPropertyOptional({
    enum: INBOUND_MODES,
    nullable: true,
    description: 'saga or direct; null: configured default',
    example: 'direct',
  })
  @IsOptional()
  @IsIn(INBOUND_MODES)
  inboundMode?: InboundMode | null;
}
