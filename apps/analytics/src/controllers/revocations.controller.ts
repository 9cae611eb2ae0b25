import { type Gatehouse, type HttpAnswer } from '@gatehouse/core';
import { answerRevocationRoute } from '@gatehouse/example-telemetry-store';
import { AdminOnly, GATEHOUSE, Public } from '@gatehouse/nestjs';
import { Controller, Delete, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

function send(res: Response, answer: HttpAnswer): void {
  res.status(answer.status).set(answer.headers);
  if (answer.body === undefined) res.end();
  else res.json(answer.body);
}

/** The contract's revocation routes (admin only); the answers come from core, the bodies are read once. */
@AdminOnly()
@Controller('v1/admin/revocations')
export class RevocationsController {
  constructor(@Inject(GATEHOUSE) private readonly gate: Gatehouse) {}

  @Post()
  async create(@Req() req: Request, @Res() res: Response) {
    send(res, await answerRevocationRoute(this.gate.revocationRoutes, 'create', req));
  }

  @Get()
  async list(@Req() req: Request, @Res() res: Response) {
    send(res, await answerRevocationRoute(this.gate.revocationRoutes, 'list', req));
  }

  @Delete(':id')
  async remove(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    send(res, await answerRevocationRoute(this.gate.revocationRoutes, 'remove', req, id));
  }
}

/** `POST /v1/backchannel-logout`: public (the logout token is the credential). */
@Public()
@Controller('v1/backchannel-logout')
export class BackchannelLogoutController {
  constructor(@Inject(GATEHOUSE) private readonly gate: Gatehouse) {}

  @Post()
  async logout(@Req() req: Request, @Res() res: Response) {
    send(res, await answerRevocationRoute(this.gate.revocationRoutes, 'backchannel-logout', req));
  }
}
