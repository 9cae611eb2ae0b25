import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Interaction, InteractionResults } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { contextOfLogin, requestedAcr, satisfies } from './authentication-context.js';
import { ACR_MFA, type DevUser } from './constants.js';
import { consentPage, errorPage, loginPage } from './pages.js';

export interface InteractionOptions {
  /** Username → user. */
  users: ReadonlyMap<string, DevUser>;
  /** Clients whose consent is given automatically (the pre-registered, first-party ones). */
  firstPartyClients: ReadonlySet<string>;
}

/** Path prefix of the login and consent pages (oidc-provider's `interactions.url`). */
export const INTERACTION_PATH = '/interaction/';

const MAX_FORM_BYTES = 16 * 1024;

/**
 * The login and consent pages. oidc-provider's devInteractions accept any username and any password, so
 * the dev IdP serves its own: a real (if trivial) password check, and automatic consent for first-party
 * clients so that headless and browser flows stay short.
 *
 * Routes: GET /interaction/:uid, POST /interaction/:uid/login, POST /interaction/:uid/consent.
 */
export function createInteractionHandler(provider: Provider, options: InteractionOptions) {
  return async function handleInteraction(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const [uid, action, ...rest] = path.slice(INTERACTION_PATH.length).split('/');
      if (!uid || rest.length > 0) return send(res, 404, errorPage({ error: 'not_found' }));

      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid) return send(res, 400, errorPage({ error: 'interaction mismatch' }));
      const clientId = String(details.params.client_id);
      const stepUp = requestedAcr(details.params.acr_values);
      const loginForm = {
        action: `${INTERACTION_PATH}${uid}/login`,
        clientId,
        oneTimeCodeRequired: stepUp !== undefined && satisfies(stepUp, ACR_MFA),
        login: details.session?.accountId,
      };

      if (req.method === 'GET' && action === undefined) {
        if (details.prompt.name === 'login') return send(res, 200, loginPage(loginForm));
        if (details.prompt.name === 'consent') {
          if (options.firstPartyClients.has(clientId)) return await grantConsent(provider, req, res, details);
          return send(
            res,
            200,
            consentPage({
              action: `${INTERACTION_PATH}${uid}/consent`,
              clientId,
              scopes: requestedScopes(details.prompt.details),
            }),
          );
        }
        return send(res, 400, errorPage({ error: `unsupported prompt ${details.prompt.name}` }));
      }

      if (req.method === 'POST' && action === 'login' && details.prompt.name === 'login') {
        const form = await readForm(req);
        const login = form.get('login') ?? '';
        const user = options.users.get(login);
        const oneTimeCode = form.get('otp') ?? '';
        const refuse = (error: string) => send(res, 401, loginPage({ ...loginForm, login, error }));
        if (!user || form.get('password') !== user.password) return refuse('Unknown user or wrong password.');
        if (oneTimeCode && oneTimeCode !== user.oneTimeCode) return refuse('Wrong one-time code.');
        const context = contextOfLogin(oneTimeCode !== '');
        if (stepUp && !satisfies(context.acr, stepUp)) {
          return refuse('This application asks for a second factor: enter your one-time code.');
        }
        const result: InteractionResults = { login: { accountId: user.username, ...context } };
        return await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      }

      if (req.method === 'POST' && action === 'consent' && details.prompt.name === 'consent') {
        return await grantConsent(provider, req, res, details);
      }

      return send(res, 405, errorPage({ error: 'method or step not allowed here' }));
    } catch (err) {
      if (err instanceof errors.OIDCProviderError) {
        return send(
          res,
          err.statusCode,
          errorPage({ error: err.error, error_description: err.error_description }),
        );
      }
      // Development only: say what broke instead of a bare server_error.
      return send(res, 500, errorPage({ error: 'server_error', error_description: (err as Error).message }));
    }
  };
}

/** Grants everything the consent prompt lists, then resumes the authorization. */
async function grantConsent(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  details: Interaction,
): Promise<void> {
  const { prompt, params, session } = details;
  if (!session) throw new errors.SessionNotFound('no end-user session for this interaction');

  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: String(params.client_id) });
  if (!grant) throw new errors.SessionNotFound('grant not found');

  const missing = prompt.details as ConsentDetails;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();

  const result: InteractionResults = { consent: details.grantId ? {} : { grantId } };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

interface ConsentDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

function requestedScopes(details: unknown): string[] {
  const missing = details as ConsentDetails;
  return [...(missing.missingOIDCScope ?? []), ...Object.values(missing.missingResourceScopes ?? {}).flat()];
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new errors.InvalidRequest('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
  });
  res.end(html);
}
