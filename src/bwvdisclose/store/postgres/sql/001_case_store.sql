-- bwvdisclose case store on PostgreSQL, schema version 1: cases, their events, records.
--
-- Every event is kept as its canonical JSON line, byte for byte as the folder store
-- writes it to events.jsonl (without the newline); the columns beside it (seq, prev,
-- hash, type) are checked against the line, so they can be queried and trusted.
-- Nothing is ever updated or deleted: triggers refuse it for every role (the owner
-- too, unless the owner disables the triggers, which the store-wide log then exposes),
-- and the application role is granted only SELECT and INSERT.

CREATE TABLE bwvdisclose.schema_version (
    version    integer     PRIMARY KEY CHECK (version >= 1),
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text        NOT NULL DEFAULT current_user
);

CREATE TABLE bwvdisclose.cases (
    case_id   text        PRIMARY KEY CHECK (case_id ~ '^BWV-[0-9]{4}-([0-9]{4}|[1-9][0-9]{4,8})$'),
    year      integer     NOT NULL,
    number    integer     NOT NULL CHECK (number >= 1),
    opened_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (year, number),
    CHECK (case_id = 'BWV-' || lpad(year::text, 4, '0') || '-' || lpad(number::text, 4, '0'))
);

CREATE TABLE bwvdisclose.events (
    case_id text    NOT NULL REFERENCES bwvdisclose.cases,
    seq     integer NOT NULL CHECK (seq >= 1),
    type    text    NOT NULL,
    prev    text    NOT NULL CHECK (prev ~ '^[0-9a-f]{64}$'),
    hash    text    NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    line    bytea   NOT NULL CHECK (octet_length(line) BETWEEN 2 AND 16777216),
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE bwvdisclose.records (
    case_id   text        NOT NULL REFERENCES bwvdisclose.cases,
    name      text        NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$'),
    data      bytea       NOT NULL,
    sha256    text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    stored_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (case_id, name),
    CHECK (sha256 = encode(sha256(data), 'hex'))
);

-- Insert-only: no row of the store is ever changed or removed. Statement triggers, so
-- even a statement that would touch no row is refused.
CREATE FUNCTION bwvdisclose.refuse_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    RAISE EXCEPTION 'bwvdisclose: % on %.% refused: the case store is insert-only',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

-- An event must be the next link of its case's chain, and say what its columns say.
CREATE FUNCTION bwvdisclose.check_event() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
DECLARE
    doc jsonb;
    last_seq integer;
    last_hash text;
BEGIN
    doc := convert_from(NEW.line, 'UTF8')::jsonb;
    IF jsonb_typeof(doc) <> 'object'
       OR doc->'seq' IS DISTINCT FROM to_jsonb(NEW.seq)
       OR doc->>'prev' IS DISTINCT FROM NEW.prev
       OR doc->>'hash' IS DISTINCT FROM NEW.hash
       OR doc->>'type' IS DISTINCT FROM NEW.type THEN
        RAISE EXCEPTION 'bwvdisclose: event % of case %: its columns do not match its line',
            NEW.seq, NEW.case_id USING ERRCODE = 'check_violation';
    END IF;
    SELECT e.seq, e.hash INTO last_seq, last_hash
        FROM bwvdisclose.events e WHERE e.case_id = NEW.case_id
        ORDER BY e.seq DESC LIMIT 1;
    IF NEW.seq <> coalesce(last_seq, 0) + 1
       OR NEW.prev <> coalesce(last_hash, repeat('0', 64)) THEN
        RAISE EXCEPTION 'bwvdisclose: event % of case % does not follow event % (hash %)',
            NEW.seq, NEW.case_id, coalesce(last_seq, 0), coalesce(last_hash, repeat('0', 64))
            USING ERRCODE = 'check_violation';
    END IF;
    IF (NEW.seq = 1) <> (NEW.type = 'case_opened')
       OR (NEW.seq = 1 AND doc->>'case_id' IS DISTINCT FROM NEW.case_id) THEN
        RAISE EXCEPTION 'bwvdisclose: event % of case %: a case opens with its own case_opened, once',
            NEW.seq, NEW.case_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER events_chain BEFORE INSERT ON bwvdisclose.events
    FOR EACH ROW EXECUTE FUNCTION bwvdisclose.check_event();

CREATE TRIGGER schema_version_insert_only BEFORE UPDATE OR DELETE OR TRUNCATE ON bwvdisclose.schema_version
    FOR EACH STATEMENT EXECUTE FUNCTION bwvdisclose.refuse_change();
CREATE TRIGGER cases_insert_only BEFORE UPDATE OR DELETE OR TRUNCATE ON bwvdisclose.cases
    FOR EACH STATEMENT EXECUTE FUNCTION bwvdisclose.refuse_change();
CREATE TRIGGER events_insert_only BEFORE UPDATE OR DELETE OR TRUNCATE ON bwvdisclose.events
    FOR EACH STATEMENT EXECUTE FUNCTION bwvdisclose.refuse_change();
CREATE TRIGGER records_insert_only BEFORE UPDATE OR DELETE OR TRUNCATE ON bwvdisclose.records
    FOR EACH STATEMENT EXECUTE FUNCTION bwvdisclose.refuse_change();
