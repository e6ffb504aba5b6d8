-- Remembered results answer retries for a week (Store::forget_keys); these find the old ones.
CREATE INDEX command_keys_at ON command_keys (at);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
