-- Certificates a community moved for its members' trades: per hour and seller–buyer pair, the Wh
-- matched and the Wh of certificates transferred to the buyer and claimed for it (fewer when the
-- seller's device had fewer certificates for the hour).
CREATE TABLE community_certificate_moves (
  community_id     bigint NOT NULL REFERENCES communities (id),
  hour_start       timestamptz NOT NULL,
  seller_member_id bigint NOT NULL REFERENCES community_members (id),
  buyer_member_id  bigint NOT NULL REFERENCES community_members (id),
  matched_wh       bigint NOT NULL CHECK (matched_wh > 0),
  moved_wh         bigint NOT NULL CHECK (moved_wh >= 0 AND moved_wh <= matched_wh),
  bundle_ids       bigint[] NOT NULL,
  moved_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, hour_start, seller_member_id, buyer_member_id)
);
