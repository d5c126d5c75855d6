import { Module } from '@nestjs/common';
import { PublishCommandUseCase } from './publish-command.usecase';

/** Sending commands to the syncers and ingest over Kafka. */
@Module({ providers: [PublishCommandUseCase], exports: [PublishCommandUseCase] })
export class CommandsModule {}
