/**
 * The ingestion service over gRPC (`proto/ingest.proto`): `telemetry.v1.Ingestion/Ingest`, a
 * bidirectional stream of batches, behind the same gate as the HTTP routes (`@gatehouse/grpc`). Each
 * batch is converted to the JSON shape of `POST /v1/ingest` and stored by the same code.
 */
import { fileURLToPath } from 'node:url';
import type { Gatehouse } from '@gatehouse/core';
import { type IngestAnswer, ingestMessage } from '@gatehouse/example-kit';
import type { TelemetryStore } from '@gatehouse/example-telemetry-store';
import { gatehouseInterceptor, grpcAuth } from '@gatehouse/grpc';
import {
  type GrpcObject,
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** Where the service definition is, next to `src/` and `dist/`. */
export const INGEST_PROTO = fileURLToPath(new URL('../proto/ingest.proto', import.meta.url));

/** How the proto is loaded, here and by clients (camelCase fields, int64 as numbers, absent fields left out). */
export const PROTO_OPTIONS = Object.freeze({ keepCase: false, longs: Number, defaults: false, oneofs: true });

type Value = { stringValue?: string; numberValue?: number; boolValue?: boolean; kind?: string };
type Fields = Record<string, unknown> & { attributes?: Record<string, Value> };
interface ProtoBatch {
  processes?: Fields[];
  logs?: Fields[];
  metrics?: Fields[];
}

/**
 * The gRPC server of the ingestion service: every call authenticated by the gate (the `authorization`
 * metadata), each batch stored stamped with the caller's identity.
 *
 * @example
 * ```ts
 * const server = createIngestGrpcServer({ store, gate: app.gate });
 * const port = await listenGrpc(server, '127.0.0.1', 4411);
 * ```
 */
export function createIngestGrpcServer(options: { store: TelemetryStore; gate: Gatehouse }): Server {
  const definition = loadPackageDefinition(loadSync(INGEST_PROTO, PROTO_OPTIONS)) as GrpcObject;
  const service = ((definition.telemetry as GrpcObject).v1 as GrpcObject)
    .Ingestion as ServiceClientConstructor;
  const server = new Server({ interceptors: [gatehouseInterceptor(options.gate)] });
  server.addService(service.service, {
    Ingest(call: ServerDuplexStream<ProtoBatch, unknown>) {
      call.on('data', (batch: ProtoBatch) => {
        const auth = grpcAuth(call);
        if (auth === undefined) return call.end();
        call.write(toProto(ingestMessage(options.store, fromProto(batch), auth)));
      });
      call.on('end', () => call.end());
    },
  });
  return server;
}

/** Binds the server (port 0 picks a free one) and resolves with the port. */
export function listenGrpc(server: Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
}

// The JSON shape of a batch: the same validator then checks every field.
function fromProto(batch: ProtoBatch): unknown {
  const records = (list: Fields[] | undefined) =>
    list?.map(({ attributes, ...fields }) =>
      attributes === undefined || Object.keys(attributes).length === 0
        ? fields
        : {
            ...fields,
            attributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, scalar(v)])),
          },
    );
  return { processes: records(batch.processes), logs: records(batch.logs), metrics: records(batch.metrics) };
}

function scalar(value: Value): string | number | boolean | null {
  return value.stringValue ?? value.numberValue ?? value.boolValue ?? null;
}

function toProto(answer: IngestAnswer): Record<string, unknown> {
  if (answer.type === 'error') return { error: answer.error, errorDescription: answer.error_description };
  return { batchId: answer.batchId, accepted: answer.accepted, sender: answer.sender };
}
