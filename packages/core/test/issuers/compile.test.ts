import { describe, expect, it } from 'vitest';
import { AudienceMismatchError, InvalidTokenError } from '../../src/errors.js';
import { CompiledIssuer, type IssuerName } from '../../src/issuers/compile.js';
import { type IssuerRuleOptions, resolveIssuer } from '../../src/issuers/options.js';

const T1 = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const T2 = '9188040d-6c67-4c5b-b112-36a304b66dad';
const V2 = 'https://login.microsoftonline.com/{tenantid}/v2.0';
const V1 = 'https://sts.windows.net/{tenantid}/';

const compile = (options: IssuerRuleOptions & { issuer: string; audience?: string | string[] }) =>
  new CompiledIssuer(resolveIssuer({ audience: 'api', ...options }));

function refusal(fn: () => unknown): InvalidTokenError | AudienceMismatchError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidTokenError || err instanceof AudienceMismatchError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('CompiledIssuer names', () => {
  it('expands a template for each trusted tenant, aliases included, reporting one canonical issuer', () => {
    const entra = compile({ issuer: V2, preset: 'entra', aliases: [V1], tenants: [T1, T2] });
    expect([...entra.names.keys()].sort()).toEqual(
      [
        `https://login.microsoftonline.com/${T1}/v2.0`,
        `https://login.microsoftonline.com/${T2}/v2.0`,
        `https://sts.windows.net/${T1}/`,
        `https://sts.windows.net/${T2}/`,
      ].sort(),
    );
    expect(entra.names.get(`https://sts.windows.net/${T1}/`)).toEqual({
      tenant: T1,
      canonical: `https://login.microsoftonline.com/${T1}/v2.0`,
    });
  });

  it('explains an untrusted tenant, and only for the template shape', () => {
    const entra = compile({ issuer: V2, preset: 'entra', tenants: [T1] });
    const other = 'https://login.microsoftonline.com/00000000-1111-2222-3333-444444444444/v2.0';
    expect(entra.explainUnknown(other)).toMatchObject({ reason: 'tenant', claim: 'tid' });
    expect(entra.explainUnknown('https://evil.example.com/v2.0')).toBeUndefined();
  });

  it("accepts Google's bare issuer spelling", () => {
    const google = compile({ issuer: 'https://accounts.google.com', preset: 'google' });
    expect(google.names.get('accounts.google.com')?.canonical).toBe('https://accounts.google.com');
  });
});

describe('CompiledIssuer checks', () => {
  const entra = compile({ issuer: V2, preset: 'entra', aliases: [V1], tenants: [T1], audience: 'api://gh' });
  const v2Name = entra.names.get(`https://login.microsoftonline.com/${T1}/v2.0`)!;
  const v1Name = entra.names.get(`https://sts.windows.net/${T1}/`)!;
  const v2 = { iss: `https://login.microsoftonline.com/${T1}/v2.0`, tid: T1, azp: 'cli', scp: 'Data.Read' };

  it('refuses a Microsoft Graph token by name, before its signature', () => {
    const err = refusal(() => entra.precheck({ ...v2, aud: '00000003-0000-0000-c000-000000000000' }, v2Name));
    expect(err).toBeInstanceOf(AudienceMismatchError);
    expect(err.message).toBe('token is for Microsoft Graph, not this API');
    expect(() => entra.precheck({ ...v2, aud: 'api://gh' }, v2Name)).not.toThrow();
  });

  it('checks tid against the tenant of iss', () => {
    expect(refusal(() => entra.check({ ...v2, tid: T2 }, v2Name, {}))).toMatchObject({ reason: 'tenant' });
    expect(entra.check(v2, v2Name, {})).toEqual({ scopes: ['Data.Read'], roles: [] });
  });

  it("checks the signing key's issuer: its own tenant, or the configured issuer for v1 tokens", () => {
    expect(() => entra.check(v2, v2Name, { issuer: V2 })).not.toThrow();
    const v1 = { ...v2, iss: `https://sts.windows.net/${T1}/`, appid: 'cli', azp: undefined };
    expect(() => entra.check(v1, v1Name, { issuer: V2 })).not.toThrow();
    const consumerKey = { issuer: `https://login.microsoftonline.com/${T2}/v2.0` };
    expect(refusal(() => entra.check(v2, v2Name, consumerKey))).toMatchObject({ reason: 'key_issuer' });
    const generic = compile({ issuer: 'https://idp.example.com' });
    const name = generic.names.get('https://idp.example.com')!;
    expect(
      refusal(() => generic.check({ iss: 'https://idp.example.com' }, name, { issuer: V2 })),
    ).toMatchObject({
      reason: 'key_issuer',
      claim: 'tid',
    });
    // A key naming a plain issuer needs no tenant: it signs for that issuer only.
    expect(() =>
      generic.check({ iss: 'https://idp.example.com' }, name, { issuer: 'https://idp.example.com' }),
    ).not.toThrow();
    expect(
      refusal(() =>
        generic.check({ iss: 'https://idp.example.com' }, name, { issuer: 'https://other.example.com' }),
      ),
    ).toMatchObject({
      reason: 'key_issuer',
      claim: 'iss',
    });
  });

  it('refuses an Entra ID token presented as an access token (it names no client)', () => {
    const idToken = { iss: v2.iss, tid: T1, aud: 'api://gh', nonce: 'n' };
    expect(refusal(() => entra.check(idToken, v2Name, {}))).toMatchObject({ reason: 'token_type' });
  });

  it('keeps to the client allow-list, wherever the client is named', () => {
    const strict = compile({ issuer: V2, preset: 'entra', tenants: [T1], clients: ['cli'] });
    const name = strict.names.get(v2.iss)!;
    expect(() => strict.check(v2, name, {})).not.toThrow();
    expect(() => strict.check({ ...v2, azp: undefined, appid: 'cli' }, name, {})).not.toThrow();
    expect(refusal(() => strict.check({ ...v2, azp: 'other' }, name, {}))).toMatchObject({
      reason: 'client',
      claim: 'azp',
    });
  });

  it('reads Entra app roles from roles', () => {
    const app = { ...v2, scp: undefined, roles: ['Telemetry.Write'] };
    expect(entra.check(app, v2Name, {})).toEqual({ scopes: [], roles: ['Telemetry.Write'] });
  });
});

describe('token types and required claims', () => {
  it('ID tokens: several audiences need an accepted azp', () => {
    const google = compile({ issuer: 'https://accounts.google.com', preset: 'google', audience: 'cli-id' });
    const name: IssuerName = google.names.get('https://accounts.google.com')!;
    expect(() => google.check({ aud: 'cli-id', azp: 'android-id' }, name, {})).not.toThrow();
    expect(() => google.check({ aud: ['cli-id', 'x'], azp: 'cli-id' }, name, {})).not.toThrow();
    expect(refusal(() => google.check({ aud: ['cli-id', 'x'] }, name, {}))).toMatchObject({ claim: 'azp' });
    expect(refusal(() => google.check({ aud: ['cli-id', 'x'], azp: 'x2' }, name, {}))).toMatchObject({
      claim: 'azp',
    });
  });

  it('Keycloak: typ says which token it is', () => {
    const kc = compile({ issuer: 'https://kc.example.com/realms/r', preset: 'keycloak' });
    const name = kc.names.get('https://kc.example.com/realms/r')!;
    const payload = { typ: 'Bearer', scope: 'openid api:read', realm_access: { roles: ['ops'] } };
    expect(kc.check(payload, name, {})).toEqual({ scopes: ['openid', 'api:read'], roles: ['ops'] });
    const err = refusal(() => kc.check({ ...payload, typ: 'ID' }, name, {}));
    expect(err).toMatchObject({
      reason: 'token_type',
      claim: 'typ',
      message: 'token is not an access token',
    });
  });

  it('required claims: one of the values, or an array containing one', () => {
    const hd = compile({
      issuer: 'https://idp.example.com',
      requiredClaims: { hd: 'example.com', groups: ['ops', 'sre'] },
    });
    const name = hd.names.get('https://idp.example.com')!;
    expect(() => hd.check({ hd: 'example.com', groups: ['dev', 'sre'] }, name, {})).not.toThrow();
    expect(refusal(() => hd.check({ hd: 'gmail.com', groups: 'ops' }, name, {}))).toMatchObject({
      claim: 'hd',
    });
    expect(refusal(() => hd.check({ hd: 'example.com' }, name, {}))).toMatchObject({ claim: 'groups' });
  });

  it("Okta's org server: access tokens refused with the reason, ID tokens pass", () => {
    const org = compile({
      issuer: 'https://dev-1.okta.com',
      preset: 'okta',
      tokenType: 'id_token',
      audience: 'cli',
    });
    const name = org.names.get('https://dev-1.okta.com')!;
    const err = refusal(() =>
      org.precheck({ jti: 'AT.abc', cid: 'cli', aud: 'https://dev-1.okta.com' }, name),
    );
    expect(err.message).toContain("Okta's org authorization server");
    expect(() => org.precheck({ jti: 'ID.abc', aud: 'cli' }, name)).not.toThrow();
  });
});
