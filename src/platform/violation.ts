/**
 * One broken invariant found by `tally check`: the rule's stable name and what breaks it. Every
 * module's checker answers with these.
 */
export interface Violation {
  rule: string;
  detail: string;
}
