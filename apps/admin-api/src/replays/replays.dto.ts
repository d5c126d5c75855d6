import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';
import { ENTITIES, type EntityName } from '@xero-sync/contracts';
import { StoreIdParam } from '../http/common.dto';

export class StartReplayDto {
  @ApiProperty({
    example: '2026-12-03T00:00:00Z',
    description: 'Replay the events published since this time (ISO 8601), up to the time of the request',
  })
  @IsISO8601({ strict: true })
  from!: string;

  @ApiPropertyOptional({ enum: ENTITIES, isArray: true, description: 'Entity types to replay; all when omitted' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ENTITIES, { each: true })
  entities?: EntityName[];
}

export class ReplayParams extends StoreIdParam {
  @ApiProperty()
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'replayId must be letters, digits and dashes' })
  replayId!: string;
}
