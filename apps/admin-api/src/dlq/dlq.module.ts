import { Module } from '@nestjs/common';
import { CommandsModule } from '../commands/commands.module';
import { DlqController } from './dlq.controller';

@Module({ imports: [CommandsModule], controllers: [DlqController] })
export class DlqModule {}
