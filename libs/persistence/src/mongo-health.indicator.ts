import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Connection } from 'mongoose';

/** `/health` check: up when the MongoDB-wire server answers a ping within 3 s. */
@Injectable()
export class MongoHealthIndicator {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async check(): Promise<HealthIndicatorResult> {
    const probe = this.indicator.check('mongodb');
    let timer: NodeJS.Timeout | undefined;
    try {
      const db = this.connection.db;
      if (!db) throw new Error('not connected');
      await Promise.race([
        db.command({ ping: 1 }),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout after 3000 ms')), 3000))),
      ]);
      return probe.up();
    } catch (err) {
      return probe.down({ message: err instanceof Error ? err.message : String(err) });
    } finally {
      clearTimeout(timer);
    }
  }
}
