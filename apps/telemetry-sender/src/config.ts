/**
 * The sender's settings, from the environment. Credentials: an API key (GATEHOUSE_INGESTION_API_KEY) or
 * OAuth client credentials (GATEHOUSE_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET, optional _AUDIENCE and
 * _SCOPE); the rest of the program does not care which.
 */
import { hostname } from 'node:os';
import { isSecureOrLoopbackUrl } from '@gatehouse/client';

export const SENDER_ENV = Object.freeze({
  ingestionUrl: 'INGESTION_URL',
  apiKey: 'GATEHOUSE_INGESTION_API_KEY',
  issuer: 'GATEHOUSE_OIDC_ISSUER',
  clientId: 'GATEHOUSE_OIDC_CLIENT_ID',
  clientSecret: 'GATEHOUSE_OIDC_CLIENT_SECRET',
  audience: 'GATEHOUSE_OIDC_AUDIENCE',
  scope: 'GATEHOUSE_OIDC_SCOPE',
  processId: 'SENDER_PROCESS_ID',
  batches: 'SENDER_BATCHES',
  intervalSecs: 'SENDER_INTERVAL_SECS',
});

export const DEFAULT_INGESTION_URL = 'http://127.0.0.1:4401';

export type Credentials =
  | { readonly kind: 'api_key'; readonly variable: string }
  | {
      readonly kind: 'client_credentials';
      readonly issuer: string;
      readonly clientId: string;
      readonly clientSecret: string;
      readonly audience?: string;
      readonly scope?: string;
    };

export interface SenderConfig {
  readonly ingestionUrl: URL;
  readonly credentials: Credentials;
  readonly processId: string;
  /** Batches to send; 0 sends until SIGINT/SIGTERM. */
  readonly batches: number;
  readonly intervalSecs: number;
}

/** A setting that is missing or wrong; the message names the variable (never its value). */
export class SenderConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SenderConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export function senderConfigFromEnv(env: Env): SenderConfig {
  const read = (name: string) => env[name]?.trim() || undefined;
  const ingestionUrl = parseUrl(read(SENDER_ENV.ingestionUrl) ?? DEFAULT_INGESTION_URL);
  return {
    ingestionUrl,
    credentials: credentialsFromEnv(read),
    processId: read(SENDER_ENV.processId) ?? defaultProcessId(),
    batches: count(read(SENDER_ENV.batches), SENDER_ENV.batches, 1, 0),
    intervalSecs: count(read(SENDER_ENV.intervalSecs), SENDER_ENV.intervalSecs, 10, 1),
  };
}

function credentialsFromEnv(read: (name: string) => string | undefined): Credentials {
  if (read(SENDER_ENV.apiKey)) return { kind: 'api_key', variable: SENDER_ENV.apiKey };
  const issuer = read(SENDER_ENV.issuer);
  const clientId = read(SENDER_ENV.clientId);
  const clientSecret = read(SENDER_ENV.clientSecret);
  if (!issuer && !clientId && !clientSecret) {
    throw new SenderConfigError(
      `no credentials: set ${SENDER_ENV.apiKey}, or ${SENDER_ENV.issuer}, ${SENDER_ENV.clientId} and ${SENDER_ENV.clientSecret} for client credentials`,
    );
  }
  for (const [name, value] of [
    [SENDER_ENV.issuer, issuer],
    [SENDER_ENV.clientId, clientId],
    [SENDER_ENV.clientSecret, clientSecret],
  ] as const) {
    if (!value) throw new SenderConfigError(`${name} is required for client credentials`);
  }
  const audience = read(SENDER_ENV.audience);
  const scope = read(SENDER_ENV.scope);
  return {
    kind: 'client_credentials',
    issuer: issuer!,
    clientId: clientId!,
    clientSecret: clientSecret!,
    ...(audience ? { audience } : {}),
    ...(scope ? { scope } : {}),
  };
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SenderConfigError(`${SENDER_ENV.ingestionUrl} must be a URL such as ${DEFAULT_INGESTION_URL}`);
  }
  if (!isSecureOrLoopbackUrl(url)) {
    // A bearer token over plain HTTP is readable by anyone on the path.
    throw new SenderConfigError(
      `${SENDER_ENV.ingestionUrl} must be https:// (http:// only on a loopback host)`,
    );
  }
  return url;
}

function count(text: string | undefined, name: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,6}$/.test(text) || Number(text) < min) {
    throw new SenderConfigError(`${name} must be a whole number of at least ${min}`);
  }
  return Number(text);
}

function defaultProcessId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9._:-]/g, '-')
      .slice(0, 80) || 'host';
  return `telemetry-sender.${host}`;
}
