import { changedPaths } from './settings-diff';

describe('changedPaths', () => {
  it('names nested fields that changed, were added or removed', () => {
    const before = {
      mode: 'immediate',
      mapping: { accounts: { sales: '200' }, paymentAccounts: { checkmo: '090' } },
      entities: ['a'],
    };
    const after = {
      mode: 'cron',
      mapping: { accounts: { sales: '200' }, paymentAccounts: { banktransfer: null } },
      entities: ['a', 'b'],
    };
    expect(changedPaths(before, after)).toEqual([
      'entities',
      'mapping.paymentAccounts.banktransfer',
      'mapping.paymentAccounts.checkmo',
      'mode',
    ]);
  });

  it('is empty for equal settings', () => {
    expect(changedPaths({ a: { b: [1, 2] } }, { a: { b: [1, 2] } })).toEqual([]);
  });
});
