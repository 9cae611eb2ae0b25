import {
  createFileTokenStore,
  DPOP_KEY_SECRET,
  presentedToken,
  type TokenFileSummary,
} from '@gatehouse/client';
import { Command } from 'commander';
import { resolveSettings, type Settings } from '../../config/settings.js';
import { NotLoggedInError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { exchangeTarget } from '../../session/client.js';
import { say, warner } from '../../session/output.js';
import { keychainFor } from '../../session/store.js';
import { describeExpiry, describeIdentity, identityOf } from '../../ui/describe.js';
import type { CommandContext } from '../context.js';
import { type CommandFlags, withConnectionOptions } from '../shared-options.js';

/** `gatehouse status`: who is logged in, where, until when, which token is sent; never a token. */
export function statusCommand(ctx: CommandContext): Command {
  const command = new Command('status')
    .summary('show the login of a profile (never a token)')
    .description(
      'Show who is logged in, the issuer, the expiry of the token that is sent (access or ID token), whether a ' +
        'refresh token is stored and where, and for a profile with an exchange step its audience and the ' +
        "exchanged token's expiry. Tokens are never printed. Exit code 0 when logged in, 1 when not.\n\n" +
        'Example: gatehouse status --json | jq .expiresAt',
    )
    .option('--json', 'print the status as JSON on stdout');
  withConnectionOptions(command);
  return command.action(async (flags: CommandFlags & { json?: boolean }) => {
    const { io } = ctx;
    const warn = warner(io);
    const settings = await resolveSettings(flags, io.env, warn);
    const login = settings.exchange?.source ?? settings;
    await keychainFor(settings, io);
    const summary = await createFileTokenStore({ path: login.tokenFile, onWarning: warn }).inspect();
    const now = Math.floor(Date.now() / 1000);
    if (!summary) {
      if (flags.json) {
        io.stdout.write(
          `${JSON.stringify({ loggedIn: false, profile: settings.profile, tokenFile: login.tokenFile })}\n`,
        );
      }
      throw new NotLoggedInError(
        `Not logged in (profile "${settings.profile}", no tokens at ${login.tokenFile}). Run \`gatehouse login\`.`,
      );
    }
    const facts = await describeLogin(summary, login, now);
    const exchanged = settings.exchange ? await describeExchange(settings, io, now) : undefined;
    if (flags.json) {
      io.stdout.write(
        `${JSON.stringify({ ...facts.json, profile: settings.profile, ...(exchanged ? { exchange: exchanged.json } : {}) }, null, 2)}\n`,
      );
    } else {
      say(
        io,
        `Profile:        ${settings.profile}${login !== settings ? ` (logged in through profile "${login.profile}")` : ''}`,
      );
      for (const line of facts.lines) say(io, line);
      for (const line of exchanged?.lines ?? []) say(io, line);
      if (login.issuer && login.issuer !== summary.issuer) {
        warn(
          `the token file belongs to ${summary.issuer}, but the profile is configured for ${login.issuer}`,
        );
      }
    }
    if (!facts.json.loggedIn) {
      throw new NotLoggedInError(
        'The login has expired and there is no refresh token. Run `gatehouse login`.',
      );
    }
  });
}

async function describeLogin(summary: TokenFileSummary, login: Settings, now: number) {
  const identity = identityOf(summary);
  const sent = presentedToken({ ...summary, tokenType: 'Bearer' }, login.tokenType);
  const sentValid = !!sent && (sent.expiresAt === undefined || sent.expiresAt > now);
  // A service's client credentials token is simply fetched again; a person needs a refresh token.
  const renewable = summary.refreshToken !== 'absent' || summary.grantType === 'client_credentials';
  const loggedIn = sentValid || renewable;
  const refresh = { absent: 'none', present: 'present', encrypted: 'present (encrypted)' }[
    summary.refreshToken
  ];
  const name = login.tokenType === 'id_token' ? 'ID token' : 'Access token';
  const validity = !sent
    ? `none stored${renewable ? '; obtained on next use' : ''}`
    : sentValid
      ? `valid, expires ${describeExpiry(sent.expiresAt, now)}`
      : `expired ${describeExpiry(sent.expiresAt, now)}${renewable ? '; renewed on next use' : ''}`;
  const storage = summary.storage === 'keychain' ? `keychain (${summary.keychain})` : 'file';
  const dpop = summary.secrets.includes(DPOP_KEY_SECRET);
  const lines = [
    `Logged in as:   ${describeIdentity(identity)}`,
    `Issuer:         ${summary.issuer}`,
    `Client:         ${summary.clientId}${summary.grantType ? ` (${summary.grantType})` : ''}`,
    ...(summary.scope ? [`Scope:          ${summary.scope}`] : []),
    ...(summary.audience ? [`Audience:       ${summary.audience}`] : []),
    `Token sent:     ${login.tokenType}`,
    `${`${name}:`.padEnd(16)}${validity}`,
    `Refresh token:  ${refresh}`,
    ...(dpop ? ['DPoP:           bound to a key kept with the tokens'] : []),
    `Token storage:  ${storage}`,
    `Token file:     ${summary.path}`,
  ];
  const json = {
    loggedIn,
    issuer: summary.issuer,
    clientId: summary.clientId,
    grant: summary.grantType ?? null,
    ...identity,
    scope: summary.scope ?? null,
    audience: summary.audience ?? null,
    tokenType: login.tokenType,
    expiresAt: sent?.expiresAt ?? null,
    accessTokenExpiresAt: summary.expiresAt ?? null,
    accessTokenValid: summary.expiresAt === undefined || summary.expiresAt > now,
    tokenValid: sentValid,
    refreshToken: summary.refreshToken,
    dpop,
    tokenStorage: summary.storage,
    tokenFile: summary.path,
  };
  return { lines, json };
}

async function describeExchange(settings: Settings, io: CliIO, now: number) {
  const exchange = settings.exchange!;
  const stored = await createFileTokenStore({ path: exchange.tokenFile, onWarning: warner(io) })
    .inspect()
    .catch(() => undefined);
  const target = exchange.audience ?? exchange.resource ?? '(the default audience)';
  const valid = !!stored && (stored.expiresAt === undefined || stored.expiresAt > now);
  const lines = [
    `Exchange:       for ${target} at ${exchangeTarget(exchange)} (client ${exchange.clientId})`,
    `Exchanged token: ${
      stored
        ? `${valid ? 'valid, expires' : 'expired'} ${describeExpiry(stored.expiresAt, now)}${valid ? '' : '; exchanged again on next use'}`
        : 'none yet; exchanged on next use'
    }`,
  ];
  const json = {
    ...(exchange.from ? { from: exchange.from } : {}),
    issuer: exchange.issuer ?? null,
    tokenEndpoint: exchange.tokenEndpoint ?? null,
    clientId: exchange.clientId,
    audience: exchange.audience ?? null,
    resource: exchange.resource ?? null,
    expiresAt: stored?.expiresAt ?? null,
    valid,
    tokenFile: exchange.tokenFile,
  };
  return { lines, json };
}
