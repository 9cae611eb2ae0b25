/** A path that skips authentication: an exact path, a prefix ending in `/*`, or a regular expression. */
export type PublicPath = string | RegExp;

/**
 * Compiles public paths into one predicate over a request path (without query string). Exact entries
 * match exactly (case-sensitive, no trailing-slash folding); `/prefix/*` matches below the prefix; a path
 * with a `..` segment never matches, so a public prefix cannot be walked out of.
 *
 * @example
 * ```ts
 * const isPublic = publicPathMatcher(['/health', '/docs/*']);
 * isPublic('/health'); // true
 * ```
 */
export function publicPathMatcher(paths: readonly PublicPath[] = []): (path: string) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const patterns: RegExp[] = [];
  for (const path of paths) {
    if (path instanceof RegExp) patterns.push(path);
    else if (path.endsWith('/*')) prefixes.push(path.slice(0, -1));
    else exact.add(path);
  }
  if (exact.size === 0 && prefixes.length === 0 && patterns.length === 0) return () => false;
  return (path) => {
    if (exact.has(path)) return true;
    if (path.includes('..')) return false;
    for (const prefix of prefixes) if (path.startsWith(prefix)) return true;
    for (const pattern of patterns) if (pattern.test(path)) return true;
    return false;
  };
}
