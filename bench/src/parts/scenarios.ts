import { bareOf, VARIANTS, type Variant } from '../variants.js';

export type ScenarioKind = 'hot' | 'cold' | 'apikey' | 'invalid';

/** A load scenario: what every request sends, what it must get, and who takes part. */
export interface Scenario {
  readonly name: string;
  readonly kind: ScenarioKind;
  readonly title: string;
  /** Key of the header list (one `Authorization` value per line) the requests cycle through. */
  readonly headers: string;
  readonly expectStatus: 200 | 401;
  readonly variants: readonly string[];
  /** Only in `--full` runs. */
  readonly fullOnly: boolean;
}

const names = (filter: (v: Variant) => boolean) => VARIANTS.filter(filter).map((v) => v.name);
// The authorization-step variants run on the RS256 JWT scenarios only (hot: a cached decision where the
// backend caches; cold: a new identity, so a new decision, on every request). WebCrypto on the hot path
// answers from the token cache like node:crypto: it is measured where it verifies.
const hotVariants = names(
  (v) => (v.kind !== 'reference' || v.name === 'floor-express') && v.name !== 'gatehouse-hono-webcrypto',
);
const verifying = names((v) => v.kind !== 'bare');
const withoutAuthz = (list: readonly string[]) =>
  list.filter((name) => !VARIANTS.find((v) => v.name === name)?.authz);

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'hot-rs256',
    kind: 'hot',
    title: 'Hot path, RS256: one valid token repeated (Gatehouse answers from its cache)',
    headers: 'hot-rs256',
    expectStatus: 200,
    variants: hotVariants,
    fullOnly: false,
  },
  {
    name: 'hot-es256',
    kind: 'hot',
    title: 'Hot path, ES256: one valid token repeated',
    headers: 'hot-es256',
    expectStatus: 200,
    variants: withoutAuthz(hotVariants),
    fullOnly: true,
  },
  {
    name: 'cold-rs256',
    kind: 'cold',
    title:
      'Cold path, RS256: distinct valid tokens cycling (more than any cache holds: every request verifies)',
    headers: 'cold-rs256',
    expectStatus: 200,
    variants: verifying,
    fullOnly: false,
  },
  {
    name: 'cold-es256',
    kind: 'cold',
    title: 'Cold path, ES256: distinct valid tokens cycling',
    headers: 'cold-es256',
    expectStatus: 200,
    variants: withoutAuthz(verifying),
    fullOnly: false,
  },
  {
    name: 'apikey',
    kind: 'apikey',
    title: 'API key (Gatehouse vs the bare frameworks; the peers take no API keys)',
    headers: 'apikey',
    expectStatus: 200,
    variants: names((v) => (v.kind === 'bare' || v.kind === 'gatehouse') && !v.authz),
    fullOnly: false,
  },
  {
    name: 'invalid-rs256',
    kind: 'invalid',
    title: 'Invalid tokens, RS256: distinct tokens with a bad signature (the cost of rejecting, 401)',
    headers: 'invalid-rs256',
    expectStatus: 401,
    variants: withoutAuthz(verifying),
    fullOnly: false,
  },
  {
    name: 'invalid-es256',
    kind: 'invalid',
    title: 'Invalid tokens, ES256: distinct tokens with a bad signature',
    headers: 'invalid-es256',
    expectStatus: 401,
    variants: withoutAuthz(verifying),
    fullOnly: true,
  },
];

/** What a variant's ratio is measured against: the bare framework (hot, API key) or the floor (else). */
export function baselineOf(kind: ScenarioKind, variant: Variant): string | undefined {
  if (variant.kind === 'bare') return undefined;
  if (kind === 'hot' || kind === 'apikey') return bareOf(variant);
  // The node:crypto floor, where the framework has one on Node.
  const floor = `floor-${variant.framework}`;
  if (variant.kind === 'reference' || variant.runtime !== undefined) return undefined;
  return VARIANTS.some((v) => v.name === floor) ? floor : undefined;
}
