import { Module } from '@nestjs/common';
import { ReconcileStoreUseCase } from './reconcile-store.usecase';
import { ReconciliationController } from './reconciliation.controller';

@Module({ controllers: [ReconciliationController], providers: [ReconcileStoreUseCase] })
export class ReconciliationModule {}
