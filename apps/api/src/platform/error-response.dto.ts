import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import type { ErrorEnvelope, FieldError } from './error-envelope';

@ApiSchema({ name: 'FieldError', description: 'One failing input of a VALIDATION_FAILED answer' })
export class FieldErrorDto implements FieldError {
  @ApiProperty({
    description: 'A body property (nested with dots, array items as [i]), a query parameter or a path parameter',
    example: 'settings.sessionTimeoutMinutes',
  })
  field!: string;

  @ApiPropertyOptional({
    description:
      'The rule the input broke, when known (UPPER_SNAKE; UNKNOWN_PROPERTY for a property the route does not take)',
    example: 'MAX',
  })
  code?: string;

  @ApiProperty({ example: 'settings.sessionTimeoutMinutes must not be greater than 1440' })
  message!: string;
}

@ApiSchema({
  name: 'ErrorResponse',
  description:
    'The body of every error answer (see docs/errors.md). Some codes add properties of their own, e.g. runningImportId.',
})
export class ErrorResponseDto implements ErrorEnvelope {
  [extra: string]: unknown;

  @ApiProperty({ type: 'integer', description: 'The HTTP status, repeated', example: 400 })
  statusCode!: number;

  @ApiProperty({ description: 'The HTTP reason phrase of statusCode', example: 'Bad Request' })
  error!: string;

  @ApiProperty({
    description:
      'Stable machine-readable code, UPPER_SNAKE; codes of a resource are prefixed with it (CONTACT.NOT_FOUND). ' +
      'E.g. VALIDATION_FAILED, MALFORMED_JSON, API_KEY_MISSING, API_KEY_INVALID, ROUTE_NOT_FOUND, PAYLOAD_TOO_LARGE, RATE_LIMITED, ' +
      'INTERNAL_ERROR, DATABASE_UNAVAILABLE, TEMPORAL_UNAVAILABLE',
    example: 'VALIDATION_FAILED',
    pattern: '^[A-Z][A-Z0-9_]*(\\.[A-Z][A-Z0-9_]*)*$',
  })
  code!: string;

  @ApiProperty({
    description: 'For people: what went wrong, naming the field',
    example: 'limit must not be greater than 100',
  })
  message!: string;

  @ApiPropertyOptional({
    description: 'The input the error is about; on VALIDATION_FAILED the first of errors',
    example: 'limit',
  })
  field?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'On VALIDATION_FAILED: every failing input' })
  errors?: FieldErrorDto[];
}
