import { errorAnswer, NOT_FOUND } from '@gatehouse/example-kit';
import { GatehouseException } from '@gatehouse/nestjs';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';

/**
 * Gives every failure the apps' one JSON shape, `{"error", "error_description"}`: Gatehouse's own
 * answers pass through with their headers, a `ValidationError` is a 400 naming the
 * field, other HTTP exceptions keep their status, anything else is a 500 that says nothing more.
 */
@Catch()
export class JsonErrorFilter implements ExceptionFilter {
  constructor(private readonly onUnexpectedError: (err: unknown) => void) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (exception instanceof GatehouseException) {
      // Its headers (WWW-Authenticate, Retry-After): the guard's refusals have them set already, the
      // authorization step's 503 from a controller not yet.
      response.status(exception.getStatus()).set(exception.headers).json(exception.getResponse());
      return;
    }
    const answer =
      exception instanceof HttpException
        ? exception.getStatus() === 404
          ? NOT_FOUND
          : errorAnswer({ status: exception.getStatus() })
        : errorAnswer(exception);
    if (answer.status >= 500) this.onUnexpectedError(exception);
    response.status(answer.status).set(answer.headers).json(answer.body);
  }
}
