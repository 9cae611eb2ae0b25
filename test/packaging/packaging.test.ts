import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES = ['core', 'express', 'koa', 'nestjs', 'fastify'];
const built = PACKAGES.every((p) => existsSync(join(root, 'packages', p, 'dist', 'index.js')));
const KEY = 'packaged-key-123';

// Versions the user installs next to Gatehouse: the same ones the workspace is tested with.
const USER_DEPENDENCIES = {
  express: '5.3.0',
  fastify: '5.12.8',
  koa: '3.3.0',
  '@nestjs/common': '12.5.1',
  '@nestjs/core': '12.5.1',
  '@nestjs/platform-express': '12.5.1',
  'reflect-metadata': '0.2.2',
  rxjs: '7.8.2',
  typescript: '5.9.3',
  '@types/express': '5.0.6',
  '@types/koa': '3.0.3',
  '@types/node': '20.19.43',
};

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });

describe.skipIf(!built)('packed tarballs installed into a fresh app (npm test builds first)', () => {
  let dir: string;
  let app: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-pack-'));
    const tarballs: Record<string, string> = {};
    for (const name of PACKAGES) {
      const out = npm(['pack', '--json', '--pack-destination', dir], join(root, 'packages', name));
      const { filename } = (JSON.parse(out) as { filename: string }[])[0]!;
      tarballs[`@gatehouse/${name}`] = `file:${join(dir, filename)}`;
    }
    app = join(dir, 'app');
    cpSync(join(root, 'test/packaging/fixture'), app, { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'gatehouse-consumer',
        private: true,
        dependencies: { ...tarballs, ...USER_DEPENDENCIES },
      }),
    );
    npm(['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], app);
  }, 300_000);

  afterAll(() => {
    for (const child of children) child.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ships only dist, README and package.json in each tarball', () => {
    const listing = npm(['pack', '--dry-run', '--json'], join(root, 'packages', 'core'));
    const files = (JSON.parse(listing) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files.every((f) => f.startsWith('dist/') || f === 'README.md' || f === 'package.json')).toBe(true);
    expect(files).toContain('dist/index.cjs');
  });

  it('installs one copy of @gatehouse/core, shared by the adapters', () => {
    const nested = ['express', 'koa', 'nestjs', 'fastify'].filter((a) =>
      existsSync(join(app, 'node_modules/@gatehouse', a, 'node_modules/@gatehouse/core')),
    );
    expect(nested).toEqual([]);
    expect(readdirSync(join(app, 'node_modules/@gatehouse')).sort()).toEqual([
      'core',
      'express',
      'fastify',
      'koa',
      'nestjs',
    ]);
  });

  async function serve(file: string, expectedVia: string): Promise<void> {
    const child = spawn(process.execPath, [file], {
      cwd: app,
      env: {
        ...process.env,
        GATEHOUSE_API_KEYS: JSON.stringify([{ name: 'packaged', key: KEY }]),
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c;
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`${file} exited ${code}: ${stderr}`)));
    });
    const base = `http://127.0.0.1:${port}/v1/whoami`;
    const ok = await fetch(base, { headers: { authorization: `Bearer ${KEY}` } });
    expect(ok.status, stderr).toBe(200);
    expect(await ok.json()).toEqual({ subject: 'packaged', via: expectedVia });
    const denied = await fetch(base);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    child.kill();
  }

  it.each([
    ['express.cjs', 'express-cjs'],
    ['express.mjs', 'express-esm'],
    ['koa.cjs', 'koa-cjs'],
    ['koa.mjs', 'koa-esm'],
    ['fastify.cjs', 'fastify-cjs'],
    ['fastify.mjs', 'fastify-esm'],
  ])('serves an authenticated request from %s', (file, via) => serve(file, via));

  const tsc = (args: string[]) => {
    try {
      return execFileSync(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), ...args], {
        cwd: app,
        encoding: 'utf8',
      });
    } catch (err) {
      throw new Error(String((err as { stdout?: string }).stdout ?? err));
    }
  };
  const strict = [
    '--strict',
    '--skipLibCheck',
    '--target',
    'es2022',
    '--experimentalDecorators',
    '--emitDecoratorMetadata',
  ];

  it('type-checks user code importing from ESM and CommonJS (NodeNext)', () => {
    tsc([
      '--noEmit',
      ...strict,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      'types.mts',
      'types.cts',
    ]);
  });

  it('serves a NestJS app compiled by the user to CommonJS', async () => {
    tsc([
      ...strict,
      '--module',
      'commonjs',
      '--moduleResolution',
      'node10',
      '--outDir',
      'nest-cjs',
      'nest.ts',
    ]);
    await serve('nest-cjs/nest.js', 'nest-cjs');
  });

  it('serves a NestJS app compiled by the user to ESM', async () => {
    writeFileSync(
      join(app, 'nest-esm.mts'),
      (await import('node:fs')).readFileSync(join(app, 'nest.ts'), 'utf8'),
    );
    tsc([
      ...strict,
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--outDir',
      'nest-esm',
      'nest-esm.mts',
    ]);
    await serve('nest-esm/nest-esm.mjs', 'nest-esm');
  });
});

const PUBLISHED = [...PACKAGES, 'redis', 'client', 'cli'];
const allBuilt = PUBLISHED.every((p) => existsSync(join(root, 'packages', p, 'dist', 'index.js')));

describe.skipIf(!allBuilt)('the gatehouse CLI installed globally from its tarball', () => {
  let dir: string;
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('npm install -g puts a working gatehouse bin on the PATH', () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-global-'));
    // The client takes isLoopbackHost from @gatehouse/core, so the CLI installs core as well.
    const tarballs = ['core', 'client', 'cli'].map((name) => {
      const out = npm(['pack', '--json', '--pack-destination', dir], join(root, 'packages', name));
      return join(dir, (JSON.parse(out) as { filename: string }[])[0]!.filename);
    });
    npm(
      [
        'install',
        '-g',
        '--prefix',
        join(dir, 'global'),
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        ...tarballs,
      ],
      dir,
    );
    const help = execFileSync(join(dir, 'global/bin/gatehouse'), ['--help'], {
      encoding: 'utf8',
      env: { ...process.env, GATEHOUSE_CONFIG_DIR: join(dir, 'config') },
    });
    for (const command of ['login', 'logout', 'status', 'token', 'exec', 'whoami', 'daemon'])
      expect(help).toContain(command);
  });
});

describe.skipIf(!allBuilt)('published package metadata', () => {
  it.each(PUBLISHED)('%s passes publint and arethetypeswrong', (name) => {
    const cwd = join(root, 'packages', name);
    const bin = (tool: string) => join(root, 'node_modules/.bin', tool);
    expect(execFileSync(bin('publint'), ['--strict'], { cwd, encoding: 'utf8' })).toMatch(/All good/);
    execFileSync(bin('attw'), ['--pack', '.', '--format', 'ascii'], {
      cwd,
      encoding: 'utf8',
      timeout: 120_000,
    });
  });
});
