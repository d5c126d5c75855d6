export { BudgetSlot, BudgetSlotKind, BudgetSlotSchema } from './budget-slot.schema';
export {
  BudgetSlotLimits,
  BudgetSlotRepository,
  FreeSlot,
  HeldBudgetSlots,
  OrgBudgetView,
  SlotRelease,
  SUPERSEDED_GRACE_MS,
} from './budget-slot.repository';
export { BudgetSlotsModule } from './budget-slots.module';
