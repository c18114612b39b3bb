// Reading settings from environment variables against a TypeBox schema, for Tally's configuration
// and the storage provider's alike: numbers parsed where the schema wants numbers, one problem
// line per bad variable, defaults from one table, and the reference (README table, .env.example)
// written from the same schema so the documentation cannot drift from what is read.
import { type TObject, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';

/** LOG_LEVEL, which every process of the package reads. */
export const LogLevel = Type.Union(
  [
    Type.Literal('fatal'),
    Type.Literal('error'),
    Type.Literal('warn'),
    Type.Literal('info'),
    Type.Literal('debug'),
    Type.Literal('trace'),
    Type.Literal('silent'),
  ],
  { description: 'pino log level' },
);

/** Thrown when the environment breaks the schema; the message names every bad variable. */
export class ConfigError extends Error {}

type Property = TSchema & {
  type?: string;
  description?: string;
  anyOf?: { const?: unknown }[];
  /** How the reference shows a default that is not a fixed value (e.g. `generated`). */
  defaultText?: string;
};

const propertiesOf = (schema: TObject) => schema.properties as Record<string, Property>;

/**
 * The variables the schema names, as set in `env` (empty counts as unset), integers and numbers
 * parsed when they look like one (anything else is left as text for the schema to refuse).
 */
export function readEnvironment(schema: TObject, env: Record<string, string | undefined>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(propertiesOf(schema))) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    const numeric =
      (property.type === 'integer' && /^-?\d+$/.test(value)) ||
      (property.type === 'number' && /^-?\d+(\.\d+)?$/.test(value));
    raw[key] = numeric ? Number(value) : value;
  }
  return raw;
}

/**
 * One line per variable that breaks the schema: a list of allowed values says which they are (the
 * validator would report each one it was not), anything else says what it must be. Each variable
 * is checked on its own: the validator stops after a few errors, which one bad list fills.
 */
export function valueProblems(schema: TObject, raw: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const property = propertiesOf(schema)[key];
    if (property === undefined) continue;
    const [first] = Value.Errors(property, value);
    if (first === undefined) continue;
    const allowed = allowedValues(property);
    problems.push(`${key}: ${allowed ? `must be one of ${allowed.join(', ')}` : first.message}`);
  }
  return problems;
}

function allowedValues(property: Property): string[] | undefined {
  return property.anyOf?.every((o) => o.const !== undefined) ? property.anyOf.map((o) => String(o.const)) : undefined;
}

/** One variable as the reference documents it. */
export interface Variable {
  name: string;
  /** Its default, when it is a fixed value. */
  value: string | undefined;
  /** Its default as Markdown: the value in code, a description of one (`defaultText`), or a dash. */
  shown: string;
  meaning: string;
}

/** Every variable of `schema`, in its order, with its default from `defaults` (or its `defaultText`). */
export function reference(schema: TObject, defaults: Record<string, unknown>): Variable[] {
  return Object.entries(propertiesOf(schema)).map(([name, property]) => {
    const value = defaults[name] === undefined ? undefined : String(defaults[name]);
    const allowed = allowedValues(property);
    const meaning = property.description ?? '';
    return {
      name,
      value,
      shown: value !== undefined ? `\`${value}\`` : (property.defaultText ?? '—'),
      meaning: allowed ? `${meaning} (${allowed.map((a) => `\`${a}\``).join(', ')})` : meaning,
    };
  });
}

/** An env file: each variable commented out at its default, under its meaning. */
export function envFile(title: string, variables: Variable[]): string {
  const lines = [
    `# ${title}`,
    '# Generated from the configuration schema by `tally config docs --write`; do not edit.',
    '',
  ];
  for (const v of variables) {
    lines.push(`# ${v.meaning.replaceAll('`', '')}`, `# ${v.name}=${v.value ?? ''}`, '');
  }
  return lines.join('\n');
}

/** A Markdown table of the variables, as the README shows them. */
export function markdownTable(variables: Variable[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = variables.map((v) => `| \`${v.name}\` | ${cell(v.shown)} | ${cell(v.meaning)} |`);
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
