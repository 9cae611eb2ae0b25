import {
  METRICS_REQUIREMENT,
  metricsAnswer,
  type PrometheusMetrics,
} from '@gatehouse/example-telemetry-store';
import { RequireAuth } from '@gatehouse/nestjs';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { METRICS } from '../tokens.js';

/** `GET /metrics`: Prometheus text for admins and identities with the `metrics:read` scope. */
@Controller()
export class MetricsController {
  constructor(@Inject(METRICS) private readonly metrics: PrometheusMetrics) {}

  @RequireAuth(METRICS_REQUIREMENT)
  @Get('metrics')
  async scrape(@Res() res: Response): Promise<void> {
    const answer = await metricsAnswer(this.metrics);
    res.status(answer.status).set(answer.headers).send(answer.body);
  }
}
