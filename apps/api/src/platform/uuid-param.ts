import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailedException } from './error-envelope';

/** A UUID route parameter; anything else is a 400 VALIDATION_FAILED naming the parameter. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () =>
        new ValidationFailedException([{ field: name, code: 'IS_UUID', message: `${name} must be a UUID` }]),
    }),
  );
