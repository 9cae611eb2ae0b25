/**
 * The label sets of `gatehouse_auth_total`, built once and reused: recording a decision looks a
 * {@link DecisionCell} up and increments it, with no label object made per request.
 *
 * Every label value is bounded. An issuer is a label only when it is configured (or `api_key`,
 * `development`): the unverified `iss` of an attacker's token must not become a time series, so it is
 * counted as `unknown`. Codes come from Gatehouse's error classes; anything unexpected becomes `other`.
 */
import type { Attributes } from '@opentelemetry/api';
import type { AuthContext } from '../context.js';

/** How a request's authentication ended: admitted, refused (4xx), or not decidable (503). */
export type DecisionOutcome = 'accepted' | 'rejected' | 'unavailable';

/** The `code` label of an accepted decision. */
export const ACCEPTED_CODE = 'ok';

/**
 * Label values that stand in for an issuer: `none` (no issuer involved: no or malformed credentials),
 * `unknown` (a token naming an issuer that is not configured), `other` (an identity from a custom
 * provider's issuer that is not configured).
 */
export const ISSUER_PLACEHOLDERS = Object.freeze({ none: 'none', unknown: 'unknown', other: 'other' });

/** Issuers that are label values without being configured: the built-in providers' own. */
const BUILT_IN_ISSUERS = ['api_key', 'development'];

/** Beyond this many label sets, new ones are counted under `other` (defence in depth). */
const MAX_CELLS = 512;

const CODE_PATTERN = /^[a-z][a-z0-9_]{0,47}$/;

/** One label set of `gatehouse_auth_total` and its running count. */
export interface DecisionCell {
  count: number;
  readonly outcome: DecisionOutcome;
  /** `{outcome, code, auth_type, issuer}`, frozen. */
  readonly attributes: Attributes;
  /** The same as span attributes (`gatehouse.outcome`, …), frozen. */
  readonly spanAttributes: Attributes;
}

/** The fields of a refusal that labels are taken from (an `AuthError` has them). */
export interface RefusalSource {
  readonly code: string;
  readonly status: number;
  readonly issuer?: string | undefined;
  /** For a 429: which limit (`identity` or `failed_auth`). */
  readonly reason?: string | undefined;
}

/**
 * The bounded label sets of one gate's decisions.
 * @internal
 */
export class DecisionCells {
  private readonly issuers: ReadonlySet<string>;
  private readonly byKey = new Map<string, DecisionCell>();
  // Accepted decisions: issuer label → auth type → cell, and the last identity seen (most requests repeat it).
  private readonly acceptedByIssuer = new Map<string, Map<string, DecisionCell>>();
  private lastAuth: AuthContext | undefined;
  private lastCell: DecisionCell | undefined;

  constructor(configuredIssuers: Iterable<string>) {
    this.issuers = new Set([...configuredIssuers, ...BUILT_IN_ISSUERS]);
  }

  /** The cell of an admitted identity. */
  accepted(auth: AuthContext): DecisionCell {
    if (auth === this.lastAuth) return this.lastCell!;
    const issuer = this.issuerLabel(auth.issuer);
    let byType = this.acceptedByIssuer.get(issuer);
    if (byType === undefined) {
      byType = new Map();
      this.acceptedByIssuer.set(issuer, byType);
    }
    let cell = byType.get(auth.authType);
    if (cell === undefined) {
      cell = this.cell('accepted', ACCEPTED_CODE, auth.authType, issuer);
      byType.set(auth.authType, cell);
    }
    this.lastAuth = auth;
    this.lastCell = cell;
    return cell;
  }

  /**
   * The cell of a refusal: `unavailable` for a 503, otherwise `rejected`. `auth` is the identity when
   * one was established before the refusal (a 403, a revoked or rate-limited identity).
   */
  refused(error: RefusalSource, auth?: AuthContext): DecisionCell {
    const outcome: DecisionOutcome = error.status === 503 ? 'unavailable' : 'rejected';
    const code = CODE_PATTERN.test(error.code) ? error.code : 'other';
    let authType: string;
    let issuer: string;
    if (auth !== undefined) {
      authType = auth.authType;
      issuer = this.issuerLabel(auth.issuer);
    } else if ('issuer' in error) {
      // A token-shaped credential: the issuer label only if that issuer is configured.
      authType = 'oidc';
      issuer =
        error.issuer === undefined
          ? ISSUER_PLACEHOLDERS.none
          : this.issuers.has(error.issuer)
            ? error.issuer
            : ISSUER_PLACEHOLDERS.unknown;
    } else if (code === 'unknown_api_key') {
      authType = 'api_key';
      issuer = 'api_key';
    } else {
      authType = 'none';
      issuer = ISSUER_PLACEHOLDERS.none;
    }
    return this.cell(outcome, code, authType, issuer);
  }

  /** Every label set recorded so far. */
  cells(): IterableIterator<DecisionCell> {
    return this.byKey.values();
  }

  private issuerLabel(issuer: string): string {
    return this.issuers.has(issuer) ? issuer : ISSUER_PLACEHOLDERS.other;
  }

  private cell(outcome: DecisionOutcome, code: string, authType: string, issuer: string): DecisionCell {
    const key = `${outcome}\n${code}\n${authType}\n${issuer}`;
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    if (this.byKey.size >= MAX_CELLS) {
      const overflow = `${outcome}\nother\nother\nother`;
      return this.byKey.get(overflow) ?? this.newCell(overflow, outcome, 'other', 'other', 'other');
    }
    return this.newCell(key, outcome, code, authType, issuer);
  }

  private newCell(
    key: string,
    outcome: DecisionOutcome,
    code: string,
    authType: string,
    issuer: string,
  ): DecisionCell {
    const cell: DecisionCell = {
      count: 0,
      outcome,
      attributes: Object.freeze({ outcome, code, auth_type: authType, issuer }),
      spanAttributes: Object.freeze({
        'gatehouse.outcome': outcome,
        'gatehouse.code': code,
        'gatehouse.auth_type': authType,
        'gatehouse.issuer': issuer,
      }),
    };
    this.byKey.set(key, cell);
    return cell;
  }
}
