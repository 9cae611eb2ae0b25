import { IncomingMessage } from 'node:http';
import type { AuthContext } from '@gatehouse/core';

// Why `req.auth` is an accessor: Express swaps the prototype of every request
// (`Object.setPrototypeOf(req, app.request)`), and in the V8 of Node 20 each property added to an object
// after such a swap builds a hidden class of its own, not shared with any other request (no cached
// transition). `req.auth = …` as an own property therefore cost about 19,000 instructions per request (a
// new map and a copy of the request's ~30 property descriptors), half of what the whole pipeline costs for
// a cached token. Instead, `auth` is defined once as an accessor on Express's request prototype (the object
// `express.request` that every `app.request` inherits from, which Express documents as the place to extend
// `req`), and the identities are kept in a WeakMap keyed by the request. `req.auth` reads and assignments
// behave as before, also for other code that assigns it; only reflection differs (`auth` is not an own,
// enumerable property of the request).

const identities = new WeakMap<object, AuthContext>();

const AUTH_ACCESSOR: PropertyDescriptor = Object.freeze({
  configurable: true,
  enumerable: false,
  get(this: object): AuthContext | undefined {
    return identities.get(this);
  },
  set(this: object, auth: AuthContext | undefined) {
    if (auth === undefined) identities.delete(this);
    else identities.set(this, auth);
  },
});

// The request prototypes (`app.request` objects) under which `req.auth` is known to be this accessor.
const ours = new WeakSet<object>();
let last: object | null = null;

/**
 * Whether `req.auth` is this module's accessor: it is defined on first sight of each `app.request`, on the
 * prototype Express's request methods live on (the one directly above `IncomingMessage.prototype`).
 * False for a request Express did not prepare, and when anything else defines `auth` on the way (an own
 * property, a property of `app.request`, another copy of this package): `req.auth` is then read and
 * assigned as an ordinary property.
 */
function accessorHolds(req: object): boolean {
  const proto = Object.getPrototypeOf(req) as object | null;
  if (proto === null) return false;
  if (proto !== last && !ours.has(proto)) {
    if (!adopt(proto)) return false;
    ours.add(proto);
  }
  last = proto;
  return !Object.hasOwn(req, 'auth');
}

function adopt(proto: object): boolean {
  // An Express request's prototype is its app's `request` (own property `app`); sub-apps' inherit from
  // their parent's, and every one from `express.request`, whose prototype is IncomingMessage.prototype.
  if (!Object.hasOwn(proto, 'app')) return false;
  for (let holder: object | null = proto; holder !== null; holder = Object.getPrototypeOf(holder)) {
    if (Object.getPrototypeOf(holder) === IncomingMessage.prototype) {
      if (!Object.hasOwn(holder, 'auth')) Object.defineProperty(holder, 'auth', AUTH_ACCESSOR);
      return Object.getOwnPropertyDescriptor(holder, 'auth')?.get === AUTH_ACCESSOR.get;
    }
    if (Object.hasOwn(holder, 'auth')) return false;
  }
  return false;
}

/** `req.auth`: the identity an earlier Gatehouse step (or other code) put on the request. */
export function authOnRequest(req: object): AuthContext | undefined {
  return accessorHolds(req) ? identities.get(req) : (req as { auth?: AuthContext }).auth;
}

/** `req.auth = auth`, without adding a property to the request when the accessor holds. */
export function putAuthOnRequest(req: object, auth: AuthContext): void {
  if (accessorHolds(req)) identities.set(req, auth);
  else (req as { auth?: AuthContext }).auth = auth;
}
