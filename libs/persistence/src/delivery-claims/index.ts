import { ModelDefinition } from '@nestjs/mongoose';
import { DeliveryClaim, DeliveryClaimSchema } from './delivery-claim.schema';

export { DeliveryClaim, DeliveryClaimSchema } from './delivery-claim.schema';
export { ClaimKey, ClaimResult, DeliveryClaimRepository } from './delivery-claim.repository';
export const deliveryClaimModel: ModelDefinition = { name: DeliveryClaim.name, schema: DeliveryClaimSchema };
