-- Members whose energy in an interval was beyond what a community member can move (MAX_MEMBER_WH
-- in src/community/limits.ts): like missing members they took no part, but clearing did not wait
-- for them, since their data was there. Intervals cleared before this column existed had none.
ALTER TABLE community_intervals ADD COLUMN implausible_member_ids bigint[] NOT NULL DEFAULT '{}';
