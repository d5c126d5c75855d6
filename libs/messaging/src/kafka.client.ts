import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
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

/** A kafkajs client with short connection timeouts, so an unavailable broker surfaces quickly. */
export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    logLevel: logLevel.WARN,
    logCreator,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  });
}
