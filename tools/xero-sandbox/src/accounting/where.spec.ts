import { parseWhere, WhereParseError } from './where';

const contact = {
  ContactID: '9f3a5f50-0000-4000-8000-000000000001',
  ContactNumber: 'S1-42',
  Name: 'Ada Lovelace',
  ContactStatus: 'ACTIVE',
  Balance: 10.5,
  IsCustomer: true,
  UpdatedDateUTC: '/Date(1700000000000+0000)/',
  Contact: { ContactID: 'abc' },
};

describe('parseWhere', () => {
  it.each([
    ['ContactNumber=="S1-42"', true],
    ['ContactNumber=="s1-42"', true],
    ['ContactNumber=="S1-43"', false],
    ['ContactStatus==ACTIVE', true],
    ['Name=="Ada Lovelace" AND ContactStatus=="ACTIVE"', true],
    ['Name=="Ada Lovelace" && ContactStatus=="ARCHIVED"', false],
    ['Name=="x" OR ContactNumber=="S1-42"', true],
    ['(Name=="x" || Name=="y") AND IsCustomer==true', false],
    ['ContactID==GUID("9f3a5f50-0000-4000-8000-000000000001")', true],
    ['Contact.ContactID==GUID("abc")', true],
    ['Name.Contains("love")', true],
    ['Name.StartsWith("Ada")', true],
    ['Name.EndsWith("x")', false],
    ['Balance>=10', true],
    ['Balance<10', false],
    ['EmailAddress!=null', false],
    ['UpdatedDateUTC>=DateTime(2023,11,14)', true],
    ['UpdatedDateUTC>DateTime(2024,01,01)', false],
  ])('%s → %s', (clause, expected) => {
    expect(parseWhere(clause)(contact)).toBe(expected);
  });

  it.each(['Name=', 'Name=="x" AND', 'Name ~ "x"', '"x"=="y"', 'Name=="x"))'])('rejects %s', (clause) => {
    expect(() => parseWhere(clause)).toThrow(WhereParseError);
  });
});
