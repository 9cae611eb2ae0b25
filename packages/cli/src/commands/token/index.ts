import { createDpopProof, type PresentedToken } from '@gatehouse/client';
import { Command, Option } from 'commander';
import { execInfoApiVersionFrom } from '../../config/env.js';
import { resolveSettings } from '../../config/settings.js';
import { UsageError } from '../../errors.js';
import { warner } from '../../session/output.js';
import { openSession } from '../../session/source.js';
import type { CommandContext } from '../context.js';
import {
  type CommandFlags,
  type ProofFlags,
  withConnectionOptions,
  withLoginOptions,
  withProofOptions,
} from '../shared-options.js';

/** What `token --output` prints. */
export const TOKEN_OUTPUTS = ['token', 'exec-credential'] as const;

/** The kubectl credential plugin API versions gatehouse answers in (kubectl names one in KUBERNETES_EXEC_INFO). */
const EXEC_CREDENTIAL_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

/** `gatehouse token`: print a valid token (only the token, or a kubectl ExecCredential) on stdout. */
export function tokenCommand(ctx: CommandContext): Command {
  const command = new Command('token')
    .summary('print a valid token for scripts (or kubectl)')
    .description(
      [
        'Print a valid token on stdout, and nothing else, refreshing it first when it is about to expire: the access token, the ID token with --token-type id_token, or the exchanged token of a profile with an exchange step. With --grant client_credentials the token is fetched for the client and cached in the token file, no login needed. Without a stored login: a terminal session logs in first (except with the password grant); a script gets an error telling it to run `gatehouse login` (exit 1).',
        '--output exec-credential prints a client.authentication.k8s.io/v1 ExecCredential for kubectl (status.token, status.expirationTimestamp): use gatehouse as a kubeconfig exec plugin. A first login then talks only on stderr and the terminal.',
        'With --dpop the token is DPoP-bound (RFC 9449), and --proof-url adds a second line: a proof for one request to that URL (the key itself never leaves gatehouse).',
        'With --resource <url> the token is for that protected resource (RFC 9728/8707, see `gatehouse login --help`); once logged in for it, the stored login is used without asking the resource again.',
        'Examples:\n  curl -H "Authorization: Bearer $(gatehouse token)" "$API/v1/whoami"\n  curl -H "Authorization: Bearer $(gatehouse token --resource "$MCP")" "$MCP"\n  gatehouse token --output exec-credential --profile cluster\n  { read -r T; read -r P; } < <(gatehouse token --dpop --proof-url "$API/v1/whoami"); curl -H "Authorization: DPoP $T" -H "DPoP: $P" "$API/v1/whoami"',
      ].join('\n\n'),
    )
    .addOption(new Option('--output <format>', 'what to print').choices(TOKEN_OUTPUTS).default('token'));
  withProofOptions(withLoginOptions(withConnectionOptions(command)));
  return command.action(
    async (flags: CommandFlags & ProofFlags & { output: (typeof TOKEN_OUTPUTS)[number] }) => {
      const { io } = ctx;
      if (flags.proofUrl !== undefined && flags.output === 'exec-credential') {
        throw new UsageError(
          '--proof-url prints a proof after the token; it cannot go with --output exec-credential',
        );
      }
      const settings = await resolveSettings(flags, io.env, warner(io));
      if (flags.proofUrl !== undefined && !settings.dpop) throw new UsageError('--proof-url needs --dpop');
      const session = await openSession(settings, io, {
        browser: flags.browser !== false,
        interactiveLogin: true,
      });
      const sent = await session.current();
      if (flags.output === 'exec-credential') {
        io.stdout.write(`${JSON.stringify(execCredential(sent, execInfoApiVersionFrom(io.env)))}\n`);
        return;
      }
      io.stdout.write(`${sent.token}\n`);
      if (flags.proofUrl !== undefined && session.dpop) {
        const proof = await createDpopProof(session.dpop, {
          method: flags.proofMethod,
          url: flags.proofUrl,
          accessToken: sent.token,
        });
        io.stdout.write(`${proof}\n`);
      }
    },
  );
}

/**
 * A kubectl ExecCredential: the token, and its own expiry in RFC 3339 UTC (kubectl calls again after it),
 * in the API version kubectl asked for (v1 unless it said v1beta1).
 */
export function execCredential(sent: PresentedToken, requestedVersion?: string) {
  const apiVersion =
    requestedVersion && EXEC_CREDENTIAL_VERSIONS.includes(requestedVersion)
      ? requestedVersion
      : EXEC_CREDENTIAL_VERSIONS[0]!;
  return {
    apiVersion,
    kind: 'ExecCredential',
    status: {
      token: sent.token,
      ...(sent.expiresAt !== undefined
        ? { expirationTimestamp: new Date(sent.expiresAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') }
        : {}),
    },
  };
}
