import { BadRequestException, Param, ParseUUIDPipe } from '@nestjs/common';

/** A UUID route parameter; anything else is a 400 naming the parameter. */
export const UuidParam = (name = 'id') =>
  Param(name, new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException(`${name} must be a UUID`) }));
