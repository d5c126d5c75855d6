import { DynamicModule, INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppConfig, ConfigValidationError, loadConfig, LoadConfigOptions } from '@xero-sync/config';

export interface BootstrapOptions extends LoadConfigOptions {
  name: string;
  module: (config: AppConfig) => DynamicModule;
  port: (config: AppConfig) => number;
  /** HTTP platform when not Express (ingest runs on Fastify); the app then parses no bodies itself. */
  adapter?: () => AbstractHttpAdapter;
  configure?: (app: INestApplication, config: AppConfig) => void | Promise<void>;
}

/**
 * Starts an app: validates the environment (a bad one stops the process with every bad key listed and exit
 * code 1), builds the Nest app with pino logging, enables shutdown hooks so SIGTERM closes consumers,
 * producers and connections, then listens.
 */
export async function bootstrapApp(options: BootstrapOptions): Promise<INestApplication> {
  let config: AppConfig;
  try {
    config = loadConfig(options);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${options.name}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const module = options.module(config);
  const app = options.adapter
    ? await NestFactory.create(module, options.adapter(), { bufferLogs: true, bodyParser: false })
    : await NestFactory.create(module, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await options.configure?.(app, config);
  await app.listen(options.port(config), config.BIND_HOST);
  app.get(Logger).log(`${options.name} listening on http://${config.BIND_HOST}:${options.port(config)}`);
  return app;
}
