import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatehouse, NodeRequestView } from '@gatehouse/core';
import type { DevIdp } from '@gatehouse/dev-idp';

/** A running test API: its base URL and how many requests it has seen. */
export interface DpopApi {
  url: string;
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * An API on loopback behind the Gatehouse pipeline, taking the dev IdP's tokens, DPoP-bound ones with proofs;
 * with `required`, only DPoP-bound ones. Server nonces are on unless `nonces` is false.
 */
export async function startDpopApi(
  idp: DevIdp,
  options: { required?: boolean; nonces?: boolean } = {},
): Promise<DpopApi> {
  const gate = createGatehouse({
    oidc: {
      issuers: [
        {
          issuer: idp.issuer,
          audience: idp.audience,
          ...(options.required ? { dpop: 'required' as const } : {}),
        },
      ],
      ...(options.nonces === false ? {} : { dpopNonceSecret: 'the api instances share this secret' }),
    },
  });
  const route = gate.route();
  const state = { requests: 0 };
  const server: Server = createServer(async (req, res) => {
    state.requests++;
    const decision = await gate.handle(new NodeRequestView(req), route);
    if (decision.admitted) {
      res
        .writeHead(200, { 'content-type': 'application/json', ...decision.headers })
        .end(JSON.stringify({ subject: decision.auth?.subject }));
    } else {
      res.writeHead(decision.status, decision.headers).end(JSON.stringify(decision.body));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    // No public URL configured: proofs name the address the API listens on.
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
