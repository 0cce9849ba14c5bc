import type { OpenAPIObject, OperationObject, ParameterObject, ReferenceObject, ResponseObject } from '@nestjs/swagger';
import { RETRY_AFTER_SECONDS } from './error-envelope';

export const ERROR_RESPONSE_SCHEMA = 'ErrorResponse';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;

/**
 * Documents on every operation the error answers it can give, each with the ErrorResponse body. The
 * ones that follow from the operation's shape are added here, so a new route is covered without a
 * decorator: 400 for a body, query or path parameters (all validated), 413 and MALFORMED_JSON for a
 * body, 404 for a path parameter (an id), 401 and 503 on a route that needs an API key (the key is
 * checked against the database), 500 everywhere. Answers a route declares itself (409, 422, the 503 of
 * a public route, ...) keep their description and get the body.
 */
export function documentErrorResponses(document: OpenAPIObject): OpenAPIObject {
  for (const pathItem of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = pathItem[method];
      if (operation) documentOperation(operation, document);
    }
  }
  return document;
}

function documentOperation(operation: OperationObject, document: OpenAPIObject): void {
  const parameters = (operation.parameters ?? []).filter((p): p is ParameterObject => !('$ref' in p));
  const pathParameters = parameters.filter((p) => p.in === 'path').map((p) => p.name);
  const queryParameters = parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const hasBody = operation.requestBody !== undefined;
  const secured = (operation.security ?? document.security ?? []).length > 0;

  const implied: Record<number, string> = {};
  if (hasBody || queryParameters.length || pathParameters.length) {
    const inputs = [
      hasBody && 'the body',
      queryParameters.length && `query ${queryParameters.join(', ')}`,
      pathParameters.length && `path ${pathParameters.join(', ')}`,
    ];
    implied[400] =
      `VALIDATION_FAILED: invalid ${inputs.filter(Boolean).join(' or ')}; \`errors\` lists every failing field, \`field\` is the first` +
      (hasBody ? '. MALFORMED_JSON: the body is not JSON' : '');
  }
  if (secured) implied[401] = `API_KEY_MISSING or API_KEY_INVALID: no valid API key in the header`;
  if (pathParameters.length) implied[404] = `<RESOURCE>.NOT_FOUND: no such ${pathParameters.join(' / ')} in the tenant`;
  if (hasBody) implied[413] = 'PAYLOAD_TOO_LARGE: the body is over the size limit';
  if (secured) implied[503] = unavailableDescription;
  implied[500] = 'INTERNAL_ERROR: an unexpected failure (logged with the request id; the body tells nothing of it)';

  for (const [status, description] of Object.entries(implied)) {
    operation.responses[status] ??= { description };
  }
  for (const [status, response] of Object.entries(operation.responses)) {
    if (Number(status) < 400 || !response || '$ref' in response) continue;
    withErrorBody(response, Number(status));
  }
}

const unavailableDescription = `DATABASE_UNAVAILABLE or TEMPORAL_UNAVAILABLE: retry after the Retry-After seconds`;

function withErrorBody(response: ResponseObject, status: number): void {
  response.content = {
    'application/json': { schema: { $ref: `#/components/schemas/${ERROR_RESPONSE_SCHEMA}` } as ReferenceObject },
  };
  // An outage asks the client to come back; a 503 that does not say so (not ready) sends no Retry-After.
  if (status === 503 && response.description.includes('Retry-After')) {
    response.headers ??= {};
    response.headers['Retry-After'] = {
      description: 'Seconds to wait before retrying',
      schema: { type: 'integer', example: RETRY_AFTER_SECONDS },
    };
  }
}
