/**
 * Whose records a read may return, as the authorization step decided it: every app asks its gate, per
 * known sender, whether the caller may read that sender's records (one batch: AuthZEN `evaluations`,
 * Cedar, or the built-in rules), and the store's queries keep the senders it allowed. The apps write no
 * ownership rule of their own.
 */
import type { TelemetryStore } from './store.js';

/**
 * The ownership rules as Gatehouse's built-in rules (`authz` with `backend: 'rules'`): admins read
 * everything, anyone else the records it sent (the same subject at the same issuer). The apps that decide
 * with the built-in rules give these; the Cedar and AuthZEN apps say the same in their policies.
 *
 * @example
 * ```ts
 * GatehouseModule.forRoot({ routes: true, authz: OWNERSHIP_RULES });
 * ```
 */
export const OWNERSHIP_RULES = {
  backend: 'rules',
  rules: [
    { id: 'admins-read-everything', action: 'read', allow: { admin: true } },
    {
      id: 'senders-read-their-own',
      action: 'read',
      resource: ['process', 'log', 'metric'],
      allow: { owner: true },
    },
  ],
} as const;

/** A resource's owner: the identity that sent a record (subject at an issuer). */
export interface Owner {
  readonly subject: string;
  readonly issuer: string;
}

/** Whose records a query returns: every sender's, or only these senders'. */
export type Readable = 'all' | readonly Owner[];

/** A resource of the authorization step: the records of one `type` that one sender sent. */
export interface SenderRecords {
  readonly type: string;
  readonly owner: Owner;
}

/** The gate's list filtering (`gate.permitted(auth, 'read', …)`, `GatehouseAuthz.permitted`). */
export type Permitted = (resources: SenderRecords[]) => SenderRecords[] | Promise<SenderRecords[]>;

/**
 * Whose records of `type` the caller may read: each known sender's records are one resource, and
 * `permitted` keeps those the caller may read. Always a list, never `'all'`, even for an admin: a sender
 * whose first records arrive meanwhile was not decided on.
 *
 * @example
 * ```ts
 * const readable = await readableSenders(store, 'log', (resources) => gate.permitted(authOf(req), 'read', resources));
 * res.json(analytics.logs(req.query, readable));
 * ```
 */
export async function readableSenders(
  store: TelemetryStore,
  type: string,
  permitted: Permitted,
): Promise<readonly Owner[]> {
  const resources = store.senders().map((sender) => ({
    type,
    owner: { subject: sender.subject, issuer: sender.issuer },
  }));
  return (await permitted(resources)).map((resource) => resource.owner);
}

/**
 * The SQL condition that keeps `readable`'s records (`@owners` is its parameter), `undefined` for every
 * record, or `'none'` when nothing is readable.
 * @internal
 */
export function ownerCondition(
  readable: Readable,
): { readonly sql: string; readonly owners: string } | undefined | 'none' {
  if (readable === 'all') return undefined;
  if (readable.length === 0) return 'none';
  return {
    sql: `(sender_issuer || char(31) || sender_subject) IN (SELECT value FROM json_each(@owners))`,
    owners: JSON.stringify(readable.map((owner) => `${owner.issuer}\u001f${owner.subject}`)),
  };
}
