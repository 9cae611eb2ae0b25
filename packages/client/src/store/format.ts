import type { TokenSet } from '../token-set.js';
import { isSealedSecret, type SealedSecret } from './crypto.js';

/**
 * Token-file format version.
 *
 * @example
 * ```ts
 * import { TOKEN_FILE_VERSION } from '@gatehouse/client';
 * console.log(TOKEN_FILE_VERSION); // 1
 * ```
 */
export const TOKEN_FILE_VERSION = 1;

/**
 * What the token file holds for one profile.
 *
 * @example
 * ```ts
 * import { createFileTokenStore, type StoredTokens } from '@gatehouse/client';
 * const tokens: StoredTokens | undefined = await createFileTokenStore().read();
 * console.error(tokens?.issuer, tokens?.expiresAt);
 * ```
 */
export interface StoredTokens extends TokenSet {
  /** The issuer that issued these tokens. */
  issuer: string;
  /** The client id they were issued to. */
  clientId: string;
  /** The grant that produced them (`authorization_code`, `device_code`, `client_credentials`…). */
  grantType?: string;
  /** The audience they were requested for. */
  audience?: string;
}

/** The JSON document on disk (snake_case, like OAuth responses). */
export interface TokenFileDocument {
  version: typeof TOKEN_FILE_VERSION;
  issuer: string;
  client_id: string;
  grant_type?: string;
  audience?: string;
  token_type: string;
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  refresh_token_encrypted?: SealedSecret;
  expires_at?: number;
  obtained_at: number;
  scope?: string;
}

/** Builds the document; the refresh token goes either in clear or sealed, never both. */
export function toDocument(tokens: StoredTokens, sealedRefreshToken?: SealedSecret): TokenFileDocument {
  const doc: TokenFileDocument = {
    version: TOKEN_FILE_VERSION,
    issuer: tokens.issuer,
    client_id: tokens.clientId,
    token_type: tokens.tokenType,
    access_token: tokens.accessToken,
    obtained_at: tokens.obtainedAt,
  };
  if (tokens.grantType) doc.grant_type = tokens.grantType;
  if (tokens.audience) doc.audience = tokens.audience;
  if (tokens.idToken) doc.id_token = tokens.idToken;
  if (sealedRefreshToken) doc.refresh_token_encrypted = sealedRefreshToken;
  else if (tokens.refreshToken) doc.refresh_token = tokens.refreshToken;
  if (tokens.expiresAt !== undefined) doc.expires_at = tokens.expiresAt;
  if (tokens.scope) doc.scope = tokens.scope;
  return doc;
}

/** Validates a parsed JSON value; returns a reason string when it is not one of our token files. */
export function parseDocument(value: unknown): TokenFileDocument | string {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const v = value as Record<string, unknown>;
  if (v.version !== TOKEN_FILE_VERSION) return `unknown format version ${JSON.stringify(v.version)}`;
  for (const key of ['issuer', 'client_id', 'access_token', 'token_type'] as const) {
    if (typeof v[key] !== 'string' || v[key] === '') return `field "${key}" is missing`;
  }
  if (typeof v.obtained_at !== 'number') return 'field "obtained_at" is missing';
  if (v.expires_at !== undefined && typeof v.expires_at !== 'number')
    return 'field "expires_at" is not a number';
  for (const key of ['id_token', 'refresh_token', 'scope', 'grant_type', 'audience'] as const) {
    if (v[key] !== undefined && typeof v[key] !== 'string') return `field "${key}" is not a string`;
  }
  if (v.refresh_token_encrypted !== undefined && !isSealedSecret(v.refresh_token_encrypted)) {
    return 'field "refresh_token_encrypted" is malformed';
  }
  return v as unknown as TokenFileDocument;
}

/** The document's tokens, without the refresh token (the store adds it, decrypting when needed). */
export function fromDocument(doc: TokenFileDocument): StoredTokens {
  const tokens: StoredTokens = {
    issuer: doc.issuer,
    clientId: doc.client_id,
    tokenType: doc.token_type,
    accessToken: doc.access_token,
    obtainedAt: doc.obtained_at,
  };
  if (doc.grant_type) tokens.grantType = doc.grant_type;
  if (doc.audience) tokens.audience = doc.audience;
  if (doc.id_token) tokens.idToken = doc.id_token;
  if (doc.expires_at !== undefined) tokens.expiresAt = doc.expires_at;
  if (doc.scope) tokens.scope = doc.scope;
  return tokens;
}

/** Additional authenticated data for the sealed refresh token: it only opens in a file of the same login. */
export function sealAad(issuer: string, clientId: string): string {
  return JSON.stringify(['gatehouse-refresh-token-v1', issuer, clientId]);
}
