import { round, sub2, sum2, toScaled } from './money';

describe('money', () => {
  it('rounds decimal halves away from zero, not binary approximations', () => {
    expect(round(1.005)).toBe(1.01);
    expect(round(2.675)).toBe(2.68);
    expect(round(-1.005)).toBe(-1.01);
    expect(round(1.2345, 4)).toBe(1.2345);
    expect(round(1.23455, 4)).toBe(1.2346);
  });

  it('scales without float error', () => {
    expect(toScaled(0.1, 2)).toBe(10n);
    expect(toScaled(123456789.1234, 4)).toBe(1234567891234n);
    expect(toScaled(1e-7, 2)).toBe(0n);
  });

  it('sums and subtracts exactly', () => {
    expect(sum2([0.1, 0.2])).toBe(0.3);
    expect(sub2(0.3, 0.1)).toBe(0.2);
  });
});
