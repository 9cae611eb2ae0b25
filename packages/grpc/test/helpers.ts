/**
 * A real grpc-js server with the Gatehouse interceptor serving `telemetry.proto`, and a real grpc-js
 * client for it, both on loopback.
 */
import { fileURLToPath } from 'node:url';
import type { Gatehouse } from '@gatehouse/core';
import {
  type Client,
  credentials,
  loadPackageDefinition,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { type GrpcGateOptions, gatehouseInterceptor, grpcAuth } from '../src/index.js';

const definition = loadPackageDefinition(
  loadSync(fileURLToPath(new URL('./fixtures/telemetry.proto', import.meta.url)), { keepCase: true }),
) as unknown as {
  telemetry: { v1: { Telemetry: ServiceClientConstructor; Health: ServiceClientConstructor } };
};
const { Telemetry, Health } = definition.telemetry.v1;

// biome-ignore lint/suspicious/noExplicitAny: the generated client's methods are untyped.
export type Untyped = Client & Record<string, any>;

export interface Served {
  readonly address: string;
  readonly telemetry: Untyped;
  readonly health: Untyped;
  /** Whether each Watch stream's handler saw its call cancelled, in order. */
  readonly watchCancelled: boolean[];
  close(): Promise<void>;
}

const identity = (call: { metadata: Metadata }) => {
  const auth = grpcAuth(call);
  return { subject: auth?.subject ?? '', auth_type: auth?.authType ?? '' };
};

export async function serve(gate: Gatehouse, options: GrpcGateOptions = {}): Promise<Served> {
  const server = new Server({ interceptors: [gatehouseInterceptor(gate, options)] });
  const watchCancelled: boolean[] = [];
  server.addService(Telemetry.service, {
    WhoAmI: (call: { metadata: Metadata }, callback: (err: null, value: unknown) => void) =>
      callback(null, identity(call)),
    AdminStatus: (call: { metadata: Metadata }, callback: (err: null, value: unknown) => void) =>
      callback(null, identity(call)),
    Watch: (call: { metadata: Metadata; write(v: unknown): void; on(e: string, l: () => void): void }) => {
      const index = watchCancelled.push(false) - 1;
      const timer = setInterval(() => call.write(identity(call)), 50);
      call.on('cancelled', () => {
        watchCancelled[index] = true;
        clearInterval(timer);
      });
    },
    Ingest: (
      call: { on(e: string, l: (v?: unknown) => void): void },
      callback: (err: null, value: unknown) => void,
    ) => {
      let received = 0;
      call.on('data', () => received++);
      call.on('end', () => callback(null, { received }));
    },
  });
  server.addService(Health.service, {
    Check: (call: { metadata: Metadata }, callback: (err: null, value: unknown) => void) =>
      callback(null, identity(call)),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    ),
  );
  const address = `127.0.0.1:${port}`;
  const telemetry = new Telemetry(address, credentials.createInsecure()) as Untyped;
  const health = new Health(address, credentials.createInsecure()) as Untyped;
  return {
    address,
    telemetry,
    health,
    watchCancelled,
    close: async () => {
      telemetry.close();
      health.close();
      server.forceShutdown();
    },
  };
}

/** Metadata with these entries (`authorization`, `dpop`, …). */
export function metadata(entries: Record<string, string> = {}): Metadata {
  const md = new Metadata();
  for (const [name, value] of Object.entries(entries)) md.set(name, value);
  return md;
}

/** The outcome of a unary call: its response, or the status that ended it with its trailers. */
export type Outcome =
  | { ok: true; value: { subject: string; auth_type: string } }
  | { ok: false; code: number; details: string; trailers: Record<string, unknown> };

export function unary(client: Untyped, method: string, md: Metadata = new Metadata()): Promise<Outcome> {
  return new Promise((resolve) => {
    client[method]({}, md, (err: ServiceError | null, value: { subject: string; auth_type: string }) => {
      if (err) resolve({ ok: false, code: err.code, details: err.details, trailers: err.metadata.getMap() });
      else resolve({ ok: true, value });
    });
  });
}
