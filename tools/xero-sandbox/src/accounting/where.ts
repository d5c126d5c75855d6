/**
 * A parser for the subset of Xero's `where` query syntax that clients use in practice: comparisons
 * (`==`, `!=`, `<`, `<=`, `>`, `>=`) of dotted field paths against quoted strings, `GUID("…")`, `DateTime(y,m,d)`,
 * numbers, booleans, `null` or bare enum words, string methods `.Contains("…")`, `.StartsWith("…")`,
 * `.EndsWith("…")`, joined by `AND`/`&&` and `OR`/`||` with parentheses. String comparison ignores case, as
 * Xero's does. Anything else is a parse error, answered the way Xero answers a bad query (400).
 */

export class WhereParseError extends Error {}

type Value =
  | { kind: 'string' | 'guid' | 'word'; v: string }
  | { kind: 'number'; v: number }
  | { kind: 'date'; v: number }
  | { kind: 'bool'; v: boolean }
  | { kind: 'null' };

type Node =
  | { t: 'and' | 'or'; a: Node; b: Node }
  | { t: 'cmp'; path: string[]; op: string; value: Value }
  | { t: 'method'; path: string[]; method: string; arg: string };

/** A compiled `where` clause: tests a document in its Xero JSON shape. */
export type WherePredicate = (doc: Record<string, unknown>) => boolean;

const TOKEN =
  /\s*(?:(\()|(\))|("(?:[^"\\]|\\.)*")|(==|!=|>=|<=|>|<|&&|\|\|)|(,)|(\.)|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(src: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(src);
    if (!m) throw new WhereParseError(`Unexpected character at position ${pos} in where clause`);
    out.push(m.slice(1).find((g) => g !== undefined)!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: string[]) {}

  parse(): Node {
    const n = this.or();
    if (this.i < this.toks.length) throw new WhereParseError(`Unexpected '${this.toks[this.i]}' in where clause`);
    return n;
  }

  private peek(): string | undefined {
    return this.toks[this.i];
  }

  private next(): string {
    const t = this.toks[this.i++];
    if (t === undefined) throw new WhereParseError('Unexpected end of where clause');
    return t;
  }

  private expect(t: string): void {
    const got = this.next();
    if (got !== t) throw new WhereParseError(`Expected '${t}' but found '${got}' in where clause`);
  }

  private or(): Node {
    let n = this.and();
    while (this.peek() === '||' || this.peek()?.toUpperCase() === 'OR') {
      this.next();
      n = { t: 'or', a: n, b: this.and() };
    }
    return n;
  }

  private and(): Node {
    let n = this.term();
    while (this.peek() === '&&' || this.peek()?.toUpperCase() === 'AND') {
      this.next();
      n = { t: 'and', a: n, b: this.term() };
    }
    return n;
  }

  private term(): Node {
    if (this.peek() === '(') {
      this.next();
      const n = this.or();
      this.expect(')');
      return n;
    }
    const path = [this.ident()];
    while (this.peek() === '.') {
      this.next();
      const name = this.ident();
      if (['Contains', 'StartsWith', 'EndsWith'].includes(name) && this.peek() === '(') {
        this.next();
        const arg = this.next();
        if (!arg.startsWith('"')) throw new WhereParseError(`${name} expects a quoted string`);
        this.expect(')');
        return { t: 'method', path, method: name, arg: unquote(arg) };
      }
      path.push(name);
    }
    const op = this.next();
    if (!['==', '!=', '>=', '<=', '>', '<'].includes(op)) throw new WhereParseError(`Unknown operator '${op}'`);
    return { t: 'cmp', path, op, value: this.value() };
  }

  private ident(): string {
    const t = this.next();
    if (!/^[A-Za-z_]/.test(t)) throw new WhereParseError(`Expected a field name but found '${t}'`);
    return t;
  }

  private value(): Value {
    const t = this.next();
    if (t.startsWith('"')) return { kind: 'string', v: unquote(t) };
    if (/^-?\d/.test(t)) return { kind: 'number', v: Number(t) };
    const word = t.toLowerCase();
    if (word === 'true' || word === 'false') return { kind: 'bool', v: word === 'true' };
    if (word === 'null') return { kind: 'null' };
    if (t === 'GUID' || t === 'Guid') {
      this.expect('(');
      const g = this.next();
      this.expect(')');
      return { kind: 'guid', v: unquote(g) };
    }
    if (t === 'DateTime') {
      this.expect('(');
      const parts: number[] = [];
      for (;;) {
        parts.push(Number(this.next()));
        if (this.peek() === ',') this.next();
        else break;
      }
      this.expect(')');
      const [y, mo = 1, d = 1, h = 0, mi = 0, s = 0] = parts;
      return { kind: 'date', v: Date.UTC(y, mo - 1, d, h, mi, s) };
    }
    return { kind: 'word', v: t };
  }
}

function unquote(t: string): string {
  return t.slice(1, -1).replace(/\\(.)/g, '$1');
}

function fieldAt(doc: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = doc;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Parses an MS JSON date (`/Date(ms+0000)/`) or ISO text into epoch ms. */
function asTime(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = /^\/Date\((-?\d+)/.exec(v);
  if (ms) return Number(ms[1]);
  const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
  return Number.isNaN(t) ? undefined : t;
}

function compare(field: unknown, value: Value): number | undefined {
  switch (value.kind) {
    case 'null':
      return field === null || field === undefined ? 0 : 1;
    case 'bool':
      return field === value.v ? 0 : 1;
    case 'number':
      return typeof field === 'number' ? Math.sign(field - value.v) : undefined;
    case 'date': {
      const t = asTime(field);
      return t === undefined ? undefined : Math.sign(t - value.v);
    }
    case 'string':
    case 'guid':
    case 'word': {
      if (field === null || field === undefined) return undefined;
      const a = (typeof field === 'string' ? field : JSON.stringify(field)).toLowerCase();
      const b = value.v.toLowerCase();
      return a === b ? 0 : a < b ? -1 : 1;
    }
  }
}

function evaluate(n: Node, doc: Record<string, unknown>): boolean {
  switch (n.t) {
    case 'and':
      return evaluate(n.a, doc) && evaluate(n.b, doc);
    case 'or':
      return evaluate(n.a, doc) || evaluate(n.b, doc);
    case 'method': {
      const f = fieldAt(doc, n.path);
      if (typeof f !== 'string') return false;
      const s = f.toLowerCase();
      const arg = n.arg.toLowerCase();
      return n.method === 'Contains'
        ? s.includes(arg)
        : n.method === 'StartsWith'
          ? s.startsWith(arg)
          : s.endsWith(arg);
    }
    case 'cmp': {
      const c = compare(fieldAt(doc, n.path), n.value);
      if (n.op === '!=') return c !== 0;
      if (c === undefined) return false;
      switch (n.op) {
        case '==':
          return c === 0;
        case '>':
          return c > 0;
        case '>=':
          return c >= 0;
        case '<':
          return c < 0;
        default:
          return c <= 0;
      }
    }
  }
}

/** Compiles a `where` clause; throws WhereParseError on syntax it does not support. */
export function parseWhere(src: string): WherePredicate {
  const tree = new Parser(tokenize(src)).parse();
  return (doc) => evaluate(tree, doc);
}
