-- The address a failed sign-in came from: many failures from one address, whatever the
-- names tried, make that address wait. NULL where it is not known.
ALTER TABLE login_failure ADD COLUMN address TEXT;
CREATE INDEX login_failure_address ON login_failure (address, at);
