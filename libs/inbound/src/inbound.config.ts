import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { validateConfig } from '@app/shared';
import { type InboundMode } from './domain/inbound-mode';

export class InboundEnv {
  /** Default path for inbound messages of channels that do not choose one. */
  @IsOptional()
  @IsIn(['saga', 'direct'])
  INBOUND_MODE: InboundMode = 'saga';

  /** With INBOUND_MODE=saga: the share of messages (by message id) that take the saga; the rest go direct. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  INBOUND_SAGA_PERCENT: number = 100;
}

export const inboundConfig = registerAs('inbound', () => {
  const env = validateConfig(InboundEnv, process.env);
  return { defaultMode: env.INBOUND_MODE, sagaPercent: env.INBOUND_SAGA_PERCENT };
});
export type InboundConfig = ReturnType<typeof inboundConfig>;
