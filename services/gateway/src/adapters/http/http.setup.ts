import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { GatewayConfig } from '../../config';

/**
 * What the gateway sets on the HTTP app before it listens: body size limits (a larger body is a
 * 413 problem) and the OpenAPI document, at `/docs` (UI) and `/docs-json`.
 */
export function configureHttp(app: INestApplication, config: GatewayConfig): void {
  const express = app as NestExpressApplication;
  // Registered before Nest's own parsers, which then stand aside (Nest skips a parser already in place).
  express.useBodyParser('json', { limit: config.api.bodyLimitBytes });
  express.useBodyParser('urlencoded', { limit: config.api.bodyLimitBytes, extended: true });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Tether gateway')
      .setDescription(
        "The HTTP face of Tether. Every /v1 route takes an API key (`Authorization: Bearer tk_…` or `X-API-Key`) and acts in the key's tenant. In JWT mode (`TETHER_GATEWAY_JWKS_URL` set) a bearer JWT of the configured identity provider works too: verified against its JWKS, issuer and audience, it acts in the tenant and with the roles its claims name. Errors are RFC 9457 problem details.",
      )
      .setVersion(config.version)
      .addBearerAuth({
        type: 'http',
        scheme: 'bearer',
        bearerFormat: config.jwt ? 'tk_… or JWT' : 'tk_…',
      })
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
