CASE
  WHEN `v` IS NULL
  THEN CAST(NULL AS STRING)
  ELSE CASE
    WHEN LENGTH(`v`) >= 16
    THEN 'key_' || SUBSTRING(`v`, 1, 4) || '_' || SUBSTRING(SHA2((
      SELECT
        k
      FROM tm_mask_key
    ) || ':access_key:' || `v`, 256), 1, 12)
    ELSE 'key_' || SUBSTRING(SHA2((
      SELECT
        k
      FROM tm_mask_key
    ) || ':access_key:' || `v`, 256), 1, 12)
  END
END
