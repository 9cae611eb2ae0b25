import type { Analytics } from '@gatehouse/example-telemetry-store';
import { AdminOnly } from '@gatehouse/nestjs';
import { Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ANALYTICS } from '../tokens.js';

@AdminOnly()
@Controller('v1/admin')
export class AdminController {
  constructor(@Inject(ANALYTICS) private readonly analytics: Analytics) {}

  @Get('status')
  status() {
    return this.analytics.status();
  }

  @Post('retention')
  @HttpCode(200)
  retention(@Query() query: Record<string, unknown>) {
    return this.analytics.retention(query);
  }
}
