SELECT key, value FROM dataset_meta ORDER BY key
