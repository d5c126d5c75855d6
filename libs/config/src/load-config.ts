import { hostname } from 'node:os';
import { AppConfig, EnvKey, envSchema } from './env.schema';
import { ConfigIssue, ConfigValidationError } from './config.errors';

export interface LoadConfigOptions {
  /** Keys the calling app cannot run without (optional in the shared schema). */
  require?: EnvKey[];
}

/**
 * Parses and validates the environment. The only place in the code base that reads process.env.
 * @throws ConfigValidationError listing every bad or missing key with its reason.
 */
export function loadConfig(options: LoadConfigOptions = {}, env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings mean "unset" (docker-compose and shells often pass VAR= through).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({ key: String(i.path[0] ?? '(root)'), reason: i.message }));
  // A SASL mechanism needs the principal's name and password; either without a mechanism is a mistake too.
  const sasl = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;
  if (sasl.some((k) => cleaned[k] !== undefined))
    for (const key of sasl)
      if (cleaned[key] === undefined) issues.push({ key, reason: 'is required when any KAFKA_SASL_* is set' });
  for (const key of options.require ?? []) {
    if (cleaned[key] === undefined) issues.push({ key, reason: 'is required' });
  }
  if (issues.length > 0 || !parsed.success) {
    throw new ConfigValidationError(dedupe(issues));
  }
  const config = parsed.data;
  // Resolved once here: every lease holder name derives from it, so no caller needs a fallback of its own.
  return { ...config, SYNCER_INSTANCE_ID: config.SYNCER_INSTANCE_ID ?? `${hostname()}-${process.pid}` };
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => (seen.has(i.key) ? false : (seen.add(i.key), true)));
}
