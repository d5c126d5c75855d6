export { PersistenceModule } from './persistence.module';
export { MongoHealthIndicator } from './mongo-health.indicator';
export { DuplicateKeyError, isDuplicateKeyError } from './persistence.errors';
export * from './pending-changes';
export * from './sync-log';
export * from './dlq-messages';
export * from './flush-leases';
