// Jest ignores `testTimeout` inside `projects`, so each tier sets its default here (see jest.config.js).
declare const JEST_TIER: string | undefined;
const tier = typeof JEST_TIER === 'string' ? JEST_TIER : undefined;
jest.setTimeout(tier === 'e2e' ? 300_000 : tier === 'integration' ? 120_000 : 10_000);
