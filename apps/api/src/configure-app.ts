import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { API_KEY_HEADER } from './platform/api-key.guard';
import { ErrorEnvelopeFilter } from './platform/error-envelope.filter';
import { ErrorResponseDto } from './platform/error-response.dto';
import { documentErrorResponses } from './platform/error-responses.openapi';
import { API_KEY_SECURITY } from './platform/require-scope.decorator';
import { apiValidationPipe } from './platform/validation.pipe';

/** Everything main.ts and the e2e tests both need, so tests exercise the app as it runs. */
export function configureApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.useGlobalPipes(apiValidationPipe());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CRM messaging API')
      .setDescription(
        'Contacts, WhatsApp conversations and messages, with domain events delivered through a transactional outbox. ' +
          `Authenticate with your tenant API key in the \`${API_KEY_HEADER}\` header (or \`Authorization: Bearer <key>\`). ` +
          'Each operation names the scope it requires: `read`, `write` (implies read) or `admin` (implies both). ' +
          'Requests are rate-limited per key (429 with `Retry-After`); JSON bodies are size-limited (413). ' +
          'Every error answers with the ErrorResponse body: `{ statusCode, error, code, message, field?, errors? }` (docs/errors.md).',
      )
      .setVersion('1')
      .addApiKey({ type: 'apiKey', name: API_KEY_HEADER, in: 'header' }, API_KEY_SECURITY)
      .build(),
    { extraModels: [ErrorResponseDto] },
  );
  SwaggerModule.setup('docs', app, documentErrorResponses(withScopesInDescriptions(document)), {
    jsonDocumentUrl: 'docs-json',
  });
  return app;
}

/** Each operation's description starts with the scope its security requirement names, so readers
 *  of the rendered docs see it without opening the security section. */
function withScopesInDescriptions(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const operation of [item.get, item.post, item.put, item.patch, item.delete]) {
      const scopes = operation?.security?.flatMap((requirement) => requirement[API_KEY_SECURITY] ?? []) ?? [];
      if (!operation || scopes.length === 0) continue;
      const required = `Required scope: \`${scopes.join('`, `')}\`.`;
      operation.description = operation.description ? `${required}\n\n${operation.description}` : required;
    }
  }
  return document;
}
