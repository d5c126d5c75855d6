import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { STORE_ID_MESSAGE, STORE_ID_PATTERN } from '../http/common.dto';
import { PageQueryDto } from '../http/list-query.dto';

export class StartConnectDto {
  @ApiPropertyOptional({ description: 'Bind this store to the org once the consent completes (when it names one org)' })
  @IsOptional()
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId?: string;
}

export class CustomConnectionDto {
  @ApiProperty() @IsString() @Length(8, 128) clientId!: string;
  @ApiProperty() @IsString() @Length(8, 256) clientSecret!: string;

  @ApiPropertyOptional({ description: 'Bind this store to the connection’s org (a custom connection reaches one)' })
  @IsOptional()
  @Matches(STORE_ID_PATTERN, { message: STORE_ID_MESSAGE })
  storeId?: string;
}

export class TenantIdParam {
  @ApiProperty()
  @Matches(/^[0-9a-fA-F-]{1,64}$/, { message: 'tenantId must be a Xero tenant id (hex and dashes)' })
  tenantId!: string;
}

export class ConnectionsQueryDto extends PageQueryDto {}

/** One org reachable through a connection, with the health of the tokens that reach it. */
export interface ConnectionRow {
  connectionId: string;
  kind: 'oauth' | 'custom';
  tenantId: string;
  tenantName?: string;
  shortCode?: string;
  status: 'connected' | 'disconnected';
  tokenHealth: string;
  accessTokenExpiresAt?: Date;
  refreshTokenExpiresAt?: Date;
  warning?: string;
  stores: string[];
}
