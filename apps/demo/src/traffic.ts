/**
 * What keeps the live page moving: the example sender in the background, and a little traffic of every
 * kind (a cached token, an API key, a tampered token, no credentials, a non-admin on an admin route and on
 * /metrics), so that refusals show too.
 */
import { mintServiceToken } from './credentials.js';
import type { Supervisor } from './processes.js';
import { AUDIENCE, SERVICE_CLIENT } from './settings.js';

const SENDER_INTERVAL_SECS = 2;
/** A burst of traffic this often: eight in every 10 s window of the live page, so its rates hold still. */
const TRAFFIC_EVERY_MS = 1250;
/** The service token lives 10 minutes: the traffic renews its own well before. */
const TOKEN_RENEW_MS = 4 * 60_000;

/** The example sender's environment (client credentials); `extra` sets its batches and interval. */
export function senderEnv(
  issuer: string,
  ingestionUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    INGESTION_URL: ingestionUrl,
    GATEHOUSE_OIDC_ISSUER: issuer,
    GATEHOUSE_OIDC_CLIENT_ID: SERVICE_CLIENT.id,
    GATEHOUSE_OIDC_CLIENT_SECRET: SERVICE_CLIENT.secret,
    GATEHOUSE_OIDC_AUDIENCE: AUDIENCE,
    ...extra,
  };
}

/** The sender, a batch every few seconds, for as long as the demo runs. */
export function startBackgroundSender(supervisor: Supervisor, issuer: string, ingestionUrl: string): void {
  const env = senderEnv(issuer, ingestionUrl, {
    SENDER_BATCHES: '0',
    SENDER_INTERVAL_SECS: String(SENDER_INTERVAL_SECS),
    SENDER_PROCESS_ID: 'telemetry-sender.demo-background',
  });
  supervisor.background('telemetry-sender', env, BACKGROUND_SENDER);
}

/** The label of the background sender's output. */
export const BACKGROUND_SENDER = 'sender';

/** The apps the traffic calls, and the credentials it uses (the token is renewed in place). */
export interface TrafficTargets {
  readonly ingestion: string;
  readonly analytics: string;
  readonly koa: string;
  readonly issuer: string;
  readonly senderKey: string;
  token: string;
}

/** Sends the mixed traffic every 1.25 s until the demo stops. */
export function startTraffic(supervisor: Supervisor, targets: TrafficTargets): void {
  const send = (url: string, authorization?: string) =>
    fetch(url, { headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(5000) })
      .then((res) => res.body?.cancel())
      .catch(() => {});
  const { ingestion, analytics, koa, senderKey } = targets;
  const tick = () => {
    const token = targets.token;
    const tampered = `${token.slice(0, -6)}AAAAAA`;
    void send(`${ingestion}/v1/whoami`, `Bearer ${token}`);
    void send(`${analytics}/v1/whoami`, `Bearer ${token}`);
    void send(`${koa}/v1/processes`, `Bearer ${senderKey}`);
    void send(`${analytics}/v1/whoami`, `Bearer ${tampered}`);
    void send(`${koa}/v1/whoami`);
    void send(`${koa}/v1/admin/status`, `Bearer ${token}`);
    void send(`${ingestion}/metrics`, `Bearer ${senderKey}`);
  };
  const traffic = setInterval(tick, TRAFFIC_EVERY_MS);
  const renew = setInterval(() => {
    mintServiceToken(targets.issuer).then(
      (fresh) => {
        targets.token = fresh;
      },
      () => {},
    );
  }, TOKEN_RENEW_MS);
  supervisor.onStop(() => {
    clearInterval(traffic);
    clearInterval(renew);
  });
}
