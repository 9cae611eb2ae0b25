import { Public } from '@gatehouse/nestjs';
import { Controller, Get } from '@nestjs/common';

/** `GET /health`: 200 whenever the process serves (`/ready` is Gatehouse's, with `routes: true`). */
@Controller()
export class HealthController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok', service: 'analytics' };
  }
}
