import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { cacheDir, locateSpec } from './spec-locator';

type Json = Record<string, unknown>;

/** One problem found in a body, already phrased the way the sandbox reports it. */
export interface SpecViolation {
  /** Index of the element in the wrapper array (e.g. Invoices[3]) when the path points into one. */
  elementIndex?: number;
  /** e.g. `Invoices[0].LineItems[1].Quantity: must be number`. */
  message: string;
}

/** The spec's operations the sandbox serves, keyed like "PUT /Invoices" with the spec's path template. */
export const SERVED_OPERATIONS = [
  'GET /Contacts',
  'PUT /Contacts',
  'POST /Contacts',
  'GET /Contacts/{ContactID}',
  'POST /Contacts/{ContactID}',
  'GET /Items',
  'PUT /Items',
  'POST /Items',
  'GET /Items/{ItemID}',
  'POST /Items/{ItemID}',
  'GET /Invoices',
  'PUT /Invoices',
  'POST /Invoices',
  'GET /Invoices/{InvoiceID}',
  'POST /Invoices/{InvoiceID}',
  'GET /Payments',
  'PUT /Payments',
  'POST /Payments',
  'GET /Payments/{PaymentID}',
  'POST /Payments/{PaymentID}',
  'GET /CreditNotes',
  'PUT /CreditNotes',
  'POST /CreditNotes',
  'GET /CreditNotes/{CreditNoteID}',
  'POST /CreditNotes/{CreditNoteID}',
  'PUT /CreditNotes/{CreditNoteID}/Allocations',
  'GET /Accounts',
  'GET /TaxRates',
  'GET /Currencies',
  'GET /Organisation',
] as const;

export type OperationKey = (typeof SERVED_OPERATIONS)[number];

/**
 * Request and response validators compiled from Xero's accounting spec. The spec stays the authority: each
 * operation's request schema is taken from `paths[…].requestBody`, never restated here.
 */
export class SpecValidator {
  private constructor(
    readonly specPath: string,
    private readonly requests: Map<string, ValidateFunction>,
    private readonly responses: Map<string, ValidateFunction>,
  ) {}

  /** Validates a request body for `op`; returns [] when it conforms or the operation takes no body. */
  validateRequest(op: string, body: unknown): SpecViolation[] {
    const v = this.requests.get(op);
    if (!v || v(body)) return [];
    return describe(v.errors ?? []);
  }

  /** Validates a 200 response body for `op` (used by the sandbox's own tests). */
  validateResponse(op: string, body: unknown): SpecViolation[] {
    const v = this.responses.get(op);
    if (!v) throw new Error(`no response schema compiled for ${op}`);
    return v(body) ? [] : describe(v.errors ?? []);
  }

  /**
   * Loads (once per process per spec file content) and compiles the validators. Parsing 900 kB of YAML is the slow
   * part, so the parsed document is cached as JSON next to the downloaded spec, keyed by the file's hash.
   */
  static load(specPath?: string): Promise<SpecValidator> {
    const key = specPath ?? '';
    let p = loaded.get(key);
    if (!p) {
      p = build(specPath);
      loaded.set(key, p);
      p.catch(() => loaded.delete(key));
    }
    return p;
  }
}

const loaded = new Map<string, Promise<SpecValidator>>();

async function build(specPath?: string): Promise<SpecValidator> {
  const spec = await locateSpec(specPath);
  const doc = parsedSpec(spec.text, spec.sha256);
  const ajv = new Ajv({ strict: false, allErrors: true, discriminator: false, validateSchema: false });
  addFormats(ajv);
  // OpenAPI number/string formats that are not JSON Schema formats: accept any value of the declared type.
  for (const f of ['double', 'float', 'int32', 'int64', 'byte', 'binary', 'password']) ajv.addFormat(f, true);
  ajv.addSchema({ $id: 'xero', components: doc.components }, 'xero');
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const requests = new Map<string, ValidateFunction>();
  const responses = new Map<string, ValidateFunction>();
  for (const op of SERVED_OPERATIONS) {
    const [method, path] = op.split(' ');
    const operation = paths[path]?.[method.toLowerCase()];
    if (!operation) throw new Error(`spec ${spec.path} has no operation ${op}`);
    const reqSchema = jsonSchemaOf((operation.requestBody as Json | undefined)?.content);
    if (reqSchema) requests.set(op, ajv.compile(rebase(reqSchema)));
    const res200 = (operation.responses as Record<string, Json> | undefined)?.['200'];
    const resSchema = jsonSchemaOf(res200?.content);
    if (resSchema) responses.set(op, ajv.compile(rebase(resSchema)));
  }
  return new (
    SpecValidator as unknown as new (
      p: string,
      a: Map<string, ValidateFunction>,
      b: Map<string, ValidateFunction>,
    ) => SpecValidator
  )(spec.path, requests, responses);
}

function jsonSchemaOf(content: unknown): Json | undefined {
  const c = content as Record<string, { schema?: Json }> | undefined;
  return c?.['application/json']?.schema;
}

/** Points local `#/components/...` references at the registered `xero` document. */
function rebase(schema: Json): Json {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, '"$ref":"xero#/')) as Json;
}

function parsedSpec(text: string, sha256: string): Json {
  const cached = join(cacheDir(), `parsed-${sha256.slice(0, 16)}.json`);
  if (existsSync(cached)) {
    try {
      return JSON.parse(readFileSync(cached, 'utf8')) as Json;
    } catch {
      // A torn cache file is rebuilt below.
    }
  }
  const doc = parseYaml(text, { maxAliasCount: -1 }) as Json;
  try {
    mkdirSync(cacheDir(), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ paths: doc.paths, components: doc.components }));
    renameSync(tmp, cached);
  } catch {
    // The cache only speeds up the next start; a read-only home directory is fine.
  }
  return doc;
}

function describe(errors: ErrorObject[]): SpecViolation[] {
  const out: SpecViolation[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const segments = e.instancePath.split('/').slice(1);
    let path = '';
    for (const s of segments) path += /^\d+$/.test(s) ? `[${s}]` : path ? `.${s}` : s;
    let reason = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      path = path ? `${path}.${missing}` : missing;
      reason = 'is required';
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      reason = `must be one of ${allowed.slice(0, 12).join(', ')}${allowed.length > 12 ? ', …' : ''}`;
    }
    const message = `${path || 'body'}: ${reason}`;
    if (seen.has(message)) continue;
    seen.add(message);
    const idx = /^\/[A-Za-z]+\/(\d+)/.exec(e.instancePath);
    out.push({ message, elementIndex: idx ? Number(idx[1]) : undefined });
  }
  return out;
}
