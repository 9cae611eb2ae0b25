// Minimal declarations for the few untyped packages the bench uses (only what it calls), rather than
// @types packages that would pull Express 4 typings next to Express 5's.

declare module 'autocannon' {
  namespace autocannon {
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      setupRequest?: (request: Request, context: Record<string, unknown>) => Request | undefined;
    }
    interface Options {
      url: string;
      connections?: number;
      duration?: number;
      pipelining?: number;
      requests?: Request[];
    }
    interface Histogram {
      average: number;
      mean: number;
      total: number;
      p50: number;
      p99: number;
    }
    interface Result {
      duration: number;
      requests: Histogram;
      latency: Histogram;
      errors: number;
      timeouts: number;
      statusCodeStats?: Record<string, { count: number }>;
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}

declare module 'passport' {
  import type { RequestHandler } from 'express';

  interface Strategy {
    name?: string;
  }
  interface PassportStatic {
    use(strategy: Strategy): PassportStatic;
    initialize(): RequestHandler;
    authenticate(strategy: string, options: { session: boolean }): RequestHandler;
  }
  const passport: PassportStatic;
  export default passport;
}

declare module 'passport-jwt' {
  import type { Request } from 'express';

  type Done = (err: unknown, user?: unknown) => void;
  type Extractor = (req: Request) => string | null;
  export const ExtractJwt: { fromAuthHeaderAsBearerToken(): Extractor };
  export interface StrategyOptions {
    jwtFromRequest: Extractor;
    secretOrKeyProvider: unknown;
    audience?: string;
    issuer?: string;
    algorithms?: string[];
  }
  export class Strategy {
    constructor(options: StrategyOptions, verify: (payload: { sub: string }, done: Done) => void);
    name: string;
  }
}
