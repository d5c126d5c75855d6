import { classifyFailure, countsForBreaker, parseXeroNodeRejection, XeroError } from './xero.errors';

const rejection = (statusCode: number, body: unknown, headers: Record<string, string> = {}) =>
  JSON.stringify({ response: { statusCode, body, headers }, body });

describe('Xero error classification', () => {
  it('parses xero-node JSON-string rejections into coded errors with Xero messages', () => {
    const body = {
      ErrorNumber: 10,
      Type: 'ValidationException',
      Message: 'A validation exception occurred',
      Elements: [{ ValidationErrors: [{ Message: 'Account code 999 is not a valid code' }] }],
    };
    const err = classifyFailure(parseXeroNodeRejection(rejection(400, body)));
    expect(err).toBeInstanceOf(XeroError);
    expect(err.code).toBe('VALIDATION');
    expect(err.retryable).toBe(false);
    expect(err.message).toBe('Account code 999 is not a valid code');
    expect(countsForBreaker(err)).toBe(false);
  });

  it('honours Retry-After on 429 and does not trip the breaker', () => {
    const err = classifyFailure(
      parseXeroNodeRejection(rejection(429, '', { 'Retry-After': '7', 'X-Rate-Limit-Problem': 'minute' })),
    );
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBe(7000);
    expect(err.rateLimitProblem).toBe('minute');
    expect(countsForBreaker(err)).toBe(false);
  });

  it('treats 5xx and no answer as UNAVAILABLE (retryable, counts for the breaker)', () => {
    for (const r of [rejection(503, 'Service Unavailable'), rejection(0, 'socket hang up'), new Error('ECONNRESET')]) {
      const err = classifyFailure(parseXeroNodeRejection(r));
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.retryable).toBe(true);
      expect(countsForBreaker(err)).toBe(true);
    }
  });

  it('maps 401/403 to UNAUTHORIZED', () => {
    expect(classifyFailure(parseXeroNodeRejection(rejection(401, { Detail: 'TokenExpired' }))).code).toBe(
      'UNAUTHORIZED',
    );
    expect(classifyFailure(parseXeroNodeRejection(rejection(403, { Detail: 'AuthorizationUnsuccessful' }))).code).toBe(
      'UNAUTHORIZED',
    );
  });
});
