import type { RequestView } from '@gatehouse/core';
import type { Metadata, ServerInterceptingCallInterface } from '@grpc/grpc-js';

/**
 * The {@link RequestView} of a gRPC call, for the one pipeline: a gRPC call is an HTTP/2 `POST` to
 * `/<package>.<Service>/<Method>`, its headers are the call's metadata (`authorization`, `dpop`), its
 * origin is the connection's local address (`https` over TLS), and its client certificate is the TLS
 * peer's, for certificate-bound tokens.
 *
 * @example
 * ```ts
 * const decision = await gate.handle(grpcRequestView(descriptor.path, metadata, call), gate.route());
 * ```
 */
export function grpcRequestView(
  path: string,
  metadata: Metadata,
  call: Pick<ServerInterceptingCallInterface, 'getConnectionInfo' | 'getAuthContext'>,
): RequestView {
  const header = (name: string): string | readonly string[] | undefined => {
    const values = metadata.get(name).filter((value): value is string => typeof value === 'string');
    if (values.length === 0) return undefined;
    return values.length === 1 ? values[0] : values;
  };
  const connection = call.getConnectionInfo();
  return {
    method: 'POST',
    path,
    url: path,
    authorization: header('authorization'),
    dpop: header('dpop'),
    remoteAddress: connection.remoteAddress,
    header,
    peerCertificate: () => call.getAuthContext().sslPeerCertificate?.raw,
    origin: () => {
      const { localAddress, localPort } = connection;
      if (!localAddress || !localPort) return undefined;
      const address = localAddress.startsWith('::ffff:') ? localAddress.slice(7) : localAddress;
      const host = address.includes(':') ? `[${address}]` : address;
      const scheme = call.getAuthContext().transportSecurityType === 'ssl' ? 'https' : 'http';
      return `${scheme}://${host}:${localPort}`;
    },
  };
}
