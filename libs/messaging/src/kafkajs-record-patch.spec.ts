import { createRequire } from 'node:module';

// kafkajs's own record encoder (patched: patches/kafkajs+2.2.4.patch) and decoders, loaded from its sources.
const kafkajsRequire = createRequire(require.resolve('kafkajs'));
type Headers = Record<string, string | Buffer | (string | Buffer)[]>;
interface RecordInput {
  offsetDelta?: number;
  timestampDelta?: number;
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Headers;
}
const encodeRecord = kafkajsRequire('./src/protocol/recordBatch/record/v0') as (r: RecordInput) => { buffer: Buffer };
const decodeRecord = kafkajsRequire('./src/protocol/recordBatch/record/v0/decoder') as (
  decoder: unknown,
  context: Record<string, unknown>,
) => { key: Buffer | null; value: Buffer | null; headers: Record<string, Buffer | Buffer[]>; offset: string };
const Decoder = kafkajsRequire('./src/protocol/decoder') as new (buffer: Buffer) => {
  readVarInt(): number;
  offset: number;
};

const Encoder = kafkajsRequire('./src/protocol/encoder') as {
  new (): { writeVarInt(v: number): { buffer: Buffer }; writeVarLong(v: number | string): { buffer: Buffer } };
  sizeOfVarLong(v: number | string): number;
};

const asBuffer = (v: string | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(v));

/** Kafka's varint/varlong by definition: zigzag over 64 bits, then 7 bits per byte, low bits first. */
function referenceVarLong(value: bigint): Buffer {
  let zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const bytes: number[] = [];
  while (zigzag >= 0x80n) {
    bytes.push(Number(zigzag & 0x7fn) | 0x80);
    zigzag >>= 7n;
  }
  bytes.push(Number(zigzag));
  return Buffer.from(bytes);
}

describe('kafkajs record encoding (patched to write each record into one buffer)', () => {
  const cases: [string, RecordInput][] = [
    [
      'an entity-change event with the contract headers',
      {
        offsetDelta: 7,
        timestampDelta: 12,
        key: 'store-1',
        value: Buffer.from(JSON.stringify({ entity: 'order', payload: { grand_total: 10.5 } })),
        headers: {
          'x-event-id': '0b9f3c1e-5d2a-4c7e-9a61-2f8d4b7c1e30',
          'x-correlation-id': 'c-1',
          'x-schema-version': '1',
        },
      },
    ],
    ['no key, no value, no headers', { key: null, value: null }],
    [
      'multi-byte text, binary and repeated headers',
      {
        key: Buffer.from('κλειδί'),
        value: 'wert ü',
        headers: { a: ['x', 'y'], bin: Buffer.from([0, 1, 255]), ü: 'é' },
      },
    ],
    [
      'a value larger than the encoder starts with, large deltas',
      { offsetDelta: 70_000, timestampDelta: 2 ** 40, key: 's', value: Buffer.alloc(70_000, 3) },
    ],
  ];

  it.each(cases)('%s: kafkajs decodes exactly what was encoded, and the length prefix is exact', (_name, input) => {
    const bytes = encodeRecord(input).buffer;
    const decoder = new Decoder(bytes);
    const length = decoder.readVarInt();
    expect(decoder.offset + length).toBe(bytes.length);
    const record = decodeRecord(decoder, { firstOffset: '100', firstTimestamp: 0, magicByte: 2 });
    expect(record.offset).toBe(String(100 + (input.offsetDelta ?? 0)));
    expect(record.key).toEqual(input.key === null ? null : asBuffer(input.key));
    expect(record.value).toEqual(input.value === null ? null : asBuffer(input.value));
    const expected = Object.fromEntries(
      Object.entries(input.headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(asBuffer) : asBuffer(v)]),
    );
    expect(record.headers).toEqual(expected);
  });

  // The patched Encoder writes varint bytes in place and sends int32 varlongs down the varint path.
  it('varints and varlongs are the bytes Kafka defines, on both sides of every int32 edge', () => {
    const edges = [
      0,
      1,
      -1,
      63,
      64,
      -64,
      -65,
      127,
      128,
      8191,
      8192,
      2 ** 20,
      2 ** 28,
      2 ** 30,
      2 ** 31 - 1,
      -(2 ** 31),
    ];
    const beyond = [
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 32,
      2 ** 40,
      -(2 ** 40),
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ];
    for (const v of [...edges, ...beyond]) {
      const expected = referenceVarLong(BigInt(v));
      expect([v, new Encoder().writeVarLong(v).buffer]).toEqual([v, expected]);
      expect([v, Encoder.sizeOfVarLong(v)]).toEqual([v, expected.length]);
      if (edges.includes(v)) expect([v, new Encoder().writeVarInt(v).buffer]).toEqual([v, expected]);
    }
    expect(new Encoder().writeVarLong('1700000000000').buffer).toEqual(referenceVarLong(1700000000000n));
  });
});
