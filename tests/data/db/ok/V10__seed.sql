-- Needs V1's table: by name "V10__" sorts before "V1__" and "V2__", so this file also checks
-- that migrations are ordered by version number.
INSERT INTO printer (serial) VALUES ('SEED-1');
