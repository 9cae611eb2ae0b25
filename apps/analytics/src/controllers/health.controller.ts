import { type Gatehouse, readinessAnswer } from '@gatehouse/core';
import { GATEHOUSE, Public } from '@gatehouse/nestjs';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';

@Controller()
export class HealthController {
  constructor(@Inject(GATEHOUSE) private readonly gate: Gatehouse) {}

  @Public()
  @Get('health')
  health() {
    return { status: 'ok', service: 'analytics' };
  }

  /** 200 once every issuer's keys are loaded (and every component answers), 503 with what is missing. */
  @Public()
  @Get('ready')
  ready(@Res() res: Response): void {
    const answer = readinessAnswer(this.gate.ready());
    res.status(answer.status).set(answer.headers).json(answer.body);
  }
}
