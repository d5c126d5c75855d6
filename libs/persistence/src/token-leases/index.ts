import { ModelDefinition } from '@nestjs/mongoose';
import { TokenLease, TokenLeaseSchema } from './token-lease.schema';

export { TokenLease } from './token-lease.schema';
export { TokenLeaseRepository } from './token-lease.repository';
export const tokenLeaseModel: ModelDefinition = { name: TokenLease.name, schema: TokenLeaseSchema };
