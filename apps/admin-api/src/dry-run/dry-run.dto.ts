import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsObject, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ENTITIES, type EntityName } from '@xero-sync/contracts';
import { ENTITY_ID_PATTERN } from '../http/common.dto';

export class DryRunDto {
  @ApiProperty({ enum: ENTITIES })
  @IsIn(ENTITIES)
  entity!: EntityName;

  @ApiProperty({ example: '100000123', description: 'Magento id (product: SKU)' })
  @IsString()
  @Length(1, 128)
  @Matches(ENTITY_ID_PATTERN, { message: 'entityId must not contain $, / or \\' })
  entityId!: string;

  @ApiPropertyOptional({
    description: 'The record as Magento returns it; when omitted, the last content the pipeline received is used',
  })
  @IsOptional()
  @IsObject()
  payload?: Record<string, unknown>;
}
