export { PersistenceModule } from './persistence.module';
export { MongoHealthIndicator } from './mongo-health.indicator';
export { DuplicateKeyError, isDuplicateKeyError } from './persistence.errors';
export * from './pending-changes';
