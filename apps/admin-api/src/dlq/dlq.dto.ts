import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, Matches } from 'class-validator';
import type { DlqMessageStatus } from '@xero-sync/persistence';
import { STORE_ID_MESSAGE, STORE_ID_PATTERN } from '../http/common.dto';
import { PageQueryDto } from '../http/list-query.dto';

export class DlqQueryDto extends PageQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId?: string;

  @ApiPropertyOptional({ enum: ['new', 'requeued'] })
  @IsOptional()
  @IsIn(['new', 'requeued'])
  status?: DlqMessageStatus;

  @ApiPropertyOptional({ enum: ['-createdAt'], default: '-createdAt' })
  @IsOptional()
  @IsIn(['-createdAt'])
  sort?: string;
}

export class DlqRequeueDto {
  @ApiProperty({ example: 'demo-store' })
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId!: string;

  @ApiProperty({ type: [String], description: 'DLQ message ids (from the list)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @Matches(/^[0-9a-f]{24}$/, { each: true, message: 'each id must be a 24-character hex DLQ message id' })
  ids!: string[];
}
