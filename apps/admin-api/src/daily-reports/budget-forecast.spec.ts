import { forecastBudget } from './budget-forecast';

describe('forecastBudget', () => {
  it('forecasts exhaustion before midnight at a high rate', () => {
    // 3,000 calls in 6 hours = 500/h; 2,000 remaining → 4 more hours → 10:00 UTC.
    const f = forecastBudget({ day: '2026-11-26', calls: 3000, dayRemaining: 2000 }, new Date('2026-11-26T06:00:00Z'));
    expect(f).toEqual({
      dailyLimit: 5000,
      remaining: 2000,
      callsPerHour: 500,
      exhaustsAt: '2026-11-26T10:00:00.000Z',
      lastsTheDay: false,
    });
  });

  it('says the budget lasts the day at a low rate', () => {
    const f = forecastBudget({ day: '2026-11-26', calls: 120, dayRemaining: 4880 }, new Date('2026-11-26T12:00:00Z'));
    expect(f.lastsTheDay).toBe(true);
    expect(f.exhaustsAt).toBeNull();
    expect(f.callsPerHour).toBe(10);
  });

  it('uses the Starter limit Xero reports through the remaining quota, and the default without it', () => {
    expect(
      forecastBudget({ day: '2026-11-26', calls: 400, dayRemaining: 600 }, new Date('2026-11-26T04:00:00Z')).dailyLimit,
    ).toBe(1000);
    expect(forecastBudget({ day: '2026-11-26', calls: 10 }, new Date('2026-11-26T04:00:00Z')).remaining).toBe(4990);
  });

  it('reports an exhausted budget as running out now', () => {
    const f = forecastBudget({ day: '2026-11-26', calls: 5000, dayRemaining: 0 }, new Date('2026-11-26T20:00:00Z'));
    expect(f).toMatchObject({ remaining: 0, lastsTheDay: false, exhaustsAt: '2026-11-26T20:00:00.000Z' });
  });
});
