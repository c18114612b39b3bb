// The face's ids. The draft says `format: uuid` for every entity; Tally's ids are integers. Each
// entity is shown under an RFC 9562 version-8 UUID that spells its kind and its integer id, so the
// UUID is derived without a table, reversed without a lookup, stable for ever, and readable:
// account 7 is 7a11e7a9-0002-8000-8000-000000000007. docs/energytag-conformance.md says why.

/** The first 32 bits of every face UUID: marks it as Tally's, so a stray UUID is not misread as an id. */
const MAGIC = '7a11e7a9';

/** What a face UUID names; the number is the UUID's second group. */
export const KINDS = {
  user: 1,
  account: 2,
  device: 3,
  issuance: 4,
  bundle: 5,
  action: 6,
  standing_order: 7,
  organisation: 9,
  /** An imported bundle's origin record, which stands for its device (docs/decisions/0012). */
  imported_issuance: 20,
} as const;
export type Kind = keyof typeof KINDS;

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

/**
 * The UUID of entity `id` of `kind`. Layout (RFC 9562 §5.8): custom_a = MAGIC and the kind (48
 * bits), version 8, custom_b = 0 (12 bits), variant 10, custom_c = the id (62 bits, of which a
 * safe integer uses 53).
 */
export function uuidOf(kind: Kind, id: number): string {
  const tail = hex(id, 15); // the id's 60 low bits; ids stay below 2^53
  return `${MAGIC}-${hex(KINDS[kind], 4)}-8000-8${tail.slice(0, 3)}-${tail.slice(3)}`;
}

const FACE_UUID = /^7a11e7a9-([0-9a-f]{4})-8000-8([0-9a-f]{3})-([0-9a-f]{12})$/;

/** The kind and integer id a face UUID names, or undefined for any other UUID. */
export function readUuid(uuid: string): { kind: Kind; id: number } | undefined {
  const m = FACE_UUID.exec(uuid.toLowerCase());
  if (!m?.[1] || m[2] === undefined || m[3] === undefined) return undefined;
  const code = Number.parseInt(m[1], 16);
  const kind = (Object.keys(KINDS) as Kind[]).find((k) => KINDS[k] === code);
  const id = Number.parseInt(m[2] + m[3], 16);
  if (kind === undefined || !Number.isSafeInteger(id) || id < 1) return undefined;
  return { kind, id };
}

/** The integer id of a UUID of `kind`, or undefined when it names something else (or nothing). */
export function idOf(kind: Kind, uuid: string): number | undefined {
  const read = readUuid(uuid);
  return read?.kind === kind ? read.id : undefined;
}
