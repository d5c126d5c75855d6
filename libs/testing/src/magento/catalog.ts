import type { MagentoCustomer, MagentoProduct } from '@xero-sync/contracts';
import type { CartProduct, TaxClass } from './magento.types';
import { roundCents } from './money';

const TAX_CLASS_IDS: Record<TaxClass, string> = { taxable: '2', zero: '5', exempt: '0' };
const NAMES = ['Widget', 'Flask', 'Mug', 'Scarf', 'Kete', 'Poster', 'Candle', 'Notebook', 'Blanket', 'Beanie'];
const ADJ = ['Blue', 'Organic', 'Merino', 'Handmade', 'Deluxe', 'Compact', 'Recycled'];

/** What a store sells: cart products (with their children) and the product payloads that describe them. */
export interface Catalog {
  cartProducts: CartProduct[];
  products: MagentoProduct[];
}

/**
 * A catalog with every product type the engine prices: simple goods in each tax class, virtual and downloadable
 * goods, a configurable with its chosen simple, and bundles with dynamic and with fixed prices.
 */
export function buildCatalog(rand: () => number): Catalog {
  let id = 1;
  const products: MagentoProduct[] = [];
  const price = (low: number, high: number) => roundCents(low + rand() * (high - low));
  const name = () => `${ADJ[Math.floor(rand() * ADJ.length)]} ${NAMES[Math.floor(rand() * NAMES.length)]}`;
  const product = (sku: string, title: string, p: number, type: string, taxClass: TaxClass) => {
    const productId = id++;
    products.push({
      id: productId,
      sku,
      name: title,
      price: p,
      type_id: type,
      status: 1,
      visibility: 4,
      custom_attributes: [
        { attribute_code: 'tax_class_id', value: TAX_CLASS_IDS[taxClass] },
        ...(type === 'bundle' ? [{ attribute_code: 'price_type', value: p === 0 ? '0' : '1' }] : []),
      ],
    });
    return productId;
  };
  const cartProducts: CartProduct[] = [];
  const simple = (sku: string, taxClass: TaxClass, p: number, type: CartProduct['type'] = 'simple') => {
    const title = `${name()} ${sku}`;
    const typeId = type === 'simple' ? 'simple' : type;
    cartProducts.push({
      sku,
      name: title,
      productId: product(sku, title, p, typeId, taxClass),
      type,
      price: p,
      taxClass,
    });
  };
  for (let n = 1; n <= 8; n++) simple(`SIMPLE-${n}`, 'taxable', n % 3 === 0 ? 1 : price(0.5, 120));
  simple('ZERO-1', 'zero', price(2, 40));
  simple('EXEMPT-1', 'exempt', price(2, 40));
  simple('VIRTUAL-1', 'taxable', price(5, 60), 'virtual');
  simple('DOWNLOAD-1', 'taxable', price(1, 25), 'downloadable');

  // A configurable: the parent carries the chosen option's price; the child simple is a zero-priced dummy.
  const optionPrice = price(15, 90);
  const childId = product('TEE-RED-M', 'Tee Red M', optionPrice, 'simple', 'taxable');
  cartProducts.push({
    sku: 'TEE',
    name: 'Tee',
    productId: product('TEE', 'Tee', optionPrice, 'configurable', 'taxable'),
    type: 'configurable',
    price: optionPrice,
    taxClass: 'taxable',
    children: [
      { sku: 'TEE-RED-M', name: 'Tee Red M', productId: childId, price: 0, qtyPerParent: 1, taxClass: 'taxable' },
    ],
  });

  // A dynamic-price bundle: its selections carry the money (one of them zero-rated).
  const selections = [
    { sku: 'KIT-BRUSH', price: price(3, 20), qtyPerParent: 2, taxClass: 'taxable' as TaxClass },
    { sku: 'KIT-PASTE', price: price(2, 10), qtyPerParent: 1, taxClass: 'taxable' as TaxClass },
    { sku: 'KIT-GUIDE', price: price(1, 5), qtyPerParent: 1, taxClass: 'zero' as TaxClass },
  ];
  cartProducts.push({
    sku: 'KIT',
    name: 'Care kit (dynamic price)',
    productId: product('KIT', 'Care kit (dynamic price)', 0, 'bundle', 'taxable'),
    type: 'bundle_dynamic',
    price: 0,
    taxClass: 'taxable',
    children: selections.map((s) => ({
      ...s,
      name: s.sku,
      productId: product(s.sku, s.sku, s.price, 'simple', s.taxClass),
    })),
  });

  // A fixed-price bundle: the parent carries the price; its selections are zero-priced dummies.
  const boxPrice = price(30, 80);
  cartProducts.push({
    sku: 'GIFTBOX',
    name: 'Gift box (fixed price)',
    productId: product('GIFTBOX', 'Gift box (fixed price)', boxPrice, 'bundle', 'taxable'),
    type: 'bundle_fixed',
    price: boxPrice,
    taxClass: 'taxable',
    children: ['GIFTBOX-CANDLE', 'GIFTBOX-CARD'].map((sku) => ({
      sku,
      name: sku,
      productId: product(sku, sku, 0, 'simple', 'taxable'),
      price: 0,
      qtyPerParent: 1,
      taxClass: 'taxable',
    })),
  });
  return { cartProducts, products };
}

/** A few customers; some orders are placed by guests instead. */
export function buildCustomers(count: number): MagentoCustomer[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    email: `buyer.${i + 1}@example.com`,
    firstname: ['Aroha', 'Sam', 'Zoë', 'Łukasz', 'Jordan'][i % 5],
    lastname: ['Ngata', 'Smith', 'Müller', "O'Brien", 'Tane'][i % 5],
    group_id: 1,
    website_id: 1,
    store_id: 1,
    addresses: [],
  }));
}
