import { type Command, Option } from 'commander';
import { GRANTS } from '../config/config-file.js';
import type { SettingFlags } from '../config/settings.js';

/** Options every command that talks to the provider accepts. */
export function withConnectionOptions(command: Command): Command {
  return command
    .option('-p, --profile <name>', 'profile in the config file (env GATEHOUSE_PROFILE; default "default")')
    .option('--issuer <url>', 'OpenID issuer URL (env GATEHOUSE_OIDC_ISSUER)')
    .option('--client-id <id>', 'OAuth client id (env GATEHOUSE_OIDC_CLIENT_ID)')
    .option(
      '--client-secret <secret>',
      'client secret for confidential clients; prefer env GATEHOUSE_OIDC_CLIENT_SECRET (flags show up in ps)',
    )
    .addOption(
      new Option(
        '--grant <grant>',
        'how to get tokens (env GATEHOUSE_OIDC_GRANT_TYPE; default authorization_code)',
      ).choices(GRANTS),
    )
    .option('--scope <scopes>', 'space-separated scopes (env GATEHOUSE_OIDC_SCOPE)')
    .option('--audience <uri>', 'API audience / resource (env GATEHOUSE_OIDC_AUDIENCE)')
    .option(
      '--token-endpoint <url>',
      'token endpoint, skipping discovery (client_credentials; env GATEHOUSE_OIDC_TOKEN_ENDPOINT)',
    )
    .option(
      '--token-file <path>',
      'token file (env GATEHOUSE_TOKEN_FILE; default ~/.gatehouse/tokens/<profile>.json)',
    );
}

/** Options of the commands that may run a login (login, token, exec, whoami). */
export function withLoginOptions(command: Command): Command {
  return command
    .option('--port <port>', 'loopback port for the login callback, 0 for any free port (default 48080)')
    .option('--no-browser', 'do not open a browser: print the login URL and wait for the callback')
    .option(
      '--encrypt',
      'encrypt the refresh token at rest (passphrase from GATEHOUSE_TOKEN_PASSPHRASE or a prompt)',
    )
    .option(
      '--dpop',
      'DPoP-bound tokens (RFC 9449): a key kept beside the token file (encrypted like the refresh token) signs a proof per request',
    );
}

/** Options of the commands that hand a DPoP-bound token to something else (token, exec). */
export function withProofOptions(command: Command): Command {
  return command
    .option('--proof-url <url>', 'with --dpop: also make a DPoP proof for a request to this URL')
    .option('--proof-method <method>', 'the method of that request', 'GET');
}

/** The flags as commander parses them: the settings flags, plus `--no-browser` and `--dpop`. */
export type CommandFlags = SettingFlags & { browser?: boolean; dpop?: boolean };

/** The flags of {@link withProofOptions}. */
export type ProofFlags = { proofUrl?: string; proofMethod: string };
