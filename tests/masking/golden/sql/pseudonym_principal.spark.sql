SUBSTRING(
  'user_' || SUBSTRING(SHA2((
    SELECT
      k
    FROM tm_mask_key
  ) || ':principal:' || `v`, 256), 1, 12),
  1,
  CAST(LENGTH(`v`) >= 1 AS INT) * 128
)
