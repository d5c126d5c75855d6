import { z } from 'zod';

/** One failing field: a dotted path into the input (e.g. `payload.items.0.sku`) and the reason. */
export interface FieldError {
  path: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Runs a zod schema and turns its issues into field errors with dotted paths. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, basePath = ''): ParseResult<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((i) => ({
      path: [basePath, ...i.path.map(String)].filter((p) => p !== '').join('.') || '(root)',
      message: i.message,
    })),
  };
}
