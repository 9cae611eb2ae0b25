import { createOidcClient, type DpopKey, type OidcClient } from '@gatehouse/client';
import { CLI_ENV, exchangeSecretFrom } from '../config/env.js';
import { type ExchangeSettings, requireSettings, type Settings } from '../config/settings.js';
import { ConfigError } from '../errors.js';
import type { CliIO } from '../io.js';

/** The scope of a person's login when none is configured: identity for `status`, and a refresh token. */
export const DEFAULT_USER_SCOPE = 'openid profile email offline_access';

/** The settings a client of the profile needs (issuer, client id, and a secret for client credentials). */
export function requireClientSettings(settings: Settings): void {
  requireSettings(
    settings,
    settings.grant === 'client_credentials' ? ['issuer', 'clientId', 'clientSecret'] : ['issuer', 'clientId'],
  );
}

/** The OIDC client of the profile (issuer and client id are required); DPoP-bound tokens with a key. */
export function openClient(settings: Settings, dpop?: DpopKey): OidcClient {
  requireClientSettings(settings);
  const scope = settings.scope ?? (settings.grant === 'client_credentials' ? undefined : DEFAULT_USER_SCOPE);
  return createOidcClient({
    issuer: settings.issuer!,
    clientId: settings.clientId!,
    ...(settings.clientSecret ? { clientSecret: settings.clientSecret } : {}),
    ...(scope ? { scope } : {}),
    ...(settings.audience ? { audience: settings.audience } : {}),
    ...(settings.tokenEndpoint ? { tokenEndpoint: settings.tokenEndpoint } : {}),
    ...(settings.preset ? { preset: settings.preset } : {}),
    ...(dpop ? { dpop } : {}),
  });
}

/** Where the exchange happens, for messages: its issuer, else its token endpoint. */
export function exchangeTarget(exchange: ExchangeSettings): string {
  return exchange.issuer ?? exchange.tokenEndpoint ?? '';
}

/**
 * The exchanging client, built only when an exchange is due: its secret comes from
 * `GATEHOUSE_EXCHANGE_CLIENT_SECRET`, and a command that must exchange without it is a configuration error.
 */
export function openExchangeClient(settings: Settings, exchange: ExchangeSettings, io: CliIO): OidcClient {
  const secret = exchangeSecretFrom(io.env);
  if (!secret) {
    throw new ConfigError(
      CLI_ENV.exchangeClientSecret,
      `${CLI_ENV.exchangeClientSecret} is not set: profile "${settings.profile}" exchanges its token at ${exchangeTarget(exchange)} as client ${exchange.clientId}, which needs that client's secret.`,
    );
  }
  return createOidcClient({
    issuer: exchange.issuer ?? exchange.tokenEndpoint!,
    clientId: exchange.clientId,
    clientSecret: secret,
    ...(exchange.tokenEndpoint ? { tokenEndpoint: exchange.tokenEndpoint } : {}),
  });
}
