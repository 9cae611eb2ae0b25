/**
 * @gatehouse/core: the framework-free authentication engine of Gatehouse. Adapters
 * (`@gatehouse/express`, `@gatehouse/koa`, `@gatehouse/nestjs`, `@gatehouse/fastify`) run its request
 * pipeline; services may call it directly.
 */

export type { AuditEvent, AuditEventName, AuditLogger } from './audit.js';
export type { AuthorizerOptions, AuthzVerdict } from './authz/authorizer.js';
export { AUTHZ_CACHE_DEFAULTS, Authorizer } from './authz/authorizer.js';
export type { AuthzenOptions } from './authz/authzen.js';
export { AUTHZEN_DEFAULTS, createAuthzenPoint } from './authz/authzen.js';
export type { CedarOptions, CedarPoint } from './authz/cedar.js';
export { createCedarPoint } from './authz/cedar.js';
export { CEDAR_PACKAGE } from './authz/cedar-engine.js';
export type { AuthorizerExtras } from './authz/create.js';
export { createAuthorizer } from './authz/create.js';
export type { AuthzOptions } from './authz/options.js';
export type { ClaimScalar, RuleCondition } from './authz/rule-conditions.js';
export type { AuthzRule, ConfigSource } from './authz/rules.js';
export { createRulesPoint } from './authz/rules.js';
export type {
  AuthzRequest,
  AuthzResource,
  AuthzSubject,
  DecisionPoint,
  PointAnswer,
  ResourceOwner,
} from './authz/types.js';
export { TokenCache } from './cache/token-cache.js';
export { DEFAULTS } from './config/defaults.js';
export type { FieldSpec } from './config/fields.js';
export { CONFIG_FIELDS, ENV } from './config/fields.js';
export type {
  ConfigField,
  EnvRecord,
  GatehouseConfig,
  RedisSettings,
  ResolvedConfig,
  ResolvedRoutes,
  RoutesOptions,
} from './config/options.js';
export type { ResolveOptions } from './config/resolve.js';
export { resolveConfig } from './config/resolve.js';
export type { GraphqlWsContextLike, GraphqlWsGate, GraphqlWsGateOptions } from './connections/graphql-ws.js';
export { GRAPHQL_WS_REFUSAL_CODES, graphqlWsGate } from './connections/graphql-ws.js';
export type { ConnectionOrigin, LiveConnection } from './connections/live-connections.js';
export { LiveConnections } from './connections/live-connections.js';
export type {
  ConnectionCloseReason,
  ReauthenticateMessage,
  ReauthenticationAnswer,
  WelcomeMessage,
} from './connections/protocol.js';
export {
  BEARER_SUBPROTOCOL_PREFIX,
  CLOSE_CODES,
  GATEHOUSE_SUBPROTOCOL,
  reauthenticationToken,
  welcomeMessage,
} from './connections/protocol.js';
export type {
  ConnectionRegistryOptions,
  EndConnection,
  RevocationFeed,
  TrackedConnection,
} from './connections/registry.js';
export { ConnectionRegistry } from './connections/registry.js';
export type { SocketIoGateOptions, SocketIoRefusal, SocketIoSocketLike } from './connections/socket-io.js';
export { SOCKET_IO_EVENTS, socketIoGate } from './connections/socket-io.js';
export type {
  Handshake,
  HandshakeOptions,
  HttpRefusal,
  MutableRequestHeaders,
  UpgradeSocket,
} from './connections/upgrade.js';
export { removeCarrier, upgradeHandshake, writeRefusal } from './connections/upgrade.js';
export type { UpgradeEmitter, WebSocketGate, WebSocketGateOptions } from './connections/websocket.js';
export { webSocketGate } from './connections/websocket.js';
export type { WebSocketGuardOptions, WebSocketServerLike } from './connections/websocket-guard.js';
export { guardWebSocketServer } from './connections/websocket-guard.js';
export type { WebSocketLike, WebSocketSessionOptions } from './connections/websocket-session.js';
export { connectionAuth, trackWebSocket } from './connections/websocket-session.js';
export type { AuthContext, AuthType } from './context.js';
export { createAuthContext, hasScopes, missingScopes } from './context.js';
export type {
  AccessError,
  AnyAuthError,
  AudienceMismatchReason,
  AuthErrorCode,
  AuthErrorStatus,
  AuthzBackendName,
  AuthzFailure,
  AvailabilityError,
  BearerErrorCode,
  ConfigErrorCode,
  DpopErrorCode,
  DpopProofFailure,
  InvalidRequestReason,
  InvalidTokenReason,
  LogoutTokenProblem,
  RateLimitReason,
  RequestBodyProblem,
  RequestError,
  SenderConstraintFailure,
  SenderError,
  StepUpReason,
  TokenError,
} from './errors.js';
export {
  AccessDeniedError,
  AudienceMismatchError,
  AuthError,
  AuthzUnavailableError,
  ConfigError,
  DpopNonceError,
  ForbiddenError,
  InsufficientScopeError,
  InsufficientUserAuthenticationError,
  InvalidDpopProofError,
  InvalidRequestError,
  InvalidTokenError,
  IssuerUnavailableError,
  isAuthError,
  LogoutTokenError,
  MissingCredentialsError,
  NotFoundError,
  RateLimitedError,
  RequestBodyError,
  SenderConstraintError,
  StateUnavailableError,
  TokenExpiredError,
  TokenInactiveError,
  TokenNotYetValidError,
  TokenRevokedError,
  UnknownApiKeyError,
  UnknownIssuerError,
  UnknownKeyError,
  UnsupportedAlgorithmError,
} from './errors.js';
export type { Credential, CredentialScheme } from './http/bearer.js';
export {
  assertTokenSyntax,
  authorizationHeader,
  DEFAULT_MAX_TOKEN_LENGTH,
  extractBearer,
  isBearerToken,
  parseAuthorization,
} from './http/bearer.js';
export type { PublicPath } from './http/public-paths.js';
export { publicPathMatcher } from './http/public-paths.js';
export type { AuthErrorResponse, BearerChallenge, ChallengeOptions, DpopChallenge } from './http/response.js';
export { authErrorResponse, bearerChallenge, DEFAULT_REALM, dpopChallenge } from './http/response.js';
export type { IntrospectionClient } from './introspection/endpoint.js';
export type { IntrospectionProviderOptions } from './introspection/introspection-provider.js';
export { IntrospectionAuthProvider } from './introspection/introspection-provider.js';
export type { ClaimValue, IssuerRuleOptions } from './issuers/options.js';
export type { IssuerPreset, TokenType } from './issuers/presets.js';
export { ISSUER_PRESETS, MICROSOFT_GRAPH_AUDIENCES } from './issuers/presets.js';
export { isLoopbackHost } from './jwks/url.js';
export type { JwsAlgorithm } from './jwt/algorithms.js';
export { SUPPORTED_ALGORITHMS } from './jwt/algorithms.js';
export type { BackendChoice } from './jwt/backend.js';
export { useVerificationBackend, verificationBackendName } from './jwt/backend.js';
export type { JwsHeader } from './jwt/compact.js';
export type { FailedAuthLimitOptions } from './limits/failed-auth.js';
export { FailedAuthThrottle } from './limits/failed-auth.js';
export type { RateLimitOptions } from './limits/rate-limiter.js';
export { RateLimiter } from './limits/rate-limiter.js';
export type { ConnectionCloseCause, ConnectionCount } from './observability/connections.js';
export { ConnectionCounts } from './observability/connections.js';
export type {
  ObservedKeySet,
  ObservedTokenCache,
  ProviderInsight,
} from './observability/insight.js';
export { EMPTY_INSIGHT } from './observability/insight.js';
export type { DecisionOutcome, RefusalSource } from './observability/labels.js';
export { ACCEPTED_CODE, ISSUER_PLACEHOLDERS } from './observability/labels.js';
export type { AuthzOutcome, ObservabilityOptions } from './observability/metrics.js';
export { DecisionRecorder, DURATION_BUCKETS, METRIC_NAMES } from './observability/metrics.js';
export { PROMETHEUS_CONTENT_TYPE, prometheusText } from './observability/prometheus.js';
export type {
  MissingPart,
  ReadinessAnswer,
  ReadinessOptions,
  ReadinessProbe,
  ReadinessReport,
} from './observability/readiness.js';
export { Readiness, readinessAnswer } from './observability/readiness.js';
export type { CountSource, RateLimitKind } from './observability/snapshot.js';
export { SPAN_ATTRIBUTES } from './observability/tracing.js';
export { authOf } from './pipeline/auth-of.js';
export type {
  Admission,
  CompiledAuthorization,
  Decision,
  Refusal,
  Route,
  RouteAuthorization,
  RoutePolicy,
} from './pipeline/decision.js';
export { createGatehouse, Gatehouse } from './pipeline/gatehouse.js';
export type { RouteHelpers } from './pipeline/helpers.js';
export { withRouteHelpers } from './pipeline/helpers.js';
export { lazyRouteHelpers } from './pipeline/lazy-helpers.js';
export type { AdapterOptions, GatehouseOptions } from './pipeline/options.js';
export type { NodeRequestLike, RequestView } from './pipeline/request.js';
export { NodeRequestView, requestView } from './pipeline/request.js';
export { AdminPolicy } from './policy/admins.js';
export type {
  AuthenticationRequirement,
  AuthenticationShortfall,
} from './policy/authentication-context.js';
export {
  checkAuthenticationContext,
  validateAuthenticationRequirement,
} from './policy/authentication-context.js';
export type { AuthRequirement } from './policy/requirement.js';
export { checkRequirement } from './policy/requirement.js';
export type { AuthProvider } from './provider.js';
export type { ApiKeyEntry, ApiKeyProviderOptions } from './providers/api-key.js';
export { ApiKeyAuthProvider } from './providers/api-key.js';
export { DEVELOPMENT_IDENTITY, DevelopmentAuthProvider } from './providers/development.js';
export { MultiAuthProvider } from './providers/multi.js';
export type { IssuerOptions, OidcProviderOptions, VerifiedJwt } from './providers/oidc.js';
export { OidcAuthProvider } from './providers/oidc.js';
export type { MetadataFacts, ResourceMetadata } from './resource/metadata-document.js';
export {
  challengeMetadataUrl,
  protectedResourceMetadata,
  RESOURCE_METADATA_PATH,
  resourceMetadataPaths,
  resourceMetadataUrl,
} from './resource/metadata-document.js';
export type { ResolvedResource, ResourceOptions } from './resource/resource-option.js';
export { RESOURCE_JSON_NAMES, validateResource } from './resource/resource-option.js';
export type { BackchannelLogoutOptions, SignatureVerifier } from './revocation/backchannel-logout.js';
export { BACKCHANNEL_LOGOUT_EVENT, BackchannelLogout } from './revocation/backchannel-logout.js';
export type { RevocationOptions, RevocationSelector } from './revocation/revocations.js';
export { Revocations } from './revocation/revocations.js';
export type { HttpAnswer } from './routes/answer.js';
export type { BodyReader, NodeBodySource, RequestBody } from './routes/body.js';
export { nodeBodyReader, webBodyReader } from './routes/body.js';
export type { RouteGate, RouteMatch } from './routes/operational-routes.js';
export { METRICS_SCOPE, OperationalRoutes } from './routes/operational-routes.js';
export type { RevocationView } from './routes/revocation-routes.js';
export { parseSelector, revocationView } from './routes/revocation-routes.js';
export { certificateThumbprint, parseForwardedCertificate } from './sender/certificate.js';
export type {
  DpopMode,
  SenderConstraintOptions,
  SenderCredential,
  SenderHeaders,
  SenderRequest,
} from './sender/constraint.js';
export { DPOP_MODES, SenderConstraints } from './sender/constraint.js';
export { normalizeHtu } from './sender/dpop-htu.js';
export type { DpopNonceOptions, NonceState } from './sender/dpop-nonce.js';
export { DpopNonces } from './sender/dpop-nonce.js';
export type { DpopProofRequest, DpopProofRules, VerifiedDpopProof } from './sender/dpop-proof.js';
export { verifyDpopProof } from './sender/dpop-proof.js';
export type { ReplayGuardOptions, ReplayVerdict } from './sender/dpop-replay.js';
export { ReplayGuard } from './sender/dpop-replay.js';
export { jwkThumbprint } from './sender/jwk-thumbprint.js';
// The shared-state parts, the in-process store and what a store needs from core: `@gatehouse/core/state`.
export type { Revocation, RevocationKind } from './state/revocation.js';
export type { SharedState } from './state/shared-state.js';
