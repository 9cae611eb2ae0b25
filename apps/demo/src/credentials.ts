/**
 * The demo's credentials: API keys made fresh for each run, and service tokens from the dev IdP through
 * @gatehouse/client (the client credentials grant).
 */
import { randomBytes } from 'node:crypto';
import { createOidcClient, requestClientCredentialsToken } from '@gatehouse/client';
import { AUDIENCE, SERVICE_CLIENT } from './settings.js';

/** The three API keys of a demo run: a sender, an operator (an admin) and a metrics scraper. */
export interface DemoKeys {
  readonly sender: string;
  readonly operator: string;
  readonly scraper: string;
}

/** New random keys (they live as long as this demo). */
export function makeKeys(): DemoKeys {
  const key = (name: string) => `demo-${name}-${randomBytes(18).toString('base64url')}`;
  return { sender: key('sender'), operator: key('operator'), scraper: key('scraper') };
}

/** `GATEHOUSE_API_KEYS` of every app: the scraper only reads metrics. */
export function apiKeysVariable(keys: DemoKeys): string {
  return JSON.stringify([
    { name: 'demo-sender', key: keys.sender },
    { name: 'demo-operator', key: keys.operator },
    { name: 'demo-scraper', key: keys.scraper, scopes: ['metrics:read'] },
  ]);
}

/** A fresh service token (10 minutes): the client credentials grant against the dev IdP. */
export async function mintServiceToken(issuer: string): Promise<string> {
  const client = createOidcClient({
    issuer,
    clientId: SERVICE_CLIENT.id,
    clientSecret: SERVICE_CLIENT.secret,
    audience: AUDIENCE,
    scope: 'api:read api:write',
  });
  return (await requestClientCredentialsToken(client)).accessToken;
}

/** The `jti` of a JWT (the demo's own token; no verification needed to read it). */
export function jtiOf(jwt: string): string {
  const payload = jwt.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti: string }).jti;
}
