import { Module } from '@nestjs/common';
import { DryRunController } from './dry-run.controller';

@Module({ controllers: [DryRunController] })
export class DryRunModule {}
