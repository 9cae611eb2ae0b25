import type { AnyAuthError, AuthErrorResponse } from '@gatehouse/core';
import { HttpException } from '@nestjs/common';

/**
 * The Nest exception for an authentication or authorization failure: the status and JSON body of
 * `@gatehouse/core`'s error table, with the `AuthError` as `cause`. Its headers (`WWW-Authenticate`,
 * `Retry-After`) are already set on the response when it is thrown; custom filters can read them here.
 *
 * @example
 * ```ts
 * @Catch(GatehouseException)
 * class AuthFilter implements ExceptionFilter {
 *   catch(err: GatehouseException, host: ArgumentsHost) {
 *     host.switchToHttp().getResponse().status(err.getStatus()).json({ problem: err.error.code });
 *   }
 * }
 * ```
 */
export class GatehouseException extends HttpException {
  readonly headers: Readonly<Record<string, string>>;
  /** The refusal's reason, narrowable with `switch (err.error.code)`. */
  readonly error: AnyAuthError;

  constructor(error: AnyAuthError, answer: AuthErrorResponse) {
    super(answer.body, answer.status, { cause: error });
    this.headers = answer.headers;
    this.error = error;
  }
}
