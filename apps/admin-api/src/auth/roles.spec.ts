import { roleAllows } from './roles';

describe('roleAllows', () => {
  it('orders viewer < operator < admin', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'viewer')).toBe(true);
    expect(roleAllows('viewer', 'operator')).toBe(false);
    expect(roleAllows('operator', 'admin')).toBe(false);
  });

  it('lets a metrics key scrape and nothing else; admins may scrape too', () => {
    expect(roleAllows('metrics', 'metrics')).toBe(true);
    expect(roleAllows('admin', 'metrics')).toBe(true);
    expect(roleAllows('viewer', 'metrics')).toBe(false);
    for (const needed of ['viewer', 'operator', 'admin'] as const) expect(roleAllows('metrics', needed)).toBe(false);
  });
});
