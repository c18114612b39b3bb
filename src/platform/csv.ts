// Writing CSV (RFC 4180): a field with a comma, quote or line break is quoted, quotes doubled.
// A text field that a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a
// leading apostrophe, so a member named "=HYPERLINK(...)" stays a name.
type Field = string | number | boolean | null | undefined;

function field(value: Field): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== value ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Field[][]): string {
  return `${[header, ...rows].map((r) => r.map(field).join(',')).join('\n')}\n`;
}
