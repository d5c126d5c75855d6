import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Length, Matches, Max, Min } from 'class-validator';
import { STORE_ID_MESSAGE, STORE_ID_PATTERN } from '../http/common.dto';
import { PageQueryDto } from '../http/list-query.dto';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreateStoreDto {
  @ApiProperty({ example: 'demo-store' })
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId!: string;

  @ApiProperty({ example: 'Demo Store' })
  @IsString()
  @Length(1, 120)
  name!: string;

  @ApiPropertyOptional({
    example: 'https://shop.example.com',
    description: 'Magento 2 root URL for the pull connector',
  })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  magentoBaseUrl?: string;

  @ApiPropertyOptional({ description: 'Magento integration access token (stored encrypted)' })
  @IsOptional()
  @IsString()
  @Length(8, 512)
  magentoToken?: string;
}

/** How long the replaced webhook secret stays accepted when none is given: time to paste the new one into the store. */
export const DEFAULT_KEEP_PREVIOUS_MINUTES = 60;
/** The longest grace a rotation can give the replaced secret (a week). */
export const MAX_KEEP_PREVIOUS_MINUTES = 7 * 24 * 60;

export class RotateSecretDto {
  @ApiPropertyOptional({
    description:
      'Minutes the replaced secret stays accepted for webhooks and uploads (default 60; 0 when it leaked). Events it ' +
      'signed before then still verify in the syncer, also when replayed.',
    minimum: 0,
    maximum: MAX_KEEP_PREVIOUS_MINUTES,
    example: DEFAULT_KEEP_PREVIOUS_MINUTES,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_KEEP_PREVIOUS_MINUTES)
  keepPreviousMinutes?: number;
}

export class MagentoCredentialsDto {
  @ApiProperty({ example: 'https://shop.example.com' })
  @IsUrl(URL_OPTIONS)
  magentoBaseUrl!: string;

  @ApiProperty()
  @IsString()
  @Length(8, 512)
  magentoToken!: string;
}

export class BindTenantDto {
  @ApiProperty({ description: 'Xero tenant id of a connected org; null unbinds', nullable: true })
  @IsOptional()
  @Matches(/^[0-9a-fA-F-]{1,64}$/, { message: 'tenantId must be a Xero tenant id (hex and dashes)' })
  tenantId?: string | null;
}

export class StoreListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['storeId'], default: 'storeId' })
  @IsOptional()
  @IsIn(['storeId'])
  sort?: string;
}
