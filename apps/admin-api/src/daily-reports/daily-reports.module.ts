import { Module } from '@nestjs/common';
import { DailyReportsController } from './daily-reports.controller';

@Module({ controllers: [DailyReportsController] })
export class DailyReportsModule {}
