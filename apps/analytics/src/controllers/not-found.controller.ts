import { AdminOnly } from '@gatehouse/nestjs';
import { All, Controller, NotFoundException } from '@nestjs/common';

// Nest answers an unmatched route with its own 404 before any guard runs, which would tell a caller
// without credentials which routes exist. These catch-all routes are registered last, so the global
// Gatehouse guard sees every unknown path: 401 without credentials, 403 for a non-admin under
// /v1/admin, and only then 404.

@AdminOnly()
@Controller('v1/admin')
export class AdminNotFoundController {
  @All(['', '*path'])
  notFound(): never {
    throw new NotFoundException();
  }
}

@Controller()
export class NotFoundController {
  @All('{*path}')
  notFound(): never {
    throw new NotFoundException();
  }
}
