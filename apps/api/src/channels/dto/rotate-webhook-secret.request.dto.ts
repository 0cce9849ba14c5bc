import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { ChannelLimits as L } from './channel-settings.constraints';

/** The body is optional: without one a new secret is generated. */
export class RotateWebhookSecretRequestDto {
  @ApiPropertyOptional({
    description: `The new HMAC secret (${L.webhookSecretMinLength} to ${L.webhookSecretMaxLength} printable characters, no spaces); generated (32 random bytes, hex) when absent`,
    example: 'my-new-webhook-hmac-secret-2026',
    minLength: L.webhookSecretMinLength,
    maxLength: L.webhookSecretMaxLength,
  })
  @IsOptional()
  @IsString()
  @MinLength(L.webhookSecretMinLength)
  @MaxLength(L.webhookSecretMaxLength)
  webhookSecret?: string;
}
