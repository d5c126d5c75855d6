import { CURRENCY_NAMES } from '../state/seed';
import { AccountingHandler } from './context';
import { listResult } from './list-query';
import { envelope } from './xero-format';

const list: AccountingHandler = (req) => {
  const codes = [req.org.baseCurrency, ...req.org.currencies.filter((c) => c !== req.org.baseCurrency)];
  const rows = codes.map((Code) => ({
    updatedMs: req.org.createdMs,
    json: { Code, Description: CURRENCY_NAMES[Code] ?? Code },
  }));
  return { status: 200, body: envelope(req.providerName, req.now, listResult(req, 'Currencies', rows, false)) };
};

/** Routes for /Currencies: the base currency plus those enabled for the org. */
export const currencyHandlers = { list };
