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
  /**
   * Further secrets kept with this login (for example a proof-of-possession private key), by name: stored
   * and encrypted exactly like the refresh token (in clear, sealed with the passphrase, or in the keychain).
   */
  secrets?: Record<string, string>;
}

/**
 * Where the secrets of a keychain-backed file are: entries `<account>#<generation>.<i>` of `service`.
 *
 * @example
 * ```ts
 * import type { KeychainReference } from '@gatehouse/client';
 * const ref: KeychainReference = { service: 'gatehouse', account: '/home/me/.gatehouse/tokens/dev.json', generation: 'k3Jx9a', chunks: 1 };
 * ```
 */
export interface KeychainReference {
  service: string;
  account: string;
  /** Changes on every write, so that a reader never mixes the parts of two writes. */
  generation: string;
  /** How many entries the secrets are split into (small per-entry limits, such as Windows' 2.5 KB). */
  chunks: number;
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
  secrets?: Record<string, string>;
  secrets_encrypted?: Record<string, SealedSecret>;
  expires_at?: number;
  obtained_at: number;
  scope?: string;
}

/** The fields that hold secrets: in the file, or (with a keychain) only in the keychain. */
export const SECRET_FIELDS = [
  'access_token',
  'id_token',
  'refresh_token',
  'refresh_token_encrypted',
  'secrets',
  'secrets_encrypted',
] as const;

/** A token file whose secrets are in a keychain: every other field, and where the secrets are. */
export type KeychainFileDocument = Omit<TokenFileDocument, (typeof SECRET_FIELDS)[number]> & {
  keychain: KeychainReference;
};

/** The secret fields of a document, as kept in a keychain. */
export type SecretPart = Pick<TokenFileDocument, (typeof SECRET_FIELDS)[number]>;

/** Splits a document into what the file keeps and what goes to the keychain. */
export function splitSecrets(doc: TokenFileDocument): {
  rest: Omit<TokenFileDocument, keyof SecretPart>;
  secrets: SecretPart;
} {
  const rest: Record<string, unknown> = { ...doc };
  const secrets: Record<string, unknown> = {};
  for (const key of SECRET_FIELDS) {
    if (rest[key] !== undefined) secrets[key] = rest[key];
    delete rest[key];
  }
  return { rest: rest as Omit<TokenFileDocument, keyof SecretPart>, secrets: secrets as SecretPart };
}

/** The sealed secrets of a write: the refresh token and the named secrets, when encrypting. */
export interface SealedParts {
  refreshToken?: SealedSecret;
  secrets?: Record<string, SealedSecret>;
}

/** Builds the document; each secret goes either in clear or sealed, never both. */
export function toDocument(tokens: StoredTokens, sealed: SealedParts = {}): TokenFileDocument {
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
  if (sealed.refreshToken) doc.refresh_token_encrypted = sealed.refreshToken;
  else if (tokens.refreshToken) doc.refresh_token = tokens.refreshToken;
  if (sealed.secrets) doc.secrets_encrypted = sealed.secrets;
  else if (tokens.secrets && Object.keys(tokens.secrets).length) doc.secrets = { ...tokens.secrets };
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
  if (v.keychain !== undefined) return 'field "keychain" must not be mixed with tokens';
  if (typeof v.obtained_at !== 'number') return 'field "obtained_at" is missing';
  if (v.expires_at !== undefined && typeof v.expires_at !== 'number')
    return 'field "expires_at" is not a number';
  for (const key of ['id_token', 'refresh_token', 'scope', 'grant_type', 'audience'] as const) {
    if (v[key] !== undefined && typeof v[key] !== 'string') return `field "${key}" is not a string`;
  }
  if (v.refresh_token_encrypted !== undefined && !isSealedSecret(v.refresh_token_encrypted)) {
    return 'field "refresh_token_encrypted" is malformed';
  }
  if (v.secrets !== undefined && !isRecordOf(v.secrets, (x) => typeof x === 'string')) {
    return 'field "secrets" is malformed';
  }
  if (v.secrets_encrypted !== undefined && !isRecordOf(v.secrets_encrypted, isSealedSecret)) {
    return 'field "secrets_encrypted" is malformed';
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

/** Additional authenticated data for a named secret: it only opens under its name, in the same login. */
export function secretAad(name: string, issuer: string, clientId: string): string {
  return JSON.stringify(['gatehouse-secret-v1', name, issuer, clientId]);
}

/** The keychain reference of a parsed file, when it is a keychain-backed one. */
export function keychainReferenceOf(value: unknown): KeychainReference | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const ref = (value as { keychain?: unknown }).keychain as Partial<KeychainReference> | undefined;
  if (!ref || typeof ref !== 'object') return undefined;
  const valid =
    typeof ref.service === 'string' &&
    typeof ref.account === 'string' &&
    typeof ref.generation === 'string' &&
    /^[A-Za-z0-9_-]{1,64}$/.test(ref.generation) &&
    Number.isInteger(ref.chunks) &&
    (ref.chunks as number) >= 1 &&
    (ref.chunks as number) <= 1000;
  return valid ? (ref as KeychainReference) : undefined;
}

function isRecordOf(value: unknown, check: (v: unknown) => boolean): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.entries(value).every(([k, v]) => /^[A-Za-z0-9_.-]{1,64}$/.test(k) && check(v));
}
