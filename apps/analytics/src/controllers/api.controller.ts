import { whoamiBody } from '@gatehouse/example-kit';
import type { Analytics, TelemetryStore } from '@gatehouse/example-telemetry-store';
import { readableSenders } from '@gatehouse/example-telemetry-store';
import { type AuthContext, CurrentAuth, GatehouseAuthz } from '@gatehouse/nestjs';
import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ANALYTICS, STORE } from '../tokens.js';

/**
 * Every route here needs valid credentials (the global Gatehouse guard). The reads return the records of
 * the senders Gatehouse's authorization step lets the caller read (one decision per sender), and nobody
 * else's.
 */
@Controller('v1')
export class ApiController {
  constructor(
    @Inject(ANALYTICS) private readonly analytics: Analytics,
    @Inject(STORE) private readonly store: TelemetryStore,
    @Inject(GatehouseAuthz) private readonly authz: GatehouseAuthz,
  ) {}

  @Get('whoami')
  whoami(@CurrentAuth() auth: AuthContext) {
    return whoamiBody(auth);
  }

  @Get('processes')
  async processes(@CurrentAuth() auth: AuthContext, @Query() query: Record<string, unknown>) {
    return this.analytics.processes(query, await this.readable(auth, 'process'));
  }

  @Get('logs')
  async logs(@CurrentAuth() auth: AuthContext, @Query() query: Record<string, unknown>) {
    return this.analytics.logs(query, await this.readable(auth, 'log'));
  }

  @Get('metrics')
  async metrics(@CurrentAuth() auth: AuthContext, @Query() query: Record<string, unknown>) {
    return this.analytics.metrics(query, await this.readable(auth, 'metric'));
  }

  @Get('metrics/summary')
  async metricsSummary(@CurrentAuth() auth: AuthContext, @Query() query: Record<string, unknown>) {
    return this.analytics.metricsSummary(query, await this.readable(auth, 'metric'));
  }

  // Whose records of this kind the caller may read.
  private readable(auth: AuthContext, type: string) {
    return readableSenders(this.store, type, (resources) => this.authz.permitted(auth, 'read', resources));
  }
}
