/**
 * What the demo runs and where: its services and their ports (each from a `DEMO_*` variable), the fixed
 * development clients of the dev IdP, and the environment every child starts with.
 */
import { isPortFree } from '@gatehouse/testkit';

/** Everything binds to loopback: the demo is for one developer's machine. */
export const HOST = '127.0.0.1';
/** The example API's audience, the dev IdP's default resource. */
export const AUDIENCE = 'urn:gatehouse:example-api';
/** The dev IdP's confidential service client (development credentials, public on purpose). */
export const SERVICE_CLIENT = { id: 'gatehouse-service', secret: 'gatehouse-service-dev-secret' } as const;
/** The dev IdP's public client for the gatehouse CLI. */
export const CLI_CLIENT_ID = 'gatehouse-cli';
/** The CLI profile the printed lines use, so that the demo's login stays apart from the user's own. */
export const CLI_PROFILE = 'gatehouse-demo';
/** How long a child may take to say it is listening. */
export const STARTUP_TIMEOUT_MS = 60_000;

/** A process (or the live page) of the demo and its port. */
export interface Service {
  readonly name: string;
  /** The variable that sets its port. */
  readonly variable: string;
  /** The port: the default until {@link choosePorts} reads the variable; 0 picks a free one. */
  port: number;
  readonly what: string;
}

/** The development OpenID provider. */
export const IDP: Service = {
  name: 'dev-idp',
  variable: 'DEMO_IDP_PORT',
  port: 4400,
  what: 'development OpenID provider (never for production)',
};
/** The Express app; it creates the database, so it starts before the readers. */
export const INGESTION: Service = {
  name: 'ingestion',
  variable: 'DEMO_INGESTION_PORT',
  port: 4401,
  what: 'Express, writes telemetry',
};
/** The readers: the NestJS and Koa apps. */
export const READERS: readonly Service[] = [
  { name: 'analytics', variable: 'DEMO_ANALYTICS_PORT', port: 4402, what: 'NestJS, reads telemetry' },
  { name: 'analytics-koa', variable: 'DEMO_ANALYTICS_KOA_PORT', port: 4403, what: 'Koa, reads telemetry' },
];
/** The four processes of every demo, in start order. */
export const SERVICES: readonly Service[] = [IDP, INGESTION, ...READERS];

/** The live page, served by the demo process itself. */
export const DASHBOARD: Service = {
  name: 'dashboard',
  variable: 'DEMO_DASHBOARD_PORT',
  port: 4404,
  what: 'live metrics of the three apps (open it in a browser)',
};

/** Started only with Redis: the same app again, sharing revocations with the first. */
export const SECOND_INGESTION: Service = {
  name: 'ingestion-2',
  variable: 'DEMO_INGESTION_2_PORT',
  port: 4405,
  what: 'Express, a second instance of ingestion',
};

/** The MCP server: an OAuth resource server with its own resource identifier. */
export const MCP: Service = {
  name: 'mcp-server',
  variable: 'DEMO_MCP_PORT',
  port: 4406,
  what: 'MCP server (Streamable HTTP at /mcp), an OAuth resource server',
};

/** The AuthZEN policy decision point that ingestion asks whose processes an identity may read. */
export const PDP: Service = {
  name: 'authzen-pdp',
  variable: 'DEMO_PDP_PORT',
  port: 4480,
  what: 'AuthZEN 1.0 policy decision point (Cedar policies), asked by ingestion',
};

/** A setting of the demo from the environment (trimmed; empty means unset). */
export function setting(name: string): string | undefined {
  return process.env[name]?.trim() || undefined;
}

/** Reads each port variable; every port must be free (0 always is). Throws a message naming the variable. */
export async function choosePorts(): Promise<void> {
  for (const service of [...SERVICES, DASHBOARD, SECOND_INGESTION, MCP, PDP]) {
    const raw = setting(service.variable);
    if (raw) {
      if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
        throw new Error(`${service.variable} must be a port number from 0 to 65535`);
      }
      service.port = Number(raw);
    }
    if (service.port !== 0 && !(await isPortFree(service.port, HOST))) {
      throw new Error(
        `port ${service.port} (${service.name}) is already in use (set ${service.variable} to another port)`,
      );
    }
  }
}

/** The environment of a child: the parent's, without any Gatehouse or app setting of the developer's. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(GATEHOUSE_|DEV_IDP_|DEMO_)/.test(key) || ['PORT', 'HOST', 'TELEMETRY_DATA_DIR'].includes(key)) {
      delete env[key];
    }
  }
  return { ...env, ...extra };
}

/**
 * The origin clients use, which DPoP proofs name (GATEHOUSE_PUBLIC_URL); with port 0 the app falls back to
 * the address it listens on.
 */
export function publicUrl(port: number): Record<string, string> {
  return port === 0 ? {} : { GATEHOUSE_PUBLIC_URL: `http://${HOST}:${port}` };
}
