-- An interval's matches are stored in one row, as arrays side by side, instead of a row each.
-- A day of a 10,000-member community is 1.4 million matches: as rows (with their two indexes),
-- writing them took most of clearing's 15 s, and even a bare COPY of them took over 5 s; as 96 rows
-- of arrays it takes about a second (docs/benchmarks.md, "Community clearing, 6 Dec 2026").
-- Matches never change once cleared; what changes is their payment state, kept apart.
--
-- Readers keep reading `community_matches`, now a view with the old table's columns, so every
-- query by community and interval reads as before. A match id is its interval's block of ids
-- (first_match_id, a multiple of 2^20 from community_match_blocks) plus its place in the arrays
-- less one; matches cleared before this migration keep the ids they had, listed in match_ids,
-- and the prices they were stored with, in prices.

-- No match may change while it moves: a process of the previous version still running would
-- otherwise change a payment state after it was copied, into the table about to be dropped.
LOCK TABLE community_matches IN EXCLUSIVE MODE;

CREATE TABLE community_interval_matches (
  community_id      bigint NOT NULL,
  interval_start    timestamptz NOT NULL,
  first_match_id    bigint,
  match_ids         bigint[],
  buyer_member_ids  bigint[] NOT NULL,
  seller_member_ids bigint[] NOT NULL,
  wh                bigint[] NOT NULL,
  amount_micro      bigint[] NOT NULL,
  prices            double precision[],
  PRIMARY KEY (community_id, interval_start),
  FOREIGN KEY (community_id, interval_start) REFERENCES community_intervals (community_id, interval_start),
  CHECK (cardinality(wh) > 0 AND cardinality(wh) < 1048576),
  CHECK (cardinality(buyer_member_ids) = cardinality(wh) AND cardinality(seller_member_ids) = cardinality(wh)
     AND cardinality(amount_micro) = cardinality(wh)),
  CHECK ((first_match_id IS NULL) <> (match_ids IS NULL)),
  CHECK (first_match_id % 1048576 = 0),
  CHECK (cardinality(match_ids) = cardinality(wh) AND cardinality(prices) = cardinality(wh)),
  CHECK ((match_ids IS NULL) = (prices IS NULL)),
  -- Every element present (a NULL compares as neither true nor false in the other checks).
  CHECK (array_position(wh, NULL) IS NULL AND array_position(amount_micro, NULL) IS NULL
     AND array_position(match_ids, NULL) IS NULL AND array_position(prices, NULL) IS NULL),
  CHECK (0 < ALL (wh))
);
-- Stored as they are: pglz compressed a day of 10,000 members to two fifths but took 2.6 s to
-- write it, against 1.1 s uncompressed.
ALTER TABLE community_interval_matches
  ALTER COLUMN buyer_member_ids SET STORAGE EXTERNAL,
  ALTER COLUMN seller_member_ids SET STORAGE EXTERNAL,
  ALTER COLUMN wh SET STORAGE EXTERNAL,
  ALTER COLUMN amount_micro SET STORAGE EXTERNAL,
  ALTER COLUMN match_ids SET STORAGE EXTERNAL;
-- Its own pages are few (the arrays are stored apart), so PostgreSQL would never scan it in
-- parallel by its size; a month's statement of a large community unnests tens of millions of
-- matches, and with parallel workers takes as long as it did over a row per match (12 s for a
-- month of 10,000 members, 23 s without). max_parallel_workers_per_gather caps the number.
ALTER TABLE community_interval_matches SET (parallel_workers = 8);
-- A match id leads to its interval: by its block, or (cleared before) by the ids listed.
CREATE UNIQUE INDEX community_interval_matches_block ON community_interval_matches (first_match_id)
  WHERE first_match_id IS NOT NULL;
CREATE INDEX community_interval_matches_ids ON community_interval_matches USING gin (match_ids)
  WHERE match_ids IS NOT NULL;

-- Every match has a buyer or a seller; the grid is never both sides.
CREATE FUNCTION community_match_sides(buyers bigint[], sellers bigint[]) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN NOT EXISTS (SELECT 1 FROM unnest(buyers, sellers) AS s(b, v) WHERE b IS NULL AND v IS NULL);
ALTER TABLE community_interval_matches
  ADD CONSTRAINT community_interval_matches_sides CHECK (community_match_sides(buyer_member_ids, seller_member_ids));

-- A grid match is priced at the grid's or the feed-in price of its interval, a match between
-- members at the interval's peer price.
CREATE FUNCTION community_match_price(buyer bigint, seller bigint, grid double precision,
                                      feed_in double precision, peer double precision) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE WHEN seller IS NULL THEN grid WHEN buyer IS NULL THEN feed_in ELSE peer END;

-- Blocks of 2^20 ids, one an interval: 2^33 intervals before ids pass 2^53.
CREATE SEQUENCE community_match_blocks INCREMENT BY 1048576 MINVALUE 1048576;

-- A match's payment state once it left `created` (a match without a row here is `created`).
CREATE TABLE community_match_states (
  match_id          bigint PRIMARY KEY,
  state             text NOT NULL CHECK (state IN ('created', 'sent', 'paid', 'not_paid', 'error')),
  state_changed_at  timestamptz
);

INSERT INTO community_interval_matches
  (community_id, interval_start, match_ids, buyer_member_ids, seller_member_ids, wh, amount_micro, prices)
SELECT community_id, interval_start, array_agg(id ORDER BY id), array_agg(buyer_member_id ORDER BY id),
       array_agg(seller_member_id ORDER BY id), array_agg(wh ORDER BY id), array_agg(amount_micro ORDER BY id),
       array_agg(price ORDER BY id)
FROM community_matches GROUP BY community_id, interval_start;
INSERT INTO community_match_states (match_id, state, state_changed_at)
SELECT id, state, state_changed_at FROM community_matches WHERE state <> 'created';
SELECT setval('community_match_blocks', (coalesce(max(id), 0) / 1048576 + 1) * 1048576, false) FROM community_matches;
DROP TABLE community_matches;

-- The matches a row each, as the table was. The ids and prices listed before 0039 are unnested
-- with the rest (an element of a stored array read per row would read the whole array each time);
-- for later intervals they are null, and unnest pads them so.
CREATE VIEW community_matches AS
SELECT coalesce(m.match_id, x.first_match_id + m.k - 1) AS id,
       x.community_id,
       x.interval_start,
       m.buyer_member_id,
       m.seller_member_id,
       m.wh,
       coalesce(m.price, community_match_price(m.buyer_member_id, m.seller_member_id, i.grid_price,
                                               i.feed_in_price, i.peer_price)) AS price,
       m.amount_micro,
       coalesce(s.state, 'created') AS state,
       s.state_changed_at
FROM community_interval_matches x
JOIN community_intervals i ON i.community_id = x.community_id AND i.interval_start = x.interval_start
CROSS JOIN LATERAL unnest(x.buyer_member_ids, x.seller_member_ids, x.wh, x.amount_micro, x.match_ids, x.prices)
  WITH ORDINALITY AS m(buyer_member_id, seller_member_id, wh, amount_micro, match_id, price, k)
LEFT JOIN community_match_states s ON s.match_id = coalesce(m.match_id, x.first_match_id + m.k - 1);
