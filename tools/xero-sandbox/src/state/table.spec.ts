import { Journal, Table } from './table';

interface Row {
  id: string;
  name: string;
  active: boolean;
}

describe('Table', () => {
  const make = () => new Table<Row>((r) => r.id, { name: (r) => (r.active ? r.name.toLowerCase() : undefined) });

  it('keeps indexes in step with replacements', () => {
    const t = make();
    t.put({ id: '1', name: 'Ada', active: true });
    expect(t.find('name', 'ada')?.id).toBe('1');
    t.put({ id: '1', name: 'Ada', active: false });
    expect(t.find('name', 'ada')).toBeUndefined();
  });

  it('rolls back inserts and replacements in reverse order', () => {
    const t = make();
    t.put({ id: '1', name: 'Ada', active: true });
    const j = new Journal();
    t.put({ id: '1', name: 'Grace', active: true }, j);
    t.put({ id: '2', name: 'Ada', active: true }, j);
    j.rollback();
    expect(t.all()).toEqual([{ id: '1', name: 'Ada', active: true }]);
    expect(t.find('name', 'ada')?.id).toBe('1');
    expect(t.find('name', 'grace')).toBeUndefined();
  });
});
