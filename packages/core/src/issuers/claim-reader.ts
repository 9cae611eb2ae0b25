/**
 * Readers of provider-specific claims, compiled once per issuer so that verifying a token only walks the
 * claims that issuer was configured with.
 *
 * A claim name is first looked up as one top-level claim (Auth0's namespaced `https://example.com/roles`
 * has dots of its own), then, when it has dots and no such claim exists, as a path into nested objects
 * (Keycloak's `realm_access.roles`). Only own properties are read, never inherited ones.
 */

type Payload = Readonly<Record<string, unknown>>;

/** Reads one claim, by name or dotted path. */
export type ClaimReader = (payload: Payload) => unknown;

const NO_VALUES: readonly string[] = Object.freeze([]);

/** Compiles the reader of one claim name or dotted path. */
export function compileClaimReader(name: string): ClaimReader {
  if (!name.includes('.')) return (payload) => (Object.hasOwn(payload, name) ? payload[name] : undefined);
  const path = name.split('.');
  return (payload) => {
    if (Object.hasOwn(payload, name)) return payload[name];
    let value: unknown = payload;
    for (const segment of path) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
      if (!Object.hasOwn(value, segment)) return undefined;
      value = (value as Record<string, unknown>)[segment];
    }
    return value;
  };
}

/**
 * Compiles a reader of string lists (scopes, roles) merged from several claims, each either a
 * space-separated string (`scope`, RFC 8693 §4.2) or an array of strings (`scp`, `roles`, `permissions`).
 * Other values are ignored. With no claims configured the reader returns one shared empty list.
 */
export function compileListReader(names: readonly string[]): (payload: Payload) => readonly string[] {
  if (names.length === 0) return () => NO_VALUES;
  const readers = names.map(compileClaimReader);
  if (readers.length === 1) {
    const [read] = readers as [ClaimReader];
    return (payload) => {
      const out: string[] = [];
      collect(read(payload), out, false);
      return out;
    };
  }
  return (payload) => {
    const out: string[] = [];
    for (const read of readers) collect(read(payload), out, true);
    return out;
  };
}

function collect(value: unknown, out: string[], dedupe: boolean): void {
  if (typeof value === 'string') {
    for (const item of value.split(' ')) add(item, out, dedupe);
  } else if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'string') add(item, out, dedupe);
  }
}

function add(item: string, out: string[], dedupe: boolean): void {
  if (item.length > 0 && !(dedupe && out.includes(item))) out.push(item);
}

/** The client a token names, and the claim it was read from. */
export interface TokenClient {
  readonly claim: string;
  readonly id: string;
}

/** Compiles a reader of the first non-empty string among `names` (the token's client id). */
export function compileClientReader(names: readonly string[]): (payload: Payload) => TokenClient | undefined {
  const readers = names.map((claim) => ({ claim, read: compileClaimReader(claim) }));
  return (payload) => {
    for (const { claim, read } of readers) {
      const id = read(payload);
      if (typeof id === 'string' && id.length > 0) return { claim, id };
    }
    return undefined;
  };
}
