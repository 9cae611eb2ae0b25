export type Framework = 'express' | 'koa' | 'nest' | 'fastify' | 'hono';
/** bare: the ceiling; gatehouse: ours; peer: what users would pick instead; reference: the floor. */
export type Kind = 'bare' | 'gatehouse' | 'peer' | 'reference';

export interface Variant {
  readonly name: string;
  readonly framework: Framework;
  readonly kind: Kind;
  readonly label: string;
  /** Diagnostic variants, run only when named with --variants. */
  readonly extra?: boolean;
  /** Needs the run's redis-server (left out, with a note, where none is installed). */
  readonly redis?: boolean;
  /** The runtime that serves it when not Node (left out, with a note, where it is not installed). */
  readonly runtime?: 'bun';
  /** A route with an authorization step (issue 22): timed on the JWT scenarios (hot and cold RS256) only. */
  readonly authz?: boolean;
}

export const VARIANTS: readonly Variant[] = [
  { name: 'express', framework: 'express', kind: 'bare', label: 'bare Express 5' },
  { name: 'koa', framework: 'koa', kind: 'bare', label: 'bare Koa 3' },
  { name: 'nest', framework: 'nest', kind: 'bare', label: 'bare NestJS 12 (Express)' },
  { name: 'fastify', framework: 'fastify', kind: 'bare', label: 'bare Fastify 5' },
  { name: 'gatehouse-express', framework: 'express', kind: 'gatehouse', label: '@gatehouse/express' },
  { name: 'gatehouse-koa', framework: 'koa', kind: 'gatehouse', label: '@gatehouse/koa' },
  { name: 'gatehouse-nest', framework: 'nest', kind: 'gatehouse', label: '@gatehouse/nestjs' },
  { name: 'gatehouse-fastify', framework: 'fastify', kind: 'gatehouse', label: '@gatehouse/fastify' },
  // Hono 4 on Node (@hono/node-server) and on Bun (Bun.serve): the same app, bare, behind @gatehouse/hono
  // and behind hono/jwk, Hono's own JWK middleware.
  { name: 'hono', framework: 'hono', kind: 'bare', label: 'bare Hono 4 (@hono/node-server)' },
  { name: 'gatehouse-hono', framework: 'hono', kind: 'gatehouse', label: '@gatehouse/hono' },
  {
    name: 'gatehouse-hono-webcrypto',
    framework: 'hono',
    kind: 'gatehouse',
    label: '@gatehouse/hono, WebCrypto backend (as on workerd)',
  },
  { name: 'hono-jwk', framework: 'hono', kind: 'peer', label: 'hono/jwk' },
  { name: 'hono-bun', framework: 'hono', runtime: 'bun', kind: 'bare', label: 'bare Hono 4 on Bun' },
  {
    name: 'gatehouse-hono-bun',
    framework: 'hono',
    runtime: 'bun',
    kind: 'gatehouse',
    label: '@gatehouse/hono on Bun',
  },
  { name: 'hono-jwk-bun', framework: 'hono', runtime: 'bun', kind: 'peer', label: 'hono/jwk on Bun' },
  // Metrics on: an OpenTelemetry SDK MeterProvider with the Prometheus reader, as the example apps run.
  {
    name: 'gatehouse-express-otel',
    framework: 'express',
    kind: 'gatehouse',
    label: '@gatehouse/express, metrics on (OpenTelemetry SDK)',
  },
  {
    name: 'gatehouse-koa-otel',
    framework: 'koa',
    kind: 'gatehouse',
    label: '@gatehouse/koa, metrics on (OpenTelemetry SDK)',
  },
  { name: 'express-jwt', framework: 'express', kind: 'peer', label: 'express-jwt + jwks-rsa' },
  { name: 'oauth2-jwt-bearer', framework: 'express', kind: 'peer', label: 'express-oauth2-jwt-bearer' },
  { name: 'passport-jwt', framework: 'express', kind: 'peer', label: 'passport-jwt + jwks-rsa' },
  { name: 'koa-jwt', framework: 'koa', kind: 'peer', label: 'koa-jwt + jwks-rsa' },
  { name: 'fastify-jwt', framework: 'fastify', kind: 'peer', label: '@fastify/jwt + get-jwks' },
  { name: 'jose-express', framework: 'express', kind: 'peer', label: 'jose middleware (Express)' },
  { name: 'floor-express', framework: 'express', kind: 'reference', label: 'node:crypto floor (Express)' },
  { name: 'floor-koa', framework: 'koa', kind: 'reference', label: 'node:crypto floor (Koa)' },
  { name: 'floor-nest', framework: 'nest', kind: 'reference', label: 'node:crypto floor (Nest guard)' },
  {
    name: 'floor-fastify',
    framework: 'fastify',
    kind: 'reference',
    label: 'node:crypto floor (Fastify hook)',
  },
  // Many instances, one truth (issue 11): the same gate with its state on Redis.
  {
    name: 'gatehouse-express-revocation',
    framework: 'express',
    kind: 'gatehouse',
    label: '@gatehouse/express, state on Redis, 5 revocations in force',
    redis: true,
  },
  {
    name: 'gatehouse-express-ratelimit',
    framework: 'express',
    kind: 'gatehouse',
    label: '@gatehouse/express, rate limit on Redis (leased quota)',
    redis: true,
  },
  // The authorization step over HTTP: a scopes-only route step, then an allow through each backend.
  {
    name: 'gatehouse-express-scopes',
    framework: 'express',
    kind: 'gatehouse',
    label: '@gatehouse/express, route step: scopes only',
    authz: true,
  },
  {
    name: 'gatehouse-express-rules',
    framework: 'express',
    kind: 'gatehouse',
    label: '@gatehouse/express, authorize: built-in rules',
    authz: true,
  },
  {
    name: 'gatehouse-express-cedar',
    framework: 'express',
    kind: 'gatehouse',
    label: '@gatehouse/express, authorize: Cedar (decisions cached)',
    authz: true,
  },
  {
    name: 'gatehouse-express-cedar-uncached',
    framework: 'express',
    kind: 'gatehouse',
    label: '@gatehouse/express, authorize: Cedar (no decision cache)',
    authz: true,
  },
  {
    name: 'gatehouse-express-authzen',
    framework: 'express',
    kind: 'gatehouse',
    label: '@gatehouse/express, authorize: AuthZEN PDP (decisions cached)',
    authz: true,
  },
  {
    name: 'gatehouse-express-authzen-uncached',
    framework: 'express',
    kind: 'gatehouse',
    label: '@gatehouse/express, authorize: AuthZEN PDP on loopback (no decision cache)',
    authz: true,
  },
  // What any middleware costs: an empty one that only calls next().
  {
    name: 'express-noop',
    framework: 'express',
    kind: 'bare',
    label: 'Express 5 + empty middleware',
    extra: true,
  },
  { name: 'koa-noop', framework: 'koa', kind: 'bare', label: 'Koa 3 + empty middleware', extra: true },
  { name: 'hono-noop', framework: 'hono', kind: 'bare', label: 'Hono 4 + empty middleware', extra: true },
  // The same code as the bare variant in another process: the spread between identical processes.
  {
    name: 'express-twin',
    framework: 'express',
    kind: 'bare',
    label: 'bare Express 5 (second process)',
    extra: true,
  },
  { name: 'koa-twin', framework: 'koa', kind: 'bare', label: 'bare Koa 3 (second process)', extra: true },
];

/** The bare variant a variant's hot path is measured against: its framework's, on its runtime. */
export function bareOf(variant: Variant): string {
  return variant.runtime === undefined ? variant.framework : `${variant.framework}-${variant.runtime}`;
}

export function variant(name: string): Variant {
  const found = VARIANTS.find((v) => v.name === name);
  if (found === undefined) throw new Error(`unknown variant ${name}`);
  return found;
}
