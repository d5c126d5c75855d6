import { Journal } from '../state/table';
import { Json } from '../state/records';
import { AccountingRequest, AccountingResult, ApplyElement, ElementError, HttpError } from './context';
import { envelope, validationException } from './xero-format';

/** How a resource marks a failed element: documents use HasErrors, contacts and payments HasValidationErrors. */
export type ErrorFlag = 'HasErrors' | 'HasValidationErrors' | 'none';

/**
 * Pulls the elements out of a write body: `{ "Invoices": [...] }`, or a single bare element, which Xero also
 * accepts.
 */
export function elementsOf(body: unknown, key: string): Json[] {
  const b = (body ?? {}) as Json;
  const list = b[key];
  if (Array.isArray(list)) return list as Json[];
  return Object.keys(b).length ? [b] : [];
}

/**
 * Runs a write with Xero's batch semantics.
 *
 * - summarizeErrors=false: every element is tried on its own; failures are rolled back individually and echoed
 *   with `StatusAttributeString: "ERROR"` and `ValidationErrors`, successes are kept; the answer is 200.
 * - summarised (the default): all elements or none — any failure rolls back the whole request and the answer is
 *   400 ValidationException listing the failed elements.
 */
export function runBatch(
  req: AccountingRequest,
  key: string,
  elements: Json[],
  apply: ApplyElement,
  flag: ErrorFlag,
): AccountingResult {
  if (elements.length === 0) {
    throw new HttpError(400, validationException([], 'No data has been received'));
  }
  const out: Json[] = [];
  const failed: Json[] = [];
  const whole = new Journal();
  elements.forEach((el, index) => {
    const journal = req.summarizeErrors ? whole : new Journal();
    try {
      out.push({ ...apply(el, journal, index), StatusAttributeString: 'OK' });
    } catch (e) {
      if (!(e instanceof ElementError)) throw e;
      journal.rollback();
      const echo = errorEcho(el, e.messages, flag);
      out.push(echo);
      failed.push(echo);
    }
  });
  if (req.summarizeErrors && failed.length) {
    whole.rollback();
    return { status: 400, body: validationException(failed) };
  }
  return { status: 200, body: envelope(req.providerName, req.now, { [key]: out }) };
}

function errorEcho(el: Json, messages: string[], flag: ErrorFlag): Json {
  return {
    ...el,
    ...(flag === 'none' ? {} : { [flag]: true }),
    StatusAttributeString: 'ERROR',
    ValidationErrors: messages.map((Message) => ({ Message })),
  };
}
