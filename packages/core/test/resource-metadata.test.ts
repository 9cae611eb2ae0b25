import { describe, expect, it } from 'vitest';
import { ConfigError } from '../src/index.js';
import {
  protectedResourceMetadata,
  resourceMetadataPaths,
  resourceMetadataUrl,
} from '../src/resource/metadata-document.js';
import { RESOURCE_JSON_NAMES, validateResource } from '../src/resource/resource-option.js';

const VARIABLE = 'GATEHOUSE_RESOURCE';
// The two spellings the configuration table hands the validator: options, and the variable.
const resolveResourceOption = (value: unknown) => validateResource(value, { prefix: 'resource.' });
const parseResourceVariable = (raw: string, variable: string) =>
  validateResource(raw, { variable, names: RESOURCE_JSON_NAMES });

describe('the resource setting', () => {
  it('takes a URL, or an object with the optional RFC 9728 fields', () => {
    expect(resolveResourceOption('https://api.example.com/mcp')).toEqual({
      resource: 'https://api.example.com/mcp',
    });
    expect(
      resolveResourceOption({
        resource: 'http://127.0.0.1:4405/mcp',
        scopesSupported: ['api:read'],
        resourceName: 'Telemetry',
        resourceDocumentation: 'https://docs.example.com/mcp',
        authorizationServers: ['https://idp.example.com'],
      }),
    ).toMatchObject({ resource: 'http://127.0.0.1:4405/mcp', scopesSupported: ['api:read'] });
  });

  it('reads GATEHOUSE_RESOURCE as a URL or JSON with snake_case names', () => {
    expect(parseResourceVariable(' https://api.example.com ', VARIABLE)).toEqual({
      resource: 'https://api.example.com',
    });
    expect(
      parseResourceVariable(
        '{"resource":"https://api.example.com","scopes_supported":["a","b"],"resource_name":"API","authorization_servers":["https://idp.example.com"]}',
        VARIABLE,
      ),
    ).toEqual({
      resource: 'https://api.example.com',
      scopesSupported: ['a', 'b'],
      resourceName: 'API',
      authorizationServers: ['https://idp.example.com'],
    });
  });

  it.each([
    [
      'http://api.example.com/mcp',
      /must be an https:\/\/ URL \(http:\/\/ is allowed only on a loopback host\)/,
    ],
    ['https://api.example.com/mcp#x', /must not contain a fragment/],
    ['not a url', /must be an absolute URL/],
    ['{"resource":"https://a.example","scopes_supported":"read"}', /"scopes_supported" must be an array/],
    ['{"resource":42}', /"resource" must be a URL/],
    [
      '{"resource":"https://a.example","scopes_supported":["has space"]}',
      /"scopes_supported\[0\]" must be scope tokens/,
    ],
    [
      '{"resource":"https://a.example","authorization_servers":["http://idp.example"]}',
      /"authorization_servers\[0\]"/,
    ],
    ['{"resource":"https://a.example","authorization_servers":[]}', /at least one issuer/],
    [
      '{"resource":"https://a.example","resource_documentation":"ftp://x"}',
      /"resource_documentation" must be an http/,
    ],
    ['{"resource":"https://a.example","scopes":["a"]}', /"scopes" is not a known field/],
    ['{"scopes_supported":["a"]}', /"resource" is required/],
    ['{"resource":', /is not valid JSON/],
  ])('refuses %s, naming the variable and the field', (raw, message) => {
    const parse = () => parseResourceVariable(raw, VARIABLE);
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(new RegExp(`^${VARIABLE}: `));
    expect(parse).toThrow(message);
  });

  it('names the option fields in camelCase in code', () => {
    expect(() => resolveResourceOption({ resource: 'https://a.example', scopesSupported: [''] })).toThrow(
      /"resource.scopesSupported\[0\]" must not be empty/,
    );
    expect(() => resolveResourceOption(42 as never)).toThrow(/"resource" must be a URL or an object/);
  });
});

describe('the metadata document (RFC 9728 §2)', () => {
  it('carries the resource exactly as configured, the issuers, header-only bearer tokens, and known fields only', () => {
    expect(
      protectedResourceMetadata(
        { resource: 'https://api.example.com' },
        { issuers: ['https://idp.example.com'] },
      ),
    ).toEqual({
      resource: 'https://api.example.com',
      authorization_servers: ['https://idp.example.com'],
      bearer_methods_supported: ['header'],
    });
  });

  it('names its own authorization servers over the issuers, and the DPoP and certificate facts', () => {
    const document = protectedResourceMetadata(
      {
        resource: 'https://api.example.com/mcp',
        scopesSupported: ['read'],
        resourceName: 'MCP',
        resourceDocumentation: 'https://docs.example.com',
        authorizationServers: ['https://other.example.com'],
      },
      {
        issuers: ['https://idp.example.com'],
        dpopAlgorithms: ['ES256', 'RS256'],
        dpopRequired: true,
        certificateBound: true,
      },
    );
    expect(document).toEqual({
      resource: 'https://api.example.com/mcp',
      authorization_servers: ['https://other.example.com'],
      bearer_methods_supported: ['header'],
      scopes_supported: ['read'],
      resource_name: 'MCP',
      resource_documentation: 'https://docs.example.com',
      dpop_signing_alg_values_supported: ['ES256', 'RS256'],
      dpop_bound_access_tokens_required: true,
      tls_client_certificate_bound_access_tokens: true,
    });
    expect(Object.isFrozen(document)).toBe(true);
  });

  it('says nothing of DPoP when no issuer accepts it', () => {
    const document = protectedResourceMetadata(
      { resource: 'https://api.example.com' },
      { issuers: [], dpopAlgorithms: [], dpopRequired: true },
    );
    expect(document).not.toHaveProperty('dpop_signing_alg_values_supported');
    expect(document).not.toHaveProperty('dpop_bound_access_tokens_required');
  });
});

describe('where the document lives (RFC 9728 §3.1)', () => {
  it.each([
    [
      'https://h.example',
      'https://h.example/.well-known/oauth-protected-resource',
      ['/.well-known/oauth-protected-resource'],
    ],
    [
      'https://h.example/',
      'https://h.example/.well-known/oauth-protected-resource',
      ['/.well-known/oauth-protected-resource'],
    ],
    [
      'https://h.example/mcp',
      'https://h.example/.well-known/oauth-protected-resource/mcp',
      ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'],
    ],
    [
      'http://127.0.0.1:4405/v1/mcp/',
      'http://127.0.0.1:4405/.well-known/oauth-protected-resource/v1/mcp',
      ['/.well-known/oauth-protected-resource/v1/mcp', '/.well-known/oauth-protected-resource'],
    ],
  ])('%s → %s', (resource, url, paths) => {
    expect(resourceMetadataUrl(resource)).toBe(url);
    expect(resourceMetadataPaths(resource)).toEqual(paths);
  });
});
