import { Module } from '@nestjs/common';
import { ReplayJobModule } from '@xero-sync/persistence';
import { CommandsModule } from '../commands/commands.module';
import { ReplaysController } from './replays.controller';
import { StartReplayUseCase } from './start-replay.usecase';

@Module({
  imports: [CommandsModule, ReplayJobModule],
  controllers: [ReplaysController],
  providers: [StartReplayUseCase],
})
export class ReplaysModule {}
