/**
 * What a Markdown file says that code can check: its headings' anchors, its links, the rows of
 * its tables, the `npm run` scripts and repository files it names. Pure functions of the text, so
 * that `test/readmeFacts.test.ts` can show each check failing on a drifted copy.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

/** The text with every fenced code block's lines blanked (line numbers kept): headings and links are prose only. */
export function prose(markdown: string): string {
  let fenced = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** GitHub's anchor for a heading (github-slugger): lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a link may name: each heading's slug (repeats numbered `-1`, `-2`, as GitHub does) and each `<a id>`. */
export function anchors(markdown: string): Set<string> {
  const text = prose(markdown);
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of text.matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const base = slug(match[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const match of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(match[1] ?? '');
  return out;
}

/** The targets of the prose's Markdown links and images, but those inside inline code. */
export function linkTargets(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1] ?? '');
}

/**
 * The broken relative links of `file` (a path under `root`): a target that is no file or folder,
 * or an anchor that is no heading of the Markdown file it points into (`read` reads one).
 */
export function brokenLinks(root: string, file: string, read: (path: string) => string): string[] {
  const broken: string[] = [];
  const known = new Map<string, Set<string>>();
  const anchorsOf = (path: string) => known.get(path) ?? known.set(path, anchors(read(path))).get(path) ?? new Set();
  for (const target of linkTargets(read(file))) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [path = '', anchor] = target.split('#');
    const into = path === '' ? file : posix.normalize(posix.join(posix.dirname(file), path));
    if (path !== '' && !existsSync(join(root, into))) {
      broken.push(`${file}: ${target} (no such file)`);
      continue;
    }
    if (anchor !== undefined && into.endsWith('.md') && !anchorsOf(into).has(anchor)) {
      broken.push(`${file}: ${target} (no such heading in ${into})`);
    }
  }
  return broken;
}

/** A table row's cells (a `\|` stays in its cell). */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/** The body rows of every table whose header has each of `columns`, as column name -> cell. */
export function tableRows(markdown: string, columns: readonly string[]): Record<string, string>[] {
  const lines = prose(markdown)
    .split('\n')
    .map((line) => line.trim()); // a table may sit in a list item, indented
  const rows: Record<string, string>[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const header = lines[i] ?? '';
    if (!header.startsWith('|') || !/^\|[\s:|-]+$/.test(lines[i + 1] ?? '')) continue;
    const names = cells(header);
    if (!columns.every((c) => names.includes(c))) continue;
    for (let j = i + 2; (lines[j] ?? '').startsWith('|'); j++) {
      const row = cells(lines[j] ?? '');
      rows.push(Object.fromEntries(names.map((name, k) => [name, row[k] ?? ''])));
    }
  }
  return rows;
}

/** The code spans of `text` that match `pattern` (anchored to the whole span), in order. */
export function codeSpans(text: string, pattern: RegExp): string[] {
  const whole = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace('g', ''));
  return [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] ?? '').filter((span) => whole.test(span));
}

/**
 * The flags the tables with a `flag` and an `environment` column document, with the variable
 * each row pairs it with (`--rate` / `--burst` with `HC_RATE` / `HC_BURST`: in order).
 */
export function documentedFlags(markdown: string): Map<string, string | undefined> {
  const flags = new Map<string, string | undefined>();
  for (const row of tableRows(markdown, ['flag', 'environment'])) {
    const names = [...(row.flag ?? '').matchAll(/`--([a-z][a-z0-9-]*)/g)].map((m) => m[1] ?? '');
    const envs = [...(row.environment ?? '').matchAll(/`(HC_[A-Z0-9_]+)/g)].map((m) => m[1] ?? '');
    names.forEach((name, k) => flags.set(name, envs[k]));
  }
  return flags;
}

/** The scripts `npm run X` names in the prose and the code blocks alike. */
export function npmRunScripts(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(/\bnpm run ([a-z][\w:.-]*[\w])/g)].map((m) => m[1] ?? ''))];
}

/**
 * The repository files and folders the prose names in code spans (`server/cli.ts`,
 * `test/e2e/*.e2e.test.ts`) that are not there; a `*` matches within one path segment.
 */
export function missingPaths(root: string, markdown: string, topFolders: readonly string[]): string[] {
  const pattern = new RegExp(`(?:${topFolders.join('|')})/[\\w.*/-]*`);
  const built = builtFolders(root);
  return [...new Set(codeSpans(prose(markdown), pattern))].filter((path) => !pathExists(root, path) && !built(path));
}

/**
 * Whether a path is in a folder `.gitignore` names (`dist/`, `demo/dist/`): what a build or a run makes, absent
 * from a fresh clone until then (`npm test` checks the README before the demo is built).
 */
function builtFolders(root: string): (path: string) => boolean {
  const folders = readFileSync(join(root, '.gitignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line.endsWith('/') && !line.startsWith('#'));
  return (path) =>
    folders.some((folder) => {
      const name = folder.slice(0, -1).replace(/^\//, '');
      // As git reads it: a name with a slash is from the root, one without matches a folder at any depth.
      return name.includes('/') || folder.startsWith('/') ? path === name || path.startsWith(`${name}/`) : path.split('/').includes(name);
    });
}

/** The test files the prose names by their name alone (`cli.process.test.ts`) that no file under `test/` is. */
export function missingTestFiles(root: string, markdown: string): string[] {
  const names = new Set(readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' }).map((path) => posix.basename(path.replaceAll('\\', '/'))));
  return [...new Set(codeSpans(prose(markdown), /[\w.-]+\.test\.ts/))].filter((name) => !names.has(name));
}

function pathExists(root: string, path: string): boolean {
  if (!path.includes('*')) return existsSync(join(root, path));
  const folder = dirname(path);
  if (folder.includes('*') || !existsSync(join(root, folder))) return false;
  const name = new RegExp(`^${posix.basename(path).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  return readdirSync(join(root, folder)).some((entry) => name.test(entry));
}

/** Programs every Debian machine with Node has: the tests may start them without the README saying so. */
const BASE_PROGRAMS = new Set(['node', 'npm', 'npx', 'tar', 'bash']);

/**
 * What `npm test` needs installed besides Node and npm: the programs the tests under `test/` start by name
 * (`spawn('turnserver', ...)`) and the browser they drive (`process.env.CHROMIUM ?? '/usr/bin/chromium'`).
 */
export function programsTestsStart(root: string): string[] {
  const found = new Set<string>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const m of text.matchAll(/\b(?:spawn|spawnSync|execFile|execFileSync)\(\s*'([\w./-]+)'/g)) if (!BASE_PROGRAMS.has((m[1] ?? '').split('/').pop() ?? '')) found.add(m[1] ?? '');
        for (const m of text.matchAll(/process\.env\.CHROMIUM \?\? '([^']+)'/g)) found.add(m[1] ?? '');
      }
    }
  };
  visit(join(root, 'test'));
  return [...found].sort();
}

/** The comment of the `npm test` line in the Commands section's code block, with its continuation lines. */
export function npmTestNeeds(markdown: string): string {
  const section = markdown.slice(markdown.indexOf('\n## Commands\n'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  const at = block.search(/^npm test\b/m);
  return at < 0 ? '' : block.slice(at);
}
