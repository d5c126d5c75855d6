/** One bad environment key and why it is bad. */
export interface ConfigIssue {
  key: string;
  reason: string;
}

/** Thrown by loadConfig when the environment does not satisfy the schema; lists every bad key at once. */
export class ConfigValidationError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.key}: ${i.reason}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}
