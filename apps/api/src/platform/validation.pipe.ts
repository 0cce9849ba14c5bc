import { ValidationPipe } from '@nestjs/common';
import { fieldErrorsOf, ValidationFailedException } from './error-envelope';

/** Bodies and queries are checked against their DTOs: unknown properties are refused, and a refusal
 *  is a VALIDATION_FAILED naming every failing input. */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => new ValidationFailedException(fieldErrorsOf(errors)),
  });
}
