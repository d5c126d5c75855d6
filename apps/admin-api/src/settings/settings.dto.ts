import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { ENTITIES, type EntityName } from '@xero-sync/contracts';
import type { XeroInvoiceStatusRule } from '@xero-sync/persistence';
import { PageQueryDto } from '../http/list-query.dto';

const ACCOUNT_CODE = /^[A-Za-z0-9._-]{1,10}$/;
const ACCOUNT_MESSAGE = 'must be a Xero account code (1-10 letters, digits, . _ -)';
const TAX_TYPE = /^[A-Z0-9_]{1,40}$/;
const TAX_MESSAGE = 'must be a Xero tax type (capitals, digits, _)';
const MAP_KEY = /^[A-Za-z0-9_-]{1,64}$/;
export const INVOICE_STATUSES: XeroInvoiceStatusRule[] = ['DRAFT', 'SUBMITTED', 'AUTHORISED'];

/** A plain object whose keys match MAP_KEY and whose values pass `valueOk` (free-form maps of the mapping). */
function IsMap(valueOk: (v: unknown) => boolean, describe: string, options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= 200 &&
          Object.entries(value as Record<string, unknown>).every(([k, v]) => MAP_KEY.test(k) && valueOk(v)),
        defaultMessage: () => `$property must map keys (letters, digits, _ -) to ${describe}`,
      },
    },
    options,
  );
}

export class AccountsDto {
  @ApiProperty({ example: '200' }) @Matches(ACCOUNT_CODE, { message: `sales ${ACCOUNT_MESSAGE}` }) sales!: string;
  @ApiProperty({ example: '210' }) @Matches(ACCOUNT_CODE, { message: `shipping ${ACCOUNT_MESSAGE}` }) shipping!: string;
  @ApiProperty({ example: '860' }) @Matches(ACCOUNT_CODE, { message: `rounding ${ACCOUNT_MESSAGE}` }) rounding!: string;
  @ApiProperty({ example: '200' })
  @Matches(ACCOUNT_CODE, { message: `adjustments ${ACCOUNT_MESSAGE}` })
  adjustments!: string;
}

/** Accounts gift cards and store credit are paid from and refunded to (null: that part stays due / open). */
export class TenderAccountsDto {
  @ApiPropertyOptional({ example: '855', nullable: true })
  @IsOptional()
  @Matches(ACCOUNT_CODE, { message: `giftCards ${ACCOUNT_MESSAGE}` })
  giftCards: string | null = null;
  @ApiPropertyOptional({ example: '856', nullable: true })
  @IsOptional()
  @Matches(ACCOUNT_CODE, { message: `storeCredit ${ACCOUNT_MESSAGE}` })
  storeCredit: string | null = null;
}

export class TaxRateDto {
  @ApiProperty({ example: 15 }) @IsNumber({ maxDecimalPlaces: 4 }) @Min(0) @Max(100) percent!: number;
  @ApiProperty({ example: 'OUTPUT2' }) @Matches(TAX_TYPE, { message: `taxType ${TAX_MESSAGE}` }) taxType!: string;
  @ApiPropertyOptional({
    example: 'US-CA-*-Rate 1',
    description: 'Magento tax rate code (several rates on one line: their codes joined with " + ")',
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  code?: string;
}

/** A time zone name the runtime knows (IANA, e.g. Pacific/Auckland). */
function IsTimeZone(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isTimeZone',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || value.length > 64) return false;
          try {
            new Intl.DateTimeFormat('en-CA', { timeZone: value });
            return true;
          } catch {
            return false;
          }
        },
        defaultMessage: () => '$property must be an IANA time zone name such as Pacific/Auckland',
      },
    },
    options,
  );
}

export class PrefixesDto {
  // A guest's ContactNumber is the prefix, "G" and a 43-character email hash: Xero allows 50 characters.
  @ApiProperty({ example: 'MC-' })
  @Matches(/^[A-Za-z0-9-]{0,6}$/, {
    message: "contact prefix: up to 6 letters, digits, - (a guest's ContactNumber adds 44 characters; Xero allows 50)",
  })
  contact!: string;
  @ApiProperty({ example: 'MI-' })
  @Matches(/^[A-Za-z0-9-]{0,10}$/, { message: 'invoice prefix: up to 10 letters, digits, -' })
  invoice!: string;
  @ApiProperty({ example: 'MCN-' })
  @Matches(/^[A-Za-z0-9-]{0,10}$/, { message: 'creditNote prefix: up to 10 letters, digits, -' })
  creditNote!: string;
}

export class MappingDto {
  @ApiProperty({ type: AccountsDto }) @ValidateNested() @Type(() => AccountsDto) accounts!: AccountsDto;

  @ApiProperty({ type: [TaxRateDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TaxRateDto)
  taxRates!: TaxRateDto[];

  @ApiProperty({ example: { '2': 'OUTPUT2' }, description: 'store tax class id → Xero tax type' })
  @IsMap((v) => typeof v === 'string' && TAX_TYPE.test(v), 'Xero tax types')
  taxClasses!: Record<string, string>;

  @ApiProperty({ example: 'NONE' }) @Matches(TAX_TYPE, { message: `noTaxType ${TAX_MESSAGE}` }) noTaxType!: string;

  @ApiProperty({
    example: { checkmo: '090', purchaseorder: null },
    description: 'payment method → account code (null: leave due)',
  })
  @IsMap((v) => v === null || (typeof v === 'string' && ACCOUNT_CODE.test(v)), 'account codes or null')
  paymentAccounts!: Record<string, string | null>;

  @ApiProperty({ example: '091', nullable: true })
  @IsOptional()
  @Matches(ACCOUNT_CODE, { message: `defaultPaymentAccount ${ACCOUNT_MESSAGE}` })
  defaultPaymentAccount!: string | null;

  @ApiPropertyOptional({
    type: TenderAccountsDto,
    description: 'accounts (payments enabled) that gift cards and store credit pay from; null leaves that part due',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => TenderAccountsDto)
  tenderAccounts: TenderAccountsDto = new TenderAccountsDto();

  @ApiProperty({ enum: ['Exclusive', 'Inclusive'] }) @IsIn(['Exclusive', 'Inclusive']) lineAmountTypes!:
    'Exclusive' | 'Inclusive';

  @ApiProperty({
    example: { new: 'DRAFT', processing: 'AUTHORISED' },
    description: 'Magento order state → invoice status',
  })
  @IsMap((v) => (INVOICE_STATUSES as unknown[]).includes(v), INVOICE_STATUSES.join(' | '))
  statusRules!: Record<string, XeroInvoiceStatusRule>;

  @ApiProperty({ type: PrefixesDto }) @ValidateNested() @Type(() => PrefixesDto) prefixes!: PrefixesDto;
  @ApiProperty({ example: 14 }) @IsInt() @Min(0) @Max(365) dueDays!: number;
  @ApiProperty() @IsBoolean() roundingLine!: boolean;

  @ApiPropertyOptional({
    example: 0.05,
    default: 0.05,
    description: 'largest residue a rounding line may carry per document; a larger gap fails the record',
  })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2 })
  @Min(0)
  @Max(1)
  roundingCap: number = 0.05;

  @ApiPropertyOptional({ example: 'Pacific/Auckland', default: 'UTC', description: "the store's time zone" })
  @IsOptional()
  @IsTimeZone()
  timeZone: string = 'UTC';

  @ApiPropertyOptional({
    enum: ['store', 'xero'],
    default: 'store',
    description: "exchange rate of foreign-currency documents: the store's own, or Xero's daily rate",
  })
  @IsOptional()
  @IsIn(['store', 'xero'])
  exchangeRates: 'store' | 'xero' = 'store';
}

/** The whole settings of a store (PUT replaces them; the dashboard sends back what GET returned, edited). */
export class UpdateSettingsDto {
  @ApiProperty({
    enum: ['immediate', 'cron'],
    description: 'Immediately, or Cron Job (queued and flushed every interval)',
  })
  @IsIn(['immediate', 'cron'])
  mode!: 'immediate' | 'cron';

  @ApiProperty({ example: 15, minimum: 1, maximum: 1440 }) @IsInt() @Min(1) @Max(1440) cronIntervalMinutes!: number;

  @ApiPropertyOptional({
    example: 60,
    minimum: 1,
    maximum: 10080,
    description: 'minutes a record may wait on another record before it is failed with what it waits for',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10080)
  waitHorizonMinutes?: number;

  @ApiProperty({ enum: ENTITIES, isArray: true })
  @IsArray()
  @ArrayUnique()
  @IsIn(ENTITIES, { each: true })
  entitiesEnabled!: EntityName[];

  @ApiProperty({ type: MappingDto }) @ValidateNested() @Type(() => MappingDto) mapping!: MappingDto;
}

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['-at'], default: '-at' })
  @IsOptional()
  @IsIn(['-at'])
  sort?: string;
}
