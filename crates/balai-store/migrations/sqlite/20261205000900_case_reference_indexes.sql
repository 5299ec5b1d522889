-- Every column that refers to a case gets an index. Without one, each change to a case row makes the
-- database look through the whole referring table for rows that point at it (the foreign key check):
-- `complaints.duplicate_of` alone meant a scan of every report per case.
CREATE INDEX complaints_duplicate_of ON complaints (duplicate_of);
CREATE INDEX submission_keys_case ON submission_keys (case_id);
CREATE INDEX complaint_submission_keys_case ON complaint_submission_keys (case_id);
CREATE INDEX citizen_reads_case ON citizen_reads (case_id);
