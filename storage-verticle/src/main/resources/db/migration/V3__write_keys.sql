-- V3: idempotent background writes. A write made on behalf of an ingest job carries a write key
-- (job id + fact index) in its event's data; a retried job finds it here and does not write twice.
CREATE INDEX idx_events_write_key ON events(namespace, json_extract(data, '$.write_key'))
  WHERE json_extract(data, '$.write_key') IS NOT NULL;
