import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { RequestStatsRepository } from './request-stat.repository';
import { RequestStat, RequestStatSchema } from './request-stat.schema';

/** The `request_stats` collection: registers its schema and provides RequestStatsRepository. Needs PersistenceModule.forRoot in the app. */
@Module({
  imports: [MongooseModule.forFeature([{ name: RequestStat.name, schema: RequestStatSchema }])],
  providers: [RequestStatsRepository],
  exports: [RequestStatsRepository],
})
export class RequestStatsModule {}
