import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
} from 'class-validator';
import { API_KEY_ROLES, type ApiKeyRole } from '@xero-sync/persistence';
import { STORE_ID_MESSAGE, STORE_ID_PATTERN } from '../http/common.dto';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ops laptop', description: 'What the key is for (shown in the key list).' })
  @IsString()
  @Length(1, 80)
  @Matches(/^[\w .@:-]+$/, { message: 'name may contain letters, digits, spaces and . _ @ : - only' })
  name!: string;

  @ApiProperty({
    enum: API_KEY_ROLES,
    description: 'viewer < operator < admin; metrics may only read /metrics (for Prometheus scrapers)',
  })
  @IsIn(API_KEY_ROLES)
  role!: ApiKeyRole;

  @ApiPropertyOptional({
    type: [String],
    example: ['demo-store'],
    description: 'The stores the key may see; omitted: every store. A metrics key always sees every store.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @Matches(STORE_ID_PATTERN, { each: true, message: STORE_ID_MESSAGE })
  stores?: string[];

  @ApiPropertyOptional({ example: '2027-01-01T00:00:00Z', description: 'When the key stops working; omitted: never.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class ApiKeyIdParam {
  @ApiProperty()
  @Matches(/^[0-9a-f]{24}$/, { message: 'id must be a 24-character hex key id' })
  id!: string;
}
