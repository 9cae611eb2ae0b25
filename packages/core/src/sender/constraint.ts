import type { AuditLogger } from '../audit.js';
import { DEFAULTS } from '../config/defaults.js';
import type { AuthContext } from '../context.js';
import { DpopNonceError, InvalidDpopProofError, SenderConstraintError } from '../errors.js';
import { isSupportedAlgorithm, type JwsAlgorithm, SUPPORTED_ALGORITHMS } from '../jwt/algorithms.js';
import { isPending } from '../provider.js';
import { LocalClaims } from '../state/local-claims.js';
import type { OneTimeIds } from '../state/one-time-ids.js';
import { certificateThumbprint, parseForwardedCertificate } from './certificate.js';
import { normalizePublicUrl, requestHtuBase } from './dpop-htu.js';
import { type DpopNonceOptions, DpopNonces } from './dpop-nonce.js';
import { type DpopProofRules, type VerifiedDpopProof, verifyDpopProof } from './dpop-proof.js';
import { ReplayGuard, type ReplayVerdict } from './dpop-replay.js';

/**
 * How an issuer's tokens may use DPoP (RFC 9449): `allowed` (bound tokens need the DPoP scheme and a
 * proof; unbound ones may come either way), `required` (only bound tokens, with the DPoP scheme) or
 * `disabled` (the DPoP scheme and bound tokens are refused).
 */
export type DpopMode = 'allowed' | 'required' | 'disabled';

/** The DPoP modes, for validation. */
export const DPOP_MODES: readonly DpopMode[] = ['allowed', 'required', 'disabled'];

/** Options of {@link SenderConstraints}. */
export interface SenderConstraintOptions {
  /** DPoP mode per issuer; an issuer not listed is `allowed`. */
  readonly dpopModes?: Readonly<Record<string, DpopMode>>;
  /**
   * The origin (and optional path prefix) clients use to reach the service, which proofs name in `htu`
   * (`GATEHOUSE_PUBLIC_URL`). When unset, each request supplies its own `origin`.
   */
  readonly publicUrl?: string;
  /** Proof signature algorithms accepted (asymmetric only). Default: every supported one. */
  readonly algorithms?: readonly JwsAlgorithm[];
  /** How old a proof may be, in seconds. Default 300. */
  readonly proofMaxAgeSecs?: number;
  /** How far in the future a proof's `iat` may be, in seconds. Default 60. */
  readonly proofFutureSecs?: number;
  /**
   * Where proof ids are remembered: the one-time ids of the gate's state (shared by every instance on
   * Redis). Default: this process's own memory.
   */
  readonly oneTimeIds?: OneTimeIds;
  /** Require server nonces in proofs (RFC 9449 §8), derived from this shared secret. */
  readonly nonces?: Omit<DpopNonceOptions, 'now'>;
  /**
   * The header in which a trusted TLS-terminating proxy forwards the client certificate (e.g.
   * `client-cert`). When set, certificate-bound tokens are checked against that header only; when unset,
   * against the certificate of the TLS connection. Set it only when every request comes through the proxy.
   */
  readonly clientCertificateHeader?: string;
  /** Current time in milliseconds (for tests). Default `Date.now`. */
  readonly now?: () => number;
  readonly logger?: AuditLogger;
}

/** The credential of the `Authorization` header, as the pipeline parsed it. */
export interface SenderCredential {
  readonly scheme: 'Bearer' | 'DPoP';
  readonly token: string;
}

/** What the sender-constraint step reads of a request (a pipeline `RequestView` is one). */
export interface SenderRequest {
  readonly method: string;
  /** The request target as received (`/v1/whoami?x=1`): its path goes into the expected `htu`. */
  readonly url: string;
  /** The raw `DPoP` header value(s). */
  readonly dpop: string | readonly string[] | undefined;
  /** Any other header by lower-case name (a forwarded client certificate). */
  header(name: string): string | readonly string[] | undefined;
  /** DER bytes of the TLS client certificate, when the connection has one. */
  peerCertificate(): Uint8Array | undefined;
  /**
   * The origin the connection arrived on (`http://127.0.0.1:8080`, from the socket, never the `Host`
   * header): the `htu` origin when no public URL is configured.
   */
  origin?(): string | undefined;
}

/** Response headers a passed check asks for (a fresh `dpop-nonce`), or undefined. */
export type SenderHeaders = Readonly<Record<string, string>> | undefined;

/**
 * Step 6 of the request pipeline: checks that the sender of a token may use it (RFC 9449 DPoP, RFC 8705
 * certificate binding), per the token's `cnf` claim and its issuer's DPoP mode. Runs on every request,
 * cached tokens included: only the token's validation is cached, never a proof. Synchronous, except
 * when a shared replay store is asked.
 *
 * @example
 * ```ts
 * const senders = new SenderConstraints({ publicUrl: 'https://api.example.com', dpopModes: { [issuer]: 'required' } });
 * const headers = await senders.check(auth, { scheme: 'DPoP', token }, requestView({ url: '/v1/whoami', dpop }));
 * ```
 */
export class SenderConstraints {
  private readonly modes: ReadonlyMap<string, DpopMode>;
  private readonly publicUrl: string | undefined;
  private readonly rules: DpopProofRules;
  private readonly replay: ReplayGuard;
  private readonly nonces: DpopNonces | undefined;
  private readonly certificateHeader: string | undefined;
  private readonly now: () => number;
  private readonly anyRequired: boolean;
  /** The algorithms advertised in the DPoP challenge; empty when no issuer accepts DPoP. */
  readonly dpopAlgorithms: readonly JwsAlgorithm[];

  constructor(options: SenderConstraintOptions = {}) {
    const modes = new Map<string, DpopMode>();
    for (const [issuer, mode] of Object.entries(options.dpopModes ?? {})) {
      if (!DPOP_MODES.includes(mode))
        throw new TypeError(`"dpopModes[${issuer}]" must be one of ${DPOP_MODES}`);
      modes.set(issuer, mode);
    }
    this.modes = modes;
    this.anyRequired = [...modes.values()].includes('required');
    if (options.publicUrl !== undefined) {
      const normalized = normalizePublicUrl(options.publicUrl);
      if ('problem' in normalized) throw new TypeError(`"publicUrl" ${normalized.problem}`);
      this.publicUrl = normalized.url;
    }
    const algorithms = options.algorithms ?? SUPPORTED_ALGORITHMS;
    if (algorithms.length === 0 || !algorithms.every(isSupportedAlgorithm)) {
      throw new TypeError(`"algorithms" must be a non-empty list of ${SUPPORTED_ALGORITHMS.join(', ')}`);
    }
    const maxAgeSecs = seconds(options.proofMaxAgeSecs, DEFAULTS.dpopProofMaxAgeSecs, 'proofMaxAgeSecs');
    const futureSecs = seconds(options.proofFutureSecs, DEFAULTS.dpopProofFutureSecs, 'proofFutureSecs');
    this.rules = { algorithms: new Set(algorithms), maxAgeSecs, futureSecs };
    this.now = options.now ?? Date.now;
    this.replay = new ReplayGuard({
      // A proof is acceptable from `futureSecs` before its iat to `maxAgeSecs` after it.
      ttlSecs: maxAgeSecs + futureSecs + 1,
      ids: options.oneTimeIds ?? new LocalClaims(this.now),
      logger: options.logger,
    });
    this.nonces = options.nonces ? new DpopNonces({ ...options.nonces, now: this.now }) : undefined;
    const header = options.clientCertificateHeader;
    if (header !== undefined && !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(header)) {
      throw new TypeError('"clientCertificateHeader" must be a header name');
    }
    this.certificateHeader = header?.toLowerCase();
    const anyDpop = modes.size === 0 || [...modes.values()].some((mode) => mode !== 'disabled');
    this.dpopAlgorithms = anyDpop ? Object.freeze([...algorithms]) : [];
  }

  /** The DPoP mode of an issuer's tokens. */
  modeOf(issuer: string): DpopMode {
    return this.modes.get(issuer) ?? DEFAULTS.dpop;
  }

  /** The nonce to hand out now, when nonces are required. */
  currentNonce(): string | undefined {
    return this.nonces?.current();
  }

  /**
   * Checks the sender of `auth`'s token; resolves (or returns) the response headers to add, and throws
   * (or rejects with) an {@link AuthError}: {@link SenderConstraintError}, {@link InvalidDpopProofError},
   * {@link DpopNonceError}.
   */
  check(
    auth: AuthContext,
    credential: SenderCredential,
    request: SenderRequest,
  ): SenderHeaders | Promise<SenderHeaders> {
    // The common case costs two property reads: a bearer token without any binding, no issuer requiring DPoP.
    if (credential.scheme === 'Bearer' && auth.claims.cnf === undefined && !this.anyRequired)
      return undefined;
    if (auth.authType === 'anonymous') return undefined;
    if (auth.authType !== 'oidc') {
      // API keys are bearer credentials of their own: no binding, no DPoP.
      if (credential.scheme === 'DPoP') throw new SenderConstraintError('dpop_not_accepted');
      return undefined;
    }
    const issuer = auth.issuer;
    const { jkt, x5t } = confirmation(auth.claims.cnf, issuer);
    if (x5t !== undefined) this.checkCertificate(x5t, request, issuer);

    const mode = this.modeOf(issuer);
    if (credential.scheme === 'Bearer') {
      if (jkt !== undefined) {
        throw new SenderConstraintError(
          mode === 'disabled' ? 'dpop_disabled' : 'bound_token_as_bearer',
          issuer,
        );
      }
      if (mode === 'required') throw new SenderConstraintError('dpop_required', issuer);
      return undefined;
    }
    if (mode === 'disabled') throw new SenderConstraintError('dpop_disabled', issuer);
    if (mode === 'required' && jkt === undefined) throw new SenderConstraintError('dpop_required', issuer);
    return this.checkProof(credential.token, request, jkt, issuer);
  }

  private checkProof(
    token: string,
    request: SenderRequest,
    jkt: string | undefined,
    issuer: string,
  ): SenderHeaders | Promise<SenderHeaders> {
    const origin = this.publicUrl ?? request.origin?.();
    if (origin === undefined) throw new InvalidDpopProofError('htu');
    const proof = verifyDpopProof(
      {
        proof: request.dpop,
        method: request.method,
        htu: requestHtuBase(origin, request.url),
        accessToken: token,
      },
      this.rules,
      this.now() / 1000,
    );
    return isPending(proof)
      ? proof.then((verified) => this.judgeProof(verified, jkt, issuer))
      : this.judgeProof(proof, jkt, issuer);
  }

  // The proof's key against the token's binding, its nonce, and its one-time use (RFC 9449 §4.3, §8, §11.1).
  private judgeProof(
    proof: VerifiedDpopProof,
    jkt: string | undefined,
    issuer: string,
  ): SenderHeaders | Promise<SenderHeaders> {
    if (jkt !== undefined && proof.jkt !== jkt) throw new SenderConstraintError('key_mismatch', issuer);

    let headers: SenderHeaders;
    if (this.nonces !== undefined) {
      // RFC 9449 §8: a nonce the client must use, handed out again when it is missing or stale, and
      // proactively (§8.2) when the one used is still accepted but no longer the current one.
      const state = proof.nonce === undefined ? 'missing' : this.nonces.check(proof.nonce);
      if (state === 'missing' || state === 'invalid') {
        throw new DpopNonceError(this.nonces.current(), state === 'missing' ? 'missing' : 'stale');
      }
      if (state === 'valid') headers = { 'dpop-nonce': this.nonces.current() };
    }

    const verdict = this.replay.claim(proof.jkt, proof.jti, proof.iat, this.rules.futureSecs);
    return typeof verdict === 'string' ? judge(verdict, headers) : verdict.then((v) => judge(v, headers));
  }

  private checkCertificate(x5t: string, request: SenderRequest, issuer: string): void {
    const der =
      this.certificateHeader === undefined
        ? request.peerCertificate()
        : parseForwardedCertificate(request.header(this.certificateHeader));
    if (der === undefined || der.length === 0) throw new SenderConstraintError('certificate_missing', issuer);
    if (certificateThumbprint(der) !== x5t) throw new SenderConstraintError('certificate_mismatch', issuer);
  }
}

function judge(verdict: ReplayVerdict, headers: SenderHeaders): SenderHeaders {
  if (verdict === 'replayed') throw new InvalidDpopProofError('replayed');
  if (verdict === 'too_old') throw new InvalidDpopProofError('iat');
  return headers;
}

/**
 * The confirmation methods of a token's `cnf` claim (RFC 7800): `jkt` (RFC 9449) and `x5t#S256`
 * (RFC 8705). A `cnf` that is not an object, holds an empty or non-string value, or binds the token by a
 * method Gatehouse cannot check is refused: the token is bound to something nobody here can verify.
 */
function confirmation(cnf: unknown, issuer: string): { jkt?: string; x5t?: string } {
  if (cnf === undefined) return {};
  if (cnf === null || typeof cnf !== 'object' || Array.isArray(cnf)) {
    throw new SenderConstraintError('malformed_cnf', issuer);
  }
  let jkt: string | undefined;
  let x5t: string | undefined;
  for (const [method, value] of Object.entries(cnf)) {
    if (typeof value !== 'string' || value.length === 0)
      throw new SenderConstraintError('malformed_cnf', issuer);
    if (method === 'jkt') jkt = value;
    else if (method === 'x5t#S256') x5t = value;
    else throw new SenderConstraintError('malformed_cnf', issuer);
  }
  return { jkt, x5t };
}

function seconds(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 3600) {
    throw new TypeError(`"${name}" must be an integer between 0 and 3600`);
  }
  return value;
}
