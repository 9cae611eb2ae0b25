import type { AuthError, AuthErrorResponse } from '@gatehouse/core';
import { HttpException } from '@nestjs/common';

/**
 * The Nest exception for an authentication or authorization failure: the status and JSON body of
 * `@gatehouse/core`'s error table, with the `AuthError` as `cause`. Its headers (`WWW-Authenticate`,
 * `Retry-After`) are already set on the response when it is thrown; custom filters can read them here.
 */
export class GatehouseException extends HttpException {
  readonly headers: Readonly<Record<string, string>>;

  constructor(error: AuthError, answer: AuthErrorResponse) {
    super(answer.body, answer.status, { cause: error });
    this.headers = answer.headers;
  }
}
