import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { BackfillsController } from './backfills.controller';

@Module({ imports: [CommandsModule], controllers: [BackfillsController] })
export class BackfillsModule {}
