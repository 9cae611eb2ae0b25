import { Public } from '@gatehouse/nestjs';
import { Controller, Get } from '@nestjs/common';

@Controller()
export class HealthController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok', service: 'analytics' };
  }
}
