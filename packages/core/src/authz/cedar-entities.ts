import type { CedarEntity, CedarUid } from './cedar-engine.js';
import type { AuthzRequest, ResourceOwner } from './types.js';

/**
 * How a request becomes a Cedar request:
 * - principal `User::"<issuer>#<subject>"` with attributes `subject`, `issuer`, `authType`, `isAdmin`,
 *   `scopes` and `roles` (sets), `email` when known, `claims` (the chosen claims);
 * - action `Action::"<action>"`;
 * - resource `<type>::"<id>"` (`"*"` for a collection) with its `properties` as attributes and `owner`
 *   as a `User` reference, so that `resource.owner == principal` compares subject and issuer;
 * - `context`: the request's context.
 * Every type takes the configured namespace (`Telemetry::User`). Values Cedar cannot hold (null,
 * fractions, unsafe integers) are left out, as are keys that start with `__` (Cedar's escapes: a claim
 * must never forge an entity reference).
 * @internal
 */
export function cedarRequest(
  request: AuthzRequest,
  namespace: string,
): {
  principal: CedarUid;
  action: CedarUid;
  resource: CedarUid;
  context: Record<string, unknown>;
  entities: CedarEntity[];
} {
  const { subject, resource } = request;
  const principal = userUid(subject.id, subject.issuer, namespace);
  const principalAttrs: Record<string, unknown> = {
    subject: subject.id,
    issuer: subject.issuer,
    authType: subject.authType,
    isAdmin: subject.isAdmin,
    scopes: subject.scopes,
    roles: subject.roles,
    claims: cedarValue(subject.claims) ?? {},
  };
  if (subject.email !== undefined) principalAttrs.email = subject.email;
  const resourceUid: CedarUid = { type: `${namespace}${resource.type}`, id: resource.id ?? '*' };
  const resourceAttrs = (cedarValue(resource.properties ?? {}) ?? {}) as Record<string, unknown>;
  if (resource.owner !== undefined) resourceAttrs.owner = { __entity: ownerUid(resource.owner, namespace) };
  return {
    principal,
    action: { type: `${namespace}Action`, id: request.action },
    resource: resourceUid,
    context: (cedarValue(request.context) ?? {}) as Record<string, unknown>,
    entities: [
      { uid: principal, attrs: principalAttrs, parents: [] },
      { uid: resourceUid, attrs: resourceAttrs, parents: [] },
    ],
  };
}

function userUid(subject: string, issuer: string, namespace: string): CedarUid {
  return { type: `${namespace}User`, id: `${issuer}#${subject}` };
}

function ownerUid(owner: ResourceOwner, namespace: string): CedarUid {
  return userUid(owner.subject, owner.issuer, namespace);
}

/** A JSON value as Cedar can hold it, or undefined when it cannot. @internal */
function cedarValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isSafeInteger(value) ? value : undefined;
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        const items: unknown[] = [];
        for (const item of value) {
          const converted = cedarValue(item);
          if (converted !== undefined) items.push(converted);
        }
        return items;
      }
      const record: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (key.startsWith('__')) continue;
        const converted = cedarValue(item);
        if (converted !== undefined) record[key] = converted;
      }
      return record;
    }
    default:
      return undefined;
  }
}
