/**
 * Undo log for one write request: every change made through a Table is recorded, so a summarised batch with any
 * failing element — or one failing element under summarizeErrors=false — can be rolled back exactly.
 */
export class Journal {
  private readonly undo: Array<() => void> = [];

  record(fn: () => void): void {
    this.undo.push(fn);
  }

  rollback(): void {
    while (this.undo.length) this.undo.pop()!();
  }
}

/** Maps a row to an index key; undefined leaves the row out of that index. Keys should be normalised. */
export type IndexFn<T> = (row: T) => string | undefined;

/**
 * An in-memory table keyed by id, with unique secondary indexes kept in step on every put. Rows are replaced,
 * never mutated in place, so the journal can restore the previous object.
 */
export class Table<T extends object> {
  private readonly rows = new Map<string, T>();
  private readonly indexes = new Map<string, Map<string, string>>();

  constructor(
    private readonly idOf: (row: T) => string,
    private readonly indexFns: Record<string, IndexFn<T>> = {},
  ) {
    for (const name of Object.keys(indexFns)) this.indexes.set(name, new Map());
  }

  get(id: string): T | undefined {
    return this.rows.get(id);
  }

  /** Finds a row by a unique index (`key` is normalised by the caller the same way the index function does). */
  find(index: string, key: string | undefined): T | undefined {
    if (key === undefined) return undefined;
    const id = this.indexes.get(index)?.get(key);
    return id === undefined ? undefined : this.rows.get(id);
  }

  all(): T[] {
    return [...this.rows.values()];
  }

  get size(): number {
    return this.rows.size;
  }

  /** Inserts or replaces a row, recording the previous state in `journal`. */
  put(row: T, journal?: Journal): void {
    const id = this.idOf(row);
    const old = this.rows.get(id);
    journal?.record(() => (old ? this.write(old) : this.remove(id)));
    this.write(row);
  }

  private write(row: T): void {
    const id = this.idOf(row);
    const old = this.rows.get(id);
    if (old) this.unindex(old);
    this.rows.set(id, row);
    for (const [name, fn] of Object.entries(this.indexFns)) {
      const key = fn(row);
      if (key !== undefined) this.indexes.get(name)!.set(key, id);
    }
  }

  private remove(id: string): void {
    const old = this.rows.get(id);
    if (!old) return;
    this.unindex(old);
    this.rows.delete(id);
  }

  private unindex(row: T): void {
    const id = this.idOf(row);
    for (const [name, fn] of Object.entries(this.indexFns)) {
      const key = fn(row);
      const idx = this.indexes.get(name)!;
      if (key !== undefined && idx.get(key) === id) idx.delete(key);
    }
  }
}
