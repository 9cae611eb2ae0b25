/**
 * @gatehouse/dev-idp: a development-only OpenID provider (oidc-provider) bound to loopback, with fixed
 * clients and users, for the demo, the tests of every package and the CLI.
 */

export type { DevUser } from './constants.js';
export {
  ACCESS_TOKEN_TYPE,
  ACR_MFA,
  ACR_PASSWORD,
  ACR_VALUES,
  API_SCOPES,
  CLI_CLIENT_ID,
  DEFAULT_ACCESS_TOKEN_TTL_SECS,
  DEFAULT_AUDIENCE,
  DEFAULT_HOST,
  DEFAULT_ID_TOKEN_TTL_SECS,
  DEFAULT_PORT,
  DEV_USERS,
  DEVICE_CLIENT_ID,
  DEVICE_CODE_GRANT_TYPE,
  LOOPBACK_REDIRECT_URI,
  PASSWORD_GRANT_TYPE,
  RESOURCE_SERVER_CLIENT_ID,
  RESOURCE_SERVER_CLIENT_SECRET,
  SERVICE_CLIENT_ID,
  SERVICE_CLIENT_SECRET,
  TOKEN_EXCHANGE_GRANT_TYPE,
  WEB_CLIENT_ID,
  WEB_CLIENT_SECRET,
} from './constants.js';
export type {
  DevIdp,
  DevIdpClients,
  DevIdpUsers,
  LoginHeadlessOptions,
  SignAccessTokenOptions,
} from './dev-idp.js';
export { startDevIdp } from './dev-idp.js';
export type { HeadlessFlowErrorCode, HeadlessUser } from './headless.js';
export { HeadlessFlowError } from './headless.js';
export type { SigningAlg } from './keys.js';
export { isLoopbackHost, NonLoopbackHostError } from './loopback.js';
export type { DevIdpOptions } from './options.js';
export type { BackchannelDelivery, DevIdpSession } from './session.js';
export { PROVIDER_SHAPES } from './shapes.js';
