/**
 * The store's local calendar day of a Magento date-time. Magento keeps date-times in UTC ("2026-11-26 07:39:22");
 * an order placed at 9 am in Auckland is stored as the previous day's evening, and Xero must date it on the day
 * the store shows. ISO strings with an offset are honoured as written.
 */
export function storeDay(magentoDate: string, timeZone = 'UTC'): string {
  const text = magentoDate.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  const at = new Date(zoned);
  if (Number.isNaN(at.getTime())) return magentoDate.slice(0, 10);
  return dayFormat(timeZone).format(at);
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** en-CA formats a date as YYYY-MM-DD; one formatter per zone (they are costly to build). */
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(timeZone, f);
  }
  return f;
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The store's own exchange rate for a document in another currency than its base (Magento's base_to_order_rate:
 * order currency per unit of base, the convention of Xero's CurrencyRate), to 6 dp as Xero keeps it; none when
 * the store uses Xero's daily rates or the document is in the base currency.
 */
export function storeCurrencyRate(
  doc: object,
  currency: string,
  exchangeRates: 'store' | 'xero' | undefined,
): number | undefined {
  if (exchangeRates === 'xero') return undefined;
  const d = doc as { base_currency_code?: unknown; base_to_order_rate?: unknown };
  if (typeof d.base_currency_code !== 'string' || d.base_currency_code === currency) return undefined;
  const rate = d.base_to_order_rate;
  return typeof rate === 'number' && Number.isFinite(rate) && rate > 0 ? Number(rate.toFixed(6)) : undefined;
}
