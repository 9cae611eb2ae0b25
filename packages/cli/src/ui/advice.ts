import type { OidcClient } from '@gatehouse/client';
import type { Settings } from '../config/settings.js';

/**
 * One-line warnings about a provider's known traps, shown at login: Google's opaque access tokens (services
 * check ID tokens), and Okta's org authorization server, whose access tokens only Okta can validate.
 */
export function providerAdvice(client: OidcClient, settings: Settings): string[] {
  const advice: string[] = [];
  if (client.preset === 'google' && settings.tokenType === 'access_token') {
    advice.push(
      "Google's access tokens are opaque and Gatehouse services validate Google ID tokens: use --token-type id_token.",
    );
  }
  if (client.preset === 'okta' && !/\/oauth2\/[^/]+\/?$/.test(new URL(client.issuer).pathname)) {
    advice.push(
      "this is Okta's org authorization server, whose access tokens only Okta can validate: use a custom authorization server's issuer (https://<org>.okta.com/oauth2/<server>).",
    );
  }
  return advice;
}
