import { expectSpecResponse, Harness, startHarness, xeroError } from './harness';

describe('Contacts and Items through xero-node', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it('creates contacts, finds them with where, and POST matches by ContactNumber instead of duplicating', async () => {
    const created = await h.api.createContacts(h.tenantId, {
      contacts: [{ name: 'Ada Lovelace', contactNumber: 'S1-42', emailAddress: 'ada@example.com' }],
    });
    const ada = created.body.contacts![0];
    expect(ada.contactID).toMatch(/^[0-9a-f-]{36}$/);
    await expectSpecResponse('PUT /Contacts', created.response.data);

    const found = await h.api.getContacts(h.tenantId, undefined, 'ContactNumber=="S1-42"');
    expect(found.body.contacts!.map((c) => c.contactID)).toEqual([ada.contactID]);
    await expectSpecResponse('GET /Contacts', found.response.data);

    const upsert = await h.api.updateOrCreateContacts(h.tenantId, {
      contacts: [{ name: 'Ada King', contactNumber: 'S1-42', emailAddress: 'ada@king.example' }],
    });
    expect(upsert.body.contacts![0].contactID).toBe(ada.contactID);
    const byNumber = await h.api.getContactByContactNumber(h.tenantId, 'S1-42');
    expect(byNumber.body.contacts![0]).toMatchObject({ name: 'Ada King', emailAddress: 'ada@king.example' });
    const dump = await h.control.dump(h.tenantId);
    expect(dump.contacts.filter((c: any) => c.ContactNumber === 'S1-42')).toHaveLength(1);
  });

  it('refuses a second active contact with the same name, with Xero’s message', async () => {
    await h.api.createContacts(h.tenantId, { contacts: [{ name: 'Grace Hopper' }] });
    const fail = await xeroError(h.api.createContacts(h.tenantId, { contacts: [{ name: 'grace hopper' }] }));
    expect(fail.status).toBe(400);
    expect(fail.body.Type).toBe('ValidationException');
    expect(fail.body.Elements[0].ValidationErrors[0].Message).toBe(
      'The contact name grace hopper is already assigned to another contact. The contact name must be unique across all active contacts.',
    );
    // Once archived, the name is free again.
    const grace = (await h.api.getContacts(h.tenantId, undefined, 'Name=="Grace Hopper"')).body.contacts![0];
    await h.api.updateContact(h.tenantId, grace.contactID!, { contacts: [{ contactStatus: 'ARCHIVED' as any }] });
    const again = await h.api.createContacts(h.tenantId, { contacts: [{ name: 'Grace Hopper' }] });
    expect(again.body.contacts![0].contactID).not.toBe(grace.contactID);
    const active = await h.api.getContacts(h.tenantId, undefined, 'Name=="Grace Hopper"');
    expect(active.body.contacts).toHaveLength(1);
    const all = await h.api.getContacts(
      h.tenantId,
      undefined,
      'Name=="Grace Hopper"',
      undefined,
      undefined,
      undefined,
      true,
    );
    expect(all.body.contacts).toHaveLength(2);
  });

  it('refuses a duplicate ContactNumber on create', async () => {
    await h.api.createContacts(h.tenantId, { contacts: [{ name: 'Alan Turing', contactNumber: 'S1-7' }] });
    const res = await h.api.createContacts(
      h.tenantId,
      { contacts: [{ name: 'Someone Else', contactNumber: 'S1-7' }] },
      false,
    );
    expect(res.body.contacts![0].hasValidationErrors).toBe(true);
    expect(res.body.contacts![0].validationErrors![0].message).toMatch(/S1-7 is already assigned/);
  });

  it('pages contacts with pageSize and a pagination object', async () => {
    const res = await h.api.getContacts(
      h.tenantId,
      undefined,
      undefined,
      'Name ASC',
      undefined,
      1,
      undefined,
      undefined,
      undefined,
      2,
    );
    expect(res.body.contacts).toHaveLength(2);
    expect(res.body.pagination).toMatchObject({ page: 1, pageSize: 2 });
    // Ada King, Grace Hopper (the new one) and Alan Turing; the archived Grace is left out by default.
    expect(res.body.pagination).toMatchObject({ itemCount: 3, pageCount: 2 });
    expect(res.body.contacts!.map((c) => c.name)).toEqual(['Ada King', 'Alan Turing']);
  });

  it('creates items, upserts by Code, rounds unit prices unless unitdp=4, and finds them by code', async () => {
    const res = await h.api.createItems(h.tenantId, {
      items: [
        {
          code: 'SKU-1',
          name: 'Blue mug',
          salesDetails: { unitPrice: 12.3456, accountCode: '200', taxType: 'OUTPUT2' },
        },
        { code: 'SKU-2', name: 'Red mug', salesDetails: { unitPrice: 1.2345, accountCode: '200' } },
      ],
    });
    await expectSpecResponse('PUT /Items', res.response.data);
    expect(res.body.items![0].salesDetails!.unitPrice).toBe(12.35);
    const four = await h.api.updateOrCreateItems(
      h.tenantId,
      { items: [{ code: 'SKU-2', name: 'Red mug (large)', salesDetails: { unitPrice: 1.2345, accountCode: '200' } }] },
      undefined,
      4,
    );
    expect(four.body.items![0]).toMatchObject({ itemID: res.body.items![1].itemID, name: 'Red mug (large)' });
    expect(four.body.items![0].salesDetails!.unitPrice).toBe(1.2345);
    const byCode = await h.api.getItem(h.tenantId, 'SKU-2');
    expect(byCode.body.items![0].itemID).toBe(res.body.items![1].itemID);
    const listed = await h.api.getItems(h.tenantId, undefined, 'Code=="SKU-1"');
    expect(listed.body.items!.map((i) => i.code)).toEqual(['SKU-1']);
    await expectSpecResponse('GET /Items', listed.response.data);
    expect((await h.control.dump(h.tenantId)).items).toHaveLength(2);
  });

  it('refuses a duplicate item code and an unknown account', async () => {
    const res = await h.api.createItems(
      h.tenantId,
      {
        items: [
          { code: 'SKU-1', name: 'Again' },
          { code: 'SKU-3', name: 'Bad account', salesDetails: { accountCode: '999' } },
          { code: 'SKU-4', name: 'Fine' },
        ],
      },
      false,
    );
    expect(res.body.items!.map((i) => i.statusAttributeString)).toEqual(['ERROR', 'ERROR', 'OK']);
    expect(res.body.items![0].validationErrors![0].message).toBe("Item code 'SKU-1' already exists");
    expect(res.body.items![1].validationErrors![0].message).toBe(
      "Account code '999' is not a valid code for this document.",
    );
  });

  it('rejects a 31-character Code and a 51-character Name by the spec, naming the field', async () => {
    const fail = await xeroError(
      h.api.createItems(h.tenantId, { items: [{ code: 'X'.repeat(31), name: 'N'.repeat(51) }] }),
    );
    expect(fail.status).toBe(400);
    const messages = fail.body.Elements[0].ValidationErrors.map((v: any) => v.Message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'Items[0].Code: must NOT have more than 30 characters',
        'Items[0].Name: must NOT have more than 50 characters',
      ]),
    );
  });
});
