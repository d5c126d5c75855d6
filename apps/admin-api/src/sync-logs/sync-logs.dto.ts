import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ENTITIES, type EntityName } from '@xero-sync/contracts';
import {
  SYNC_LOG_MODES,
  SYNC_LOG_SORT_FIELDS,
  SYNC_LOG_STATUSES,
  SyncLogMode,
  SyncLogStatus,
} from '@xero-sync/persistence';
import { PageQueryDto, sortValues } from '../http/list-query.dto';
import { STORE_ID_MESSAGE, STORE_ID_PATTERN } from '../http/common.dto';

const SORTS = sortValues(SYNC_LOG_SORT_FIELDS);

/** Filters of "View Log" (and its CSV export). */
export class SyncLogFilterDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId?: string;

  @ApiPropertyOptional({ description: 'Xero tenant (org) id' })
  @IsOptional()
  @Matches(/^[0-9a-fA-F-]{1,64}$/, { message: 'tenantId must be a Xero tenant id (hex and dashes)' })
  tenantId?: string;

  @ApiPropertyOptional({ enum: ENTITIES })
  @IsOptional()
  @IsIn(ENTITIES)
  entity?: EntityName;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 128)
  entityId?: string;

  @ApiPropertyOptional({
    enum: SYNC_LOG_STATUSES,
    description: 'waiting = held by a dependency (another record must reach Xero first), retried on its own',
  })
  @IsOptional()
  @IsIn(SYNC_LOG_STATUSES)
  status?: SyncLogStatus;

  @ApiPropertyOptional({ enum: SYNC_LOG_MODES, description: 'intake = a message rejected before any sync' })
  @IsOptional()
  @IsIn(SYNC_LOG_MODES)
  mode?: SyncLogMode;

  @ApiPropertyOptional({ description: 'From (inclusive), ISO 8601' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'To (exclusive), ISO 8601' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ description: 'Text in the message, entity id or Xero id (literal, case-insensitive)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;

  @ApiPropertyOptional({ enum: SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(SORTS)
  sort?: string;
}

/** "View Log" list: the filters plus paging. */
export class SyncLogQueryDto extends IntersectionType(PageQueryDto, SyncLogFilterDto) {}
