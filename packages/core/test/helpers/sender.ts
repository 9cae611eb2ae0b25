import type { SenderCredential, SenderRequest } from '../../src/index.js';

/** What a test changes of the request the sender-constraint step sees. */
export interface RequestOverrides {
  scheme?: 'Bearer' | 'DPoP';
  token?: string;
  method?: string;
  target?: string;
  dpop?: string | string[];
  origin?: string;
  peerCertificate?: Uint8Array;
  header?: (name: string) => string | readonly string[] | undefined;
}

/** The credential and the request view of one request, for `senders.check(auth, ...senderRequest(…))`. */
export function senderRequest(o: RequestOverrides = {}): [SenderCredential, SenderRequest] {
  const origin = o.origin;
  return [
    { scheme: o.scheme ?? 'DPoP', token: o.token ?? 'access-token-1' },
    {
      method: o.method ?? 'GET',
      url: o.target ?? '/v1/whoami?verbose=1',
      dpop: o.dpop,
      header: o.header ?? (() => undefined),
      peerCertificate: () => o.peerCertificate,
      origin: origin === undefined ? undefined : () => origin,
    },
  ];
}
