import type { Analytics } from '@gatehouse/example-telemetry-store';
import { whoamiBody } from '@gatehouse/example-telemetry-store';
import { type AuthContext, CurrentAuth } from '@gatehouse/nestjs';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ANALYTICS } from '../tokens.js';

/** Every route here needs valid credentials (the global Gatehouse guard). */
@Controller('v1')
export class ApiController {
  constructor(@Inject(ANALYTICS) private readonly analytics: Analytics) {}

  @Get('whoami')
  whoami(@CurrentAuth() auth: AuthContext) {
    return whoamiBody(auth);
  }

  @Get('processes')
  processes(@Query() query: Record<string, unknown>) {
    return this.analytics.processes(query);
  }

  @Get('logs')
  logs(@Query() query: Record<string, unknown>) {
    return this.analytics.logs(query);
  }

  @Get('metrics')
  metrics(@Query() query: Record<string, unknown>) {
    return this.analytics.metrics(query);
  }

  @Get('metrics/summary')
  metricsSummary(@Query() query: Record<string, unknown>) {
    return this.analytics.metricsSummary(query);
  }
}
