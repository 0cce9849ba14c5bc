import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

export class ConfigValidationError extends Error {}

/** Validates env-derived config against a class-validator class. The message names every bad
 *  variable, so a misconfigured process stops at boot with a useful line. */
export function validateConfig<T extends object>(cls: new () => T, env: Record<string, unknown>): T {
  const instance = plainToInstance(cls, env, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: true, skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigValidationError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return instance;
}

/** Env booleans: 'true'/'1'/'yes' are true, 'false'/'0'/'no' false; anything else stays as is so the
 *  validator rejects it by name. (Implicit conversion would turn the string 'false' into true.) */
export function parseBooleanEnv(raw: unknown): unknown {
  if (typeof raw === 'boolean' || raw === undefined) return raw;
  const text = String(raw).trim().toLowerCase();
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  return raw;
}
