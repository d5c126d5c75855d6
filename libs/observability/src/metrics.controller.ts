import { Controller, Get, Header } from '@nestjs/common';
import { scrapeMetrics } from './cluster';
import { metricsRegistry } from './metrics';

/** Prometheus scrape endpoint (all workers of a clustered app). */
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  async scrape(): Promise<string> {
    return scrapeMetrics();
  }
}
