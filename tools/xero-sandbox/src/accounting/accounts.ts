import { AccountingHandler, HttpError } from './context';
import { listResult } from './list-query';
import { renderAccount } from './render';
import { envelope, problem } from './xero-format';

const list: AccountingHandler = (req) => {
  const rows = req.org.accounts.all().map((a) => ({ updatedMs: a.updatedMs, json: renderAccount(a) }));
  return { status: 200, body: envelope(req.providerName, req.now, listResult(req, 'Accounts', rows, false)) };
};

const getOne: AccountingHandler = (req) => {
  const a = req.org.accounts.get(req.params.id);
  if (!a) throw new HttpError(404, problem(404, 'Not Found', `Account ${req.params.id} not found`));
  return { status: 200, body: envelope(req.providerName, req.now, { Accounts: [renderAccount(a)] }) };
};

/** Routes for /Accounts (read-only: the chart is seeded through the control API). */
export const accountHandlers = { list, getOne };
