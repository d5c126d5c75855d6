/** Minimal HTTP client for e2e tests: real requests over the socket, JSON in and out. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export async function call(
  url: string,
  path: string,
  options: {
    method?: string;
    key?: string;
    header?: 'bearer' | 'x-api-key';
    body?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) {
    if (options.header === 'x-api-key') headers['X-Api-Key'] = options.key;
    else headers.Authorization = `Bearer ${options.key}`;
  }
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  }
  const res = await fetch(url + path, { method: options.method ?? 'GET', headers, body, redirect: 'manual' });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Field names of a 400/422 answer. */
export function fieldsOf(answer: Answer): string[] {
  return ((answer.body?.fields ?? []) as { field: string }[]).map((f) => f.field);
}
