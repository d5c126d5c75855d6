import { XeroDeepLinkKind } from '../deep-link';
import { DeliveryAction, DeliveryItem, DeliveryStatus } from './delivery.types';
import { ItemOutcomes } from './item-outcomes';

/** An item decided without a write: its result as it stands. */
export interface Finished {
  kind: 'finish';
  status: DeliveryStatus;
  action: DeliveryAction;
  message: string;
  xeroId?: string;
  docKind?: XeroDeepLinkKind;
  /** Worth a warning in the log (the item is still decided as it says). */
  warn?: string;
}

/** An item that waits (no call) for a dependency to be in Xero. */
export interface Waiting {
  kind: 'wait';
  message: string;
}

/** An item refused before any call (a mapping problem, a document Xero would refuse). */
export interface Refused {
  kind: 'fail';
  error: unknown;
}

/** What a stage's plan decides for an item that needs no write. */
export type Settled = Finished | Waiting | Refused;

export function finished(
  status: DeliveryStatus,
  action: DeliveryAction,
  message: string,
  xeroId?: string,
  docKind?: XeroDeepLinkKind,
): Finished {
  return { kind: 'finish', status, action, message, xeroId, docKind };
}

export function waiting(message: string): Waiting {
  return { kind: 'wait', message };
}

export function refused(error: unknown): Refused {
  return { kind: 'fail', error };
}

/** Records a decision that needs no write as the item's outcome. */
export function applySettled(outcomes: ItemOutcomes, item: DeliveryItem, d: Settled): void {
  if (d.kind === 'finish') outcomes.finish(item, d.status, d.action, d.message, { xeroId: d.xeroId, kind: d.docKind });
  else if (d.kind === 'wait') outcomes.wait(item, d.message);
  else outcomes.fail(item, d.error);
}

/**
 * Decides an item whose Xero work is several elements: `done` is called once per element in Xero, and the item
 * finishes after the last one (a failing element decides the item first, as the first decision wins).
 */
export function afterAll(count: number, finish: () => void): () => void {
  let left = count;
  return () => {
    left -= 1;
    if (left === 0) finish();
  };
}
