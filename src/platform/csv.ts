// Writing CSV (RFC 4180): a field with a comma, quote or line break is quoted, quotes doubled.
// A text field that a spreadsheet would run as a formula is quoted with a leading apostrophe, so a
// member named "=HYPERLINK(...)" stays a name. Spreadsheets skip a leading tab, carriage return or
// line feed before they look for the formula's =, +, - or @, so those count as a formula's start too.
// Every CSV Tally writes goes through here; numbers are written as they are.
type Field = string | number | boolean | null | undefined;

function field(value: Field): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r\n]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== value ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Field[][]): string {
  return `${[header, ...rows].map((r) => r.map(field).join(',')).join('\n')}\n`;
}
