/**
 * DPoP (RFC 9449), shown rather than described: a service token bound to a key the demo holds, used with a
 * fresh proof (accepted), the same proof replayed (refused), and sent as a plain Bearer token (refused).
 */
import {
  createDpopProof,
  createOidcClient,
  generateDpopKey,
  requestClientCredentialsToken,
} from '@gatehouse/client';
import { AUDIENCE, SERVICE_CLIENT } from './settings.js';

/** Calls `url` with `headers`: `200 <body>`, or the status and its challenge. */
async function call(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { headers });
  const body = await res.text();
  return res.status === 200 ? `200 ${body}` : `${res.status} ${res.headers.get('www-authenticate')}`;
}

/** Does the three calls against `<url>/v1/whoami` and returns the lines to print. */
export async function showDpop(issuer: string, url: string): Promise<string[]> {
  const key = await generateDpopKey();
  // The client credentials grant with a DPoP proof: the token comes back bound to the key.
  const client = createOidcClient({
    issuer,
    clientId: SERVICE_CLIENT.id,
    clientSecret: SERVICE_CLIENT.secret,
    audience: AUDIENCE,
    scope: 'api:read',
    dpop: key,
  });
  const tokens = await requestClientCredentialsToken(client);
  const token = tokens.accessToken;
  const target = `${url}/v1/whoami`;
  const proof = await createDpopProof(key, { method: 'GET', url: target, accessToken: token });
  const used = await call(target, { authorization: `DPoP ${token}`, dpop: proof });
  const replayed = await call(target, { authorization: `DPoP ${token}`, dpop: proof });
  const asBearer = await call(target, { authorization: `Bearer ${token}` });
  return [
    `  DPoP (RFC 9449), just done by the demo against ${target}: a service token bound to a key`,
    `  only the demo holds (token_type ${tokens.tokenType}, cnf.jkt ${key.thumbprint}).`,
    `    the bound token with a fresh proof        DPoP:  → ${used}`,
    `    the same proof replayed                   DPoP:  → ${replayed}`,
    `    the bound token sent as a Bearer token    DPoP:  → ${asBearer}`,
    '  A stolen token is useless without the key; a stolen proof is useless twice. In code: createDpopFetch.',
  ];
}
