/**
 * Authentication context (OpenID Connect `acr_values`, RFC 9470 step-up): which class a login reaches,
 * which class an authorization request asks for, and the login-prompt check that makes a signed-in user
 * log in again when the session's class is too weak. `max_age` needs nothing here: oidc-provider's own
 * login prompt honours it, and every login records `auth_time`.
 */
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR_MFA, ACR_PASSWORD, ACR_VALUES } from './constants.js';

export type Acr = (typeof ACR_VALUES)[number];

/** How the user authenticated: the class and the RFC 8176 methods. */
export interface AuthenticationContext {
  acr: Acr;
  amr: string[];
}

/** The class of a login with the password, and with the one-time code when one was given. */
export function contextOfLogin(withOneTimeCode: boolean): AuthenticationContext {
  return withOneTimeCode ? { acr: ACR_MFA, amr: ['pwd', 'otp'] } : { acr: ACR_PASSWORD, amr: ['pwd'] };
}

/**
 * The weakest known class among the requested `acr_values` (any of them satisfies the request), or
 * undefined when none is asked for or none is known (OpenID Connect: `acr_values` is a voluntary claim).
 */
export function requestedAcr(acrValues: unknown): Acr | undefined {
  if (typeof acrValues !== 'string') return undefined;
  const known = acrValues
    .split(' ')
    .map((value) => ACR_VALUES.indexOf(value as Acr))
    .filter((level) => level >= 0);
  return known.length ? ACR_VALUES[Math.min(...known)] : undefined;
}

/** True when a session at `achieved` meets a request for `requested` (a stronger class meets a weaker one). */
export function satisfies(achieved: unknown, requested: Acr): boolean {
  const level = ACR_VALUES.indexOf(achieved as Acr);
  return level >= 0 && level >= ACR_VALUES.indexOf(requested);
}

/**
 * oidc-provider only re-prompts for `acr` when the `claims` parameter marks it essential; `acr_values` is
 * ignored. This check adds the step-up a resource server's `insufficient_user_authentication` asks for:
 * a session whose class is weaker than the requested one goes through the login page again.
 */
export function interactionPolicyWithStepUp(): interactionPolicy.DefaultPolicy {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check(
      'acr_values',
      'the requested authentication context class was not reached',
      (ctx: KoaContextWithOIDC) => {
        const requested = requestedAcr(ctx.oidc.params?.acr_values);
        if (!requested || satisfies(ctx.oidc.acr, requested))
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        return interactionPolicy.Check.REQUEST_PROMPT;
      },
      (ctx: KoaContextWithOIDC) => ({ acr_values: ctx.oidc.params?.acr_values }),
    ),
  );
  return policy;
}
