import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { API_KEY_HEADER } from './platform/api-key.guard';
import { ErrorEnvelopeFilter } from './platform/error-envelope.filter';
import { ErrorResponseDto } from './platform/error-response.dto';
import { documentErrorResponses } from './platform/error-responses.openapi';
import { apiValidationPipe } from './platform/validation.pipe';

/** Everything main.ts and the e2e tests both need, so tests exercise the app as it runs. */
export function configureApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ErrorEnvelopeFilter());
  app.useGlobalPipes(apiValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CRM messaging API')
      .setDescription(
        'Contacts, WhatsApp conversations and messages, with domain events delivered through a transactional outbox. ' +
          `Authenticate with your tenant API key in the \`${API_KEY_HEADER}\` header. ` +
          'Every error answers with the ErrorResponse body: `{ statusCode, error, code, message, field?, errors? }` (docs/errors.md).',
      )
      .setVersion('1')
      .addApiKey({ type: 'apiKey', name: API_KEY_HEADER, in: 'header' }, 'api-key')
      .build(),
    { extraModels: [ErrorResponseDto] },
  );
  SwaggerModule.setup('docs', app, documentErrorResponses(document), { jsonDocumentUrl: 'docs-json' });
  return app;
}
