export { envSchema, AppConfig, EnvKey } from './env.schema';
export { ConfigIssue, ConfigValidationError } from './config.errors';
export { loadConfig, LoadConfigOptions } from './load-config';
export { APP_CONFIG, ConfigModule } from './config.module';
