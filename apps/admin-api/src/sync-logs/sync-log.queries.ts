import { Injectable } from '@nestjs/common';
import { SyncLogFilter, SyncLogRecord, SyncLogRepository, SyncLogSortField } from '@xero-sync/persistence';
import { ListPage, parseSort } from '../http/list-query.dto';
import { SyncLogFilterDto } from './sync-logs.dto';

/** Rows the CSV export writes at most (a bigger period should be narrowed with filters). */
export const CSV_EXPORT_LIMIT = 50_000;

const CSV_COLUMNS: (keyof SyncLogRecord)[] = [
  'createdAt',
  'storeId',
  'tenantId',
  'entity',
  'entityId',
  'action',
  'status',
  'message',
  'xeroId',
  'xeroUrl',
  'mode',
  'attempt',
  'calls',
  'durationMs',
  'correlationId',
  'nextAttemptAt',
];

/**
 * One CSV cell: quoted when needed, and cells that a spreadsheet would run as a formula (leading = + - @)
 * are prefixed with a quote, because messages can carry store-controlled text.
 */
export function csvCell(value: string | number | Date | undefined | null): string {
  if (value === undefined || value === null) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Reads of the sync log for "View Log" and its export. */
@Injectable()
export class SyncLogQueries {
  constructor(private readonly log: SyncLogRepository) {}

  /** One page of the log; `stores` (a key's scope) limits it to those stores, undefined = every store. */
  async search(
    dto: SyncLogFilterDto,
    page: number,
    pageSize: number,
    stores?: string[],
  ): Promise<ListPage<SyncLogRecord>> {
    const { field, direction } = parseSort(dto.sort ?? '-createdAt');
    const result = await this.log.search(toFilter(dto, stores), {
      page,
      pageSize,
      sort: field as SyncLogSortField,
      order: direction === 1 ? 'asc' : 'desc',
    });
    return { items: result.items, total: result.total, page, pageSize };
  }

  /** The CSV header line and then data lines, read page by page so memory stays flat. */
  async *csvLines(dto: SyncLogFilterDto, stores?: string[]): AsyncGenerator<string> {
    yield CSV_COLUMNS.join(',') + '\r\n';
    const pageSize = 500;
    for (let page = 1; page * pageSize <= CSV_EXPORT_LIMIT; page++) {
      const { items } = await this.search(dto, page, pageSize, stores);
      if (items.length > 0)
        yield items.map((row) => CSV_COLUMNS.map((c) => csvCell(row[c])).join(',') + '\r\n').join('');
      if (items.length < pageSize) return;
    }
  }
}

function toFilter(dto: SyncLogFilterDto, stores: string[] | undefined): SyncLogFilter {
  return {
    storeId: dto.storeId,
    storeIds: stores,
    tenantId: dto.tenantId,
    entity: dto.entity,
    entityId: dto.entityId,
    status: dto.status,
    mode: dto.mode,
    from: dto.from ? new Date(dto.from) : undefined,
    to: dto.to ? new Date(dto.to) : undefined,
    text: dto.q,
  };
}
