import { FieldProblem } from './validation';

export type AdminErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNPROCESSABLE'
  | 'XERO_RATE_LIMITED'
  | 'XERO_UNAVAILABLE'
  | 'XERO_NOT_CONNECTED'
  | 'XERO_REJECTED'
  /** The store's own API (Magento REST) could not answer. */
  | 'STORE_UNAVAILABLE';

/** Admin-api's coded errors; `AdminExceptionFilter` maps each code to its HTTP status. */
export class AdminError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
    readonly fields?: FieldProblem[],
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export function adminErrorStatus(code: AdminErrorCode): number {
  switch (code) {
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'UNPROCESSABLE':
      return 422;
    case 'XERO_RATE_LIMITED':
      return 429;
    case 'XERO_UNAVAILABLE':
      return 503;
    case 'XERO_NOT_CONNECTED':
      return 409;
    case 'XERO_REJECTED':
    case 'STORE_UNAVAILABLE':
      return 502;
    default: {
      const never: never = code;
      throw new Error(`unmapped admin error ${String(never)}`);
    }
  }
}
