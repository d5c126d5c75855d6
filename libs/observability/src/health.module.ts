import {
  Controller,
  DynamicModule,
  Get,
  Inject,
  Module,
  ModuleMetadata,
  Res,
  ServiceUnavailableException,
  Type,
} from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, TerminusModule } from '@nestjs/terminus';
import { MetricsController } from './metrics.controller';

/** A dependency the app cannot serve without; `check()` resolves up or down, never hangs past its timeout. */
export interface HealthCheckable {
  check(): Promise<HealthIndicatorResult>;
}

const CHECKS = Symbol('HEALTH_CHECKS');

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(CHECKS) private readonly checks: HealthCheckable[],
  ) {}

  /**
   * 200 when every dependency answers, 503 with the failing ones otherwise. The 503 is answered here, in
   * Terminus's shape, so an app's own exception filter cannot reshape it and hide which dependency is down.
   */
  @Get()
  @HealthCheck()
  async check(@Res({ passthrough: true }) res: { status(code: number): unknown }): Promise<unknown> {
    try {
      return await this.health.check(this.checks.map((c) => () => c.check()));
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse();
    }
  }
}

export interface HealthOptions {
  imports?: ModuleMetadata['imports'];
  checks: Type<HealthCheckable>[];
}

/** `/health` (Terminus) over the given dependency checks, plus `/metrics` (Prometheus). */
@Module({})
export class HealthModule {
  static forRoot(options: HealthOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(options.imports ?? [])],
      controllers: [HealthController, MetricsController],
      providers: [
        ...options.checks,
        { provide: CHECKS, useFactory: (...checks: HealthCheckable[]) => checks, inject: options.checks },
      ],
    };
  }
}
