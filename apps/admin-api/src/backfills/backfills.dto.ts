import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, Matches } from 'class-validator';
import { ENTITIES, type EntityName } from '@xero-sync/contracts';
import { STORE_ID_MESSAGE, STORE_ID_PATTERN } from '../http/common.dto';
import { PageQueryDto } from '../http/list-query.dto';

export class StartBackfillDto {
  @ApiProperty({ example: 'demo-store' })
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId!: string;

  @ApiPropertyOptional({ enum: ENTITIES, isArray: true, description: 'Entity types to load; all when omitted' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ENTITIES, { each: true })
  entities?: EntityName[];
}

export class BackfillQueryDto extends PageQueryDto {
  @ApiProperty({ example: 'demo-store' })
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId!: string;

  @ApiPropertyOptional({ enum: ['-createdAt'], default: '-createdAt' })
  @IsOptional()
  @IsIn(['-createdAt'])
  sort?: string;
}

export class JobIdParam {
  @ApiProperty()
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'jobId must be letters, digits and dashes' })
  jobId!: string;
}
