import { type ResourceChallenge, readResourceChallenge } from '@gatehouse/client';
import type { DevIdp, HeadlessUser } from '@gatehouse/dev-idp';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';

/**
 * The MCP SDK's OAuth client provider as a desktop MCP client would implement it, with the browser
 * replaced by the dev IdP's headless login: registration, tokens and the PKCE verifier kept in memory,
 * and `redirectToAuthorization` walking the login (and consent) pages to the redirect that carries the
 * code. Everything else (discovery, registration, PKCE, the token request) is the SDK's own.
 *
 * The SDK re-authorizes on a 401 with the challenge's `scope` but knows nothing of RFC 9470; like a
 * client that implements it, this one reads each challenge (through {@link fetch}, the transport's
 * `fetch`) and adds a step-up's `acr_values` and `max_age` to the next authorization request.
 */
export class HeadlessOAuthProvider implements OAuthClientProvider {
  readonly authorizationUrls: URL[] = [];
  readonly registrations: OAuthClientInformationMixed[] = [];
  #client: OAuthClientInformationMixed | undefined;
  #tokens: OAuthTokens | undefined;
  #verifier = '';
  #code: string | undefined;
  #stepUp: ResourceChallenge | undefined;

  /** The transport's `fetch`: remembers a step-up challenge (RFC 9470) for the next authorization. */
  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    const challenge = readResourceChallenge(response);
    if (challenge?.error === 'insufficient_user_authentication') this.#stepUp = challenge;
    return response;
  };

  constructor(
    private readonly idp: DevIdp,
    readonly user: HeadlessUser,
    readonly redirectUrl = 'http://127.0.0.1:47219/callback',
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Gatehouse e2e MCP client',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.#client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.#client = info;
    this.registrations.push(info);
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: OAuthTokens) {
    this.#tokens = tokens;
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }

  /** "Opens the browser": the dev IdP's pages, walked headlessly; the code waits for {@link takeCode}. */
  async redirectToAuthorization(url: URL) {
    const stepUp = this.#stepUp;
    this.#stepUp = undefined;
    if (stepUp?.acrValues) url.searchParams.set('acr_values', stepUp.acrValues.join(' '));
    if (stepUp?.maxAge !== undefined) url.searchParams.set('max_age', String(stepUp.maxAge));
    this.authorizationUrls.push(url);
    const callback = new URL(await this.idp.loginHeadless(url.href, this.user));
    const code = callback.searchParams.get('code');
    if (!code)
      throw new Error(`the authorization ended without a code: ${decodeURIComponent(callback.search)}`);
    this.#code = code;
  }

  /** The code of the last authorization (once). */
  takeCode(): string {
    const code = this.#code;
    this.#code = undefined;
    if (!code) throw new Error('no authorization happened');
    return code;
  }
}
