// The configuration reference in the files people read: `.env.example`, the README's table and the
// storage provider's in docs/provider.md, all written from the settings schemas. `tally config docs`
// says which file has drifted; `--write` rewrites them. A test runs the same comparison.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configReference } from './platform/config.ts';
import { envFile, markdownTable } from './platform/environment.ts';
import { providerConfigReference } from './provider/index.ts';

/** A generated part of a file: the whole file, or the text between two marker comments. */
interface Generated {
  file: string;
  marker: string | undefined;
  text: () => string;
}

const GENERATED: Generated[] = [
  {
    file: '.env.example',
    marker: undefined,
    text: () => envFile('Tally (`tally serve`): every setting, at its default', configReference()),
  },
  { file: 'README.md', marker: 'configuration', text: () => markdownTable(configReference()) },
  { file: 'docs/provider.md', marker: 'provider-configuration', text: () => markdownTable(providerConfigReference()) },
];

const begin = (marker: string) => `<!-- generated: ${marker} -->`;
const end = (marker: string) => `<!-- end: ${marker} -->`;

/** The file with its generated part replaced by `text`; throws if its markers are missing. */
function withPart(content: string, marker: string | undefined, text: string): string {
  if (marker === undefined) return text;
  const from = content.indexOf(begin(marker));
  const to = content.indexOf(end(marker));
  if (from < 0 || to < from) throw new Error(`the markers ${begin(marker)} … ${end(marker)} are missing`);
  return `${content.slice(0, from + begin(marker).length)}\n\n${text}\n\n${content.slice(to)}`;
}

/**
 * The same text up to what the formatter changes in a Markdown table (cell padding, the length of
 * the separator dashes) and blank lines around it.
 */
const normalised = (text: string) =>
  text
    .replace(/ *\| */g, '|')
    .replace(/-{3,}/g, '---')
    .replace(/\n{2,}/g, '\n')
    .trim();

/** The generated files that differ from what the schemas say, relative to `root`. */
export function driftedConfigDocs(root: string): string[] {
  return GENERATED.filter(({ file, marker, text }) => {
    const content = readFileSync(join(root, file), 'utf8');
    return normalised(withPart(content, marker, text())) !== normalised(content);
  }).map((g) => g.file);
}

/** Rewrites every generated part under `root`; returns the files written. */
export function writeConfigDocs(root: string): string[] {
  const written: string[] = [];
  for (const { file, marker, text } of GENERATED) {
    const path = join(root, file);
    const content = marker === undefined ? '' : readFileSync(path, 'utf8');
    const next = withPart(content, marker, text());
    if (marker === undefined) writeFileSync(path, `${next}\n`);
    else writeFileSync(path, next);
    written.push(file);
  }
  return written;
}
