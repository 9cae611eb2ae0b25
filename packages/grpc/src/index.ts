/**
 * @gatehouse/grpc: Gatehouse for `@grpc/grpc-js` servers. A server interceptor runs the pipeline of
 * `@gatehouse/core` on every call and ends streaming calls when their credentials are revoked or expire.
 */
export type { GrpcGateOptions, MethodPolicy } from './interceptor.js';
export { gatehouseInterceptor, grpcAuth } from './interceptor.js';
export { endedStatus, GRPC_STATUS_OF_HTTP, refusalStatus } from './status.js';
export { grpcRequestView } from './view.js';
