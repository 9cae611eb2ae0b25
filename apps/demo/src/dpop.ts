/**
 * DPoP (RFC 9449), shown rather than described: a service token bound to a key the demo holds, used with a
 * fresh proof (accepted), the same proof replayed (refused), and sent as a plain Bearer token (refused).
 */
import { createDpopProof, generateDpopKey } from '@gatehouse/client';
import * as oidc from 'openid-client';
import { SERVICE_CLIENT } from './settings.js';

/** Calls `url` with `headers`: `200 <body>`, or the status and its challenge. */
async function call(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { headers });
  const body = await res.text();
  return res.status === 200 ? `200 ${body}` : `${res.status} ${res.headers.get('www-authenticate')}`;
}

/** Does the three calls against `<url>/v1/whoami` and returns the lines to print. */
export async function showDpop(issuer: string, url: string): Promise<string[]> {
  const key = await generateDpopKey();
  const config = await oidc.discovery(new URL(issuer), SERVICE_CLIENT.id, SERVICE_CLIENT.secret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const tokens = await oidc.clientCredentialsGrant(
    config,
    { scope: 'api:read' },
    { DPoP: oidc.getDPoPHandle(config, key) },
  );
  const token = tokens.access_token;
  const target = `${url}/v1/whoami`;
  const proof = await createDpopProof(key, { method: 'GET', url: target, accessToken: token });
  const used = await call(target, { authorization: `DPoP ${token}`, dpop: proof });
  const replayed = await call(target, { authorization: `DPoP ${token}`, dpop: proof });
  const asBearer = await call(target, { authorization: `Bearer ${token}` });
  return [
    `  DPoP (RFC 9449), just done by the demo against ${target}: a service token bound to a key`,
    `  only the demo holds (token_type ${tokens.token_type}, cnf.jkt ${key.thumbprint}).`,
    `    the bound token with a fresh proof        DPoP:  → ${used}`,
    `    the same proof replayed                   DPoP:  → ${replayed}`,
    `    the bound token sent as a Bearer token    DPoP:  → ${asBearer}`,
    '  A stolen token is useless without the key; a stolen proof is useless twice. In code: createDpopFetch.',
  ];
}
