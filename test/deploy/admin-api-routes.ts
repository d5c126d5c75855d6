import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { repoRoot } from '@xero-sync/testing';

const SRC = join(repoRoot, 'apps/admin-api/src');

function controllerFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? controllerFiles(join(dir, e.name)) : e.name.endsWith('.controller.ts') ? [join(dir, e.name)] : [],
  );
}

const joinPath = (...parts: unknown[]) =>
  '/' +
  parts
    .flatMap((p) => (Array.isArray(p) ? p : [p]))
    .map((p) => String(p ?? '').replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');

/**
 * Every route admin-api serves, as `GET /connections/callback`, read from the Nest metadata of its controllers
 * (the same metadata its router is built from). admin-api sets no global prefix: checked here too.
 */
export function adminApiRoutes(): string[] {
  for (const file of [join(SRC, 'main.ts'), join(SRC, 'http/configure-app.ts')]) {
    if (/setGlobalPrefix|enableVersioning/.test(readFileSync(file, 'utf8')))
      throw new Error(`${file} changes the route prefix: teach adminApiRoutes about it`);
  }
  const routes: string[] = [];
  for (const file of controllerFiles(SRC)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(file) as Record<string, unknown>;
    for (const value of Object.values(exported)) {
      if (typeof value !== 'function') continue;
      const base: unknown = Reflect.getMetadata(PATH_METADATA, value);
      if (base === undefined) continue;
      const proto = (value as { prototype: Record<string, unknown> }).prototype;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        const method: unknown = Reflect.getMetadata(METHOD_METADATA, handler);
        if (path === undefined || method === undefined) continue;
        routes.push(`${RequestMethod[method as number]} ${joinPath(base, path)}`);
      }
    }
  }
  return routes;
}
