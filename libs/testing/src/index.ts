export { uniqueSuffix, testMongoUri, TEST_BROKERS, infra, eventually, repoRoot } from './infra.helpers';
export {
  generateStore,
  latestOf,
  toEnvelope,
  roundDecimal,
  STORE_CURRENCIES,
  GenerateStoreOptions,
  GeneratedEvent,
  GeneratedStore,
  OrderScenario,
} from './magento-store.generator';
export {
  SandboxControl,
  TestSandbox,
  startTestSandbox,
  testClientCredentials,
  testEncryptionKey,
} from './xero-sandbox.helpers';
