import { INestApplication, ValidationPipe } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { API_KEY_HEADER } from './platform/api-key.guard';

/** Everything main.ts and the e2e tests both need, so tests exercise the app as it runs. */
export function configureApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
    }),
  );

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CRM messaging API')
      .setDescription(
        'Contacts, WhatsApp conversations and messages, with domain events delivered through a transactional outbox. ' +
          `Authenticate with your tenant API key in the \`${API_KEY_HEADER}\` header.`,
      )
      .setVersion('1')
      .addApiKey({ type: 'apiKey', name: API_KEY_HEADER, in: 'header' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
