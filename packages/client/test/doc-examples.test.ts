import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '@gatehouse/testkit';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every `@example` of the exported symbols and every ```ts block of the two READMEs must type-check against
// the real sources, so the documentation cannot drift from the API.

interface Snippet {
  where: string;
  code: string;
}

const PACKAGES = ['packages/client', 'packages/cli'];

function examplesIn(file: string): Snippet[] {
  const text = readFileSync(file, 'utf8');
  const out: Snippet[] = [];
  for (const m of text.matchAll(
    /@example\s*\n((?:\s*\*.*\n)*?)\s*\*\s*```ts\n((?:\s*\*.*\n)*?)\s*\*\s*```/g,
  )) {
    const code = m[2]!.replace(/^\s*\* ?/gm, '');
    const line = text.slice(0, m.index).split('\n').length;
    out.push({ where: `${relative(REPO_ROOT, file)}:${line}`, code });
  }
  return out;
}

function readmeBlocks(file: string): Snippet[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({
    where: `${relative(REPO_ROOT, file)}:${text.slice(0, m.index).split('\n').length}`,
    code: m[1]!,
  }));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

const snippets: Snippet[] = PACKAGES.flatMap((pkg) => [
  ...sourceFiles(join(REPO_ROOT, pkg, 'src')).flatMap(examplesIn),
  ...readmeBlocks(join(REPO_ROOT, pkg, 'README.md')),
]);

describe('documentation examples', () => {
  it('there are examples to check (the extraction works)', () => {
    expect(snippets.length).toBeGreaterThan(60);
  });

  it('every example and README snippet type-checks', () => {
    const files = new Map<string, string>();
    snippets.forEach((s, i) => {
      files.set(join(REPO_ROOT, `.doc-example-${i}.ts`), `${s.code}\nexport {};\n`);
    });
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      baseUrl: REPO_ROOT,
      paths: {
        '@gatehouse/client': ['packages/client/src/index.ts'],
        '@gatehouse/cli': ['packages/cli/src/index.ts'],
      },
    };
    const host = ts.createCompilerHost(options);
    const original = host.getSourceFile.bind(host);
    host.getSourceFile = (name, language, onError) => {
      const text = files.get(name);
      return text === undefined
        ? original(name, language, onError)
        : ts.createSourceFile(name, text, language);
    };
    const exists = host.fileExists.bind(host);
    host.fileExists = (name) => files.has(name) || exists(name);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.has(d.file.fileName))
      .map((d) => {
        const index = Number(/\.doc-example-(\d+)\.ts$/.exec(d.file!.fileName)![1]);
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${snippets[index]!.where} (+${line}): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(problems).toEqual([]);
  });
});
