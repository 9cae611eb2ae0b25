import { PRESENTED_TOKEN_TYPES, PROVIDER_PRESETS } from '@gatehouse/client';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { GRANTS, TOKEN_STORAGES } from '../config/config-file.js';
import { CLI_ENV } from '../config/env.js';
import { parsePort, type SettingFlags } from '../config/settings.js';

/**
 * An option whose value is one of `choices` (shown in the help). An empty value, as from an exported but
 * empty variable, counts as unset.
 */
export function choiceOption(flags: string, description: string, choices: readonly string[]): Option {
  return new Option(flags, description).choices(choices).argParser((value: string) => {
    if (value === '') return undefined;
    if (!choices.includes(value))
      throw new InvalidArgumentError(`Allowed choices are ${choices.join(', ')}.`);
    return value;
  });
}

/** An option that takes a whole number of seconds (at least `min`). */
export function secondsOption(flags: string, description: string, min = 1): Option {
  return new Option(flags, description).argParser((value: string) => {
    const secs = Number(value);
    if (!Number.isInteger(secs) || secs < min || value.trim() === '') {
      throw new InvalidArgumentError(`must be a whole number of seconds, at least ${min}.`);
    }
    return secs;
  });
}

/** Options every command that talks to the provider accepts; each falls back to its variable. */
export function withConnectionOptions(command: Command): Command {
  return command
    .addOption(
      new Option('-p, --profile <name>', 'profile in the config file (default "default")').env(
        CLI_ENV.profile,
      ),
    )
    .addOption(new Option('--issuer <url>', 'OpenID issuer URL').env(CLI_ENV.issuer))
    .addOption(new Option('--client-id <id>', 'OAuth client id').env(CLI_ENV.clientId))
    .addOption(
      new Option(
        '--client-secret <secret>',
        'client secret for confidential clients; prefer the variable (flags show up in ps)',
      ).env(CLI_ENV.clientSecret),
    )
    .addOption(
      choiceOption('--grant <grant>', 'how to get tokens (default authorization_code)', GRANTS).env(
        CLI_ENV.grant,
      ),
    )
    .addOption(new Option('--username <name>', 'user name of the password grant').env(CLI_ENV.username))
    .addOption(new Option('--scope <scopes>', 'space-separated scopes').env(CLI_ENV.scope))
    .addOption(new Option('--audience <uri>', 'API audience').env(CLI_ENV.audience))
    .addOption(
      new Option(
        '--resource <url>',
        'protected resource to get tokens for: its metadata (RFC 9728) names the issuer, and the tokens name it (RFC 8707)',
      ).env(CLI_ENV.resource),
    )
    .addOption(
      choiceOption(
        '--preset <provider>',
        "the provider's conventions (default: recognised from the issuer)",
        PROVIDER_PRESETS,
      ).env(CLI_ENV.preset),
    )
    .addOption(
      new Option('--token-endpoint <url>', 'token endpoint, skipping discovery (client_credentials)').env(
        CLI_ENV.tokenEndpoint,
      ),
    )
    .addOption(
      choiceOption(
        '--token-type <type>',
        'the token sent and printed (default access_token; id_token for Google)',
        PRESENTED_TOKEN_TYPES,
      ).env(CLI_ENV.tokenType),
    )
    .addOption(
      new Option('--token-file <path>', 'token file (default ~/.gatehouse/tokens/<profile>.json)').env(
        CLI_ENV.tokenFile,
      ),
    )
    .addOption(
      choiceOption(
        '--token-storage <where>',
        'keep the tokens in the token file or the OS keychain (default file)',
        TOKEN_STORAGES,
      ).env(CLI_ENV.tokenStorage),
    )
    .option(
      '--dpop',
      'DPoP-bound tokens (RFC 9449): a key kept with the tokens (encrypted or in the keychain like the refresh token) signs a proof per request',
    );
}

/** Options of the commands that may run a login (login, token, exec, whoami). */
export function withLoginOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--port <port>',
        'loopback port for the login callback, 0 for any free port (default 48080)',
      ).argParser((value: string) => {
        try {
          return parsePort(value);
        } catch {
          throw new InvalidArgumentError('must be an integer from 0 to 65535.');
        }
      }),
    )
    .option('--no-browser', 'do not open a browser: print the login URL and wait for the callback')
    .option(
      '--encrypt',
      'encrypt the refresh token at rest (passphrase from GATEHOUSE_TOKEN_PASSPHRASE or a prompt)',
    );
}

/** Options of the commands that hand a DPoP-bound token to something else (token, exec). */
export function withProofOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--proof-url <url>',
        'with --dpop: also make a DPoP proof for one request to this URL',
      ).argParser((value: string) => {
        const url = URL.canParse(value) ? new URL(value) : undefined;
        if (url?.protocol !== 'https:' && url?.protocol !== 'http:') {
          throw new InvalidArgumentError('must be an absolute http(s) URL.');
        }
        return url;
      }),
    )
    .addOption(
      new Option('--proof-method <method>', 'the method of that request')
        .default('GET')
        .argParser((value: string) => {
          if (!/^[A-Za-z]+$/.test(value)) throw new InvalidArgumentError('must be an HTTP method.');
          return value.toUpperCase();
        }),
    );
}

/** The flags as commander parses them: the settings flags, plus `--no-browser`. */
export type CommandFlags = SettingFlags & { browser?: boolean };

/** The flags of {@link withProofOptions}. */
export type ProofFlags = { proofUrl?: URL; proofMethod: string };
