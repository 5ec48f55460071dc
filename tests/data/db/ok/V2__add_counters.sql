-- Several statements in one file run in one transaction.
CREATE TABLE page_counter (
    printer_id bigint NOT NULL REFERENCES printer (id),
    read_at    timestamptz NOT NULL,
    total      bigint NOT NULL,
    PRIMARY KEY (printer_id, read_at)
);
CREATE INDEX page_counter_read_at ON page_counter (read_at);
