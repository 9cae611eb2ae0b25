import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { GatehouseException } from './exception.js';
import { type GatehouseResponse, setHeaders } from './guard.js';

interface ReplyingResponse extends GatehouseResponse {
  status?(code: number): unknown;
  code?(code: number): unknown;
  send?(body: unknown): unknown;
  json?(body: unknown): unknown;
  headersSent?: boolean;
  sent?: boolean;
}

/**
 * Answers a {@link GatehouseException} with its status, its headers (`WWW-Authenticate`, `Retry-After`)
 * and its JSON body, on the Express and Fastify platforms. Nest's own filter writes no headers: register
 * this one when controllers throw Gatehouse's refusals themselves (`GatehouseAuthz.permitted`'s 503).
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useGlobalFilters(new GatehouseExceptionFilter());
 * ```
 */
@Catch(GatehouseException)
export class GatehouseExceptionFilter implements ExceptionFilter<GatehouseException> {
  catch(exception: GatehouseException, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ReplyingResponse>();
    if (response.headersSent || response.sent) return;
    setHeaders(response, exception.headers);
    const body = exception.getResponse();
    // Express: status().json(); Fastify: code().send().
    if (typeof response.json === 'function' && typeof response.status === 'function') {
      response.status(exception.getStatus());
      response.json(body);
    } else {
      response.code?.(exception.getStatus());
      response.send?.(body);
    }
  }
}
