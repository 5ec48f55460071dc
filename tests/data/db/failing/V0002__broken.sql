-- Creates a table and a row, then fails: none of it may survive.
CREATE TABLE b (id integer PRIMARY KEY);
INSERT INTO b VALUES (1);
INSERT INTO a VALUES (1);
SELECT 1 / 0;
