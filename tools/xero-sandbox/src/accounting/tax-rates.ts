import { AccountingHandler } from './context';
import { listResult } from './list-query';
import { renderTaxRate } from './render';
import { envelope } from './xero-format';

const list: AccountingHandler = (req) => {
  const rows = req.org.taxRates.all().map((t) => ({ updatedMs: req.org.createdMs, json: renderTaxRate(t) }));
  return { status: 200, body: envelope(req.providerName, req.now, listResult(req, 'TaxRates', rows, false)) };
};

/** Routes for /TaxRates (read-only). */
export const taxRateHandlers = { list };
