import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { ENTITIES, type EntityName } from '@xero-sync/contracts';
import type { PendingChangeStatus } from '@xero-sync/persistence';
import { STORE_ID_MESSAGE, STORE_ID_PATTERN } from '../http/common.dto';
import { PageQueryDto } from '../http/list-query.dto';

export const QUEUE_STATUSES: PendingChangeStatus[] = ['pending', 'processing', 'waiting', 'failed', 'synced'];

export class QueueQueryDto extends PageQueryDto {
  @ApiProperty({ example: 'demo-store' })
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId!: string;

  @ApiPropertyOptional({ enum: QUEUE_STATUSES })
  @IsOptional()
  @IsIn(QUEUE_STATUSES)
  status?: PendingChangeStatus;

  @ApiPropertyOptional({ enum: ENTITIES })
  @IsOptional()
  @IsIn(ENTITIES)
  entity?: EntityName;

  @ApiPropertyOptional({ enum: ['-occurredAt'], default: '-occurredAt', description: 'newest change first' })
  @IsOptional()
  @IsIn(['-occurredAt'])
  sort?: string;
}

export class QueueSummaryQueryDto {
  @ApiProperty({ example: 'demo-store' })
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId!: string;
}

/** One queue item as the Queue page shows it (without its payload). */
export interface QueueItemView {
  id: string;
  storeId: string;
  entity: string;
  entityId: string;
  status: PendingChangeStatus;
  attempts: number;
  /** Why it is not synced yet: Xero's message for failed items, the dependency for waiting ones. */
  reason?: string;
  nextAttemptAt?: Date;
  occurredAt: Date;
  lastAttemptAt?: Date;
  xeroId?: string;
  /** "View On Xero" for the document the record became (when it has reached Xero). */
  xeroUrl?: string;
}
