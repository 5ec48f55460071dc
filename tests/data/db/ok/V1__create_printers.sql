-- A table without IF NOT EXISTS: applying this file twice fails, which the tests rely on.
CREATE TABLE printer (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    serial text NOT NULL UNIQUE
);
