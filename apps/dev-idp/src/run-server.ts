/**
 * The runnable dev IdP behind main.ts: reads DEV_IDP_PORT (default 4400), DEV_IDP_HOST (default
 * 127.0.0.1) and DEV_IDP_AUDIENCE, prints a banner with what a developer needs to log in, and stops
 * cleanly on SIGINT/SIGTERM.
 */
import { DEFAULT_AUDIENCE, DEFAULT_HOST, DEFAULT_PORT, DEV_USERS } from './constants.js';
import { type DevIdp, startDevIdp } from './dev-idp.js';

interface Env {
  host: string;
  port: number;
  audience: string;
}

function readEnv(env: NodeJS.ProcessEnv): Env {
  const rawPort = env.DEV_IDP_PORT?.trim() || String(DEFAULT_PORT);
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) {
    throw new Error(`DEV_IDP_PORT must be a port number from 0 to 65535, got ${JSON.stringify(rawPort)}`);
  }
  return {
    host: env.DEV_IDP_HOST?.trim() || DEFAULT_HOST,
    port,
    audience: env.DEV_IDP_AUDIENCE?.trim() || DEFAULT_AUDIENCE,
  };
}

function summary(idp: DevIdp): string {
  const { service, cli, web, device } = idp.clients;
  const rule = '='.repeat(72);
  return [
    rule,
    '  DEVELOPMENT IDENTITY PROVIDER — not for production',
    '  Fixed, public credentials; bound to loopback only; everything lives in memory.',
    rule,
    `issuer     ${idp.issuer}`,
    `discovery  ${idp.issuer}/.well-known/openid-configuration`,
    `jwks       ${idp.jwksUri}`,
    `audience   ${idp.audience} (or any http(s) resource on loopback, RFC 8707)`,
    `register   ${idp.issuer}/reg (RFC 7591, loopback redirect URIs only)`,
    '',
    'clients',
    `  ${service.clientId.padEnd(18)} confidential, client_credentials + token exchange`,
    `  ${''.padEnd(18)} development secret: ${service.clientSecret}`,
    `  ${cli.clientId.padEnd(18)} public, authorization code + PKCE, refresh, device code, token exchange`,
    `  ${''.padEnd(18)} redirect ${cli.redirectUri} (any loopback port)`,
    `  ${web.clientId.padEnd(18)} confidential, authorization code + PKCE, refresh`,
    `  ${''.padEnd(18)} development secret: ${web.clientSecret}`,
    `  ${device.clientId.padEnd(18)} public, device authorization grant, refresh`,
    '',
    'users (development only: the password is the username, the one-time code 000000)',
    ...DEV_USERS.map(
      (u) =>
        `  ${u.username.padEnd(8)} ${u.email.padEnd(22)} ${u.emailVerified ? 'verified  ' : 'UNVERIFIED'} ${u.role}`,
    ),
    rule,
  ].join('\n');
}

/** What the runnable server touches of its process; `process` itself in main.ts, a fake in tests. */
export interface ServerProcess {
  env: NodeJS.ProcessEnv;
  log(line: string): void;
  error(line: string): void;
  exit(code: number): void;
  onSignal(signal: NodeJS.Signals, handler: (signal: NodeJS.Signals) => void): void;
}

/**
 * Starts the dev IdP from the environment and prints the banner. Any start-up failure is one line on
 * stderr and exit code 1; SIGINT or SIGTERM close the server and exit 0.
 */
export async function runDevIdpServer(proc: ServerProcess): Promise<DevIdp | undefined> {
  let env: Env;
  let idp: DevIdp;
  try {
    env = readEnv(proc.env);
  } catch (err) {
    proc.error(`dev-idp: ${(err as Error).message}`);
    proc.exit(1);
    return undefined;
  }
  try {
    idp = await startDevIdp({ host: env.host, port: env.port, audience: env.audience });
  } catch (err) {
    const taken = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
    proc.error(
      taken
        ? `dev-idp: port ${env.port} on ${env.host} is already in use (set DEV_IDP_PORT to another port)`
        : `dev-idp: ${(err as Error).message}`,
    );
    proc.exit(1);
    return undefined;
  }

  proc.log(summary(idp));

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    proc.log(`dev-idp: ${signal} received, stopping`);
    idp.close().then(
      () => proc.exit(0),
      (err: unknown) => {
        proc.error(`dev-idp: error while stopping: ${(err as Error).message}`);
        proc.exit(1);
      },
    );
  };
  proc.onSignal('SIGINT', stop);
  proc.onSignal('SIGTERM', stop);
  return idp;
}
