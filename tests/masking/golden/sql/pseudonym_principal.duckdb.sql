SUBSTRING(
  'user_' || SUBSTRING(SHA256(GETVARIABLE('tm_mask_key__k') || ':principal:' || "v"), 1, 12),
  1,
  CAST(LENGTH("v") >= 1 AS INT) * 128
)
