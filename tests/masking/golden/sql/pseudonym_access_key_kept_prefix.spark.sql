SUBSTRING(
  'key_' || SUBSTRING(`v`, 1, 4 * CAST(LENGTH(`v`) >= 16 AS INT)) || SUBSTRING('_', 1, CAST(LENGTH(`v`) >= 16 AS INT)) || SUBSTRING(SHA2((
    SELECT
      k
    FROM tm_mask_key
  ) || ':access_key:' || `v`, 256), 1, 12),
  1,
  CAST(LENGTH(`v`) >= 1 AS INT) * 128
)
