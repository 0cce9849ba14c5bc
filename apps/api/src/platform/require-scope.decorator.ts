import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiSecurity,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { type ApiScope } from '@app/tenant';

export const REQUIRED_SCOPE = 'requiredScope';
/** The security scheme every key-authenticated route names in the OpenAPI document. */
export const API_KEY_SECURITY = 'api-key';

/**
 * The scope an API key needs for this route (`admin` implies `write`, which implies `read`). Every
 * route carries exactly one, or @Public(): ApiKeyGuard refuses a route with neither. Also documents
 * it: the security requirement names the scope, with the 401, 403 and 429 answers.
 */
export const RequireScope = (scope: ApiScope) =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    ApiSecurity(API_KEY_SECURITY, [scope]),
    ApiUnauthorizedResponse({
      description: 'No API key (code API_KEY_MISSING), or not a valid, unrevoked one (API_KEY_INVALID)',
    }),
    ApiForbiddenResponse({ description: `The API key lacks the \`${scope}\` scope (code INSUFFICIENT_SCOPE)` }),
    ApiTooManyRequestsResponse({
      description: "Over the key's rate limit (code RATE_LIMITED); `Retry-After` says how many seconds to wait",
    }),
  );
