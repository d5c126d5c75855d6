import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { ENTITIES, type EntityName } from '@xero-sync/contracts';

/** Store ids as stores, topics and keys use them: letters, digits, `.`, `_`, `-`, at most 64. */
export const STORE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const STORE_ID_MESSAGE = 'storeId must be 1-64 letters, digits, . _ - (starting with a letter or digit)';
/** Magento entity ids: numeric ids or SKUs (SKUs may hold spaces and most punctuation, never `$`). */
export const ENTITY_ID_PATTERN = /^[^$\s/\\][^$/\\]{0,127}$/;

export class StoreIdParam {
  @ApiProperty({ example: 'demo-store' })
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId!: string;
}

export class RecordParams extends StoreIdParam {
  @ApiProperty({ enum: ENTITIES })
  @IsIn(ENTITIES)
  entity!: EntityName;

  @ApiProperty({ example: '100000123', description: 'Magento id (product: SKU)' })
  @IsString()
  @Length(1, 128)
  @Matches(ENTITY_ID_PATTERN, { message: 'entityId must not contain $, / or \\' })
  entityId!: string;
}

/** Answer of routes that send a command: the command as published (202 Accepted). */
export interface CommandAccepted {
  accepted: true;
  commandId: string;
  type: string;
  storeId: string;
}
