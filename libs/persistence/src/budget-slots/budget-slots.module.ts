import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { BudgetSlotRepository } from './budget-slot.repository';
import { BudgetSlot, BudgetSlotSchema } from './budget-slot.schema';

/** The `budget_slots` collection (the fleet-wide Xero budget per org). Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: BudgetSlot.name, schema: BudgetSlotSchema }])],
  providers: [BudgetSlotRepository],
  exports: [BudgetSlotRepository],
})
export class BudgetSlotsModule {}
