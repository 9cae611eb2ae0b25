// Configuration and environment

// One loopback rule for every package: core's.
export { isLoopbackHost } from '@gatehouse/core';
export type { Env, ServiceSourceConfig } from './config/env.js';
export {
  configDir,
  DEFAULT_PROFILE,
  defaultTokenFilePath,
  ENV,
  OIDC_ENV,
  passphraseFromEnv,
  serviceSourceConfigFromEnv,
} from './config/env.js';
// Long-lived connections: the browser's WebSocket carrier
export { webSocketProtocols } from './connections/websocket-protocols.js';
export type { DpopFetchOptions } from './dpop/fetch.js';
// DPoP (RFC 9449): a key, proofs, and a fetch that signs one per request
export { createDpopFetch } from './dpop/fetch.js';
export type { DpopAlgorithm, DpopKey } from './dpop/key.js';
export { exportDpopKey, generateDpopKey, importDpopKey } from './dpop/key.js';
export type { DpopKeyFileOptions } from './dpop/key-file.js';
export { dpopKeyPath, loadDpopKey, removeDpopKey } from './dpop/key-file.js';
export type { DpopProofInput } from './dpop/proof.js';
export { createDpopProof } from './dpop/proof.js';
export type { StoredDpopKey, StoredDpopKeyOptions } from './dpop/stored-key.js';
export { bindDpopKeyToStore, DPOP_KEY_SECRET, openStoredDpopKey } from './dpop/stored-key.js';
export type { AnyClientError, ClientErrorCode } from './errors.js';
// Errors
export {
  ApiKeyMissingError,
  AuthorizationDeniedError,
  CallbackPortInUseError,
  DeviceCodeExpiredError,
  DiscoveryError,
  GatehouseClientError,
  IdTokenUnavailableError,
  InsecureIssuerError,
  InvalidAuthorizationResponseError,
  InvalidOptionsError,
  isClientError,
  KeychainUnavailableError,
  LoginCancelledError,
  LoginRequiredError,
  LoginTimeoutError,
  NetworkError,
  PassphraseRequiredError,
  ResourceMetadataError,
  RevocationError,
  TokenRequestError,
  TokenStoreError,
  WrongPassphraseError,
} from './errors.js';
export type { AuthenticatedFetchOptions } from './fetch/authenticated-fetch.js';
// The authenticated fetch
export { createAuthenticatedFetch } from './fetch/authenticated-fetch.js';
export type { FetchLike } from './fetch/fetch-like.js';
export type { AuthorizationCodeLoginOptions } from './grants/authorization-code.js';
// Grants
export { DEFAULT_LOGIN_SCOPE, loginWithAuthorizationCode } from './grants/authorization-code.js';
export type { BrowserOpener } from './grants/browser.js';
export { openSystemBrowser } from './grants/browser.js';
export type { DeviceCodeLoginOptions, DeviceCodePrompt } from './grants/device-code.js';
export { loginWithDeviceCode } from './grants/device-code.js';
export type { PasswordLoginOptions } from './grants/password.js';
export { loginWithPassword } from './grants/password.js';
export type { TokenExchangeOptions, TokenRequestOptions } from './grants/token-endpoint.js';
export {
  ACCESS_TOKEN_TYPE,
  exchangeToken,
  refreshAccessToken,
  requestClientCredentialsToken,
  revokeToken,
  TOKEN_EXCHANGE_GRANT,
} from './grants/token-endpoint.js';
export type { CallbackServer, CallbackServerOptions } from './loopback/callback-server.js';
// The loopback callback server
export {
  DEFAULT_CALLBACK_HOST,
  DEFAULT_CALLBACK_PATH,
  DEFAULT_CALLBACK_PORT,
  DEFAULT_LOGIN_TIMEOUT_SECS,
  startCallbackServer,
} from './loopback/callback-server.js';
export type { ClientAuthMethod, OidcClient, OidcClientOptions } from './oidc/client.js';
// The client configuration
export { createOidcClient, DEFAULT_HTTP_TIMEOUT_SECS } from './oidc/client.js';
export { isSecureOrLoopbackUrl } from './oidc/loopback.js';
export type { AudienceParameter, PresetBehaviour, ProviderPreset } from './oidc/presets.js';
export { detectPreset, PRESET_BEHAVIOUR, PROVIDER_PRESETS } from './oidc/presets.js';
export type { PkcePair } from './pkce.js';
// PKCE and request values
export {
  computeCodeChallenge,
  createCodeVerifier,
  createNonce,
  createPkcePair,
  createState,
} from './pkce.js';
// Protected resources (RFC 9728)
export type { AuthChallenge, ResourceChallenge } from './resource/challenge.js';
export { parseWwwAuthenticate, readResourceChallenge } from './resource/challenge.js';
export { chooseAuthorizationServer } from './resource/issuer.js';
export type { DiscoverResourceOptions, ProtectedResourceMetadata } from './resource/metadata.js';
export { discoverProtectedResource, protectedResourceMetadataUrl } from './resource/metadata.js';
export type { ApiKeySourceOptions } from './sources/api-key.js';
// Token sources
export { createApiKeySource } from './sources/api-key.js';
export type { ClientCredentialsSourceOptions } from './sources/client-credentials.js';
export { createClientCredentialsSource } from './sources/client-credentials.js';
export { createServiceTokenSource, serviceTokenSourceFromEnv } from './sources/service-source.js';
export type { TokenExchangeSourceOptions } from './sources/token-exchange.js';
export { createTokenExchangeSource } from './sources/token-exchange.js';
export type { RenewalOptions, TokenSetSource, TokenSource } from './sources/token-source.js';
export type { LoginFunction, UserTokenSource, UserTokenSourceOptions } from './sources/user-login.js';
export { createUserTokenSource, DEFAULT_LOGIN_HINT } from './sources/user-login.js';
// The token store
export { KDF_ITERATIONS } from './store/crypto.js';
export type {
  FileTokenStoreOptions,
  TokenFileSummary,
  TokenStore,
  WarningHandler,
} from './store/file-token-store.js';
export { createFileTokenStore } from './store/file-token-store.js';
export type { KeychainReference, StoredTokens } from './store/format.js';
export { TOKEN_FILE_VERSION } from './store/format.js';
export type { Keychain, KeychainProbe } from './store/keychain.js';
export { KEYCHAIN_SERVICE, keychainName, openKeychain } from './store/keychain.js';
export type { PassphraseSource } from './store/sealing.js';
export type { Clock, PresentedToken, PresentedTokenType, TokenSet } from './token-set.js';
// Tokens and expiry
export {
  DEFAULT_REFRESH_BUFFER_SECS,
  isExpiring,
  PRESENTED_TOKEN_TYPES,
  presentedToken,
  refreshBufferSecs,
} from './token-set.js';
