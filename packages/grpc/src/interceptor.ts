import {
  type AuthContext,
  ConfigError,
  type Decision,
  type Gatehouse,
  type LiveConnection,
  type Route,
  type RoutePolicy,
} from '@gatehouse/core';
import {
  type Metadata,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
  status,
} from '@grpc/grpc-js';
import { endedStatus, refusalStatus } from './status.js';
import { grpcRequestView } from './view.js';

/** What a method requires: a {@link RoutePolicy} (admin, scopes), or `public` (no authentication at all). */
export type MethodPolicy = RoutePolicy | 'public';

/** Options of {@link gatehouseInterceptor}. */
export interface GrpcGateOptions {
  /** What every method requires beyond valid credentials, unless `methods` says otherwise. */
  readonly policy?: RoutePolicy;
  /**
   * Per-method requirements, by full method path (`/telemetry.v1.Ingest/Stream`) or by service
   * (`/telemetry.v1.Ingest/*`); the exact path wins. E.g. `{ '/grpc.health.v1.Health/*': 'public' }`.
   */
  readonly methods?: Readonly<Record<string, MethodPolicy>>;
}

const byMetadata = new WeakMap<Metadata, AuthContext>();

/**
 * A `@grpc/grpc-js` server interceptor (gRFC L112) that runs the Gatehouse pipeline on every call, from
 * its `authorization` metadata (Bearer, DPoP with a `dpop` proof, or an API key). A refusal ends the call
 * before the handler runs: `UNAUTHENTICATED`, `PERMISSION_DENIED`, `RESOURCE_EXHAUSTED` or `UNAVAILABLE`,
 * with the RFC 6750 challenge in the trailing metadata. A streaming call ends with `UNAUTHENTICATED`
 * (details `revoked` or `expired`) when its credentials are revoked or expire. Handlers read the identity
 * with {@link grpcAuth}.
 *
 * DPoP applies as on HTTP: a gRPC call is a `POST` to the method's URL, so the proof (in `dpop`
 * metadata, one per call) names `htm` `POST` and `htu` `<public URL>/<package>.<Service>/<Method>`
 * (`publicUrl`, else the address the server listens on); a stream is bound once, at its start.
 *
 * @example
 * ```ts
 * import { Server } from '@grpc/grpc-js';
 *
 * const server = new Server({
 *   interceptors: [gatehouseInterceptor(gate, { methods: { '/telemetry.v1.Admin/*': { admin: true } } })],
 * });
 * server.addService(service, { stream: (call) => call.write({ subject: grpcAuth(call)?.subject }) });
 * ```
 */
export function gatehouseInterceptor(gate: Gatehouse, options: GrpcGateOptions = {}): ServerInterceptor {
  const connections = gate.connections;
  const routes = compileMethods(gate, options);
  const fallback = gate.route(options.policy);
  const routeFor = (path: string): Route | 'public' =>
    routes.get(path) ?? routes.get(`${path.slice(0, path.lastIndexOf('/'))}/*`) ?? fallback;

  return function gatehouseGrpc(
    descriptor: ServerMethodDefinition<unknown, unknown>,
    call: ServerInterceptingCallInterface,
  ): ServerInterceptingCall {
    const route = routeFor(descriptor.path);
    if (route === 'public') return new ServerInterceptingCall(call);
    const streaming = descriptor.requestStream || descriptor.responseStream;
    let live: LiveConnection | undefined;
    const admit = (metadata: Metadata, next: (metadata: Metadata) => void, decision: Decision) => {
      if (!decision.admitted) return call.sendStatus(refusalStatus(decision));
      const auth = decision.auth!;
      byMetadata.set(metadata, auth);
      if (streaming) {
        live = connections.track(
          auth,
          'grpc',
          (_code, reason) => call.sendStatus(endedStatus(reason, gate.realm)),
          {
            route,
            path: descriptor.path,
            method: 'POST',
            remoteAddress: call.getConnectionInfo().remoteAddress,
          },
        );
      }
      next(metadata);
    };
    return new ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, nextMetadata) {
            const decision = gate.handle(grpcRequestView(descriptor.path, metadata, call), route);
            if (!(decision instanceof Promise)) return admit(metadata, nextMetadata, decision);
            decision.then(
              (d) => admit(metadata, nextMetadata, d),
              // Not a refusal but a bug in a provider: the call cannot be decided.
              () =>
                call.sendStatus({ code: status.INTERNAL, details: 'the credentials could not be checked' }),
            );
          },
          onCancel() {
            live?.ended();
          },
        });
      },
      sendStatus(status, next) {
        live?.ended();
        next(status);
      },
    });
  };
}

/**
 * The identity of a call that {@link gatehouseInterceptor} admitted (read from the call's metadata), or
 * undefined on public methods.
 *
 * @example
 * ```ts
 * const handlers = { whoami: (call, callback) => callback(null, { subject: grpcAuth(call)?.subject }) };
 * ```
 */
export function grpcAuth(call: { readonly metadata: Metadata }): AuthContext | undefined {
  return byMetadata.get(call.metadata);
}

function compileMethods(gate: Gatehouse, options: GrpcGateOptions): Map<string, Route | 'public'> {
  const routes = new Map<string, Route | 'public'>();
  for (const [path, policy] of Object.entries(options.methods ?? {})) {
    if (!/^\/[^/]+\/[^/]+$/.test(path)) {
      throw new ConfigError(
        'invalid_config',
        'must be "/<package>.<Service>/<Method>" or "/<package>.<Service>/*"',
        {
          field: `methods["${path}"]`,
        },
      );
    }
    routes.set(path, policy === 'public' ? 'public' : gate.route(policy));
  }
  return routes;
}
