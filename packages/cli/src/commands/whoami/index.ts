import { createAuthenticatedFetch, isSecureOrLoopbackUrl, NetworkError } from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings } from '../../config/settings.js';
import { ServiceError, UsageError } from '../../errors.js';
import { warner } from '../../session/output.js';
import { openSession } from '../../session/source.js';
import type { CommandContext } from '../context.js';
import { type CommandFlags, withConnectionOptions, withLoginOptions } from '../shared-options.js';

/** `gatehouse whoami --url <service>`: call the service's `/v1/whoami` with the token. */
export function whoamiCommand(ctx: CommandContext): Command {
  const command = new Command('whoami')
    .summary("call a service's /v1/whoami with your token")
    .description(
      'Call GET <url>/v1/whoami with a valid token (the one `gatehouse token` prints) and print the JSON ' +
        'answer on stdout. On a 401 the token is renewed and the call retried once. A DPoP-bound token (--dpop, ' +
        'or a login made with it) is sent as `DPoP` with a fresh proof.\n\n' +
        'Example: gatehouse whoami --url https://api.example.com --profile prod',
    )
    .requiredOption('--url <service>', 'base URL of a Gatehouse service, e.g. http://127.0.0.1:3000');
  withLoginOptions(withConnectionOptions(command));
  return command.action(async (flags: CommandFlags & { url: string }) => {
    const { io } = ctx;
    const target = whoamiUrl(flags.url);
    const settings = await resolveSettings(flags, io.env, warner(io));
    const session = await openSession(settings, io, {
      browser: flags.browser !== false,
      interactiveLogin: true,
    });
    // A DPoP-bound token (--dpop, or a login made with it) goes with a fresh proof per request.
    const authenticated = createAuthenticatedFetch(session, session.dpop ? { dpop: session.dpop } : {});
    let res: Response;
    try {
      res = await authenticated(target, { headers: { accept: 'application/json' } });
    } catch (err) {
      if (err instanceof TypeError) throw new NetworkError(target.href, err);
      throw err;
    }
    const text = await res.text();
    if (!res.ok) {
      throw new ServiceError(
        `${target.href} answered ${res.status}: ${describeErrorBody(text, res.statusText)}`,
        res.status,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ServiceError(`${target.href} did not answer JSON`, res.status);
    }
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  });
}

function whoamiUrl(base: string): URL {
  const url = URL.canParse(base) ? new URL(base) : undefined;
  if (url?.protocol !== 'https:' && url?.protocol !== 'http:') {
    throw new UsageError(`--url must be an absolute http(s) URL, got "${base}"`);
  }
  if (!isSecureOrLoopbackUrl(url)) {
    throw new UsageError(
      `Refusing to send a token over plain http to ${url.host}: use https:// (http:// is for loopback only)`,
    );
  }
  return new URL('v1/whoami', url.href.endsWith('/') ? url : `${url.href}/`);
}

function describeErrorBody(text: string, fallback: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    const parts = [body.error, body.error_description].filter((p): p is string => typeof p === 'string');
    if (parts.length) return parts.join(': ');
  } catch {
    // not JSON
  }
  return fallback || 'error';
}
