import type { ClientMetadata } from 'oidc-provider';
import { PREREGISTERED_CLIENTS } from './configuration.js';
import { DEFAULT_ACCESS_TOKEN_TTL_SECS, DEFAULT_AUDIENCE, DEFAULT_HOST } from './constants.js';
import type { DevIdpOptions } from './dev-idp.js';
import { SIGNING_ALGS, type SigningAlg } from './keys.js';
import { isLoopbackHost, NonLoopbackHostError } from './loopback.js';

/** {@link DevIdpOptions} checked, with every default filled in. */
export interface Settings {
  host: string;
  port: number;
  audience: string;
  audiences: readonly string[];
  signingAlg: SigningAlg;
  accessTokenTtlSecs: number;
  accessTokenFormat: 'jwt' | 'opaque';
  requireDpopNonce: boolean;
  clients: ClientMetadata[];
}

/** Checks every option and throws an error naming the first bad one. */
export function validateOptions(options: DevIdpOptions): Settings {
  const host = options.host ?? DEFAULT_HOST;
  if (typeof host !== 'string' || !isLoopbackHost(host)) throw new NonLoopbackHostError(String(host));

  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError('"port" must be an integer from 0 to 65535');
  }

  const audience = options.audience ?? DEFAULT_AUDIENCE;
  checkAudience(audience, '"audience"');
  const extra = options.extraAudiences ?? [];
  if (!Array.isArray(extra)) throw new TypeError('"extraAudiences" must be an array of strings');
  extra.forEach((aud, i) => {
    checkAudience(aud, `"extraAudiences[${i}]"`);
  });

  const signingAlg = options.signingAlg ?? 'RS256';
  if (!SIGNING_ALGS.includes(signingAlg)) {
    throw new TypeError(`"signingAlg" must be one of ${SIGNING_ALGS.join(', ')}`);
  }

  const accessTokenTtlSecs = options.accessTokenTtlSecs ?? DEFAULT_ACCESS_TOKEN_TTL_SECS;
  if (!Number.isSafeInteger(accessTokenTtlSecs) || accessTokenTtlSecs <= 0) {
    throw new TypeError('"accessTokenTtlSecs" must be a positive integer');
  }

  const accessTokenFormat = options.accessTokenFormat ?? 'jwt';
  if (accessTokenFormat !== 'jwt' && accessTokenFormat !== 'opaque') {
    throw new TypeError('"accessTokenFormat" must be "jwt" or "opaque"');
  }
  const requireDpopNonce = options.requireDpopNonce ?? false;
  if (typeof requireDpopNonce !== 'boolean') throw new TypeError('"requireDpopNonce" must be a boolean');

  const clients = options.clients ?? [];
  if (!Array.isArray(clients)) throw new TypeError('"clients" must be an array of client metadata');
  const builtIn = new Set(PREREGISTERED_CLIENTS.map((c) => c.client_id));
  clients.forEach((client, i) => {
    if (typeof client?.client_id !== 'string' || !client.client_id) {
      throw new TypeError(`"clients[${i}].client_id" is required`);
    }
    if (builtIn.has(client.client_id)) {
      throw new TypeError(`"clients[${i}].client_id" ${client.client_id} is already a built-in client`);
    }
  });

  return {
    host,
    port,
    audience,
    audiences: [...new Set([audience, ...extra])],
    signingAlg,
    accessTokenTtlSecs,
    accessTokenFormat,
    requireDpopNonce,
    clients,
  };
}

function checkAudience(value: unknown, name: string): void {
  // oidc-provider takes resource indicators as absolute URIs only (RFC 8707 section 2).
  if (typeof value !== 'string' || !URL.canParse(value) || value.includes('#')) {
    throw new TypeError(`${name} must be an absolute URI without a fragment`);
  }
}
