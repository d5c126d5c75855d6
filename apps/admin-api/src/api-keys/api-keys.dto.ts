import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { API_KEY_ROLES, type ApiKeyRole } from '@xero-sync/persistence';

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ops laptop', description: 'What the key is for (shown in the key list).' })
  @IsString()
  @Length(1, 80)
  @Matches(/^[\w .@:-]+$/, { message: 'name may contain letters, digits, spaces and . _ @ : - only' })
  name!: string;

  @ApiProperty({ enum: API_KEY_ROLES })
  @IsIn(API_KEY_ROLES)
  role!: ApiKeyRole;
}

export class ApiKeyIdParam {
  @ApiProperty()
  @Matches(/^[0-9a-f]{24}$/, { message: 'id must be a 24-character hex key id' })
  id!: string;
}
