export {
  uniqueSuffix,
  testMongoUri,
  TEST_BROKERS,
  infra,
  eventually,
  repoRoot,
  childPids,
  infraCacheDir,
} from './infra.helpers';
export {
  BENCH_SCENARIO_MIX,
  DEFAULT_SCENARIO_MIX,
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
export { requestsRecorded } from './metrics.helpers';
export { deleteGroupsWithPrefix, deleteTopicsWithPrefix, dropDatabase } from './run-cleanup';
export {
  STORE_CONFIGURATIONS,
  StoreConfiguration,
  configurationsNamed,
  generateMagentoOrders,
  GenerateMagentoOrdersOptions,
  GeneratedMagentoOrders,
  EngineOrder,
  EngineScenario,
  buildOrder,
  createInvoice,
  createCreditMemo,
  TaxCalculator,
} from './magento';
export type { Cart, MagentoTaxSettings, OrderPayload, InvoicePayload, CreditMemoPayload } from './magento';
export { freePort, launchKafka, ScramUser, SecuredKafka, startSecuredKafka, tryProduce } from './secured-kafka';
export { strictFake } from './strict-fake';
export { commandLoggingRepository } from './command-log';
