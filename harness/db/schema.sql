-- The lab's table and query (issue 14), loaded by cluster.sh at every start (idempotent).
-- QUERY ms rows (shared/PROTOCOL.md) runs `SELECT * FROM lab_query($1, $2)`: it sleeps
-- ms milliseconds in the database (pg_sleep), then returns rows 1..rows of lab_rows in order.
-- Row i's payload is 99 bytes: i as six digits, a space, and 92 times the letter
-- 'a' + i % 26; the server sends each row as its payload and a LF (100 bytes a row).
-- The table holds exactly as many rows as QUERY may ask for (kMaxQueryRows, protocol.hpp).
CREATE TABLE IF NOT EXISTS lab_rows (
    id integer PRIMARY KEY,
    payload text NOT NULL
);

INSERT INTO lab_rows (id, payload)
SELECT i, lpad(i::text, 6, '0') || ' ' || repeat(chr(97 + i % 26), 92)
FROM generate_series(1, 1000) AS i
ON CONFLICT (id) DO NOTHING;

CREATE OR REPLACE FUNCTION lab_query(ms integer, n integer) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(ms / 1000.0);
    RETURN QUERY SELECT payload FROM lab_rows WHERE id <= n ORDER BY id;
END
$$;
