import { Json } from '../state/records';
import { AccountingRequest, HttpError, text } from './context';
import { parseWhere, WhereParseError } from './where';
import { queryParseException } from './xero-format';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** A stored record with the JSON Xero shows for it. */
export interface Listed {
  updatedMs: number;
  json: Json;
}

/** Splits Xero's comma-separated list parameters (`IDs=a,b`, `Statuses=DRAFT,PAID`). */
export function listParam(v: string | undefined): string[] | undefined {
  if (v === undefined || v === '') return undefined;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Applies what every Xero list endpoint shares: `If-Modified-Since` (records updated at or after it, to the
 * second), `where`, `order` and — when `paged` and `page` is given — `page`/`pageSize` with a `pagination` object.
 * Returns the wrapper fields to merge into the envelope.
 */
export function listResult(req: AccountingRequest, key: string, rows: Listed[], paged: boolean): Json {
  let list = rows;
  if (req.ifModifiedSince !== undefined) {
    const since = Math.floor(req.ifModifiedSince / 1000) * 1000;
    list = list.filter((r) => r.updatedMs >= since);
  }
  let docs = list.map((r) => r.json);
  if (req.query.where) {
    try {
      const pred = parseWhere(req.query.where);
      docs = docs.filter(pred);
    } catch (e) {
      if (e instanceof WhereParseError) throw new HttpError(400, queryParseException(e.message));
      throw e;
    }
  }
  if (req.query.order) docs = ordered(docs, req.query.order);
  if (!paged || req.query.page === undefined) return { [key]: docs };
  const page = Number(req.query.page);
  const pageSize = req.query.pageSize === undefined ? DEFAULT_PAGE_SIZE : Number(req.query.pageSize);
  if (!Number.isInteger(page) || page < 1)
    throw new HttpError(400, queryParseException('page must be a positive integer'));
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new HttpError(400, queryParseException(`pageSize must be between 1 and ${MAX_PAGE_SIZE}`));
  }
  const slice = docs.slice((page - 1) * pageSize, page * pageSize);
  return {
    pagination: { page, pageSize, pageCount: Math.ceil(docs.length / pageSize), itemCount: docs.length },
    [key]: slice,
  };
}

function ordered(docs: Json[], order: string): Json[] {
  const m = /^\s*([A-Za-z.]+)(?:\s+(ASC|DESC))?\s*$/i.exec(order);
  if (!m) throw new HttpError(400, queryParseException(`Unsupported order '${order}'`));
  const path = m[1].split('.');
  const dir = m[2]?.toUpperCase() === 'DESC' ? -1 : 1;
  const at = (d: Json): unknown => path.reduce<unknown>((o, p) => (o as Json | undefined)?.[p], d);
  return [...docs].sort((a, b) => {
    const x = at(a);
    const y = at(b);
    if (x === y) return 0;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
    return text(x).localeCompare(text(y)) * dir;
  });
}

/** Parses `If-Modified-Since` (ISO as xero-node sends it, or an HTTP date). */
export function parseIfModifiedSince(v: string | undefined): number | undefined {
  if (!v) return undefined;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}T[^Zz+]*$/.test(v) && !/[+-]\d{2}:?\d{2}$/.test(v) ? `${v}Z` : v);
  if (Number.isNaN(t)) throw new HttpError(400, queryParseException(`Invalid If-Modified-Since header '${v}'`));
  return t;
}
