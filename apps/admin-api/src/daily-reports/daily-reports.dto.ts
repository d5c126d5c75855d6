import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { PageQueryDto } from '../http/list-query.dto';

const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class DailyReportQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Xero tenant (org) id' })
  @IsOptional()
  @Matches(/^[0-9a-fA-F-]{1,64}$/, { message: 'tenantId must be a Xero tenant id (hex and dashes)' })
  tenantId?: string;

  @ApiPropertyOptional({ example: '2026-11-01', description: 'First UTC day (default: 13 days before `to`)' })
  @IsOptional()
  @Matches(DAY, { message: 'from must be a day YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-14', description: 'Last UTC day (default: today)' })
  @IsOptional()
  @Matches(DAY, { message: 'to must be a day YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({ enum: ['-day'], default: '-day' })
  @IsOptional()
  @IsIn(['-day'])
  sort?: string;
}
