import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry, SASLOptions } from 'kafkajs';
import type { AppConfig } from '@xero-sync/config';

/** An app's own Kafka principal (SASL/SCRAM in docker-compose; docs/security.md lists what each may do). */
export interface KafkaCredentials {
  mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain';
  username: string;
  password: string;
}

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  /** Unset: no authentication (the local PLAINTEXT broker). */
  sasl?: KafkaCredentials;
  /** TLS to the brokers. */
  ssl?: boolean;
}

/** The app's Kafka principal as configured (KAFKA_SASL_*), or undefined when it connects without one. */
export function kafkaCredentialsOf(config: AppConfig): KafkaCredentials | undefined {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config;
  return mechanism && username && password ? { mechanism, username, password } : undefined;
}

const nestLogger = new Logger('kafkajs');

/** Routes kafkajs's own logs into the app's logger (and thus pino JSON) instead of stdout. */
function logCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    const line = `${message} ${JSON.stringify(extra)}`;
    if (level === logLevel.ERROR) nestLogger.error(line);
    else if (level === logLevel.WARN) nestLogger.warn(line);
    else nestLogger.debug(line);
  };
}

/**
 * A kafkajs client with short connection timeouts, so an unavailable broker surfaces quickly; authenticated as the
 * app's own principal when credentials are given.
 */
export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    sasl: options.sasl as SASLOptions | undefined,
    ssl: options.ssl,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    logLevel: logLevel.WARN,
    logCreator,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  });
}
