-- Schema version 2: the store-wide log, a Merkle tree's leaves in order (see store/merkle.py).
--
-- Each leaf names a case's head after a commit: the case had `seq` events, the last one
-- hashed `head`. A leaf is inserted in the same transaction as the events it names, under
-- one lock, so leaves are numbered 0, 1, 2, ... in commit order with no gap. The origin
-- names this log for checkpoints (`bwvdisclose/<store ID>`): one row, written once.
-- A store of version 1 is adopted: its log starts with one leaf per case as it stands.

CREATE TABLE bwvdisclose.log_origin (
    one    boolean PRIMARY KEY DEFAULT true CHECK (one),
    origin text    NOT NULL CHECK (origin ~ '^bwvdisclose/[0-9a-f]{32}$')
);

CREATE TABLE bwvdisclose.log_leaves (
    idx     bigint  PRIMARY KEY CHECK (idx >= 0),
    case_id text    NOT NULL REFERENCES bwvdisclose.cases,
    seq     integer NOT NULL CHECK (seq >= 1),
    head    text    NOT NULL CHECK (head ~ '^[0-9a-f]{64}$'),
    UNIQUE (case_id, seq)
);

-- A leaf comes next in the log, and names the case's last event as it now stands.
CREATE FUNCTION bwvdisclose.check_leaf() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    last_idx bigint;
    last_seq integer;
    last_hash text;
BEGIN
    SELECT max(l.idx) INTO last_idx FROM bwvdisclose.log_leaves l;
    IF NEW.idx <> coalesce(last_idx, -1) + 1 THEN
        RAISE EXCEPTION 'bwvdisclose: leaf % of the store-wide log does not follow leaf %',
            NEW.idx, coalesce(last_idx, -1) USING ERRCODE = 'check_violation';
    END IF;
    SELECT e.seq, e.hash INTO last_seq, last_hash
        FROM bwvdisclose.events e WHERE e.case_id = NEW.case_id
        ORDER BY e.seq DESC LIMIT 1;
    IF NEW.seq IS DISTINCT FROM last_seq OR NEW.head IS DISTINCT FROM last_hash THEN
        RAISE EXCEPTION 'bwvdisclose: leaf % names event % of case %, not its last event',
            NEW.idx, NEW.seq, NEW.case_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER log_leaves_next BEFORE INSERT ON bwvdisclose.log_leaves
    FOR EACH ROW EXECUTE FUNCTION bwvdisclose.check_leaf();
CREATE TRIGGER log_origin_insert_only BEFORE UPDATE OR DELETE OR TRUNCATE ON bwvdisclose.log_origin
    FOR EACH STATEMENT EXECUTE FUNCTION bwvdisclose.refuse_change();
CREATE TRIGGER log_leaves_insert_only BEFORE UPDATE OR DELETE OR TRUNCATE ON bwvdisclose.log_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION bwvdisclose.refuse_change();

INSERT INTO bwvdisclose.log_origin (origin)
    VALUES ('bwvdisclose/' || replace(gen_random_uuid()::text, '-', ''));

-- Adopt the cases of a version-1 store, in case order, each at its last event.
INSERT INTO bwvdisclose.log_leaves (idx, case_id, seq, head)
SELECT row_number() OVER (ORDER BY c.year, c.number) - 1, c.case_id, e.seq, e.hash
FROM bwvdisclose.cases c
JOIN LATERAL (
    SELECT seq, hash FROM bwvdisclose.events WHERE case_id = c.case_id ORDER BY seq DESC LIMIT 1
) e ON true
ORDER BY c.year, c.number;
