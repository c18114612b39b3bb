// A compiled statement with its parameters written in as literals: COPY, which sends a query's rows
// as the server's own text (database.ts, `copyOut`), takes no parameters. Only the values a query
// builder binds are written here, each in a form that cannot end early: numbers as digits, text
// dollar-quoted under a tag the text does not hold (no escapes exist inside such a quote, so nothing
// in the value is ever read as SQL).

/** `text` dollar-quoted under the first tag `$l$`, `$l1$`, `$l2$`… that does not occur in it. */
function dollarQuoted(text: string): string {
  if (text.includes('\0')) throw new RangeError('a SQL literal cannot hold a NUL character');
  let tag = '$l$';
  for (let n = 1; text.includes(tag) || text.endsWith(tag.slice(0, -1)); n++) tag = `$l${n}$`;
  return `${tag}${text}${tag}`;
}

/** One bound value as a SQL literal; a value of any other kind is refused rather than guessed at. */
export function sqlLiteral(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return `(${value})`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`a SQL literal cannot be ${value}`);
    return `(${value})`;
  }
  if (typeof value === 'string') return dollarQuoted(value);
  if (value instanceof Date) return dollarQuoted(value.toISOString());
  throw new TypeError(`no SQL literal is written for a ${typeof value}`);
}

/**
 * The statement with `$1`, `$2`… replaced by its parameters as literals. Only for a statement
 * Kysely compiled, whose every `$` is a placeholder: its identifiers are quoted, its text values
 * are parameters.
 */
export function withLiterals(statement: { sql: string; parameters: readonly unknown[] }): string {
  return statement.sql.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index >= statement.parameters.length) throw new RangeError(`the statement has no parameter $${n}`);
    return sqlLiteral(statement.parameters[index]);
  });
}
