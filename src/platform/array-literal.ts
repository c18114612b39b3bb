// Large integer arrays as parameters. node-postgres turns a JavaScript array into PostgreSQL's
// array text by quoting and escaping each element, which for the millions of numbers a community
// day clears into took longer than PostgreSQL's own work on them; integers need none of that.

/** The text PostgreSQL reads as an integer array (`{1,2,NULL}`); cast it in SQL (`::bigint[]`). */
export function integerArray(values: ReadonlyArray<number | null>): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) text += ',';
    text += v === null ? 'NULL' : String(v);
  }
  return `${text}}`;
}
