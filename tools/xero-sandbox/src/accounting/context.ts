import { Journal } from '../state/table';
import { Json, OrgRec } from '../state/records';

/** One parsed accounting call, after authentication, limits and spec validation. */
export interface AccountingRequest {
  org: OrgRec;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  /** Epoch ms from `If-Modified-Since`, when sent. */
  ifModifiedSince?: number;
  providerName: string;
  /** 4 when the call asked for `unitdp=4`, else Xero's default of 2. */
  unitDp: 2 | 4;
  /** Xero's live default is summarised (true) when the parameter is absent. */
  summarizeErrors: boolean;
  /** Wall-clock ms stamped on documents this call changes. */
  now: number;
}

/** What a handler answers; the pipeline adds headers and serialises. */
export interface AccountingResult {
  status: number;
  body: unknown;
}

export type AccountingHandler = (req: AccountingRequest) => AccountingResult;

/** A non-2xx answer a handler raises (404, a bad query, a single-document validation failure). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

/** Rejects one batch element with Xero's validation messages; the batch runner decides what that means. */
export class ElementError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join('; '));
  }
}

/** Collects several validation messages for one element before failing it, as Xero reports them together. */
export class Problems {
  private readonly list: string[] = [];

  add(message: string): void {
    if (!this.list.includes(message)) this.list.push(message);
  }

  get any(): boolean {
    return this.list.length > 0;
  }

  throwIfAny(): void {
    if (this.list.length) throw new ElementError(this.list);
  }
}

/** Applies one element inside the batch's journal and returns the element as Xero echoes it on success. */
export type ApplyElement = (element: Json, journal: Journal, index: number) => Json;

/** Renders any JSON value as text: strings as-is, everything else as JSON. */
export function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? `${v}` : JSON.stringify(v);
}

/** Reads a string field that may be absent. */
export function str(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : text(v);
}

/** Reads a numeric field; the spec validator has already rejected non-numbers. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function obj(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}
