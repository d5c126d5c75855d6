/** Xero's default daily call limit per org (Starter tier orgs have 1,000; the remaining-quota header tells). */
export const DEFAULT_DAILY_LIMIT = 5000;

export interface BudgetForecast {
  /** The org's daily limit: calls + last remaining quota Xero reported, or the default when none was seen. */
  dailyLimit: number;
  remaining: number;
  /** Average calls per hour so far today (UTC day). */
  callsPerHour: number;
  /** When the remaining quota runs out at that rate, if before the day ends; null when it lasts the day. */
  exhaustsAt: string | null;
  lastsTheDay: boolean;
}

/**
 * Forecast of today's budget for one org: at the average rate since midnight UTC, when does the remaining
 * quota run out? `dayRemaining` is the last X-DayLimit-Remaining Xero returned (most reliable, as other apps
 * of the org may spend the budget too); without it the default limit minus our own calls is used.
 */
export function forecastBudget(stat: { day: string; calls: number; dayRemaining?: number }, now: Date): BudgetForecast {
  const dayStart = Date.parse(`${stat.day}T00:00:00.000Z`);
  const dayEnd = dayStart + 24 * 3600_000;
  const remaining = Math.max(0, stat.dayRemaining ?? DEFAULT_DAILY_LIMIT - stat.calls);
  const dailyLimit = stat.dayRemaining !== undefined ? stat.calls + stat.dayRemaining : DEFAULT_DAILY_LIMIT;
  const elapsedMs = Math.max(60_000, Math.min(now.getTime(), dayEnd) - dayStart);
  const perMs = stat.calls / elapsedMs;
  const callsPerHour = Math.round(perMs * 3600_000 * 10) / 10;
  if (remaining === 0)
    return {
      dailyLimit,
      remaining,
      callsPerHour,
      exhaustsAt: new Date(Math.min(now.getTime(), dayEnd)).toISOString(),
      lastsTheDay: false,
    };
  if (perMs === 0 || now.getTime() >= dayEnd)
    return { dailyLimit, remaining, callsPerHour, exhaustsAt: null, lastsTheDay: true };
  const at = now.getTime() + remaining / perMs;
  return at < dayEnd
    ? { dailyLimit, remaining, callsPerHour, exhaustsAt: new Date(at).toISOString(), lastsTheDay: false }
    : { dailyLimit, remaining, callsPerHour, exhaustsAt: null, lastsTheDay: true };
}
