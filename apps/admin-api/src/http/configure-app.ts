import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { AppConfig } from '@xero-sync/config';
import { expressHttpMetrics } from '@xero-sync/observability';
import { createValidationPipe } from './validation';

/** Front-end libraries served from node_modules, so the dashboard needs no build step or CDN. */
const VENDOR: Record<string, { pkg: string; dir: string }> = {
  alpinejs: { pkg: 'alpinejs', dir: 'dist' },
  'chart.js': { pkg: 'chart.js', dir: 'dist' },
  'ag-grid-community': { pkg: 'ag-grid-community', dir: 'dist' },
};

function packageDir(pkg: string): string {
  const marker = `${sep}node_modules${sep}${pkg}${sep}`;
  const entry = require.resolve(pkg);
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1);
}

/** The dashboard's static files: next to src when run from source, or the repository copy when run from dist. */
export function dashboardDir(): string {
  const candidates = [resolve(__dirname, '../../public'), resolve(__dirname, '../../../../../apps/admin-api/public')];
  const found = candidates.find((c) => existsSync(join(c, 'index.html')));
  if (!found) throw new Error(`dashboard files not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Everything admin-api sets on the HTTP server besides its routes: request durations by route (metrics), secure headers (helmet, with a CSP that
 * admits only this origin; Alpine.js needs `unsafe-eval`, AG Grid injects styles), CORS for the dashboard's
 * origin only, DTO validation, the OpenAPI document at /docs, and the dashboard with its vendor libraries.
 */
export function configureAdminApi(app: INestApplication, config: AppConfig): void {
  const server = app as NestExpressApplication;
  // Who the client is (req.ip, which the failed-authentication limiter counts by): the socket's peer unless
  // TRUST_PROXY names proxies whose X-Forwarded-For is believed.
  server.set('trust proxy', config.TRUST_PROXY);
  server.use(expressHttpMetrics('admin-api'));
  server.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", "'unsafe-eval'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
  server.enableCors({
    origin: config.ADMIN_CORS_ORIGIN.split(',').map((o) => o.trim()),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'X-Api-Key', 'Content-Type', 'X-Correlation-Id'],
    maxAge: 600,
  });
  server.useGlobalPipes(createValidationPipe());

  const document = SwaggerModule.createDocument(
    server,
    new DocumentBuilder()
      .setTitle('xero-sync admin API')
      .setDescription(
        'Sync log, queue, Sync Now, daily request report, settings, Xero connections, stores, backfill, ' +
          'reconciliation, dry-run and dead letters. Every route but /health and the OAuth callback needs an API ' +
          'key (`Authorization: Bearer <key>` or `X-Api-Key`); roles viewer < operator < admin, and metrics ' +
          '(only /metrics). A key sees every store or the stores it names: other stores answer 404, and routes ' +
          'that serve every store answer 403 to a store-scoped key. Each key has a request budget per window ' +
          '(429 with Retry-After). Lists answer ' +
          '`{items, total, page, pageSize}` and take `page`, `pageSize` (≤ 200) and `sort` (`field` or `-field`).',
      )
      .setVersion('1')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', name: 'X-Api-Key', in: 'header' }, 'X-Api-Key')
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', server, document, { customSiteTitle: 'xero-sync admin API' });

  for (const [name, { pkg, dir }] of Object.entries(VENDOR)) {
    server.use(`/vendor/${name}`, express.static(join(packageDir(pkg), dir), { fallthrough: false, index: false }));
  }
  server.use(express.static(dashboardDir(), { index: 'index.html' }));
}
